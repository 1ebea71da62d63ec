/**
 * The test server's fine-tuning side: multipart /files and the /fine_tuning/jobs lifecycle
 * (validating_files → queued → running → succeeded / failed / cancelled, with pause and resume),
 * events, checkpoints and fine_tuned_model, advancing one status every `stepMs`. Optionally sends
 * Standard Webhooks-signed events (`fine_tuning.job.succeeded`, ...) to a URL.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { StepClock } from './stepClock';

export interface FineTuningOptions {
	/** Time between two statuses of a job. */
	stepMs?: number;
	/** The final status a job reaches (default succeeded). */
	outcome?: 'succeeded' | 'failed';
	/** Where to POST signed job events, with the secret in Standard Webhooks form (whsec_<base64>). */
	webhook?: { url: string; secret: string };
	/**
	 * A scripted answer instead of the simulator's for a files or fine-tuning request (e.g. a 422 in
	 * a server's own error shape and media type); undefined lets the simulator answer.
	 */
	answer?: (request: { method: string; path: string; body: unknown }) => Reply | undefined;
	/**
	 * Plays one platform's fine-tuning API where it differs from OpenAI's (undefined: OpenAI's, at any mount):
	 * - `azure`, Azure OpenAI's v1 API (https://learn.microsoft.com/en-us/azure/foundry/reference/rest/fine-tuning-create-fine-tuning-job,
	 *   azure-rest-api-specs OpenAI.v1): files and jobs only under /openai/v1 (elsewhere Azure's 404), a key in
	 *   `api-key` or an Entra ID token as Bearer, the `trainingType` tier (Standard, GlobalStandard, developerTier),
	 *   reinforcement graders without python;
	 * - `bedrock`, Amazon Bedrock's OpenAI-compatible API (https://docs.aws.amazon.com/bedrock/latest/userguide/rft-open-weight-access-security.html,
	 *   .../api-keys-use.html): only under /v1, the Bedrock API key only as Bearer, no DPO, no pause / resume,
	 *   no grader validation, no Azure tier.
	 */
	platform?: 'azure' | 'bedrock';
}

export interface StoredFile {
	id: string;
	object: 'file';
	bytes: number;
	created_at: number;
	filename: string;
	purpose: string;
	status: 'processed';
	content: string;
}

type Status = 'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'paused';
const PROGRESSION: Status[] = ['validating_files', 'queued', 'running'];
const FINAL = new Set<Status>(['succeeded', 'failed', 'cancelled']);

interface Job {
	id: string;
	object: 'fine_tuning.job';
	model: string;
	created_at: number;
	finished_at: number | null;
	fine_tuned_model: string | null;
	organization_id: string;
	result_files: string[];
	status: Status;
	validation_file: string | null;
	training_file: string;
	hyperparameters: Record<string, unknown>;
	trained_tokens: number | null;
	error: { code: string; message: string; param: string | null } | null;
	seed: number;
	suffix?: string | null;
	metadata?: Record<string, string> | null;
	method?: Record<string, unknown>;
	estimated_finish: number | null;
	integrations: unknown[] | null;
	user_provided_suffix?: string | null;
	/** Azure OpenAI's training tier, as the job was created with it. */
	trainingType?: string;
	/** Steps taken along PROGRESSION and into the outcome; paused jobs do not advance. */
	step: number;
	events: Array<{ id: string; object: 'fine_tuning.job.event'; created_at: number; level: 'info' | 'warn' | 'error'; message: string; type: 'message' | 'metrics'; data?: unknown }>;
	checkpoints: Array<Record<string, unknown>>;
}

export interface Reply {
	status: number;
	/** Sent as JSON, or as it is when a string with its own content-type header. */
	body: unknown;
	headers?: Record<string, string>;
}

const now = () => Math.floor(Date.now() / 1000);

