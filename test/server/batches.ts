/**
 * The test server's Batch API (issue 20), after OpenAI's reference:
 * - https://platform.openai.com/docs/api-reference/batch/create   POST /batches
 * - https://platform.openai.com/docs/api-reference/batch/retrieve GET  /batches/{batch_id}
 * - https://platform.openai.com/docs/api-reference/batch/cancel   POST /batches/{batch_id}/cancel
 * - https://platform.openai.com/docs/api-reference/batch/list     GET  /batches (after, limit; newest first)
 * - https://platform.openai.com/docs/api-reference/batch/request-input  and  …/batch/request-output (the JSONL lines)
 * - https://platform.openai.com/docs/api-reference/files/retrieve-contents  GET /files/{file_id}/content
 * Schemas: Batch, CreateBatchRequest, BatchRequestCounts, BatchError, ListBatchesResponse and Metadata in
 * ../shared/openai-openapi/openapi.yaml.
 *
 * Lifecycle: validating → in_progress → finalizing → completed, one status per `stepMs`; in_progress
 * answers `requestsPerStep` lines per step (all of them by default) through the server's own chat
 * answer (scripts and faults apply: a fault is that line's error). A file that breaks the input
 * rules fails the batch in validating (`errors.data` with the line). Cancel: cancelling, then
 * cancelled one step later with the lines answered so far; expire() does the same as the 24 h
 * window ending (expired). The unanswered lines of a cancelled or expired batch go to the error file
 * with `batch_cancelled` / `batch_expired`, as OpenAI writes them.
 */
import { randomUUID } from 'node:crypto';
import type { StoredFile } from './fineTuning';
import { StepClock } from './stepClock';

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
const FINAL = new Set<BatchStatus>(['failed', 'completed', 'expired', 'cancelled']);
export const BATCH_ENDPOINTS = ['/v1/chat/completions', '/v1/embeddings', '/v1/completions', '/v1/responses', '/v1/moderations'];

/** What one line's request got: a status and body, as the endpoint would have answered it. */
export interface LineAnswer {
	status: number;
	body: unknown;
}

export interface BatchOptions {
	/** Time between two statuses (default 20 ms). */
	stepMs?: number;
	/** Lines answered per step while in_progress (default: all of them in one step). */
	requestsPerStep?: number;
	/** A batch stops answering after this many lines and stays in_progress (until cancel or expire). */
	stallAfter?: number;
	/** OpenAI's limits on an input file (50,000 requests, 200 MB); smaller for tests. */
	maxRequests?: number;
	maxBytes?: number;
}

interface Line {
	customId: string;
	body: Record<string, unknown>;
}

interface Batch {
	id: string;
	object: 'batch';
	endpoint: string;
	model?: string;
	errors: { object: 'list'; data: Array<{ code: string; message: string; param: string | null; line: number | null }> } | null;
	input_file_id: string;
	completion_window: string;
	status: BatchStatus;
	output_file_id: string | null;
	error_file_id: string | null;
	created_at: number;
	in_progress_at: number | null;
	expires_at: number | null;
	finalizing_at: number | null;
	completed_at: number | null;
	failed_at: number | null;
	expired_at: number | null;
	cancelling_at: number | null;
	cancelled_at: number | null;
	request_counts: { total: number; completed: number; failed: number };
	metadata: Record<string, string> | null;
	/** Not sent: the parsed lines, and what each got. */
	lines: Line[];
	answers: Array<{ id: string; customId: string; answer: LineAnswer }>;
	/** Set by expire(): the next step ends the batch as expired. */
	expiring: boolean;
}

export interface Reply {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

const now = () => Math.floor(Date.now() / 1000);
const error = (status: number, message: string, code: string | null = null, param: string | null = null): Reply => ({
	status,
	body: { error: { message, type: 'invalid_request_error', param, code } },
});

export class BatchSimulator {
	readonly batches = new Map<string, Batch>();
	/** Batches created since the server started (or `resetCounters`): what "exactly one batch" counts. */
	created = 0;
	private readonly clock = new StepClock(() => this.tick(), () => this.options.stepMs ?? 20);
	private options: BatchOptions = {};

