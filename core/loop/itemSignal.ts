import { setMaxListeners } from 'node:events';

/**
 * Runs one item's work on a signal of its own, derived from the run's. Every request of the item
 * (candidates, judges, critiques) listens to it, so it takes any number of listeners without a
 * MaxListenersExceededWarning. With `abortAtEnd` (the default), whatever of the item is still
 * running when its work ends is aborted: a failed item's other judges stop spending tokens.
 * Reward Loop runs every item on one; Score Output too (without `abortAtEnd`, since items with the
 * same candidates share Select Best's call: the items go into `leftRunning`, which the node aborts
 * when it returns, so that a failed item's other judges do not outlive the node).
 */
export async function withItemSignal<T>(
	parent: AbortSignal | undefined,
	work: (signal: AbortSignal) => Promise<T>,
	{ abortAtEnd = true, leftRunning }: { abortAtEnd?: boolean; leftRunning?: Set<AbortController> } = {},
): Promise<T> {
	const controller = new AbortController();
	setMaxListeners(0, controller.signal);
	const abort = () => controller.abort();
	if (parent?.aborted) controller.abort();
	else parent?.addEventListener('abort', abort, { once: true });
	try {
		return await work(controller.signal);
	} finally {
		parent?.removeEventListener('abort', abort);
		if (abortAtEnd) controller.abort();
		// What the item leaves running (a call other items share) is aborted by the node when it returns.
		else leftRunning?.add(controller);
	}
}
