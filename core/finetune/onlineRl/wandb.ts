/**
 * W&B Serverless RL (W&B Training on CoreWeave) over plain HTTP with Bearer auth, base URL
 * https://api.training.wandb.ai/v1. A step is:
 *  1. POST /preview/models {entity, project, name, base_model, return_existing: true}: the model the
 *     checkpoints belong to, created on the first step and returned as it is on the next ones
 *     (ModelCreate → ModelResponse {id, entity, project, name, base_model, run_id}).
 *     https://docs.wandb.ai/serverless-training/api-reference/models/create-model
 *  2. POST /preview/training-jobs {model_id, trajectory_groups, experimental_config}: CreateTrainingJob;
 *     each group is {trajectories: [{messages_and_choices, reward}]}; the answer is TrainingJobResponse {id}.
 *     https://docs.wandb.ai/serverless-training/api-reference/training-jobs/create-rl-training-job
 *     (the same schema with `allow_training_without_logprobs` in ExperimentalTrainingConfig:
 *     https://docs.coreweave.com/products/post-training/serverless-training/api-reference/training-jobs/create-rl-training-job)
 *  3. GET /preview/training-jobs/{training_job_id}/events?after=&limit= (limit 1..100, default 20): a
 *     cursor page {data: [{id, type, data}], has_more}; the types are training_started
 *     ({num_sequences}), gradient_step (metrics), training_ended and training_failed ({error_message}),
 *     as W&B's own client (OpenPipe ART's ServerlessBackend) reads them.
 *     https://docs.wandb.ai/serverless-training/api-reference/training-jobs/get-training-job-events
 *     (GET /preview/training-jobs/{training_job_id}: https://docs.wandb.ai/serverless-training/api-reference/training-jobs/get-training-job)
 *  4. GET /preview/models/{model_id}/checkpoints?order=desc&limit=1: the newest checkpoint {id, step, metrics}.
 *     https://docs.wandb.ai/serverless-training/api-reference/models/list-model-checkpoints
 *  The checkpoint is served on the same base URL's OpenAI-compatible POST /chat/completions as the
 *  model `wandb-artifact:///<entity>/<project>/<model-name>:step<N>`.
 *     https://docs.wandb.ai/serverless-training/use-trained-models
 *     https://docs.wandb.ai/serverless-training/api-reference/chat-completions/create-chat-completion
 *
 * Our trajectories carry the answer's text, not its token logprobs, so every step asks for
 * `allow_training_without_logprobs` (W&B computes them); no tokenizer or reward code runs on their side.
 * The two POSTs are sent once: W&B's preview routes take no idempotency key, so a retried POST
 * could train twice (W&B's own client does not retry them either). Reads are retried.
 */
import type { ApiCaller, ApiRequest } from '../../transport/http';
import type { OnlineRlProvider, StartedStep, StepCheckpoint, StepProgress, TrainStepSpec } from './types';

export const WANDB_TRAINING_BASE_URL = 'https://api.training.wandb.ai/v1';

/** W&B's limit on one page of events. */
const EVENTS_PAGE = 100;

