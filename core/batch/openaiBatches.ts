/**
 * OpenAI's Batch API and the APIs that copy it (Azure OpenAI's v1 API, Together's /batches), over
 * the package's one transport (an ApiCaller: the key's limiter, the retry policy, one error shape).
 * Routes, from OpenAI's API reference:
 * - POST /files (purpose=batch)          https://platform.openai.com/docs/api-reference/files/create
 * - GET  /files/{file_id}/content        https://platform.openai.com/docs/api-reference/files/retrieve-contents
 * - POST /batches                        https://platform.openai.com/docs/api-reference/batch/create
 * - GET  /batches/{batch_id}             https://platform.openai.com/docs/api-reference/batch/retrieve
 * - GET  /batches?after=&limit=          https://platform.openai.com/docs/api-reference/batch/list
 * - POST /batches/{batch_id}/cancel      https://platform.openai.com/docs/api-reference/batch/cancel
 * - output and error file lines          https://platform.openai.com/docs/api-reference/batch/request-output
 */
import type { ApiCaller } from '../transport/http';
import { BatchProtocolError, OPENAI_BATCH_LIMITS, type BatchInfo, type BatchLimits, type BatchOutputLine, type BatchProvider, type BatchStatus } from './types';

const STATUSES = new Set<BatchStatus>(['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled']);

interface RawBatch {
	id?: unknown;
	status?: unknown;
	input_file_id?: unknown;
	output_file_id?: unknown;
	error_file_id?: unknown;
	created_at?: unknown;
	request_counts?: { total?: unknown; completed?: unknown; failed?: unknown } | null;
	metadata?: Record<string, unknown> | null;
	errors?: { data?: Array<{ code?: unknown; message?: unknown; line?: unknown }> | null } | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** The API's batch object as the interface has it; an answer without an id or a known status is refused. */
export function toBatchInfo(raw: unknown): BatchInfo {
	const batch = (raw ?? {}) as RawBatch;
	const id = text(batch.id);
	if (!id) throw new BatchProtocolError('the server answered with a batch that has no id');
	if (typeof batch.status !== 'string' || !STATUSES.has(batch.status as BatchStatus)) {
		throw new BatchProtocolError(`the batch ${id} has the status ${JSON.stringify(batch.status)}, which is not one of the Batch API's`);
	}
	const metadata: Record<string, string> = {};
	for (const [key, value] of Object.entries(batch.metadata ?? {})) if (typeof value === 'string') metadata[key] = value;
	return {
		id,
		status: batch.status as BatchStatus,
		inputFileId: text(batch.input_file_id) ?? '',
		outputFileId: text(batch.output_file_id),
		errorFileId: text(batch.error_file_id),
		createdAt: count(batch.created_at),
		counts: { total: count(batch.request_counts?.total), completed: count(batch.request_counts?.completed), failed: count(batch.request_counts?.failed) },
		metadata,
		errors: (batch.errors?.data ?? []).map((e) => ({
			code: text(e?.code) ?? 'error',
			message: text(e?.message) ?? '',
			line: typeof e?.line === 'number' ? e.line : null,
		})),
	};
}

/**
 * The lines of an output or error file. A line that is not JSON, or has no custom_id, is refused
 * with its number: a file that cannot be mapped back to items must not deliver some of them silently.
 */
export function parseOutputFile(content: string, what = 'the output file'): BatchOutputLine[] {
	const lines: BatchOutputLine[] = [];
	let number = 0;
	for (const raw of content.split('\n')) {
		number++;
		if (raw.trim() === '') continue;
		let line: { custom_id?: unknown; response?: { status_code?: unknown; body?: unknown } | null; error?: { code?: unknown; message?: unknown } | null };
		try {
			line = JSON.parse(raw);
		} catch {
			throw new BatchProtocolError(`line ${number} of ${what} is not JSON`);
		}
		const customId = text(line?.custom_id);
		if (!customId) throw new BatchProtocolError(`line ${number} of ${what} has no custom_id`);
		const response = line.response && typeof line.response === 'object' ? { statusCode: count(line.response.status_code), body: line.response.body } : null;
		const error = line.error && typeof line.error === 'object' ? { code: text(line.error.code) ?? 'error', message: text(line.error.message) ?? '' } : null;
		lines.push({ customId, response, error });
	}
	return lines;
}

export function createOpenAiBatchProvider(call: ApiCaller, options: { name?: string; limits?: BatchLimits } = {}): BatchProvider {
	return {
		name: options.name ?? 'OpenAI',
		limits: options.limits ?? OPENAI_BATCH_LIMITS,
		async uploadBatchFile(file, signal) {
			const form = new FormData();
			form.append('purpose', 'batch');
			// A view of the buffer, not a copy: a file may be 200 MB.
			form.append('file', new Blob([new Uint8Array(file.content.buffer as ArrayBuffer, file.content.byteOffset, file.content.byteLength)], { type: 'application/jsonl' }), file.filename);
			const { data } = await call<{ id?: unknown; bytes?: unknown }>({ method: 'POST', path: '/files', form }, signal);
			const id = text(data?.id);
			if (!id) throw new BatchProtocolError('the server answered the upload without a file id');
			return { id, bytes: count(data.bytes) };
		},
		async createBatch(spec, signal) {
			const { data } = await call<unknown>(
				{ method: 'POST', path: '/batches', json: { input_file_id: spec.inputFileId, endpoint: spec.endpoint, completion_window: '24h', metadata: spec.metadata } },
				signal,
			);
			return toBatchInfo(data);
		},
		async getBatch(id, signal) {
			const { data } = await call<unknown>({ method: 'GET', path: `/batches/${encodeURIComponent(id)}` }, signal);
			return toBatchInfo(data);
		},
		async listBatches({ limit, after }, signal) {
			const { data } = await call<{ data?: unknown[]; has_more?: unknown }>({ method: 'GET', path: '/batches', query: { limit, after } }, signal);
			if (!Array.isArray(data?.data)) throw new BatchProtocolError('the server answered the batch list without a data array');
			return { data: data.data.map(toBatchInfo), hasMore: data.has_more === true };
		},
		async cancelBatch(id, signal) {
			const { data } = await call<unknown>({ method: 'POST', path: `/batches/${encodeURIComponent(id)}/cancel` }, signal);
			return toBatchInfo(data);
		},
		async downloadFile(id, signal) {
			const { data } = await call<string>({ method: 'GET', path: `/files/${encodeURIComponent(id)}/content`, responseType: 'text' }, signal);
			return typeof data === 'string' ? data : '';
		},
	};
}
