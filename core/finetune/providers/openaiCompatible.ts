/**
 * OpenAI's fine-tuning API through the credential's base URL: OpenAI itself (new jobs until
 * 2027-01-06), the Azure OpenAI v1 API, and proxies such as LiteLLM that speak the same shapes.
 */
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { FineTuningJob } from 'openai/resources/fine-tuning/jobs/jobs';
import type { Checkpoint, FineTuneJob, FineTuneProvider, JobEvent, JobSpec, JobStatus, Operation, Page, TrainingMethod, UploadedFile } from './types';

const OPERATIONS: Operation[] = ['upload', 'create', 'get', 'list', 'cancel', 'pause', 'resume', 'events', 'checkpoints'];
const METHODS: TrainingMethod[] = ['supervised', 'dpo', 'reinforcement'];

const defined = <T extends Record<string, unknown>>(value: T): Partial<T> =>
	Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

export function toJob(job: FineTuningJob): FineTuneJob {
	return {
		id: job.id,
		status: job.status as JobStatus,
		model: job.model,
		fineTunedModel: job.fine_tuned_model ?? null,
		createdAt: job.created_at,
		finishedAt: job.finished_at ?? null,
		trainedTokens: job.trained_tokens ?? null,
		error: job.error?.message ? `${job.error.code ? `${job.error.code}: ` : ''}${job.error.message}` : null,
		raw: job as unknown as Record<string, unknown>,
	};
}

/** The API's `method` object for a job spec. */
export function methodBody(spec: JobSpec): Record<string, unknown> {
	const h = spec.hyperparameters ?? {};
	const common = defined({ n_epochs: h.nEpochs, batch_size: h.batchSize, learning_rate_multiplier: h.learningRateMultiplier });
	switch (spec.method) {
		case 'supervised':
			return { type: 'supervised', supervised: { hyperparameters: common } };
		case 'dpo':
			return { type: 'dpo', dpo: { hyperparameters: { ...common, ...defined({ beta: h.beta }) } } };
		case 'reinforcement':
			if (!spec.grader) throw new Error('reinforcement fine-tuning needs a grader (Score Output\'s grader JSON)');
			return {
				type: 'reinforcement',
				reinforcement: {
					grader: spec.grader,
					hyperparameters: {
						...common,
						...defined({ reasoning_effort: h.reasoningEffort, compute_multiplier: h.computeMultiplier, eval_interval: h.evalInterval, eval_samples: h.evalSamples }),
					},
				},
			};
	}
}

export class OpenAiCompatibleProvider implements FineTuneProvider {
	readonly name = 'OpenAI-compatible';
	readonly operations = new Set(OPERATIONS);
	readonly methods = new Set(METHODS);

	constructor(private readonly client: OpenAI) {}

	async uploadFile(file: { filename: string; content: Buffer }, signal?: AbortSignal): Promise<UploadedFile> {
		const created = await this.client.files.create({ file: await toFile(file.content, file.filename, { type: 'application/jsonl' }), purpose: 'fine-tune' }, { signal });
		return { id: created.id, bytes: created.bytes, filename: created.filename, purpose: created.purpose };
	}

	async createJob(spec: JobSpec, signal?: AbortSignal): Promise<FineTuneJob> {
		if (spec.trainingType === 'full') throw new Error('the OpenAI fine-tuning API chooses the training type itself; leave LoRA / full unset');
		const body = {
			model: spec.model,
			training_file: spec.trainingFile,
			method: methodBody(spec),
			...defined({ validation_file: spec.validationFile, suffix: spec.suffix, seed: spec.seed, metadata: spec.metadata }),
		};
		return toJob(await this.client.fineTuning.jobs.create(body as never, { signal }));
	}

	async getJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		return toJob(await this.client.fineTuning.jobs.retrieve(id, { signal }));
	}

	async listJobs(options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<FineTuneJob>> {
		const page = await this.client.fineTuning.jobs.list(defined(options), { signal });
		return { data: page.data.map(toJob), hasMore: page.has_more };
	}

	async cancelJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		return toJob(await this.client.fineTuning.jobs.cancel(id, { signal }));
	}

	async pauseJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		return toJob(await this.client.fineTuning.jobs.pause(id, { signal }));
	}

	async resumeJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		return toJob(await this.client.fineTuning.jobs.resume(id, { signal }));
	}

	async listEvents(id: string, options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<JobEvent>> {
		const page = await this.client.fineTuning.jobs.listEvents(id, defined(options), { signal });
		return { data: page.data.map((e) => ({ id: e.id, createdAt: e.created_at, level: e.level, message: e.message })), hasMore: page.has_more };
	}

	/** Asks the API whether a grader is valid before a reinforcement job is created with it. */
	async validateGrader(grader: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
		return (await this.client.fineTuning.alpha.graders.validate({ grader } as never, { signal })) as unknown as Record<string, unknown>;
	}

	async listCheckpoints(id: string, options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<Checkpoint>> {
		const page = await this.client.fineTuning.jobs.checkpoints.list(id, defined(options), { signal });
		return {
			data: page.data.map((c) => ({
				id: c.id,
				createdAt: c.created_at,
				step: c.step_number ?? null,
				model: c.fine_tuned_model_checkpoint ?? null,
				metrics: (c.metrics ?? {}) as Record<string, unknown>,
			})),
			hasMore: page.has_more,
		};
	}
}
