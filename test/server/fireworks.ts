/**
 * The test server's Fireworks AI side, as its API reference describes it (the pages cited in
 * core/finetune/providers/fireworks.ts): datasets under /v1/accounts/{account}/datasets that are
 * created empty, filled by `:upload` (multipart `file`) and become READY; supervised fine-tuning
 * jobs and DPO jobs (JOB_STATE_CREATING → VALIDATING → RUNNING → WRITING_RESULTS → COMPLETED, or
 * FAILED), Delete (a running job goes DELETING, then away) and `:resume`; the trained model under
 * accounts/{account}/models/{id}, answered by the inference path /inference/v1/chat/completions
 * (https://docs.fireworks.ai/tools-sdks/openai-compatibility) once its job has completed.
 *
 * Errors are the control plane's Google-style statuses, `{"code": <gRPC code>, "message", "details"}`,
 * with the HTTP status gRPC-gateway gives that code; a body field the API does not define is
 * refused as gRPC-gateway refuses it (`unknown field "seed"`). Inference errors use the
 * OpenAI-compatible `{"error": {…}}` shape.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseMultipart, type Reply } from './fineTuning';
import { StepClock } from './stepClock';

export interface FireworksOptions {
	/** The account the server holds (others get PERMISSION_DENIED). */
	account?: string;
	/** Time between two states of a job or a dataset. */
	stepMs?: number;
	/** The final state a job reaches. */
	outcome?: 'completed' | 'failed';
}

/** gRPC codes and the HTTP status gRPC-gateway maps each to. */
const CODES = {
	INVALID_ARGUMENT: [3, 400],
	NOT_FOUND: [5, 404],
	ALREADY_EXISTS: [6, 409],
	PERMISSION_DENIED: [7, 403],
	FAILED_PRECONDITION: [9, 400],
} as const;

const fail = (code: keyof typeof CODES, message: string): Reply => ({ status: CODES[code][1], body: { code: CODES[code][0], message, details: [] } });

type DatasetState = 'UPLOADING' | 'READY';
interface Dataset {
	name: string;
	displayName: string;
	createTime: string;
	state: DatasetState;
	status: { code: string; message: string };
	exampleCount: string;
	userUploaded: Record<string, never>;
	/** The uploaded lines; the dataset becomes READY one step after its upload. */
	content?: string;
	kind?: 'chat' | 'preference';
	readyAt?: number;
}

type Collection = 'supervisedFineTuningJobs' | 'dpoJobs';
const PROGRESSION = ['JOB_STATE_CREATING', 'JOB_STATE_VALIDATING', 'JOB_STATE_RUNNING', 'JOB_STATE_WRITING_RESULTS'];
const FINAL = new Set(['JOB_STATE_COMPLETED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED']);

interface Job {
	collection: Collection;
	body: Record<string, unknown>;
	name: string;
	state: string;
	status: { code: string; message: string };
	createTime: string;
	updateTime: string;
	completedTime?: string;
	step: number;
}

/** The fields each create request defines (from the API reference's request bodies). */
const TRAINING_FIELDS = ['outputModel', 'baseModel', 'warmStartFrom', 'jinjaTemplate', 'learningRate', 'maxContextLength', 'loraRank', 'epochs', 'batchSize', 'gradientAccumulationSteps', 'learningRateWarmupSteps', 'batchSizeSamples', 'optimizerWeightDecay', 'region'];
const SFT_FIELDS = new Set(['dataset', 'displayName', 'evaluationDataset', 'earlyStop', 'wandbConfig', 'isTurbo', 'evalAutoCarveout', 'nodes', 'mtpEnabled', 'usePurpose', ...TRAINING_FIELDS]);
const DPO_FIELDS = new Set(['dataset', 'displayName', 'trainingConfig', 'wandbConfig', 'lossConfig']);
const INTEGER_FIELDS = ['epochs', 'loraRank', 'maxContextLength', 'batchSize'];

const iso = () => new Date().toISOString();

export class FireworksSimulator {
	readonly datasets = new Map<string, Dataset>();
	readonly jobs = new Map<string, Job>();
	/** Output models of completed jobs: what inference answers for. */
	readonly models = new Set<string>();
	private options: FireworksOptions = {};
	private readonly clock = new StepClock(() => this.tick(), () => this.options.stepMs ?? 50);

	configure(options: FireworksOptions): void {
		this.options = options;
		this.clock.restart();
	}

	get account(): string {
		return this.options.account ?? 'mock-account';
	}

	stop(): void {
		this.clock.stop();
	}