	constructor(
		/** The server's files (shared with fine-tuning): input files are read here, output files written here. */
		private readonly files: Map<string, StoredFile>,
		/** The server's answer to one request of the batch's endpoint. */
		private readonly answer: (endpoint: string, body: Record<string, unknown>) => LineAnswer,
	) {}

	configure(options: BatchOptions): void {
		this.options = options;
		this.clock.restart();
	}

	stop(): void {
		this.clock.stop();
	}

	/** The batch's window ends now: the next step marks it expired, with what was answered. */
	expire(id: string): void {
		const batch = this.batches.get(id);
		if (!batch || FINAL.has(batch.status)) throw new Error(`batch ${id} cannot expire (${batch?.status ?? 'unknown'})`);
		batch.expiring = true;
		this.clock.start();
	}

	/** Lets a stalled batch go on (after `stallAfter`). */
	release(): void {
		this.options = { ...this.options, stallAfter: undefined };
		this.clock.start();
	}

	private publicBatch(batch: Batch): Omit<Batch, 'lines' | 'answers' | 'expiring'> {
		const { lines: _lines, answers: _answers, expiring: _expiring, ...rest } = batch;
		return rest;
	}

	private writeFile(purpose: string, filename: string, lines: string[]): string {
		const content = lines.length ? `${lines.join('\n')}\n` : '';
		const id = `file-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
		this.files.set(id, { id, object: 'file', bytes: Buffer.byteLength(content), created_at: now(), filename, purpose, status: 'processed', content });
		return id;
	}

	/** Writes the output file (2xx lines) and the error file (the others, and `unanswered` with its code). */
	private writeResults(batch: Batch, unanswered?: { code: string; message: string }): void {
		const output: string[] = [];
		const errors: string[] = [];
		for (const { id, customId, answer } of batch.answers) {
			const line = JSON.stringify({ id, custom_id: customId, response: { status_code: answer.status, request_id: `req_${id}`, body: answer.body }, error: null });
			(answer.status >= 200 && answer.status < 300 ? output : errors).push(line);
		}
		if (unanswered) {
			for (const line of batch.lines.slice(batch.answers.length)) {
				errors.push(JSON.stringify({ id: `batch_req_${randomUUID().slice(0, 12)}`, custom_id: line.customId, response: null, error: unanswered }));
			}
		}
		batch.output_file_id = output.length ? this.writeFile('batch_output', `${batch.id}_output.jsonl`, output) : null;
		batch.error_file_id = errors.length ? this.writeFile('batch_output', `${batch.id}_error.jsonl`, errors) : null;
	}

	/** Validation as the API does it, line by line: the first broken line fails the batch. */
	private validate(batch: Batch): void {
		const file = this.files.get(batch.input_file_id);
		const fail = (code: string, message: string, line: number | null, param: string | null = null) => {
			batch.status = 'failed';
			batch.failed_at = now();
			batch.errors = { object: 'list', data: [{ code, message, param, line }] };
		};
		if (!file) return fail('invalid_file', `File ${batch.input_file_id} not found.`, null, 'input_file_id');
		const texts = file.content.split('\n').filter((text) => text.trim() !== '');
		const maxRequests = this.options.maxRequests ?? 50_000;
		const maxBytes = this.options.maxBytes ?? 200 * 1024 * 1024;
		if (texts.length > maxRequests) return fail('too_many_requests', `The batch input file has ${texts.length} requests; at most ${maxRequests} are allowed.`, null);
		if (file.bytes > maxBytes) return fail('file_too_large', `The batch input file is larger than ${maxBytes} bytes.`, null);
		const seen = new Set<string>();
		const lines: Line[] = [];
		for (const [at, text] of texts.entries()) {
			let parsed: { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown };
			try {
				parsed = JSON.parse(text);
			} catch {
				return fail('invalid_json_line', 'This line is not parseable as valid JSON.', at + 1);
			}
			if (typeof parsed.custom_id !== 'string' || !parsed.custom_id) return fail('missing_required_parameter', 'custom_id is required.', at + 1, 'custom_id');
			if (seen.has(parsed.custom_id)) return fail('duplicate_custom_id', `The custom_id ${parsed.custom_id} is not unique.`, at + 1, 'custom_id');
			seen.add(parsed.custom_id);
			if (parsed.method !== 'POST') return fail('invalid_method', 'Only POST is supported.', at + 1, 'method');
			if (parsed.url !== batch.endpoint) return fail('mismatched_endpoint', `The url ${String(parsed.url)} does not match the batch's endpoint ${batch.endpoint}.`, at + 1, 'url');
			if (!parsed.body || typeof parsed.body !== 'object' || Array.isArray(parsed.body)) return fail('invalid_request', 'body must be an object.', at + 1, 'body');
			lines.push({ customId: parsed.custom_id, body: parsed.body as Record<string, unknown> });
		}
		const models = new Set(lines.map((line) => line.body.model));
		if (models.size > 1) return fail('mismatched_model', 'All requests in a batch must use the same model.', null, 'model');
		batch.lines = lines;
		batch.model = typeof lines[0]?.body.model === 'string' ? (lines[0].body.model as string) : undefined;
		batch.request_counts.total = lines.length;
		batch.status = 'in_progress';
		batch.in_progress_at = now();
	}

