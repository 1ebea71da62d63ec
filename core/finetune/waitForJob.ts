/**
 * Polls a job until it reaches a final status, with backoff (the delay grows by `factor` up to
 * `maxDelayMs`), up to a timeout. The sleep is injected: the node passes n8n's `sleep`.
 */
import { FINAL_STATUSES, type FineTuneJob, type FineTuneProvider } from './providers/types';

export interface WaitOptions {
	initialDelayMs?: number;
	maxDelayMs?: number;
	factor?: number;
	timeoutMs: number;
	sleep: (ms: number) => Promise<void>;
	now?: () => number;
	signal?: AbortSignal;
	onPoll?: (job: FineTuneJob) => void;
}

export class WaitTimeoutError extends Error {
	constructor(
		readonly job: FineTuneJob,
		timeoutMs: number,
	) {
		super(`job ${job.id} is still ${job.status} after ${Math.round(timeoutMs / 1000)} s`);
		this.name = 'WaitTimeoutError';
	}
}

export async function waitForJob(provider: FineTuneProvider, id: string, options: WaitOptions): Promise<FineTuneJob> {
	const now = options.now ?? Date.now;
	const deadline = now() + options.timeoutMs;
	let delay = options.initialDelayMs ?? 5_000;
	for (;;) {
		const job = await provider.getJob(id, options.signal);
		options.onPoll?.(job);
		if (FINAL_STATUSES.has(job.status)) return job;
		const left = deadline - now();
		if (left <= 0) throw new WaitTimeoutError(job, options.timeoutMs);
		await options.sleep(Math.min(delay, left));
		if (options.signal?.aborted) throw new Error('The execution was canceled');
		delay = Math.min(options.maxDelayMs ?? 60_000, delay * (options.factor ?? 1.5));
	}
}
