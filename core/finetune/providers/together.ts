/**
 * Together AI's fine-tuning API over plain HTTP (`/files/upload`, `/fine-tunes`, events,
 * checkpoints, `/fine-tunes/estimate-price`), with LoRA or full training, SFT or DPO (with its
 * variants: RPO's `rpo_alpha`, SimPO's `simpo_gamma`, `dpo_reference_free`,
 * `dpo_normalize_logratios_by_length`), and `from_checkpoint` to continue a job. Together has no
 * reinforcement fine-tuning and no pause / resume: the adapter says so.
 * Estimate: https://docs.together.ai/reference/post-fine-tunes-estimate-price (training_file,
 * model, n_epochs, training_method, training_type, from_checkpoint → estimated_total_price,
 * allowed_to_proceed, user_limit, estimated_train_token_count, estimated_eval_token_count).
 * Shapes from Together's API reference (https://docs.together.ai/reference/post-fine-tunes) and its
 * Python SDK's FinetuneRequest. Every request goes through the `send` function the provider is
 * given; a failure is the transport's HttpStatusError (status, headers, "<status> <message>").
 */
import { assertJobSpec, listLimitProblem, RequestLimitError, TOGETHER_FINE_TUNE_LIMITS } from '../../requestLimits/fineTune';
import type { ApiCaller, ApiRequest } from '../../transport/http';
import {
	UnsupportedOperationError,
	type Checkpoint,
	type FineTuneJob,
	type FineTuneProvider,
	type JobEvent,
	type JobSpec,
	type JobStatus,
	type Operation,
	type Page,
	type TrainingMethod,
	type UploadedFile,
} from './types';

export const TOGETHER_BASE_URL = 'https://api.together.xyz/v1';

/** Together's statuses on the common scale. */
const STATUS: Record<string, JobStatus> = {
	pending: 'queued',
	queued: 'queued',
	running: 'running',
	compressing: 'running',
	uploading: 'running',
	cancel_requested: 'running',
	cancelled: 'cancelled',
	error: 'failed',
	user_error: 'failed',
	completed: 'succeeded',
};

/** Together's default learning rate for a job, per its API reference. */
export const TOGETHER_DEFAULT_LEARNING_RATE = 0.00001;

/**
 * Together takes an absolute `learning_rate` (default 1e-5), not OpenAI's multiplier of the
 * pre-training rate, and no number converts one into the other: sending the multiplier as the
 * rate would train a multiplier of 2 at a learning rate of 2. So a multiplier is refused.
 */
export class LearningRateMultiplierError extends Error {
	constructor(multiplier: number) {
		super(
			`Learning Rate Multiplier: Together AI takes an absolute learning rate, not a multiplier, so ${multiplier} cannot be sent; ` +
				`set Learning Rate Multiplier to auto (or remove it) to train at Together's default learning rate of ${TOGETHER_DEFAULT_LEARNING_RATE}`,
		);
		this.name = 'LearningRateMultiplierError';
	}
}

const seconds = (value: unknown): number => (typeof value === 'number' ? value : Math.floor(Date.parse(String(value)) / 1000) || 0);

export function toTogetherJob(raw: Record<string, unknown>): FineTuneJob {
	const status = String(raw.status ?? '');
	return {
		id: String(raw.id),
		status: STATUS[status] ?? 'running',
		model: String(raw.model ?? ''),
		fineTunedModel: status === 'completed' ? String(raw.output_name ?? raw.model_output_name ?? '') || null : null,
		createdAt: seconds(raw.created_at),
		finishedAt: ['completed', 'cancelled', 'error', 'user_error'].includes(status) ? seconds(raw.updated_at ?? raw.created_at) : null,
		trainedTokens: typeof raw.total_tokens === 'number' ? raw.total_tokens : null,
		error: status === 'error' || status === 'user_error' ? String(raw.message ?? raw.error ?? status) : null,
		raw,
	};
}

/** DPO options that a supervised job may not carry (Together's SDK refuses them there too). */
const DPO_ONLY: Array<[string, (h: NonNullable<JobSpec['hyperparameters']>) => boolean]> = [
	['RPO Alpha (DPO)', (h) => h.rpoAlpha !== undefined],
	['SimPO Gamma (DPO)', (h) => h.simpoGamma !== undefined],
	['Reference-Free (DPO)', (h) => h.referenceFree === true],
	['Normalize Log-Ratios by Length (DPO)', (h) => h.normalizeByLength === true],
];

