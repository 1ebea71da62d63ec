/**
 * Batch: Collect. Reads the batches that Batch: Submit created; while any still runs it says so
 * (the node sends the items to its Still Running output, into n8n's Wait node), and once all have
 * ended it maps the output and error files back to the items by custom_id, in input order, into the
 * synchronous mode's result (Generate Text's, core/generate/result.ts; a judge's answer for Score
 * Output). It never creates a batch: running it again reads the same batches and files.
 *
 * A line in the error file is that item's error, with the provider's status, code and message. The
 * requests an expired or cancelled batch never ran are, by the user's choice, sent synchronously
 * (exactly the body that was in the batch, read back from its input file) or returned as errors.
 */
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { checkChatCompletion } from '../generate/answerShape';
import type { ResponseFormat } from '../generate/options';
import { toGenerateResult, type GenerateResult } from '../generate/result';
import { reasonFromBody } from '../transport/http';
import type { Outcome } from '../transport/scheduler';
import { parseOutputFile } from './openaiBatches';
import type { BatchRef } from './submit';
import { FINAL_BATCH_STATUSES, type BatchInfo, type BatchOutputLine, type BatchProvider } from './types';

export type UnfinishedChoice = 'sync' | 'error';

export interface CollectOptions<T> {
	/** What becomes of the requests an expired or cancelled batch never ran. */
	onUnfinished: UnfinishedChoice;
	/** Sends requests synchronously (the node's scheduler, lane and retries): one outcome per request, in order. */
	sendSync: (requests: Array<{ body: unknown; responseFormat?: ResponseFormat }>) => Promise<Array<Outcome<T>>>;
	/**
	 * Reads an answered line's completion (its shape already checked) as the synchronous mode reads
	 * an answer; a throw is that request's error (Generate Text: readGenerateResult).
	 */
	read: (completion: ChatCompletion, ref: BatchRef) => T;
	signal?: AbortSignal;
}

export type CollectResult<T = GenerateResult> =
	| { state: 'running'; batches: BatchInfo[] }
	| { state: 'done'; outcomes: Array<Outcome<T>>; batches: BatchInfo[]; sentSync: number };

/** A request the batch answered with an error status: the provider's status, code and message. */
export class BatchLineError extends Error {
	constructor(
		readonly status: number,
		readonly code: string | undefined,
		reason: string,
	) {
		// Says where the status came from; describeFailure adds no second "the server answered".
		super(`the server answered ${status} in the batch: ${reason}`);
		this.name = 'BatchLineError';
	}
}

/** A request the batch did not answer: why (a batch-level error, an expiry with Unfinished Requests set to errors). */
export class BatchItemError extends Error {
	constructor(
		message: string,
		readonly code?: string,
	) {
		super(message);
		this.name = 'BatchItemError';
	}
}

const UNRUN_CODES = new Set(['batch_expired', 'batch_cancelled']);

function fromAnswer(line: BatchOutputLine): Outcome<never> | undefined {
	const response = line.response;
	if (!response) return undefined;
	if (response.statusCode >= 200 && response.statusCode < 300) {
		return undefined;
	}
	const body = response.body as { error?: { code?: unknown } } | undefined;
	const code = typeof body?.error?.code === 'string' ? body.error.code : undefined;
	const reason = reasonFromBody(body) ?? `status code ${response.statusCode} (no body)`;
	return { ok: false, error: new BatchLineError(response.statusCode, code, reason), attempts: 1 };
}

/** Generate Text's reading of an answer: text, parsed JSON, candidates, logprobs, usage. */
export const readGenerateResult = (completion: ChatCompletion, ref: BatchRef): GenerateResult => toGenerateResult(completion, ref.responseFormat, 0, 1);

/** An answered line read as the synchronous mode reads an answer: the shape checked, then `read`. */
function readCompletion<T>(line: BatchOutputLine, ref: BatchRef, read: (completion: ChatCompletion, ref: BatchRef) => T): Outcome<T> {
	try {
		const completion = checkChatCompletion(line.response?.body, line.response?.statusCode);
		return { ok: true, value: read(completion, ref), attempts: 1 };
	} catch (error) {
		return { ok: false, error, attempts: 1 };
	}
}

async function linesOf(provider: BatchProvider, batch: BatchInfo, signal?: AbortSignal): Promise<Map<string, BatchOutputLine>> {
	const lines = new Map<string, BatchOutputLine>();
	// The error file first: a custom_id in both (a provider that retried a line) keeps its answer.
	for (const [fileId, what] of [
		[batch.errorFileId, `the error file of ${batch.id}`],
		[batch.outputFileId, `the output file of ${batch.id}`],
	] as const) {
		if (!fileId) continue;
		for (const line of parseOutputFile(await provider.downloadFile(fileId, signal), what)) lines.set(line.customId, line);
	}
	return lines;
}

