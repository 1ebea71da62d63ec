/**
 * Fireworks AI's fine-tuning API over plain HTTP: datasets (created, uploaded, READY), supervised
 * fine-tuning jobs and DPO jobs, with a LoRA rank, an absolute learning rate, epochs, a batch size
 * in tokens and a maximum context length. Every request goes through the `send` function the
 * provider is given; a failure is the transport's HttpStatusError. Fireworks' control-plane errors
 * are Google-style statuses (`{"code": 5, "message": "…", "details": []}`), read for their message.
 *
 * Routes (base URL https://api.fireworks.ai, Bearer auth), each from its API reference page:
 * - POST   /v1/accounts/{account}/datasets                         https://docs.fireworks.ai/api-reference/create-dataset
 * - POST   /v1/accounts/{account}/datasets/{dataset}:upload         https://docs.fireworks.ai/api-reference/upload-dataset-files
 *          (multipart `file`, up to 150 MB; larger files need the signed-URL route, not implemented)
 * - GET    /v1/accounts/{account}/datasets/{dataset}                https://docs.fireworks.ai/api-reference/get-dataset
 * - POST   /v1/accounts/{account}/supervisedFineTuningJobs          https://docs.fireworks.ai/api-reference/create-supervised-fine-tuning-job
 * - GET    /v1/accounts/{account}/supervisedFineTuningJobs/{job}    https://docs.fireworks.ai/api-reference/get-supervised-fine-tuning-job
 * - GET    /v1/accounts/{account}/supervisedFineTuningJobs          https://docs.fireworks.ai/api-reference/list-supervised-fine-tuning-jobs
 * - DELETE /v1/accounts/{account}/supervisedFineTuningJobs/{job}    https://docs.fireworks.ai/api-reference/delete-fine-tuning-job
 * - POST   /v1/accounts/{account}/supervisedFineTuningJobs/{job}:resume  https://docs.fireworks.ai/api-reference/resume-supervised-fine-tuning-job
 * - POST   /v1/accounts/{account}/dpoJobs                           https://docs.fireworks.ai/api-reference/create-dpo-job
 * - GET    /v1/accounts/{account}/dpoJobs/{job}                     https://docs.fireworks.ai/api-reference/get-dpo-job
 * - GET    /v1/accounts/{account}/dpoJobs                           https://docs.fireworks.ai/api-reference/list-dpo-jobs
 * - DELETE /v1/accounts/{account}/dpoJobs/{job}                     https://docs.fireworks.ai/api-reference/delete-dpo-job
 * - POST   /v1/accounts/{account}/dpoJobs/{job}:resume              https://docs.fireworks.ai/api-reference/resume-dpo-job
 * The trained model, `accounts/{account}/models/{id}` (the job's `outputModel`), is the model name
 * on Fireworks' OpenAI-compatible inference, https://api.fireworks.ai/inference/v1/chat/completions
 * (https://docs.fireworks.ai/tools-sdks/openai-compatibility), once it is deployed there.
 *
 * What the common interface has and Fireworks' REST API does not publish: pausing a job, a job's
 * events, a job's checkpoints (UnsupportedOperationError). Cancel: the reference publishes no
 * cancel route (firectl's `cancel` has none documented), only Delete, which stops a running job
 * and removes it; Cancel Job sends that Delete and says so in the job it returns.
 * Reinforcement fine-tuning is refused: Fireworks' RFT jobs score the model's rollouts with an
 * evaluator that runs on Fireworks (Python code uploaded as an evaluator resource,
 * https://docs.fireworks.ai/fine-tuning/how-rft-works), so neither the rewards a workflow computed
 * nor Score Output's grader JSON can be sent as one.
 */
import { assertJobSpec, FIREWORKS_FINE_TUNE_LIMITS, listLimitProblem, RequestLimitError } from '../../requestLimits/fineTune';
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

export const FIREWORKS_BASE_URL = 'https://api.fireworks.ai';
export const FIREWORKS_INFERENCE_BASE_URL = 'https://api.fireworks.ai/inference/v1';

/** The most one `:upload` request takes (its API reference); larger files need the signed-URL upload. */
export const FIREWORKS_MAX_UPLOAD_BYTES = 150 * 1024 * 1024;
/** A dataset needs at least 3 examples (https://docs.fireworks.ai/fine-tuning/fine-tuning-models). */
export const FIREWORKS_MIN_EXAMPLES = 3;
/** And at most 3 million (same page). */
export const FIREWORKS_MAX_EXAMPLES = 3_000_000;