/** Together's answer to a price estimate, on our names. */
export interface PriceEstimate {
	source: 'together';
	/** US dollars, as Together bills. */
	estimatedTotalPrice: number | null;
	allowedToProceed: boolean | null;
	userLimit: number | null;
	estimatedTrainTokens: number | null;
	estimatedEvalTokens: number | null;
}

const numberOrNull = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The `training_method` object of a job spec (sft, or dpo with its variants). */
function trainingMethod(spec: JobSpec): Record<string, unknown> {
	const h = spec.hyperparameters ?? {};
	if (spec.method !== 'dpo') return { method: 'sft', train_on_inputs: 'auto' };
	// SimPO is reference-free and length-normalised: Together's SDK sets both when simpo_gamma > 0; so do we.
	const simpo = typeof h.simpoGamma === 'number' && h.simpoGamma > 0;
	const method: Record<string, unknown> = { method: 'dpo' };
	if (h.beta !== undefined && h.beta !== 'auto') method.dpo_beta = h.beta;
	if (h.rpoAlpha !== undefined) method.rpo_alpha = h.rpoAlpha;
	if (h.simpoGamma !== undefined) method.simpo_gamma = h.simpoGamma;
	if (h.referenceFree === true || simpo) method.dpo_reference_free = true;
	if (h.normalizeByLength === true || simpo) method.dpo_normalize_logratios_by_length = true;
	return method;
}

export class TogetherProvider implements FineTuneProvider {
	readonly name = 'Together AI';
	readonly operations = new Set<Operation>(['upload', 'create', 'get', 'list', 'cancel', 'events', 'checkpoints']);
	readonly methods = new Set<TrainingMethod>(['supervised', 'dpo']);
	readonly limits = TOGETHER_FINE_TUNE_LIMITS;

	constructor(private readonly send: ApiCaller) {}

	private checkLimit(limit: number | undefined): void {
		const problem = listLimitProblem(this.limits, limit);
		if (problem) throw new RequestLimitError(problem);
	}

	private async call(spec: ApiRequest, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
		const { data } = await this.send<Record<string, unknown> | undefined>(spec, signal);
		return data && typeof data === 'object' ? data : {};
	}

	async uploadFile(file: { filename: string; content: Buffer }, signal?: AbortSignal): Promise<UploadedFile> {
		const form = new FormData();
		form.append('purpose', 'fine-tune');
		form.append('file_name', file.filename);
		form.append('file', new Blob([new Uint8Array(file.content)], { type: 'application/jsonl' }), file.filename);
		const created = await this.call({ method: 'POST', path: '/files/upload', form }, signal);
		return { id: String(created.id), bytes: Number(created.bytes ?? file.content.length), filename: String(created.filename ?? file.filename), purpose: String(created.purpose ?? 'fine-tune') };
	}

	checkJob(spec: JobSpec): void {
		if (spec.method === 'reinforcement') throw new UnsupportedOperationError(this.name, 'reinforcement fine-tuning');
		const h = spec.hyperparameters ?? {};
		if (typeof h.learningRateMultiplier === 'number') throw new LearningRateMultiplierError(h.learningRateMultiplier);
		if (spec.trainingTier !== undefined) throw new UnsupportedOperationError(this.name, 'Training Tier (an Azure OpenAI option); remove it');
		if (spec.method !== 'dpo') {
			for (const [label, given] of DPO_ONLY) if (given(h)) throw new RequestLimitError(`${label}: is for preference (DPO) jobs only; this job's Method is ${spec.method}`);
		}
		if (h.referenceFree === false && typeof h.simpoGamma === 'number' && h.simpoGamma > 0) {
			throw new RequestLimitError('SimPO Gamma (DPO): SimPO trains without the reference model, so Reference-Free (DPO) cannot be off with a SimPO Gamma above 0');
		}
		assertJobSpec(spec, this.limits);
	}