/** The name chat completions take for a checkpoint of a model. */
export function wandbCheckpointModel(entity: string, project: string, modelName: string, step: number): string {
	return `wandb-artifact:///${entity}/${project}/${modelName}:step${step}`;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

export class WandbRlProvider implements OnlineRlProvider {
	readonly name = 'W&B Serverless RL';

	/** `read` may retry (GETs); `write` must not (the POSTs that create a model or a training step). */
	constructor(private readonly callers: { read: ApiCaller; write: ApiCaller }) {}

	private async call(caller: ApiCaller, spec: ApiRequest, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
		const { data } = await caller<Record<string, unknown> | undefined>(spec, signal);
		return data && typeof data === 'object' ? data : {};
	}

	/** The request body of a training step, exactly as sent (exported for tests and for a dry run). */
	static trainingJobBody(modelId: string, spec: TrainStepSpec): Record<string, unknown> {
		return {
			model_id: modelId,
			trajectory_groups: spec.groups.map((group) => ({
				trajectories: group.trajectories.map((trajectory) => ({ messages_and_choices: trajectory.messages, reward: trajectory.reward })),
			})),
			experimental_config: {
				allow_training_without_logprobs: true,
				...(spec.learningRate !== undefined ? { learning_rate: spec.learningRate } : {}),
			},
		};
	}

	async startStep(spec: TrainStepSpec, signal?: AbortSignal): Promise<StartedStep> {
		const model = await this.call(
			this.callers.write,
			{
				method: 'POST',
				path: '/preview/models',
				json: { ...(spec.entity ? { entity: spec.entity } : {}), project: spec.project, name: spec.modelName, base_model: spec.baseModel, return_existing: true },
			},
			signal,
		);
		const modelId = text(model.id);
		if (!modelId) throw new Error('W&B answered POST /preview/models without the model\'s id');
		if (model.base_model !== undefined && text(model.base_model) !== spec.baseModel) {
			// return_existing hands back the model of that name whatever its base: training it would not train the base asked for.
			throw new Error(`the model "${spec.modelName}" already exists in ${text(model.entity) || spec.entity || 'your entity'}/${spec.project} on the base model ${text(model.base_model)}, not ${spec.baseModel}: give another Model Name, or the same Base Model`);
		}
		const job = await this.call(this.callers.write, { method: 'POST', path: '/preview/training-jobs', json: WandbRlProvider.trainingJobBody(modelId, spec) }, signal);
		const jobId = text(job.id);
		if (!jobId) throw new Error('W&B answered POST /preview/training-jobs without the job\'s id');
		return { jobId, modelId, entity: text(model.entity) || spec.entity || '', project: text(model.project) || spec.project, modelName: text(model.name) || spec.modelName, baseModel: spec.baseModel };
	}

	async stepProgress(step: StartedStep, cursor: string | undefined, previous: StepProgress | undefined, signal?: AbortSignal): Promise<StepProgress> {
		const progress: StepProgress = { ...(previous ?? { gradientSteps: 0 }), state: 'running', cursor };
		// Every page there is now: a step's events can be more than one page.
		for (;;) {
			const page = await this.call(
				this.callers.read,
				{ method: 'GET', path: `/preview/training-jobs/${encodeURIComponent(step.jobId)}/events`, query: { after: progress.cursor, limit: EVENTS_PAGE } },
				signal,
			);
			const events = Array.isArray(page.data) ? (page.data as Array<Record<string, unknown>>) : [];
			for (const event of events) {
				const data = event.data && typeof event.data === 'object' ? (event.data as Record<string, unknown>) : {};
				if (event.id !== undefined) progress.cursor = text(event.id);
				switch (event.type) {
					case 'training_started':
						if (typeof data.num_sequences === 'number') progress.totalGradientSteps = data.num_sequences;
						break;
					case 'gradient_step':
						progress.gradientSteps++;
						progress.metrics = data;
						break;
					case 'training_ended':
						progress.state = 'succeeded';
						return progress;
					case 'training_failed':
						progress.state = 'failed';
						progress.error = text(data.error_message) || 'W&B gave no reason';
						return progress;
				}
			}
			if (page.has_more !== true || events.length === 0) return progress;
		}
	}

	async latestCheckpoint(step: StartedStep, signal?: AbortSignal): Promise<StepCheckpoint> {
		const page = await this.call(
			this.callers.read,
			{ method: 'GET', path: `/preview/models/${encodeURIComponent(step.modelId)}/checkpoints`, query: { order: 'desc', limit: 1 } },
			signal,
		);
		const [newest] = Array.isArray(page.data) ? (page.data as Array<Record<string, unknown>>) : [];
		if (!newest || typeof newest.step !== 'number') throw new Error(`the training step (job ${step.jobId}) ended, but W&B lists no checkpoint for the model ${step.modelName}`);
		return {
			step: newest.step,
			model: wandbCheckpointModel(step.entity, step.project, step.modelName, newest.step),
			metrics: newest.metrics && typeof newest.metrics === 'object' ? (newest.metrics as Record<string, unknown>) : {},
		};
	}
}