	private tick(): void {
		for (const dataset of this.datasets.values()) if (dataset.state === 'UPLOADING' && dataset.content !== undefined) dataset.state = 'READY';
		for (const job of [...this.jobs.values()]) {
			if (job.state === 'JOB_STATE_DELETING') {
				this.jobs.delete(job.name);
				continue;
			}
			if (FINAL.has(job.state)) continue;
			job.step++;
			job.updateTime = iso();
			if (job.step < PROGRESSION.length) {
				job.state = PROGRESSION[job.step];
				continue;
			}
			job.completedTime = iso();
			if ((this.options.outcome ?? 'completed') === 'failed') {
				job.state = 'JOB_STATE_FAILED';
				job.status = { code: 'INVALID_ARGUMENT', message: 'Training failed: the dataset has fewer examples than the batch needs' };
			} else {
				job.state = 'JOB_STATE_COMPLETED';
				this.models.add(this.outputModel(job));
			}
		}
		const busy = [...this.datasets.values()].some((d) => d.state === 'UPLOADING' && d.content !== undefined) || [...this.jobs.values()].some((j) => !FINAL.has(j.state));
		if (!busy) this.stop();
	}

	private config(job: Job): Record<string, unknown> {
		return job.collection === 'dpoJobs' ? ((job.body.trainingConfig as Record<string, unknown> | undefined) ?? {}) : job.body;
	}

	private outputModel(job: Job): string {
		return String(this.config(job).outputModel);
	}

	private publicJob(job: Job): Record<string, unknown> {
		return {
			...job.body,
			name: job.name,
			state: job.state,
			status: job.status,
			createTime: job.createTime,
			updateTime: job.updateTime,
			...(job.completedTime ? { completedTime: job.completedTime } : {}),
			createdBy: 'tester@example.com',
			...(job.state === 'JOB_STATE_COMPLETED' ? { jobProgress: { percent: 100, epoch: 1, inputTokens: 2345 } } : {}),
		};
	}

	private publicDataset(dataset: Dataset): Record<string, unknown> {
		const { content: _content, kind: _kind, readyAt: _readyAt, ...rest } = dataset;
		return rest;
	}

	/** Why a model cannot answer on inference, or undefined. Fireworks' own base models always answer. */
	inferenceProblem(model: unknown): string | undefined {
		if (typeof model !== 'string') return 'model is required';
		if (model.startsWith('accounts/fireworks/models/') || this.models.has(model)) return undefined;
		return `Model not found, inaccessible, and/or not deployed: ${model}`;
	}

	/** Checks a training config's numbers as the API types them (int32, float). */
	private numbersProblem(config: Record<string, unknown>, where: string): string | undefined {
		for (const field of INTEGER_FIELDS) {
			const value = config[field];
			if (value !== undefined && (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 2_147_483_647)) return `invalid value for int32 field ${where}${field}: ${JSON.stringify(value)}`;
		}
		if (config.learningRate !== undefined && !(typeof config.learningRate === 'number' && config.learningRate > 0)) return `${where}learningRate must be a positive number`;
		return undefined;
	}

