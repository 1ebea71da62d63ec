/**
 * OpenAI's fine-tuning API through the credential's base URL: OpenAI itself (new jobs until
 * 2027-01-06), the Azure OpenAI v1 API, Amazon Bedrock's OpenAI-compatible API, and proxies such
 * as LiteLLM that speak the same shapes. Routes and shapes from OpenAI's API reference
 * (https://platform.openai.com/docs/api-reference/fine-tuning, Files, Graders); where Azure and
 * Bedrock differ, and the pages that say so, see platforms.ts. Every request goes through the
 * `send` function the provider is given.
 */
import type { FileObject } from 'openai/resources/files';
import type { GraderValidateResponse } from 'openai/resources/fine-tuning/alpha/graders';
import type { FineTuningJobCheckpoint } from 'openai/resources/fine-tuning/jobs/checkpoints';
import type { FineTuningJob, FineTuningJobEvent } from 'openai/resources/fine-tuning/jobs/jobs';
import { reinforcementGraderProblem } from '../../scoring/graders';
import { assertJobSpec, listLimitProblem, OPENAI_FINE_TUNE_LIMITS, RequestLimitError } from '../../requestLimits/fineTune';
import type { AuthHeader } from '../../transport/connection';
import type { ApiCaller, ApiRequest } from '../../transport/http';
import { AZURE_TRAINING_TIERS, connectionProblem, PLATFORMS, type FineTunePlatform, type PlatformProfile } from './platforms';
import { UnsupportedOperationError, type Checkpoint, type FineTuneJob, type FineTuneProvider, type JobEvent, type JobSpec, type JobStatus, type Operation, type Page, type TrainingMethod, type UploadedFile } from './types';

export interface OpenAiCompatibleOptions {
	/** Default 'other': OpenAI's shapes, nothing refused beforehand. */
	platform?: FineTunePlatform;
	/** The credential's base URL and key header, checked against the platform before anything is sent. */
	baseUrl?: string;
	authHeader?: AuthHeader;
}

/** What only Together AI takes: refused by name on these platforms. */
const TOGETHER_ONLY: Array<[string, (spec: JobSpec) => boolean]> = [
	['From Checkpoint', (spec) => spec.fromCheckpoint !== undefined],
	['RPO Alpha (DPO)', (spec) => spec.hyperparameters?.rpoAlpha !== undefined],
	['SimPO Gamma (DPO)', (spec) => spec.hyperparameters?.simpoGamma !== undefined],
	['Reference-Free (DPO)', (spec) => spec.hyperparameters?.referenceFree === true],
	['Normalize Log-Ratios by Length (DPO)', (spec) => spec.hyperparameters?.normalizeByLength === true],
];

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

