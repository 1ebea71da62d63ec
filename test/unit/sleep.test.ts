import { abortable, CancelledError, sleep } from '../../core/transport/sleep';
import { track } from './track';

describe('CancelledError', () => {
	it('says "canceled" so that n8n recognises a cancellation', () => {
		const error = new CancelledError();
		expect(error).toBeInstanceOf(Error);
		expect(error.name).toBe('CancelledError');
		expect(error.message).toMatch(/canceled/);
	});
});

describe('abortable', () => {
	it('does nothing without a signal or with a live one', () => {
		expect(() => abortable()).not.toThrow();
		expect(() => abortable(new AbortController().signal)).not.toThrow();
	});

	it('throws CancelledError for an aborted signal', () => {
		const controller = new AbortController();
		controller.abort();
		expect(() => abortable(controller.signal)).toThrow(CancelledError);
	});
});

describe('sleep', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	it('resolves after the given time, not before', async () => {
		const state = track(sleep(1000));
		await jest.advanceTimersByTimeAsync(999);
		expect(state.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(state.status).toBe('resolved');
	});

	it('treats a negative time as zero', async () => {
		const state = track(sleep(-50));
		await jest.advanceTimersByTimeAsync(0);
		expect(state.status).toBe('resolved');
	});

	it('rejects at once when the signal has already aborted', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(sleep(10_000, controller.signal)).rejects.toBeInstanceOf(CancelledError);
		expect(jest.getTimerCount()).toBe(0);
	});

	it('rejects with CancelledError when the signal aborts while waiting, and clears the timer', async () => {
		const controller = new AbortController();
		const state = track(sleep(10_000, controller.signal));
		await jest.advanceTimersByTimeAsync(100);
		expect(state.status).toBe('pending');
		controller.abort();
		await jest.advanceTimersByTimeAsync(0);
		expect(state.status).toBe('rejected');
		expect(state.error).toBeInstanceOf(CancelledError);
		expect(jest.getTimerCount()).toBe(0);
	});

	it('removes its abort listener once it resolves', async () => {
		const controller = new AbortController();
		const remove = jest.spyOn(controller.signal, 'removeEventListener');
		const state = track(sleep(10, controller.signal));
		await jest.advanceTimersByTimeAsync(10);
		expect(state.status).toBe('resolved');
		expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
		// A later abort must not turn the resolved sleep into a rejection.
		controller.abort();
		await jest.advanceTimersByTimeAsync(0);
		expect(state.status).toBe('resolved');
	});
});
