export class CancelledError extends Error {
	constructor() {
		// n8n's engine recognises a cancellation by the word "canceled" in the error message.
		super('The execution was canceled');
		this.name = 'CancelledError';
	}
}

/** Throws CancelledError when the signal has aborted. */
export function abortable(signal?: AbortSignal): void {
	if (signal?.aborted) throw new CancelledError();
}

/** A timer that ends early, with CancelledError, when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(new CancelledError());
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(new CancelledError());
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, Math.max(0, ms));
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

/**
 * Milliseconds on a clock that only moves forward (epoch-based, like Date.now()): pacing arithmetic
 * on the wall clock would count an NTP step forward as refilled buckets.
 */
export const monotonicNow = (): number => performance.timeOrigin + performance.now();
