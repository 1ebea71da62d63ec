/**
 * One online-RL step: send the groups, wait for the step (through the replaceable wait), read the
 * new checkpoint. The result names the model the next Generate Text or Reward Loop samples from.
 */
import { TrainStepFailedError, type OnlineRlProvider, type StartedStep, type StepCheckpoint, type StepProgress, type TrainStepSpec } from './types';
import { waitForTrainStep, type StepWaitOptions, type WaitForStep } from './waitForStep';

export interface TrainStepResult {
	started: StartedStep;
	progress: StepProgress;
	checkpoint: StepCheckpoint;
}

export async function runTrainStep(
	provider: OnlineRlProvider,
	spec: TrainStepSpec,
	options: StepWaitOptions & { wait?: WaitForStep },
): Promise<TrainStepResult> {
	const started = await provider.startStep(spec, options.signal);
	const progress = await (options.wait ?? waitForTrainStep)(provider, started, options);
	if (progress.state === 'failed') throw new TrainStepFailedError(started, progress.error ?? 'no reason given');
	const checkpoint = await provider.latestCheckpoint(started, options.signal);
	return { started, progress, checkpoint };
}

/** The mean of the rewards sent, over every trajectory: the reward of the model that sampled them. */
export function meanReward(spec: Pick<TrainStepSpec, 'groups'>): number {
	const rewards = spec.groups.flatMap((group) => group.trajectories.map((t) => t.reward));
	return rewards.length ? rewards.reduce((sum, r) => sum + r, 0) / rewards.length : 0;
}