/** Fireworks' job states (`gatewayJobState`) on the common scale; an unknown state counts as running. */
const STATE: Record<string, JobStatus> = {
	JOB_STATE_UNSPECIFIED: 'queued',
	JOB_STATE_CREATING: 'queued',
	JOB_STATE_PENDING: 'queued',
	JOB_STATE_CREATING_INPUT_DATASET: 'validating_files',
	JOB_STATE_VALIDATING: 'validating_files',
	JOB_STATE_RE_QUEUEING: 'queued',
	JOB_STATE_IDLE: 'queued',
	JOB_STATE_RUNNING: 'running',
	JOB_STATE_WRITING_RESULTS: 'running',
	JOB_STATE_CANCELLING: 'running',
	JOB_STATE_PAUSED: 'paused',
	JOB_STATE_COMPLETED: 'succeeded',
	JOB_STATE_EARLY_STOPPED: 'succeeded',
	JOB_STATE_FAILED: 'failed',
	JOB_STATE_FAILED_CLEANING_UP: 'failed',
	JOB_STATE_EXPIRED: 'failed',
	JOB_STATE_CANCELLED: 'cancelled',
	JOB_STATE_DELETING: 'cancelled',
	JOB_STATE_DELETING_CLEANING_UP: 'cancelled',
};

/** Where the job's collection lives: SFT and DPO jobs are separate resources. */
type Collection = 'supervisedFineTuningJobs' | 'dpoJobs';
const COLLECTIONS: readonly Collection[] = ['supervisedFineTuningJobs', 'dpoJobs'];

/** Fireworks takes an absolute learning rate (default 1e-4), not OpenAI's multiplier: a multiplier is refused. */
export const FIREWORKS_DEFAULT_LEARNING_RATE = 0.0001;

export class FireworksOptionError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FireworksOptionError';
	}
}

/** A dataset that never became READY, or failed on the way. */
export class DatasetNotReadyError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'DatasetNotReadyError';
	}
}

const seconds = (value: unknown): number | null => {
	if (typeof value !== 'string' || !value) return null;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
};

const defined = (value: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== 'auto'));

/** The job's `trainingConfig` (DPO) or the job itself (SFT): where outputModel and baseModel are. */
function configOf(raw: Record<string, unknown>): Record<string, unknown> {
	const config = raw.trainingConfig;
	return config && typeof config === 'object' ? (config as Record<string, unknown>) : raw;
}

export function toFireworksJob(raw: Record<string, unknown>): FineTuneJob {
	const state = String(raw.state ?? 'JOB_STATE_UNSPECIFIED');
	const status = STATE[state] ?? 'running';
	const config = configOf(raw);
	const outputModel = typeof config.outputModel === 'string' && config.outputModel ? config.outputModel : null;
	const statusObject = raw.status && typeof raw.status === 'object' ? (raw.status as Record<string, unknown>) : {};
	const message = typeof statusObject.message === 'string' && statusObject.message ? statusObject.message : null;
	const progress = raw.jobProgress && typeof raw.jobProgress === 'object' ? (raw.jobProgress as Record<string, unknown>) : {};
	const final = status === 'succeeded' || status === 'failed' || status === 'cancelled';
	return {
		id: String(raw.name ?? ''),
		status,
		model: String(config.baseModel ?? config.warmStartFrom ?? ''),
		fineTunedModel: status === 'succeeded' ? outputModel : null,
		createdAt: seconds(raw.createTime) ?? 0,
		finishedAt: final ? (seconds(raw.completedTime) ?? seconds(raw.updateTime)) : null,
		trainedTokens: typeof progress.inputTokens === 'number' ? progress.inputTokens : null,
		error: status === 'failed' ? (message ?? state) : null,
		raw,
	};
}

export interface FireworksOptions {
	/** The account the datasets and jobs belong to (`accounts/{account}`). */
	account: string;
	/** How to wait between dataset polls; the node passes n8n's sleep. */
	sleep?: (ms: number) => Promise<void>;
	/** How long an uploaded dataset may take to become READY. */
	datasetTimeoutMs?: number;
	/** The first wait between dataset polls (it grows by half each time, up to 10 s). */
	datasetPollMs?: number;
	/** Makes a new resource ID unique (dataset IDs); tests may fix it. */
	unique?: () => string;
}

/** A resource ID as Fireworks' generated ones are: lowercase letters, digits and hyphens. */
function resourceId(text: string, unique: string): string {
	const base = text.toLowerCase().replace(/\.jsonl?$/, '').replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'dataset';
	return `${/^[a-z]/.test(base) ? '' : 'ds-'}${base}`.slice(0, 63 - unique.length - 1).replace(/-+$/, '') + `-${unique}`;
}