/** The bodies of a batch's input file, by custom_id. */
async function bodiesOf(provider: BatchProvider, batch: BatchInfo, signal?: AbortSignal): Promise<Map<string, unknown>> {
	const bodies = new Map<string, unknown>();
	const content = await provider.downloadFile(batch.inputFileId, signal);
	for (const raw of content.split('\n')) {
		if (raw.trim() === '') continue;
		const line = JSON.parse(raw) as { custom_id?: unknown; body?: unknown };
		if (typeof line.custom_id === 'string') bodies.set(line.custom_id, line.body);
	}
	return bodies;
}

function batchFailure(batch: BatchInfo, ref: BatchRef): BatchItemError {
	const own = batch.errors.filter((e) => e.line === ref.line);
	const listed = (own.length ? own : batch.errors).map((e) => `${e.code}: ${e.message}${e.line !== null ? ` (line ${e.line})` : ''}`);
	return new BatchItemError(`the batch ${batch.id} failed${listed.length ? `: ${listed.join('; ')}` : ''}`, (own[0] ?? batch.errors[0])?.code);
}

/**
 * The items' results once every batch has ended, or `running`. `refs[i]` undefined is an item that
 * has no batch (its submit failed): its outcome is an error saying so.
 */
export async function collectBatches<T>(provider: BatchProvider, refs: Array<BatchRef | undefined>, options: CollectOptions<T>): Promise<CollectResult<T>> {
	const read = options.read;
	const ids = [...new Set(refs.filter((ref): ref is BatchRef => ref !== undefined).map((ref) => ref.batchId))];
	const batches = new Map<string, BatchInfo>();
	for (const id of ids) batches.set(id, await provider.getBatch(id, options.signal));
	const list = [...batches.values()];
	if (list.some((batch) => !FINAL_BATCH_STATUSES.has(batch.status))) return { state: 'running', batches: list };

	const lines = new Map<string, Map<string, BatchOutputLine>>();
	for (const batch of list) if (batch.status !== 'failed') lines.set(batch.id, await linesOf(provider, batch, options.signal));

	const outcomes: Array<Outcome<T>> = new Array(refs.length);
	const unrun: number[] = [];
	for (const [index, ref] of refs.entries()) {
		if (!ref) {
			outcomes[index] = { ok: false, error: new BatchItemError('the item has no batch request: it was not submitted'), attempts: 0 };
			continue;
		}
		const batch = batches.get(ref.batchId) as BatchInfo;
		if (batch.status === 'failed') {
			outcomes[index] = { ok: false, error: batchFailure(batch, ref), attempts: 0 };
			continue;
		}
		const line = lines.get(batch.id)?.get(ref.customId);
		if (line?.response) {
			outcomes[index] = fromAnswer(line) ?? readCompletion(line, ref, read);
			continue;
		}
		const ended = batch.status === 'expired' || batch.status === 'cancelled';
		if (line?.error && !(ended && UNRUN_CODES.has(line.error.code))) {
			outcomes[index] = { ok: false, error: new BatchItemError(`the batch did not run the request: ${line.error.code}: ${line.error.message}`, line.error.code), attempts: 1 };
			continue;
		}
		if (ended) {
			unrun.push(index);
			continue;
		}
		outcomes[index] = { ok: false, error: new BatchItemError(`the batch ${batch.id} completed without a line for ${ref.customId} in its output or error file`), attempts: 0 };
	}

	if (unrun.length && options.onUnfinished === 'error') {
		for (const index of unrun) {
			const ref = refs[index] as BatchRef;
			const batch = batches.get(ref.batchId) as BatchInfo;
			const line = lines.get(batch.id)?.get(ref.customId);
			const code = line?.error?.code ?? (batch.status === 'expired' ? 'batch_expired' : 'batch_cancelled');
			const why = line?.error?.message ? `${code}: ${line.error.message}` : code;
			outcomes[index] = { ok: false, error: new BatchItemError(`the batch ${batch.id} was ${batch.status} before this request ran (${why})`, code), attempts: 0 };
		}
	}
	let sentSync = 0;
	if (unrun.length && options.onUnfinished === 'sync') {
		const bodies = new Map<string, Map<string, unknown>>();
		const requests: Array<{ body: unknown; responseFormat?: ResponseFormat }> = [];
		const sent: number[] = [];
		for (const index of unrun) {
			const ref = refs[index] as BatchRef;
			if (!bodies.has(ref.batchId)) bodies.set(ref.batchId, await bodiesOf(provider, batches.get(ref.batchId) as BatchInfo, options.signal));
			const body = bodies.get(ref.batchId)?.get(ref.customId);
			if (body === undefined) {
				outcomes[index] = { ok: false, error: new BatchItemError(`the input file of ${ref.batchId} has no request ${ref.customId} to send again`), attempts: 0 };
				continue;
			}
			requests.push({ body, ...(ref.responseFormat ? { responseFormat: ref.responseFormat } : {}) });
			sent.push(index);
		}
		const results = requests.length ? await options.sendSync(requests) : [];
		for (const [at, index] of sent.entries()) outcomes[index] = results[at];
		sentSync = requests.length;
	}
	return { state: 'done', outcomes, batches: list, sentSync };
}
