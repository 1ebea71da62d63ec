/**
 * Online RL: one training step from rewards the workflow computed. A service that trains on
 * trajectory groups (each a list of conversations from the same prompt, each with its reward, the
 * shape GRPO needs) is an adapter of this interface; W&B Serverless RL (wandb.ts) is the first.
 * The step has three parts, so that the wait between them can be replaced (issue 20's durable
 * waiting): start it, ask how it goes, and read the checkpoint it produced.
 */
import type { ChatMessage } from '../../generate/messages';

export interface Trajectory {
	/** The conversation: the prompt's messages, then the assistant's answer that was rewarded. */
	messages: ChatMessage[];
	reward: number;
}

export interface TrajectoryGroup {
	/** What the group was made from (the item and round, or the group field's value), for messages. */
	label: string;
	/** The input items the group came from. */
	items: number[];
	trajectories: Trajectory[];
}

export interface TrainStepSpec {
	/** The model to train: a name the service keeps its checkpoints under. */
	modelName: string;
	/** The base model the first step starts from (the service's identifier, e.g. OpenPipe/Qwen3-14B-Instruct). */
	baseModel: string;
	project: string;
	/** The team or user; empty means the key's own. */
	entity?: string;
	groups: TrajectoryGroup[];
	/** The service's learning rate for this step; undefined lets the service choose. */
	learningRate?: number;
}

/** A step that the service has taken: what is needed to follow it, in plain JSON (it may be stored while waiting). */
export interface StartedStep {
	jobId: string;
	modelId: string;
	entity: string;
	project: string;
	modelName: string;
	baseModel: string;
}

export type StepState = 'running' | 'succeeded' | 'failed';

/** What one look at a running step found. */
export interface StepProgress {
	state: StepState;
	/** Where the next look goes on from (the service's event cursor). */
	cursor?: string;
	/** The service's reason when the step failed. */
	error?: string;
	/** Gradient steps reported so far, and how many the service announced. */
	gradientSteps: number;
	totalGradientSteps?: number;
	/** The last metrics the service reported (loss, …). */
	metrics?: Record<string, unknown>;
}

export interface StepCheckpoint {
	step: number;
	/** The name the service's OpenAI-compatible chat completions take for this checkpoint. */
	model: string;
	metrics: Record<string, unknown>;
}

export interface OnlineRlProvider {
	readonly name: string;
	/** Sends the groups as one training step; the request is sent once (never retried: it has no idempotency key). */
	startStep(spec: TrainStepSpec, signal?: AbortSignal): Promise<StartedStep>;
	/** One look at the step: its events since `cursor`. */
	stepProgress(step: StartedStep, cursor: string | undefined, previous: StepProgress | undefined, signal?: AbortSignal): Promise<StepProgress>;
	/** The newest checkpoint of the step's model, once the step has succeeded. */
	latestCheckpoint(step: StartedStep, signal?: AbortSignal): Promise<StepCheckpoint>;
}

export class TrainStepFailedError extends Error {
	constructor(
		readonly step: StartedStep,
		reason: string,
	) {
		super(`the training step (job ${step.jobId}) failed: ${reason}`);
		this.name = 'TrainStepFailedError';
	}
}