const countLines = (content: Buffer) => content.toString('utf8').split('\n').filter((line) => line.trim()).length;

export class FireworksProvider implements FineTuneProvider {
	readonly name = 'Fireworks AI';
	readonly operations = new Set<Operation>(['upload', 'create', 'get', 'list', 'cancel', 'resume']);
	readonly methods = new Set<TrainingMethod>(['supervised', 'dpo']);
	readonly limits = FIREWORKS_FINE_TUNE_LIMITS;
	private readonly account: string;
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly unique: () => string;

	constructor(
		private readonly send: ApiCaller,
		private readonly options: FireworksOptions,
	) {
		const account = options.account.trim().replace(/^accounts\//, '');
		if (!account) throw new FireworksOptionError('Account ID: is empty; Fireworks AI names every dataset and job under an account (the ID in accounts/{account ID}/…, as the Fireworks console shows it)');
		this.account = account;
		this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
		this.unique = options.unique ?? (() => Math.random().toString(36).slice(2, 10));
	}

	private get prefix(): string {
		return `/v1/accounts/${encodeURIComponent(this.account)}`;
	}

	/** A name as the API gives it (`accounts/a/datasets/d`), or a bare ID of this account. */
	private resource(collection: string, id: string): string {
		const trimmed = id.trim();
		return trimmed.startsWith('accounts/') ? trimmed : `accounts/${this.account}/${collection}/${trimmed}`;
	}

	private async call(spec: ApiRequest, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
		const { data } = await this.send<Record<string, unknown> | undefined>(spec, signal);
		return data && typeof data === 'object' ? data : {};
	}

	/**
	 * Build Dataset's file as a Fireworks dataset: the record, the file, then polls until the
	 * dataset is READY (a job on a dataset still UPLOADING is refused). The ID returned is the
	 * dataset's name, which Create Job's Training File ID takes as it is.
	 */
	async uploadFile(file: { filename: string; content: Buffer }, signal?: AbortSignal): Promise<UploadedFile> {
		if (file.content.length > FIREWORKS_MAX_UPLOAD_BYTES) {
			throw new FireworksOptionError(
				`${file.filename} has ${file.content.length} bytes; Fireworks AI's upload takes at most 150 MB in one request (larger files need its signed-URL upload, which this node does not send)`,
			);
		}
		const examples = countLines(file.content);
		if (examples < FIREWORKS_MIN_EXAMPLES || examples > FIREWORKS_MAX_EXAMPLES) {
			throw new FireworksOptionError(`${file.filename} has ${examples} examples; a Fireworks AI dataset takes from ${FIREWORKS_MIN_EXAMPLES} to ${FIREWORKS_MAX_EXAMPLES.toLocaleString('en-US')}`);
		}
		const datasetId = resourceId(file.filename, this.unique());
		await this.call(
			{ method: 'POST', path: `${this.prefix}/datasets`, json: { datasetId, dataset: { displayName: file.filename, exampleCount: String(examples), userUploaded: {} } } },
			signal,
		);
		const form = new FormData();
		form.append('file', new Blob([new Uint8Array(file.content)], { type: 'application/jsonl' }), file.filename);
		const uploaded = await this.call({ method: 'POST', path: `${this.prefix}/datasets/${encodeURIComponent(datasetId)}:upload`, form }, signal);
		const dataset = await this.waitForDataset(datasetId, signal);
		return { id: String(dataset.name ?? this.resource('datasets', datasetId)), bytes: Number(uploaded.bytes ?? file.content.length), filename: file.filename, purpose: 'fine-tune' };
	}

	/** GET the dataset until its state is READY, with backoff, up to the timeout. */
	private async waitForDataset(datasetId: string, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
		const deadline = Date.now() + (this.options.datasetTimeoutMs ?? 600_000);
		let delay = this.options.datasetPollMs ?? 1_000;
		for (;;) {
			const dataset = await this.call({ method: 'GET', path: `${this.prefix}/datasets/${encodeURIComponent(datasetId)}` }, signal);
			const state = String(dataset.state ?? '');
			if (state === 'READY') return dataset;
			const status = dataset.status && typeof dataset.status === 'object' ? (dataset.status as Record<string, unknown>) : {};
			if (status.code && status.code !== 'OK') throw new DatasetNotReadyError(`dataset ${datasetId} is ${state || 'not ready'}: ${String(status.message ?? status.code)}`);
			if (Date.now() >= deadline) throw new DatasetNotReadyError(`dataset ${datasetId} is still ${state || 'not ready'} after ${Math.round((this.options.datasetTimeoutMs ?? 600_000) / 1000)} s`);
			await this.sleep(delay);
			if (signal?.aborted) throw new Error('The execution was canceled');
			delay = Math.min(10_000, delay * 1.5);
		}
	}

	checkJob(spec: JobSpec): void {
		if (spec.method === 'reinforcement') {
			throw new UnsupportedOperationError(
				this.name,
				'reinforcement fine-tuning from this node: its RFT jobs score the model\'s rollouts with an evaluator that runs on Fireworks (Python code uploaded as an evaluator resource), and neither the workflow\'s rewards nor Score Output\'s grader JSON can be sent as one; use Preference (DPO) with the Reward Loop\'s pairs, or create the evaluator and the RFT job in Fireworks',
			);
		}
		const h = spec.hyperparameters ?? {};
		if (typeof h.learningRateMultiplier === 'number') {
			throw new FireworksOptionError(
				`Learning Rate Multiplier: Fireworks AI takes an absolute learning rate, not a multiplier, so ${h.learningRateMultiplier} cannot be sent; set Learning Rate instead (Fireworks' default is ${FIREWORKS_DEFAULT_LEARNING_RATE}) and leave Learning Rate Multiplier at auto`,
			);
		}
		if (spec.trainingType === 'full') throw new FireworksOptionError('Training Type: Fireworks AI\'s job API trains LoRA adapters (LoRA Rank); full training is not an option it takes');
		if (spec.seed !== undefined) throw new FireworksOptionError('Seed: Fireworks AI\'s job API takes no seed; remove it');
		const others: Array<[string, boolean]> = [
			['From Checkpoint (a Together AI option)', spec.fromCheckpoint !== undefined],
			['RPO Alpha (DPO) (a Together AI option)', h.rpoAlpha !== undefined],
			['SimPO Gamma (DPO) (a Together AI option)', h.simpoGamma !== undefined],
			['Reference-Free (DPO) (a Together AI option)', h.referenceFree === true],
			['Normalize Log-Ratios by Length (DPO) (a Together AI option)', h.normalizeByLength === true],
			['Training Tier (an Azure OpenAI option)', spec.trainingTier !== undefined],
		];
		for (const [label, given] of others) if (given) throw new UnsupportedOperationError(this.name, `${label}; remove it`);
		if (spec.metadata !== undefined) throw new FireworksOptionError('Metadata (JSON): Fireworks AI takes no metadata; remove it');
		if (spec.method !== 'dpo' && h.beta !== undefined && h.beta !== 'auto') throw new FireworksOptionError('Beta (DPO): only a DPO job takes a beta');
		// Create Dpo Job's body has no evaluationDataset (only the SFT job's has).
		if (spec.method === 'dpo' && spec.validationFile) throw new FireworksOptionError('Validation File ID: Fireworks AI\'s DPO jobs take no evaluation dataset (its supervised jobs do); remove it');
		assertJobSpec(spec, this.limits);
	}

	async createJob(spec: JobSpec, signal?: AbortSignal): Promise<FineTuneJob> {
		this.checkJob(spec);
		const h = spec.hyperparameters ?? {};
		const training = defined({
			baseModel: spec.model,
			outputModel: spec.suffix ? this.resource('models', spec.suffix) : undefined,
			epochs: h.nEpochs,
			learningRate: h.learningRate,
			loraRank: h.loraRank,
			maxContextLength: h.maxContextLength,
			batchSize: h.batchSize,
		});
		const dataset = this.resource('datasets', spec.trainingFile);
		if (spec.method === 'dpo') {
			const beta = h.beta === 'auto' ? undefined : h.beta;
			const body = {
				dataset,
				trainingConfig: training,
				...(beta !== undefined ? { lossConfig: { method: 'DPO', klBeta: beta } } : {}),
			};
			return toFireworksJob(await this.call({ method: 'POST', path: `${this.prefix}/dpoJobs`, json: body }, signal));
		}
		const body = { dataset, ...training, ...(spec.validationFile ? { evaluationDataset: this.resource('datasets', spec.validationFile) } : {}) };
		return toFireworksJob(await this.call({ method: 'POST', path: `${this.prefix}/supervisedFineTuningJobs`, json: body }, signal));
	}

	/** The job's path: from its name (`accounts/a/dpoJobs/j`), or a bare ID looked up as SFT, then DPO. */
	private async jobPath(id: string, signal: AbortSignal | undefined): Promise<{ path: string; job?: Record<string, unknown> }> {
		const trimmed = id.trim();
		const named = /^accounts\/([^/]+)\/(supervisedFineTuningJobs|dpoJobs)\/([^/]+)$/.exec(trimmed);
		if (named) return { path: `/v1/accounts/${encodeURIComponent(named[1])}/${named[2]}/${encodeURIComponent(named[3])}` };
		if (trimmed.includes('/')) throw new FireworksOptionError(`Job ID: ${JSON.stringify(trimmed)} is neither a Fireworks job name (accounts/{account}/supervisedFineTuningJobs/{id} or …/dpoJobs/{id}) nor a bare job ID`);
		let lastError: unknown;
		for (const collection of COLLECTIONS) {
			const path = `${this.prefix}/${collection}/${encodeURIComponent(trimmed)}`;
			try {
				return { path, job: await this.call({ method: 'GET', path }, signal) };
			} catch (error) {
				if ((error as { status?: number }).status !== 404) throw error;
				lastError = error;
			}
		}
		throw lastError;
	}

	async getJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		const { path, job } = await this.jobPath(id, signal);
		return toFireworksJob(job ?? (await this.call({ method: 'GET', path }, signal)));
	}