	private createJob(collection: Collection, body: Record<string, unknown>, query: URLSearchParams): Reply {
		const allowed = collection === 'dpoJobs' ? DPO_FIELDS : SFT_FIELDS;
		const unknown = Object.keys(body).find((key) => !allowed.has(key));
		if (unknown) return fail('INVALID_ARGUMENT', `proto: (line 1:2): unknown field "${unknown}"`);
		const config = collection === 'dpoJobs' ? ((body.trainingConfig as Record<string, unknown> | undefined) ?? {}) : body;
		if (collection === 'dpoJobs') {
			const unknownConfig = Object.keys(config).find((key) => !TRAINING_FIELDS.includes(key));
			if (unknownConfig) return fail('INVALID_ARGUMENT', `proto: unknown field "trainingConfig.${unknownConfig}"`);
			const loss = body.lossConfig as Record<string, unknown> | undefined;
			if (loss && (!['METHOD_UNSPECIFIED', 'DPO'].includes(String(loss.method ?? 'METHOD_UNSPECIFIED')) || (loss.klBeta !== undefined && !(typeof loss.klBeta === 'number' && loss.klBeta > 0)))) {
				return fail('INVALID_ARGUMENT', 'lossConfig: method must be DPO and klBeta a positive number');
			}
		}
		const numbers = this.numbersProblem(config, collection === 'dpoJobs' ? 'trainingConfig.' : '');
		if (numbers) return fail('INVALID_ARGUMENT', numbers);
		if (typeof config.baseModel !== 'string' || !config.baseModel) return fail('INVALID_ARGUMENT', 'baseModel is required (or warmStartFrom)');
		const dataset = this.datasets.get(String(body.dataset ?? ''));
		if (!dataset) return fail('NOT_FOUND', `dataset ${JSON.stringify(body.dataset)} not found`);
		if (dataset.state !== 'READY') return fail('FAILED_PRECONDITION', `dataset ${dataset.name} is in state ${dataset.state}, not READY`);
		const wanted = collection === 'dpoJobs' ? 'preference' : 'chat';
		if (dataset.kind !== wanted) return fail('INVALID_ARGUMENT', `dataset ${dataset.name} holds ${dataset.kind} examples; a ${collection === 'dpoJobs' ? 'DPO' : 'supervised'} job needs ${wanted} examples`);
		if (body.evaluationDataset !== undefined && !this.datasets.has(String(body.evaluationDataset))) return fail('NOT_FOUND', `evaluation dataset ${JSON.stringify(body.evaluationDataset)} not found`);
		const id = query.get(collection === 'dpoJobs' ? 'dpoJobId' : 'supervisedFineTuningJobId') || randomUUID().replace(/-/g, '').slice(0, 20);
		const prefix = `accounts/${this.account}/`;
		if (config.outputModel === undefined) config.outputModel = `${prefix}models/ft-${id}`;
		const output = String(config.outputModel);
		if (!new RegExp(`^${prefix}models/[a-z0-9][a-z0-9-]{0,62}$`).test(output)) return fail('INVALID_ARGUMENT', `outputModel ${JSON.stringify(output)} must be ${prefix}models/{id}, the id of lowercase letters, digits and hyphens`);
		if (this.models.has(output) || [...this.jobs.values()].some((job) => this.outputModel(job) === output)) return fail('ALREADY_EXISTS', `model ${output} already exists`);
		const name = `${prefix}${collection}/${id}`;
		if (this.jobs.has(name)) return fail('ALREADY_EXISTS', `job ${name} already exists`);
		const job: Job = { collection, body, name, state: PROGRESSION[0], status: { code: 'OK', message: '' }, createTime: iso(), updateTime: iso(), step: 0 };
		this.jobs.set(name, job);
		this.clock.start();
		return { status: 200, body: this.publicJob(job) };
	}

	/** Validates an uploaded file as Fireworks' dataset formats: chat `messages`, or DPO's input / preferred / non-preferred. */
	private upload(dataset: Dataset, raw: Buffer, headers: IncomingHttpHeaders): Reply {
		const contentType = String(headers['content-type'] ?? '');
		if (!contentType.startsWith('multipart/form-data')) return fail('INVALID_ARGUMENT', 'the upload must be multipart/form-data with a file field');
		const fields = parseMultipart(raw, contentType);
		if (!fields.file?.filename) return fail('INVALID_ARGUMENT', 'missing file');
		if (dataset.content !== undefined) return fail('FAILED_PRECONDITION', `dataset ${dataset.name} already has its file`);
		const lines = fields.file.value.split('\n').filter((line) => line.trim());
		const kinds = new Set<string>();
		for (const [index, line] of lines.entries()) {
			let row: Record<string, unknown>;
			try {
				row = JSON.parse(line) as Record<string, unknown>;
			} catch {
				return fail('INVALID_ARGUMENT', `line ${index + 1}: not JSON`);
			}
			if (Array.isArray(row.messages)) kinds.add('chat');
			else if (row.input && Array.isArray(row.preferred_output) && Array.isArray(row.non_preferred_output)) kinds.add('preference');
			else return fail('INVALID_ARGUMENT', `line ${index + 1}: neither a chat example (messages) nor a preference example (input, preferred_output, non_preferred_output)`);
		}
		if (lines.length < 3) return fail('INVALID_ARGUMENT', `the dataset has ${lines.length} examples; at least 3 are needed`);
		if (kinds.size > 1) return fail('INVALID_ARGUMENT', 'the file mixes chat and preference examples');
		dataset.content = fields.file.value;
		dataset.kind = [...kinds][0] as Dataset['kind'];
		dataset.exampleCount = String(lines.length);
		this.clock.start();
		const bytes = Buffer.byteLength(fields.file.value);
		return { status: 200, body: { id: dataset.name.split('/').pop(), object: 'file', bytes, created_at: Math.floor(Date.now() / 1000), filename: fields.file.filename, purpose: 'fine-tune' } };
	}