/** Every grader type in a grader, a multi grader's own graders included. */
function graderTypes(grader: Record<string, unknown>): string[] {
	const inner = grader.graders;
	const children = Array.isArray(inner) ? inner : inner && typeof inner === 'object' ? Object.values(inner) : [];
	return [String(grader.type), ...children.flatMap((child) => (child && typeof child === 'object' ? graderTypes(child as Record<string, unknown>) : []))];
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
		case 'reinforcement': {
			if (!spec.grader) throw new Error('reinforcement fine-tuning needs a grader (Score Output\'s grader JSON)');
			const problem = reinforcementGraderProblem(spec.grader);
			if (problem) throw new RequestLimitError(`Grader JSON: ${problem}`);
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
}

/** A list page as OpenAI's cursor-paged endpoints return it. */
interface ListPage<T> {
	data?: T[];
	has_more?: boolean;
}

const jobPath = (id: string, action = '') => `/fine_tuning/jobs/${encodeURIComponent(id)}${action}`;

export class OpenAiCompatibleProvider implements FineTuneProvider {
	readonly name: string;
	readonly operations: ReadonlySet<Operation>;
	readonly methods: ReadonlySet<TrainingMethod>;
	readonly limits = OPENAI_FINE_TUNE_LIMITS;
	readonly profile: PlatformProfile;
	private readonly problem: string | undefined;

	constructor(
		private readonly send: ApiCaller,
		options: OpenAiCompatibleOptions = {},
	) {
		this.profile = PLATFORMS[options.platform ?? 'other'];
		this.name = this.profile.name;
		this.operations = new Set(this.profile.operations);
		this.methods = new Set(this.profile.methods);
		this.problem = options.baseUrl === undefined ? undefined : connectionProblem(this.profile.platform, options);
	}

	/** A credential the platform cannot use, or an operation it lacks: said before anything is sent. */
	private assertUsable(operation?: Operation, what?: string): void {
		if (this.problem) throw new Error(this.problem);
		if (operation && !this.operations.has(operation)) throw new UnsupportedOperationError(this.name, what ?? operation);
	}

	private async call<T>(spec: ApiRequest, signal: AbortSignal | undefined): Promise<T> {
		this.assertUsable();
		const { data } = await this.send<T | undefined>(spec, signal);
		if (data === undefined || data === null || typeof data !== 'object') {
			throw new Error(`${spec.method} ${spec.path} answered without a JSON object`);
		}
		return data;
	}

	private async page<T>(path: string, options: { limit?: number; after?: string }, signal: AbortSignal | undefined): Promise<{ data: T[]; hasMore: boolean }> {
		const problem = listLimitProblem(this.limits, options.limit);
		if (problem) throw new RequestLimitError(problem);
		const page = await this.call<ListPage<T>>({ method: 'GET', path, query: { limit: options.limit, after: options.after } }, signal);
		if (!Array.isArray(page.data)) throw new Error(`GET ${path} answered without a data list`);
		return { data: page.data, hasMore: page.has_more === true };
	}

	async uploadFile(file: { filename: string; content: Buffer }, signal?: AbortSignal): Promise<UploadedFile> {
		const form = new FormData();
		form.append('purpose', 'fine-tune');
		form.append('file', new Blob([new Uint8Array(file.content)], { type: 'application/jsonl' }), file.filename);
		const created = await this.call<FileObject>({ method: 'POST', path: '/files', form }, signal);
		return { id: created.id, bytes: created.bytes, filename: created.filename, purpose: created.purpose };
	}

	checkJob(spec: JobSpec): void {
		this.assertUsable();
		if (!this.methods.has(spec.method)) throw new UnsupportedOperationError(this.name, `${spec.method} fine-tuning`);
		if (spec.trainingType === 'full') throw new Error(`the ${this.name} fine-tuning API chooses the training type itself; leave LoRA / full unset`);
		for (const [label, given] of TOGETHER_ONLY) if (given(spec)) throw new UnsupportedOperationError(this.name, `${label} (a Together AI option); remove it`);
		if (spec.trainingTier !== undefined) {
			if (!this.profile.trainingTiers) throw new UnsupportedOperationError(this.name, 'Training Tier (an Azure OpenAI option); remove it');
			if (!AZURE_TRAINING_TIERS.includes(spec.trainingTier)) throw new RequestLimitError(`Training Tier (Azure OpenAI): ${JSON.stringify(spec.trainingTier)} is not one of ${AZURE_TRAINING_TIERS.join(', ')}`);
		}
		if (spec.method === 'reinforcement' && this.profile.platform === 'azure' && spec.grader && graderTypes(spec.grader).includes('python')) {
			// AzureFineTuneReinforcementMethod takes string_check, text_similarity, score_model and multi (platforms.ts).
			throw new UnsupportedOperationError(this.name, 'python graders in reinforcement fine-tuning (use string_check, text_similarity, score_model or multi)');
		}
		assertJobSpec(spec, this.limits);
		methodBody(spec);
	}

	async createJob(spec: JobSpec, signal?: AbortSignal): Promise<FineTuneJob> {
		this.checkJob(spec);
		const body = {
			model: spec.model,
			training_file: spec.trainingFile,
			method: methodBody(spec),
			...defined({ validation_file: spec.validationFile, suffix: spec.suffix, seed: spec.seed, metadata: spec.metadata }),
			// Azure's own field, beside OpenAI's (platforms.ts).
			...defined({ trainingType: spec.trainingTier }),
		};
		return toJob(await this.call<FineTuningJob>({ method: 'POST', path: '/fine_tuning/jobs', json: body }, signal));
	}

	async getJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		return toJob(await this.call<FineTuningJob>({ method: 'GET', path: jobPath(id) }, signal));
	}

	async listJobs(options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<FineTuneJob>> {
		const page = await this.page<FineTuningJob>('/fine_tuning/jobs', options, signal);
		return { data: page.data.map(toJob), hasMore: page.hasMore };
	}

	async cancelJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		return toJob(await this.call<FineTuningJob>({ method: 'POST', path: jobPath(id, '/cancel') }, signal));
	}

	async pauseJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		this.assertUsable('pause', 'pausing a job');
		return toJob(await this.call<FineTuningJob>({ method: 'POST', path: jobPath(id, '/pause') }, signal));
	}

	async resumeJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		this.assertUsable('resume', 'resuming a job');
		return toJob(await this.call<FineTuningJob>({ method: 'POST', path: jobPath(id, '/resume') }, signal));
	}

	async listEvents(id: string, options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<JobEvent>> {
		const page = await this.page<FineTuningJobEvent>(jobPath(id, '/events'), options, signal);
		return { data: page.data.map((e) => ({ id: e.id, createdAt: e.created_at, level: e.level, message: e.message })), hasMore: page.hasMore };
	}

	/** Asks the API whether a grader is valid before a reinforcement job is created with it. */
	async validateGrader(grader: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
		if (!this.profile.validatesGraders) throw new UnsupportedOperationError(this.name, 'validating a grader (/fine_tuning/alpha/graders/validate)');
		const answer = await this.call<GraderValidateResponse>({ method: 'POST', path: '/fine_tuning/alpha/graders/validate', json: { grader } }, signal);
		return answer as unknown as Record<string, unknown>;
	}

	async listCheckpoints(id: string, options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<Checkpoint>> {
		const page = await this.page<FineTuningJobCheckpoint>(jobPath(id, '/checkpoints'), options, signal);
		return {
			data: page.data.map((c) => ({
				id: c.id,
				createdAt: c.created_at,
				step: c.step_number ?? null,
				model: c.fine_tuned_model_checkpoint ?? null,
				metrics: (c.metrics ?? {}) as Record<string, unknown>,
			})),
			hasMore: page.hasMore,
		};
	}
}