	private answerLines(batch: Batch): void {
		const perStep = this.options.requestsPerStep ?? Number.POSITIVE_INFINITY;
		const stop = Math.min(batch.lines.length, this.options.stallAfter ?? Number.POSITIVE_INFINITY, batch.answers.length + perStep);
		for (let at = batch.answers.length; at < stop; at++) {
			const line = batch.lines[at];
			const answer = this.answer(batch.endpoint, line.body);
			batch.answers.push({ id: `batch_req_${randomUUID().replace(/-/g, '').slice(0, 20)}`, customId: line.customId, answer });
			if (answer.status >= 200 && answer.status < 300) batch.request_counts.completed++;
			else batch.request_counts.failed++;
		}
		if (batch.answers.length === batch.lines.length) {
			batch.status = 'finalizing';
			batch.finalizing_at = now();
		}
	}

	private tick(): void {
		for (const batch of this.batches.values()) {
			if (FINAL.has(batch.status)) continue;
			if (batch.expiring) {
				batch.status = 'expired';
				batch.expired_at = now();
				this.writeResults(batch, { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' });
				continue;
			}
			switch (batch.status) {
				case 'validating':
					this.validate(batch);
					break;
				case 'in_progress':
					this.answerLines(batch);
					break;
				case 'finalizing':
					this.writeResults(batch);
					batch.status = 'completed';
					batch.completed_at = now();
					break;
				case 'cancelling':
					this.writeResults(batch, { code: 'batch_cancelled', message: 'This request was not executed because the batch was cancelled.' });
					batch.status = 'cancelled';
					batch.cancelled_at = now();
					break;
				default:
					break;
			}
		}
		if ([...this.batches.values()].every((batch) => FINAL.has(batch.status))) this.stop();
	}

	private create(raw: Buffer): Reply {
		let body: Record<string, unknown>;
		try {
			body = JSON.parse(raw.toString('utf8'));
		} catch {
			return error(400, 'The body is not JSON.');
		}
		if (typeof body.input_file_id !== 'string') return error(400, 'input_file_id is required.', 'missing_required_parameter', 'input_file_id');
		const file = this.files.get(body.input_file_id);
		if (!file) return error(400, `Invalid 'input_file_id': '${body.input_file_id}'. File not found.`, 'invalid_value', 'input_file_id');
		if (file.purpose !== 'batch') return error(400, `The file ${file.id} has purpose '${file.purpose}', not 'batch'.`, 'invalid_value', 'input_file_id');
		if (typeof body.endpoint !== 'string' || !BATCH_ENDPOINTS.includes(body.endpoint)) return error(400, `Invalid 'endpoint': ${JSON.stringify(body.endpoint)}.`, 'invalid_value', 'endpoint');
		if (body.completion_window !== '24h') return error(400, "Invalid 'completion_window': only '24h' is supported.", 'invalid_value', 'completion_window');
		const metadata = body.metadata;
		if (metadata !== undefined && metadata !== null) {
			if (typeof metadata !== 'object' || Array.isArray(metadata)) return error(400, 'metadata must be an object.', 'invalid_type', 'metadata');
			const entries = Object.entries(metadata as Record<string, unknown>);
			if (entries.length > 16) return error(400, 'metadata: at most 16 keys.', 'invalid_value', 'metadata');
			for (const [key, value] of entries) {
				if (key.length > 64) return error(400, `metadata: the key ${key} is longer than 64 characters.`, 'invalid_value', 'metadata');
				if (typeof value !== 'string' || value.length > 512) return error(400, `metadata.${key}: a string of at most 512 characters.`, 'invalid_value', 'metadata');
			}
		}
		const created = now();
		const batch: Batch = {
			id: `batch_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
			object: 'batch',
			endpoint: body.endpoint,
			errors: null,
			input_file_id: body.input_file_id,
			completion_window: '24h',
			status: 'validating',
			output_file_id: null,
			error_file_id: null,
			created_at: created,
			in_progress_at: null,
			expires_at: created + 24 * 3600,
			finalizing_at: null,
			completed_at: null,
			failed_at: null,
			expired_at: null,
			cancelling_at: null,
			cancelled_at: null,
			request_counts: { total: 0, completed: 0, failed: 0 },
			metadata: (metadata as Record<string, string> | undefined) ?? null,
			lines: [],
			answers: [],
			expiring: false,
		};
		this.batches.set(batch.id, batch);
		this.created++;
		this.clock.start();
		return { status: 200, body: this.publicBatch(batch) };
	}

	private list(query: URLSearchParams): Reply {
		const limit = Number(query.get('limit') ?? 20);
		if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(400, 'limit must be between 1 and 100.', 'invalid_value', 'limit');
		const all = [...this.batches.values()].reverse();
		const after = query.get('after');
		const start = after ? all.findIndex((batch) => batch.id === after) + 1 : 0;
		const page = all.slice(start, start + limit).map((batch) => this.publicBatch(batch));
		return { status: 200, body: { object: 'list', data: page, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: start + limit < all.length } };
	}

	/** Answers a batch request or a file download; undefined when the path is neither. */
	handle(method: string, path: string, query: URLSearchParams, raw: Buffer): Reply | undefined {
		const content = /^\/files\/([^/]+)\/content$/.exec(path);
		if (content && method === 'GET') {
			const file = this.files.get(content[1]);
			if (!file) return error(404, `No such File object: ${content[1]}`, null, 'id');
			return { status: 200, body: file.content, headers: { 'content-type': 'application/octet-stream' } };
		}
		if (path === '/batches') {
			if (method === 'POST') return this.create(raw);
			if (method === 'GET') return this.list(query);
			return error(405, 'method not allowed');
		}
		const match = /^\/batches\/([^/]+)(\/cancel)?$/.exec(path);
		if (!match) return undefined;
		const batch = this.batches.get(match[1]);
		if (!batch) return error(404, `No batch found with id '${match[1]}'.`, null, 'batch_id');
		if (!match[2] && method === 'GET') return { status: 200, body: this.publicBatch(batch) };
		if (match[2] && method === 'POST') {
			if (FINAL.has(batch.status) || batch.status === 'cancelling') return error(409, `Cannot cancel a batch with status '${batch.status}'.`);
			batch.status = 'cancelling';
			batch.cancelling_at = now();
			this.clock.start();
			return { status: 200, body: this.publicBatch(batch) };
		}
		return error(405, 'method not allowed');
	}
}
