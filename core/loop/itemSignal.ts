import { setMaxListeners } from 'node:events';

/**
 * Runs one item's work on a signal of its own, derived from the run's. Every request of the item
 * (candidates, judges, critiques) listens to it, so it takes any number of listeners without a
 * MaxListenersExceededWarning. With `abortAtEnd` (the default), whatever of the item is still
 * running when its work ends is aborted: a failed item's other judges stop spending tokens.
 * Reward Loop runs every item on one; Score Output too (without `abortAtEnd`, since items with the
 * same candidates share Select Best's call; the node run's signal, a second parent, ends those calls
 * when the node returns).
 */
export async function withItemSignal<T>(
	parents: AbortSignal | undefined | Array<AbortSignal | undefined>,
	work: (signal: AbortSignal) => Promise<T>,
	{ abortAtEnd = true } = {},
): Promise<T> {
	const controller = new AbortController();
	setMaxListeners(0, controller.signal);
	const abort = () => controller.abort();
	// Several parents: the task's own signal, and the node run's, which aborts whatever an item left
	// running (a judge other items no longer need) when the node returns.
	const sources = (Array.isArray(parents) ? parents : [parents]).filter((parent): parent is AbortSignal => parent !== undefined);
	if (sources.some((parent) => parent.aborted)) controller.abort();
	else for (const parent of sources) parent.addEventListener('abort', abort, { once: true });
	try {
		return await work(controller.signal);
	} finally {
		for (const parent of sources) parent.removeEventListener('abort', abort);
		if (abortAtEnd) controller.abort();
	}
}

/**
 * The node run's own controller: aborted when the node returns, so that nothing an item started
 * (a judge, a queued request) is still running or waiting afterwards. Every item listens to it.
 */
export function runController(): AbortController {
	const controller = new AbortController();
	setMaxListeners(0, controller.signal);
	return controller;
}