/** Splits a multipart/form-data body into its fields and files. */
export function parseMultipart(raw: Buffer, contentType: string): Record<string, { value: string; filename?: string }> {
	const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	if (!boundary) throw new Error('no multipart boundary');
	const marker = `--${boundary[1] ?? boundary[2]}`;
	const fields: Record<string, { value: string; filename?: string }> = {};
	for (const part of raw.toString('utf8').split(marker).slice(1)) {
		if (part.startsWith('--')) break;
		const [head, ...rest] = part.replace(/^\r\n/, '').split('\r\n\r\n');
		const name = /name="([^"]*)"/i.exec(head)?.[1];
		if (!name) continue;
		const filename = /filename="([^"]*)"/i.exec(head)?.[1];
		fields[name] = { value: rest.join('\r\n\r\n').replace(/\r\n$/, ''), ...(filename !== undefined ? { filename } : {}) };
	}
	return fields;
}

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export class FineTuningSimulator {
	readonly files = new Map<string, StoredFile>();
	readonly jobs = new Map<string, Job>();
	readonly webhooksSent: Array<{ id: string; type: string; status: number }> = [];
	private readonly clock = new StepClock(() => void this.tick(), () => this.options.stepMs ?? 50);

	constructor(private options: FineTuningOptions = {}) {}

	configure(options: FineTuningOptions): void {
		this.options = options;
		this.clock.restart();
	}

	stop(): void {
		this.clock.stop();
	}

	private event(job: Job, message: string, level: 'info' | 'warn' | 'error' = 'info'): void {
		job.events.unshift({ id: `ftevent-${randomUUID().slice(0, 12)}`, object: 'fine_tuning.job.event', created_at: now(), level, message, type: 'message' });
	}

	private async tick(): Promise<void> {
		for (const job of this.jobs.values()) {
			if (FINAL.has(job.status) || job.status === 'paused') continue;
			job.step++;
			if (job.step < PROGRESSION.length) {
				job.status = PROGRESSION[job.step];
				this.event(job, `Job ${job.status.replace('_', ' ')}`);
				if (job.status === 'running') {
					job.checkpoints.unshift({
						id: `ftckpt-${job.id.slice(-8)}-1`,
						object: 'fine_tuning.job.checkpoint',
						created_at: now(),
						fine_tuned_model_checkpoint: `ft:${job.model}:mock::${job.id.slice(-8)}:ckpt-step-10`,
						fine_tuning_job_id: job.id,
						step_number: 10,
						metrics: { step: 10, train_loss: 0.42, train_mean_token_accuracy: 0.81 },
					});
				}
				continue;
			}
			await this.finish(job, this.options.outcome ?? 'succeeded');
		}
		if ([...this.jobs.values()].every((job) => FINAL.has(job.status) || job.status === 'paused')) this.stop();
	}

	private async finish(job: Job, status: 'succeeded' | 'failed' | 'cancelled'): Promise<void> {
		job.status = status;
		job.finished_at = now();
		if (status === 'succeeded') {
			job.fine_tuned_model = `ft:${job.model}:mock:${job.suffix ?? 'custom'}:${job.id.slice(-8)}`;
			job.trained_tokens = 4321;
			this.event(job, 'The job has successfully completed');
		} else if (status === 'failed') {
			job.error = { code: 'invalid_training_file', message: 'The training file has too few examples.', param: 'training_file' };
			this.event(job, 'The job failed', 'error');
		} else this.event(job, 'Job cancelled');
		await this.sendWebhook(`fine_tuning.job.${status}`, job.id);
	}

	/** Sends a Standard Webhooks-signed event; `tamper` corrupts it for tests of rejection. */
	async sendWebhook(type: string, jobId: string, tamper?: 'signature' | 'stale'): Promise<number | undefined> {
		const hook = this.options.webhook;
		if (!hook) return undefined;
		const id = `wh_${randomUUID().replace(/-/g, '')}`;
		const timestamp = tamper === 'stale' ? now() - 3600 : now();
		const body = JSON.stringify({ id: `evt_${randomUUID().slice(0, 16)}`, object: 'event', created_at: timestamp, type, data: { id: jobId } });
		const signature = tamper === 'signature' ? signWebhook(`whsec_${Buffer.from('not the secret').toString('base64')}`, id, timestamp, body) : signWebhook(hook.secret, id, timestamp, body);
		try {
			const response = await fetch(hook.url, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature },
				body,
			});
			this.webhooksSent.push({ id, type, status: response.status });
			return response.status;
		} catch {
			this.webhooksSent.push({ id, type, status: 0 });
			return 0;
		}
	}

	private list<T>(items: T[], query: URLSearchParams): Reply {
		const limit = Number(query.get('limit') ?? 20);
		const after = query.get('after');
		const start = after ? items.findIndex((item) => (item as { id: string }).id === after) + 1 : 0;
		const page = items.slice(start, start + limit);
		return { status: 200, body: { object: 'list', data: page, has_more: start + limit < items.length } };
	}

	private publicJob(job: Job): Omit<Job, 'step' | 'events' | 'checkpoints'> {
		const { step: _step, events: _events, checkpoints: _checkpoints, ...rest } = job;
		return rest;
	}

	/** A job as Together's API shows it: its own status names, output_name, ISO dates. */
	private togetherJob(job: Job): Record<string, unknown> {
		const status: Record<Status, string> = { validating_files: 'pending', queued: 'queued', running: 'running', paused: 'running', succeeded: 'completed', failed: 'error', cancelled: 'cancelled' };
		const iso = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString());
		return {
			id: job.id,
			status: status[job.status],
			model: job.model,
			output_name: job.fine_tuned_model,
			training_file: job.training_file,
			validation_file: job.validation_file,
			created_at: iso(job.created_at),
			updated_at: iso(job.finished_at ?? job.created_at),
			total_tokens: job.trained_tokens,
			...(job.error ? { message: job.error.message } : {}),
			...(job.method ?? {}),
		};
	}

	/**
	 * What Together refuses in a job (or an estimate) body, in words; undefined when it takes it. From its API reference
	 * (https://docs.together.ai/reference/post-fine-tunes: training_type Lora / Full, training_method sft / dpo with
	 * dpo_beta, rpo_alpha, simpo_gamma numbers, dpo_reference_free, dpo_normalize_logratios_by_length booleans,
	 * from_checkpoint `{job id | output model}[:{step}]`) and its SDK's checks (rpo_alpha, simpo_gamma ≥ 0).
	 */
	private togetherRefusal(body: Record<string, unknown>, needsType = true): string | undefined {
		const type = (body.training_type as { type?: string } | undefined)?.type;
		if ((needsType || type !== undefined) && type !== 'Lora' && type !== 'Full') return 'training_type.type must be Lora or Full';
		const trainingMethod = (body.training_method ?? {}) as Record<string, unknown>;
		if (trainingMethod.method !== 'sft' && trainingMethod.method !== 'dpo') return 'training_method.method must be sft or dpo';
		const dpoFields = ['dpo_beta', 'rpo_alpha', 'simpo_gamma', 'dpo_reference_free', 'dpo_normalize_logratios_by_length'];
		if (trainingMethod.method === 'sft') {
			const stray = dpoFields.find((field) => field in trainingMethod);
			if (stray) return `training_method.${stray} is only supported for DPO training`;
		}
		for (const field of ['dpo_beta', 'rpo_alpha', 'simpo_gamma']) {
			const value = trainingMethod[field];
			if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) return `training_method.${field} must be a number`;
		}
		for (const field of ['rpo_alpha', 'simpo_gamma']) if (typeof trainingMethod[field] === 'number' && (trainingMethod[field] as number) < 0) return `training_method.${field} should be non-negative`;
		for (const field of ['dpo_reference_free', 'dpo_normalize_logratios_by_length']) {
			if (trainingMethod[field] !== undefined && typeof trainingMethod[field] !== 'boolean') return `training_method.${field} must be a boolean`;
		}
		if (body.from_checkpoint !== undefined) {
			const given = String(body.from_checkpoint);
			const named = (name: string) => [...this.jobs.values()].find((j) => j.id === name || j.fine_tuned_model === name);
			// The whole text names a job or a model (the test server's model names have colons), else NAME:STEP.
			const [source, step] = named(given) ? [given, undefined] : given.split(/:(?=\d+$)/);
			const job = named(source);
			if (!job) return `from_checkpoint: no job or output model ${JSON.stringify(source)}`;
			if (step !== undefined && !job.checkpoints.some((c) => String(c.step_number) === step)) return `from_checkpoint: job ${job.id} has no checkpoint at step ${step}`;
		}
		return undefined;
	}

	/** Together AI's routes over the same files and jobs. */
	private together(method: string, path: string, headers: IncomingHttpHeaders, raw: Buffer): Reply | undefined {
		const error = (status: number, message: string): Reply => ({ status, body: { error: { message, type: 'invalid_request_error' } } });
		if (method === 'POST' && path === '/files/upload') {
			const fields = parseMultipart(raw, String(headers['content-type'] ?? ''));
			if (!fields.file?.filename || fields.purpose?.value !== 'fine-tune') return error(400, 'file and purpose=fine-tune are required');
			const id = `file-${randomUUID()}`;
			this.files.set(id, { id, object: 'file', bytes: Buffer.byteLength(fields.file.value), created_at: now(), filename: fields.file_name?.value ?? fields.file.filename, purpose: 'fine-tune', status: 'processed', content: fields.file.value });
			return { status: 200, body: { id, object: 'file', created_at: now(), purpose: 'fine-tune', filename: fields.file_name?.value ?? fields.file.filename, bytes: Buffer.byteLength(fields.file.value), FileType: 'jsonl' } };
		}
		if (path === '/fine-tunes/estimate-price' && method === 'POST') {
			const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
			const training = typeof body.training_file === 'string' ? this.files.get(body.training_file) : undefined;
			if (!training) return error(400, 'training_file: an uploaded file ID is required');
			if (body.validation_file !== undefined && !this.files.has(String(body.validation_file))) return error(400, `validation_file: no file ${String(body.validation_file)}`);
			const refused = this.togetherRefusal(body, false);
			if (refused) return error(400, refused);
			if (body.n_epochs !== undefined && !(Number.isInteger(body.n_epochs) && Number(body.n_epochs) >= 1)) return error(400, 'n_epochs must be an integer of at least 1');
			// The test server's own rule, to have figures to check: a token per 4 bytes, epochs × tokens, $0.48 per million
			// (LoRA SFT), × 2.5 for full training, × 2 for DPO (two sequences per example); the real prices are Together's.
			const tokens = (id: string | undefined) => (id ? Math.ceil((this.files.get(id)?.bytes ?? 0) / 4) : 0);
			const train = tokens(training.id) * Number(body.n_epochs ?? 1);
			const full = (body.training_type as { type?: string } | undefined)?.type === 'Full';
			const dpo = (body.training_method as { method?: string } | undefined)?.method === 'dpo';
			const price = (train / 1_000_000) * 0.48 * (full ? 2.5 : 1) * (dpo ? 2 : 1);
			return {
				status: 200,
				body: { estimated_total_price: price, allowed_to_proceed: true, user_limit: 100, estimated_train_token_count: train, estimated_eval_token_count: tokens(body.validation_file as string | undefined) },
			};
		}
		if (path === '/fine-tunes' && method === 'GET') return { status: 200, body: { data: [...this.jobs.values()].map((job) => this.togetherJob(job)) } };
		if (path === '/fine-tunes' && method === 'POST') {
			const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
			if (typeof body.model !== 'string' || typeof body.training_file !== 'string' || !this.files.has(body.training_file)) return error(400, 'model and an uploaded training_file are required');
			const type = (body.training_type as { type?: string } | undefined)?.type;
			if (type !== 'Lora' && type !== 'Full') return error(400, 'training_type.type must be Lora or Full');
			const refused = this.togetherRefusal(body);
			if (refused) return error(400, refused);
			const job = this.createJob(body.model, body.training_file, (body.validation_file as string | undefined) ?? null, { together: body }, body.suffix as string | undefined);
			return { status: 200, body: this.togetherJob(job) };
		}
		const match = /^\/fine-tunes\/([^/]+)(?:\/(cancel|events|checkpoints))?$/.exec(path);
		if (!match) return undefined;
		const job = this.jobs.get(match[1]);
		if (!job) return error(404, `fine-tune ${match[1]} not found`);
		if (!match[2] && method === 'GET') return { status: 200, body: this.togetherJob(job) };
		if (match[2] === 'cancel' && method === 'POST') {
			if (!FINAL.has(job.status)) void this.finish(job, 'cancelled');
			return { status: 200, body: this.togetherJob(job) };
		}
		if (match[2] === 'events') return { status: 200, body: { data: [...job.events].reverse().map((e) => ({ object: 'fine-tune-event', created_at: new Date(e.created_at * 1000).toISOString(), level: e.level, message: e.message, type: 'JOB_' + e.type.toUpperCase() })) } };
		if (match[2] === 'checkpoints') return { status: 200, body: { data: job.checkpoints.map((c) => ({ type: 'Intermediate', timestamp: new Date(Number(c.created_at) * 1000).toISOString(), name: c.fine_tuned_model_checkpoint, step: c.step_number })) } };
		return error(405, 'method not allowed');
	}

	private createJob(model: string, trainingFile: string, validationFile: string | null, trainingMethod: Record<string, unknown>, suffix?: string, extra: Partial<Job> = {}): Job {
		const job: Job = {
			id: `ftjob-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
			object: 'fine_tuning.job',
			model,
			created_at: now(),
			finished_at: null,
			fine_tuned_model: null,
			organization_id: 'org-mock',
			result_files: [],
			status: 'validating_files',
			validation_file: validationFile,
			training_file: trainingFile,
			hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' },
			trained_tokens: null,
			error: null,
			seed: 42,
			suffix: suffix ?? null,
			metadata: null,
			method: trainingMethod,
			estimated_finish: null,
			integrations: null,
			step: 0,
			events: [],
			checkpoints: [],
			...extra,
		};
		this.event(job, `Created fine-tuning job: ${job.id}`);
		this.jobs.set(job.id, job);
		this.clock.start();
		return job;
	}

	/** Where the platform this simulator plays refuses a request OpenAI's API would take; undefined when it takes it. */
	private platformRefusal(method: string, path: string, headers: IncomingHttpHeaders, raw: Buffer, mount: string): Reply | undefined {
		const platform = this.options.platform;
		if (!platform || !(path.startsWith('/files') || path.startsWith('/fine_tuning'))) return undefined;
		const bearer = /^Bearer \S/.test(headers.authorization ?? '');
		const body = (): Record<string, unknown> => {
			try {
				return method === 'POST' && String(headers['content-type'] ?? '').startsWith('application/json') ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
			} catch {
				return {};
			}
		};
		if (platform === 'azure') {
			const azureError = (status: number, code: string, message: string): Reply => ({ status, body: { error: { code, message, param: null, type: 'error' } } });
			if (mount !== 'openai/v1') return azureError(404, '404', 'Resource not found');
			if (!headers['api-key'] && !bearer) return azureError(401, '401', 'Access denied due to missing subscription key or Entra ID token. Make sure to include an api-key header or an Authorization: Bearer token.');
			if (method === 'POST' && path === '/fine_tuning/jobs') {
				const job = body();
				if (job.trainingType !== undefined && !['Standard', 'GlobalStandard', 'developerTier'].includes(String(job.trainingType))) {
					return azureError(400, 'invalidPayload', `trainingType ${JSON.stringify(job.trainingType)} is not one of Standard, GlobalStandard, developerTier`);
				}
				if (JSON.stringify((job.method as Record<string, unknown> | undefined)?.reinforcement ?? {}).includes('"type":"python"')) {
					return azureError(400, 'invalidPayload', 'python graders are not supported');
				}
			}
			return undefined;
		}
		const bedrockError = (status: number, message: string): Reply => ({ status, body: { error: { message, type: 'invalid_request_error', code: null, param: null } } });
		if (mount !== 'v1') return bedrockError(404, `Unknown path ${path}`);
		if (!bearer) return bedrockError(401, headers['api-key'] ? 'Amazon Bedrock API keys are sent as Authorization: Bearer, not api-key' : 'Missing Authorization: Bearer token');
		if (/^\/fine_tuning\/jobs\/[^/]+\/(pause|resume)$/.test(path) || path.startsWith('/fine_tuning/alpha')) return bedrockError(404, `Unknown path ${path}`);
		if (method === 'POST' && path === '/fine_tuning/jobs') {
			const job = body();
			if ((job.method as { type?: string } | undefined)?.type === 'dpo') return bedrockError(400, 'method.type: dpo is not supported');
			if (job.trainingType !== undefined) return bedrockError(400, 'Unrecognized request argument supplied: trainingType');
		}
		return undefined;
	}

	/** Answers a fine-tuning or files request, or undefined when the path is not one of them. */
	handle(method: string, path: string, query: URLSearchParams, headers: IncomingHttpHeaders, raw: Buffer, mount = 'v1'): Reply | undefined {
		if (this.options.answer && (path.startsWith('/files') || path.startsWith('/fine_tuning') || path.startsWith('/fine-tunes'))) {
			const text = raw.toString('utf8');
			let body: unknown = text;
			try {
				body = text && String(headers['content-type'] ?? '').startsWith('application/json') ? JSON.parse(text) : text;
			} catch {
				// Sent as it came.
			}
			const scripted = this.options.answer({ method, path, body });
			if (scripted) return scripted;
		}
		const refused = this.platformRefusal(method, path, headers, raw, mount);
		if (refused) return refused;
		const together = this.together(method, path, headers, raw);
		if (together) return together;
		const error = (status: number, message: string): Reply => ({ status, body: { error: { message, type: 'invalid_request_error', param: null, code: null } } });
		if (method === 'POST' && path === '/files') {
			const contentType = String(headers['content-type'] ?? '');
			if (!contentType.startsWith('multipart/form-data')) return error(400, 'files must be sent as multipart/form-data');
			const fields = parseMultipart(raw, contentType);
			if (!fields.file?.filename) return error(400, 'missing file');
			if (!['fine-tune', 'assistants', 'batch', 'user_data', 'vision', 'evals'].includes(fields.purpose?.value ?? '')) return error(400, 'invalid purpose');
			const file: StoredFile = {
				id: `file-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
				object: 'file',
				bytes: Buffer.byteLength(fields.file.value),
				created_at: now(),
				filename: fields.file.filename,
				purpose: fields.purpose.value,
				status: 'processed',
				content: fields.file.value,
			};
			this.files.set(file.id, file);
			const { content: _content, ...publicFile } = file;
			return { status: 200, body: publicFile };
		}
		const fileMatch = /^\/files\/([^/]+)$/.exec(path);
		if (method === 'GET' && fileMatch) {
			const file = this.files.get(fileMatch[1]);
			if (!file) return error(404, `No such File object: ${fileMatch[1]}`);
			const { content: _content, ...publicFile } = file;
			return { status: 200, body: publicFile };
		}
		if (path === '/fine_tuning/jobs') {
			if (method === 'GET') return this.list([...this.jobs.values()].reverse().map((job) => this.publicJob(job)), query);
			if (method !== 'POST') return error(405, 'method not allowed');
			let body: Record<string, unknown>;
			try {
				body = JSON.parse(raw.toString('utf8'));
			} catch {
				return error(400, 'the body is not JSON');
			}
			if (typeof body.model !== 'string' || typeof body.training_file !== 'string') return error(400, 'model and training_file are required');
			if (!this.files.has(body.training_file)) return error(400, `invalid training_file: ${body.training_file}`);
			if (body.validation_file && !this.files.has(String(body.validation_file))) return error(400, `invalid validation_file: ${String(body.validation_file)}`);
			const trainingMethod = (body.method as Record<string, unknown> | undefined) ?? { type: 'supervised', supervised: { hyperparameters: body.hyperparameters ?? {} } };
			const job = this.createJob(body.model, body.training_file, (body.validation_file as string | undefined) ?? null, trainingMethod, (body.suffix as string | undefined) ?? undefined, {
				hyperparameters: (body.hyperparameters as Record<string, unknown>) ?? { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' },
				seed: typeof body.seed === 'number' ? body.seed : 42,
				metadata: (body.metadata as Record<string, string> | undefined) ?? null,
				...(body.trainingType !== undefined ? { trainingType: String(body.trainingType) } : {}),
			});
			return { status: 200, body: this.publicJob(job) };
		}
		const jobMatch = /^\/fine_tuning\/jobs\/([^/]+)(?:\/(cancel|pause|resume|events|checkpoints))?$/.exec(path);
		if (jobMatch) {
			const job = this.jobs.get(jobMatch[1]);
			if (!job) return error(404, `No such fine-tuning job: ${jobMatch[1]}`);
			const action = jobMatch[2];
			if (!action && method === 'GET') return { status: 200, body: this.publicJob(job) };
			if (action === 'events' && method === 'GET') return this.list(job.events, query);
			if (action === 'checkpoints' && method === 'GET') return this.list(job.checkpoints, query);
			if (method !== 'POST') return error(405, 'method not allowed');
			if (action === 'cancel') {
				if (FINAL.has(job.status)) return error(400, `Job ${job.id} has already ${job.status}`);
				void this.finish(job, 'cancelled');
				return { status: 200, body: this.publicJob(job) };
			}
			if (action === 'pause') {
				if (job.status !== 'running') return error(400, `Job ${job.id} is not running`);
				job.status = 'paused';
				this.event(job, 'Job paused');
				return { status: 200, body: this.publicJob(job) };
			}
			if (action === 'resume') {
				if (job.status !== 'paused') return error(400, `Job ${job.id} is not paused`);
				job.status = 'running';
				this.event(job, 'Job resumed');
				this.clock.start();
				return { status: 200, body: this.publicJob(job) };
			}
		}
		return undefined;
	}
}
