/**
 * Waits for a training step in this execution: looks at it every `pollMs` until it ends, the
 * timeout passes or the execution is cancelled (the signal ends the sleep at once). This is the one
 * place that waits, so that a durable wait (issue 20: the execution put to sleep and resumed) can
 * replace it with the same signature.
 */
import { abortable, sleep as cancellableSleep } from '../../transport/sleep';
import type { OnlineRlProvider, StartedStep, StepProgress } from './types';

export interface StepWaitOptions {
	pollMs: number;
	timeoutMs: number;
	signal?: AbortSignal;
	now?: () => number;
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type WaitForStep = (provider: OnlineRlProvider, step: StartedStep, options: StepWaitOptions) => Promise<StepProgress>;

export class StepWaitTimeoutError extends Error {
	constructor(
		readonly step: StartedStep,
		readonly progress: StepProgress,
		timeoutMs: number,
	) {
		const done = progress.totalGradientSteps !== undefined ? `${progress.gradientSteps} of ${progress.totalGradientSteps}` : String(progress.gradientSteps);
		super(`the training step (job ${step.jobId}) is still running after ${Math.round(timeoutMs / 1000)} s (${done} gradient steps done); raise Timeout, or read its checkpoint later`);
		this.name = 'StepWaitTimeoutError';
	}
}

export const waitForTrainStep: WaitForStep = async (provider, step, options) => {
	const now = options.now ?? Date.now;
	const pause = options.sleep ?? cancellableSleep;
	const deadline = now() + options.timeoutMs;
	let progress: StepProgress | undefined;
	for (;;) {
		abortable(options.signal);
		progress = await provider.stepProgress(step, progress?.cursor, progress, options.signal);
		if (progress.state !== 'running') return progress;
		const left = deadline - now();
		if (left <= 0) throw new StepWaitTimeoutError(step, progress, options.timeoutMs);
		await pause(Math.min(options.pollMs, left), options.signal);
	}
};