	private list(collection: string, items: Record<string, unknown>[], query: URLSearchParams): Reply {
		const size = Number(query.get('pageSize') ?? 50);
		if (!Number.isInteger(size) || size < 0) return fail('INVALID_ARGUMENT', `invalid pageSize ${query.get('pageSize')}`);
		const start = Number(query.get('pageToken') || 0);
		const page = items.slice(start, start + (size || 50));
		const next = start + page.length < items.length ? String(start + page.length) : '';
		return { status: 200, body: { [collection]: page, nextPageToken: next, totalSize: items.length } };
	}

	/** Answers a Fireworks control-plane request (`/v1/accounts/…`), or undefined for another path. */
	handle(method: string, path: string, query: URLSearchParams, headers: IncomingHttpHeaders, raw: Buffer): Reply | undefined {
		const match = /^\/v1\/accounts\/([^/]+)\/(datasets|supervisedFineTuningJobs|dpoJobs)(?:\/([^/:]+))?(?::(upload|resume))?$/.exec(path);
		if (!match) return undefined;
		const [, account, collection, id, action] = match;
		if (decodeURIComponent(account) !== this.account) return fail('PERMISSION_DENIED', `the API key has no access to account ${decodeURIComponent(account)}`);
		let body: Record<string, unknown> = {};
		if (method === 'POST' && action !== 'upload') {
			try {
				body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
			} catch {
				return fail('INVALID_ARGUMENT', 'the body is not JSON');
			}
		}
		const prefix = `accounts/${this.account}/`;
		if (collection === 'datasets') {
			if (!id && method === 'GET') return this.list('datasets', [...this.datasets.values()].map((d) => this.publicDataset(d)), query);
			if (!id && method === 'POST') {
				const datasetId = body.datasetId;
				if (typeof datasetId !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(datasetId)) return fail('INVALID_ARGUMENT', `datasetId ${JSON.stringify(datasetId)} must be 1 to 63 lowercase letters, digits and hyphens`);
				const name = `${prefix}datasets/${datasetId}`;
				if (this.datasets.has(name)) return fail('ALREADY_EXISTS', `dataset ${name} already exists`);
				const spec = (body.dataset as Record<string, unknown> | undefined) ?? {};
				const dataset: Dataset = { name, displayName: String(spec.displayName ?? datasetId), createTime: iso(), state: 'UPLOADING', status: { code: 'OK', message: '' }, exampleCount: String(spec.exampleCount ?? '0'), userUploaded: {} };
				this.datasets.set(name, dataset);
				return { status: 200, body: this.publicDataset(dataset) };
			}
			const dataset = id ? this.datasets.get(`${prefix}datasets/${decodeURIComponent(id)}`) : undefined;
			if (!dataset) return fail('NOT_FOUND', `dataset ${prefix}datasets/${id} not found`);
			if (action === 'upload' && method === 'POST') return this.upload(dataset, raw, headers);
			if (!action && method === 'GET') return { status: 200, body: this.publicDataset(dataset) };
			return fail('INVALID_ARGUMENT', `${method} is not a method of ${path}`);
		}
		const jobs = collection as Collection;
		if (!id && method === 'POST') return this.createJob(jobs, body, query);
		if (!id && method === 'GET') {
			const all = [...this.jobs.values()].filter((job) => job.collection === jobs).reverse();
			return this.list(jobs, all.map((job) => this.publicJob(job)), query);
		}
		const job = this.jobs.get(`${prefix}${jobs}/${decodeURIComponent(id ?? '')}`);
		if (!job) return fail('NOT_FOUND', `job ${prefix}${jobs}/${id} not found`);
		if (!action && method === 'GET') return { status: 200, body: this.publicJob(job) };
		if (!action && method === 'DELETE') {
			if (FINAL.has(job.state)) this.jobs.delete(job.name);
			else {
				job.state = 'JOB_STATE_DELETING';
				this.clock.start();
			}
			return { status: 200, body: {} };
		}
		if (action === 'resume' && method === 'POST') {
			if (!['JOB_STATE_FAILED', 'JOB_STATE_CANCELLED', 'JOB_STATE_PAUSED'].includes(job.state)) return fail('FAILED_PRECONDITION', `job ${job.name} is in state ${job.state}; only a failed, cancelled or paused job can be resumed`);
			job.state = 'JOB_STATE_RUNNING';
			job.step = 2;
			job.status = { code: 'OK', message: '' };
			this.clock.start();
			return { status: 200, body: this.publicJob(job) };
		}
		return fail('INVALID_ARGUMENT', `${method} is not a method of ${path}`);
	}
}