	/**
	 * SFT and DPO jobs, newest first. Fireworks pages each collection with pageToken; `after` is a
	 * job name, so the node's paging (limit, after) works as with the other providers.
	 */
	async listJobs(options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<FineTuneJob>> {
		const problem = listLimitProblem(this.limits, options.limit);
		if (problem) throw new RequestLimitError(problem);
		const all: Record<string, unknown>[] = [];
		for (const collection of COLLECTIONS) {
			let pageToken: string | undefined;
			do {
				const page = await this.call({ method: 'GET', path: `${this.prefix}/${collection}`, query: { pageSize: 200, pageToken } }, signal);
				const jobs = page[collection];
				if (Array.isArray(jobs)) all.push(...(jobs as Record<string, unknown>[]));
				pageToken = typeof page.nextPageToken === 'string' && page.nextPageToken ? page.nextPageToken : undefined;
			} while (pageToken);
		}
		const jobs = all.map(toFireworksJob).sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
		const start = options.after ? jobs.findIndex((job) => job.id === options.after) + 1 : 0;
		const limit = options.limit ?? 20;
		return { data: jobs.slice(start, start + limit), hasMore: start + limit < jobs.length };
	}

	/**
	 * Fireworks publishes no cancel route, only Delete: a running job stops and is removed. The job
	 * returned is the one read before the Delete, as `cancelled`, with `raw.deleted: true`.
	 */
	async cancelJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		const { path, job } = await this.jobPath(id, signal);
		const before = job ?? (await this.call({ method: 'GET', path }, signal));
		const current = toFireworksJob(before);
		if (current.status === 'succeeded' || current.status === 'failed' || current.status === 'cancelled') {
			throw new FireworksOptionError(`job ${current.id} has already ${current.status === 'succeeded' ? 'completed' : current.status}: nothing to cancel (Fireworks' only route for it, Delete, would remove the job's record)`);
		}
		await this.call({ method: 'DELETE', path }, signal);
		return { ...current, status: 'cancelled', finishedAt: Math.floor(Date.now() / 1000), raw: { ...before, deleted: true } };
	}

	async pauseJob(): Promise<FineTuneJob> {
		throw new UnsupportedOperationError(this.name, 'pausing a job (its API has resume, for a failed or cancelled job, but no pause)');
	}

	/** `:resume` continues a job that stopped (failed, cancelled or paused on Fireworks' side) from its last checkpoint. */
	async resumeJob(id: string, signal?: AbortSignal): Promise<FineTuneJob> {
		const { path } = await this.jobPath(id, signal);
		return toFireworksJob(await this.call({ method: 'POST', path: `${path}:resume`, json: {} }, signal));
	}

	async listEvents(): Promise<Page<JobEvent>> {
		throw new UnsupportedOperationError(this.name, 'listing a job\'s events (its API publishes no events route; the job\'s state and status message are in Get Job)');
	}

	async listCheckpoints(): Promise<Page<Checkpoint>> {
		throw new UnsupportedOperationError(this.name, 'listing a job\'s checkpoints (its API publishes no checkpoints route; the trained model is the job\'s outputModel)');
	}
}