	/**
	 * Together's own estimate for a job on an uploaded file (POST /fine-tunes/estimate-price):
	 * the price it would bill, the tokens it would train, and whether the account may proceed.
	 */
	async estimatePrice(spec: Pick<JobSpec, 'model' | 'trainingFile' | 'validationFile' | 'method' | 'trainingType' | 'hyperparameters' | 'fromCheckpoint'>, signal?: AbortSignal): Promise<PriceEstimate> {
		if (!spec.trainingFile?.trim()) throw new RequestLimitError('Training File ID: is empty (the estimate is for a file uploaded to Together AI)');
		if (spec.method === 'reinforcement') throw new UnsupportedOperationError(this.name, 'reinforcement fine-tuning');
		const epochs = spec.hyperparameters?.nEpochs;
		const body: Record<string, unknown> = {
			training_file: spec.trainingFile,
			training_method: trainingMethod(spec as JobSpec),
			training_type: spec.trainingType === 'full' ? { type: 'Full' } : { type: 'Lora' },
		};
		if (spec.model) body.model = spec.model;
		if (spec.validationFile) body.validation_file = spec.validationFile;
		if (typeof epochs === 'number') body.n_epochs = epochs;
		if (spec.fromCheckpoint) body.from_checkpoint = spec.fromCheckpoint;
		const answer = await this.call({ method: 'POST', path: '/fine-tunes/estimate-price', json: body }, signal);
		return {
			source: 'together',
			estimatedTotalPrice: numberOrNull(answer.estimated_total_price),
			allowedToProceed: typeof answer.allowed_to_proceed === 'boolean' ? answer.allowed_to_proceed : null,
			userLimit: numberOrNull(answer.user_limit),
			estimatedTrainTokens: numberOrNull(answer.estimated_train_token_count),
			estimatedEvalTokens: numberOrNull(answer.estimated_eval_token_count),
		};
	}

	async createJob(spec: JobSpec, signal?: AbortSignal): Promise<FineTuneJob> {
		this.checkJob(spec);
		const h = spec.hyperparameters ?? {};
		const fixed = (value: unknown) => (value === 'auto' ? undefined : value);
		const body: Record<string, unknown> = {
			model: spec.model,
			training_file: spec.trainingFile,
			training_type: spec.trainingType === 'full' ? { type: 'Full' } : { type: 'Lora' },
			training_method: trainingMethod(spec),
		};
		const optional: Record<string, unknown> = {
			validation_file: spec.validationFile,
			n_epochs: fixed(h.nEpochs),
			batch_size: h.batchSize === 'auto' ? 'max' : h.batchSize,
			suffix: spec.suffix,
			random_seed: spec.seed,
			from_checkpoint: spec.fromCheckpoint,
		};
		for (const [key, value] of Object.entries(optional)) if (value !== undefined) body[key] = value;
		return toTogetherJob(await this.call({ method: 'POST', path: '/fine-tunes', json: body }, signal));
	}

	async getJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		return toTogetherJob(await this.call({ method: 'GET', path: `/fine-tunes/${encodeURIComponent(id)}` }, signal));
	}

	async listJobs(options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<FineTuneJob>> {
		this.checkLimit(options.limit);
		const all = ((await this.call({ method: 'GET', path: '/fine-tunes' }, signal)).data as Array<Record<string, unknown>> | undefined) ?? [];
		// Together returns every job at once: page here, so the node's paging works the same everywhere.
		const start = options.after ? all.findIndex((job) => job.id === options.after) + 1 : 0;
		const limit = options.limit ?? 20;
		return { data: all.slice(start, start + limit).map(toTogetherJob), hasMore: start + limit < all.length };
	}

	async cancelJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		return toTogetherJob(await this.call({ method: 'POST', path: `/fine-tunes/${encodeURIComponent(id)}/cancel` }, signal));
	}

	async pauseJob(): Promise<FineTuneJob> {
		throw new UnsupportedOperationError(this.name, 'pausing a job');
	}

	async resumeJob(): Promise<FineTuneJob> {
		throw new UnsupportedOperationError(this.name, 'resuming a job');
	}

	async listEvents(id: string, options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<JobEvent>> {
		this.checkLimit(options.limit);
		const events = ((await this.call({ method: 'GET', path: `/fine-tunes/${encodeURIComponent(id)}/events` }, signal)).data as Array<Record<string, unknown>> | undefined) ?? [];
		const limit = options.limit ?? 20;
		return {
			data: events.slice(0, limit).map((e, i) => ({ id: String(e.id ?? `${id}-event-${i}`), createdAt: seconds(e.created_at), level: String(e.level ?? 'info'), message: String(e.message ?? '') })),
			hasMore: events.length > limit,
		};
	}

	async listCheckpoints(id: string, options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<Checkpoint>> {
		this.checkLimit(options.limit);
		const checkpoints = ((await this.call({ method: 'GET', path: `/fine-tunes/${encodeURIComponent(id)}/checkpoints` }, signal)).data as Array<Record<string, unknown>> | undefined) ?? [];
		const limit = options.limit ?? 20;
		return {
			data: checkpoints.slice(0, limit).map((c, i) => ({
				id: String(c.name ?? c.id ?? `${id}-checkpoint-${i}`),
				createdAt: seconds(c.timestamp ?? c.created_at),
				step: typeof c.step === 'number' ? c.step : null,
				model: typeof c.name === 'string' ? c.name : null,
				metrics: {},
			})),
			hasMore: checkpoints.length > limit,
		};
	}
}
