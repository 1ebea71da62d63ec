/**
 * Batch: Submit. Writes every item's requests as batch lines, splits the lines at the provider's
 * limits, uploads each file and creates its batch, and returns one reference per item (its batch,
 * its custom_id) for Batch: Collect. Nothing waits here: the batches run at the provider while n8n
 * holds the execution as a waiting one (n8n's Wait node), costing no memory and no worker.
 *
 * Idempotent within an execution: each batch's metadata names the workflow, the execution, the node,
 * the part and its content's hash, and a submit run again in the same execution (n8n's Retry On
 * Fail, a part that failed to upload) finds the batches it already created instead of creating and
 * paying for them again.
 */
import { createHash } from 'node:crypto';
import type { ResponseFormat } from '../generate/options';
import { ItemFailedError } from '../transport/scheduler';
import { batchLine, CHAT_ENDPOINT, customIdOf, LineTooLargeError, partContent, splitIntoParts, type BatchPart, type PlannedLine } from './batchFile';
import type { BatchInfo, BatchLimits, BatchProvider } from './types';

/** What Batch: Collect needs of an item: where its answer will be, and how to read it. */
export interface BatchRef {
	batchId: string;
	customId: string;
	inputFileId: string;
	/** The item's line in its input file, 1-based (batch-level errors point at lines). */
	line: number;
	/** Which of the run's files, 1-based, and how many there are. */
	part: number;
	parts: number;
	/** The request's response format when it is not text: Collect reads JSON answers as the synchronous mode does. */
	responseFormat?: ResponseFormat;
}

export interface SubmitContext {
	workflowId?: string;
	/** Without one (a run n8n does not save), a re-run cannot be told from a new run, and nothing is reused. */
	executionId?: string;
	nodeName: string;
}

export interface SubmitOptions {
	context: SubmitContext;
	/** The provider's limits unless smaller ones are given (tests, a provider with a lower quota). */
	limits?: BatchLimits;
	signal?: AbortSignal;
	/** Stop at the first item whose request cannot be built, before anything is uploaded (ItemFailedError). */
	failFast?: boolean;
	/** Seconds since the epoch (tests). */
	now?: () => number;
}

export type SubmittedItem = { ok: true; ref: BatchRef } | { ok: false; error: unknown };

export interface SubmitResult {
	items: SubmittedItem[];
	batches: Array<{ batch: BatchInfo; requests: number; reused: boolean }>;
}

/** A part could not be uploaded or created; names the batches that exist already (a re-run in this execution reuses them). */
export class BatchSubmitError extends Error {
	constructor(
		readonly cause: unknown,
		readonly created: string[],
		part: number,
		parts: number,
	) {
		const reason = cause instanceof Error ? cause.message : String(cause);
		const made = created.length
			? ` ${created.length} batch${created.length === 1 ? '' : 'es'} had been created (${created.join(', ')}); running this node again in the same execution reuses ${created.length === 1 ? 'it' : 'them'} instead of creating ${created.length === 1 ? 'it' : 'them'} again`
			: '';
		super(`file ${part} of ${parts} could not be submitted: ${reason}.${made}`);
		this.name = 'BatchSubmitError';
	}
}

export const METADATA = {
	workflow: 'n8n_workflow',
	execution: 'n8n_execution',
	node: 'n8n_node',
	part: 'n8n_part',
	requests: 'n8n_requests',
	sha256: 'n8n_sha256',
} as const;

/** Metadata values are strings of at most 512 characters (OpenAI's Metadata schema). */
const value = (text: string) => (text.length > 512 ? text.slice(0, 512) : text);

export function batchMetadata(context: SubmitContext, part: number, parts: number, requests: number, sha256: string): Record<string, string> {
	return {
		[METADATA.workflow]: value(context.workflowId ?? ''),
		[METADATA.execution]: value(context.executionId ?? ''),
		[METADATA.node]: value(context.nodeName),
		[METADATA.part]: `${part}/${parts}`,
		[METADATA.requests]: String(requests),
		[METADATA.sha256]: sha256,
	};
}

const keyOf = (metadata: Record<string, string>) =>
	[METADATA.workflow, METADATA.execution, METADATA.node, METADATA.part, METADATA.sha256].map((key) => metadata[key] ?? '').join('\u0000');

/** How far back the search for this execution's batches goes: they were created minutes ago, not days. */
const LOOKUP_PAGES = 10;
const LOOKUP_SECONDS = 24 * 3600;

/** This execution's batches that exist already, by their metadata key. */
async function existingBatches(provider: BatchProvider, context: SubmitContext, now: number, signal?: AbortSignal): Promise<Map<string, BatchInfo>> {
	const found = new Map<string, BatchInfo>();
	let after: string | undefined;
	for (let page = 0; page < LOOKUP_PAGES; page++) {
		const { data, hasMore } = await provider.listBatches({ limit: 100, after }, signal);
		for (const batch of data) {
			if (batch.metadata[METADATA.execution] === context.executionId && batch.metadata[METADATA.node] === value(context.nodeName)) {
				const key = keyOf(batch.metadata);
				if (!found.has(key)) found.set(key, batch);
			}
		}
		const last = data.at(-1);
		// A page that ends where the last one did makes no progress (Prism's mock says has_more forever): stop.
		if (!hasMore || !last || last.id === after || (last.createdAt > 0 && last.createdAt < now - LOOKUP_SECONDS)) break;
		after = last.id;
	}
	return found;
}

/** One request of an item: its custom_id (unique within the run) and the body the synchronous mode would send. */
export interface BatchRequest {
	customId: string;
	body: unknown;
	responseFormat?: ResponseFormat;
}

/** An item's requests as submitted (none for an item that needs no request), or why it could not be. */
export type SubmittedRequests = { ok: true; refs: BatchRef[] } | { ok: false; error: unknown };

/** A custom_id given twice: the provider would refuse the whole file, so it is that item's error. */
export class DuplicateCustomIdError extends Error {
	constructor(customId: string) {
		super(`the request ${customId} is in the batch twice`);
		this.name = 'DuplicateCustomIdError';
	}
}

/**
 * Generate Text's submit: one request per item, its custom_id the item's (customIdOf). An item's
 * ref is its one request's.
 */
export async function submitBatches(
	provider: BatchProvider,
	count: number,
	requestAt: (index: number) => { body: unknown; responseFormat?: ResponseFormat },
	options: SubmitOptions,
): Promise<SubmitResult> {
	const result = await submitRequests(provider, count, (index) => [{ customId: customIdOf(index), ...requestAt(index) }], options);
	return { items: result.items.map((item) => (item.ok ? { ok: true, ref: item.refs[0] } : item)), batches: result.batches };
}

/**
 * Any number of requests per item (Score Output: one per judge, none for an item scored by rules
 * alone), each item's requests in its order. An item with a request that cannot be built or sent
 * (too large for any file) is that item's error, and none of its requests is sent.
 */
export async function submitRequests(
	provider: BatchProvider,
	count: number,
	requestsAt: (index: number) => BatchRequest[],
	options: SubmitOptions,
): Promise<{ items: SubmittedRequests[]; batches: SubmitResult['batches'] }> {
	const limits = options.limits ?? provider.limits;
	const items: SubmittedRequests[] = new Array(count);
	const formats = new Map<string, ResponseFormat>();
	const models = new Map<string, string>();
	const planned: PlannedLine[] = [];
	const seen = new Set<string>();
	const fail = (index: number, error: unknown) => {
		if (options.failFast) throw new ItemFailedError(index, error, 0);
		items[index] = { ok: false, error };
	};
	for (let index = 0; index < count; index++) {
		let requests: BatchRequest[];
		try {
			requests = requestsAt(index);
		} catch (error) {
			fail(index, error);
			continue;
		}
		const lines: PlannedLine[] = [];
		let problem: Error | undefined;
		for (const request of requests) {
			const text = batchLine(request.customId, request.body);
			const bytes = Buffer.byteLength(text);
			if (seen.has(request.customId)) problem ??= new DuplicateCustomIdError(request.customId);
			else if (bytes + 1 > limits.maxBytes) problem ??= new LineTooLargeError(bytes + 1, limits.maxBytes);
			seen.add(request.customId);
			lines.push({ index, customId: request.customId, text, bytes });
			const model = (request.body as { model?: unknown } | null)?.model;
			models.set(request.customId, typeof model === 'string' ? model : '');
			if (request.responseFormat && request.responseFormat.type !== 'text') formats.set(request.customId, request.responseFormat);
		}
		if (problem) {
			fail(index, problem);
			continue;
		}
		items[index] = { ok: true, refs: [] };
		planned.push(...lines);
	}
	// One model per batch, as OpenAI requires: an expression that picks the model per item makes a batch per model.
	const byModel = new Map<string, PlannedLine[]>();
	for (const line of planned) {
		const model = models.get(line.customId) ?? '';
		const group = byModel.get(model);
		if (group) group.push(line);
		else byModel.set(model, [line]);
	}
	const parts: BatchPart[] = [];
	for (const group of byModel.values()) parts.push(...splitIntoParts(group, limits).parts);
	const now = (options.now ?? (() => Math.floor(Date.now() / 1000)))();
	const existing = parts.length && options.context.executionId ? await existingBatches(provider, options.context, now, options.signal) : new Map<string, BatchInfo>();
	const batches: SubmitResult['batches'] = [];
	const refs = new Map<string, BatchRef>();
	for (const [at, part] of parts.entries()) {
		const number = at + 1;
		let batch: BatchInfo;
		let reused = false;
		try {
			({ batch, reused } = await submitPart(provider, part, number, parts.length, existing, options));
		} catch (error) {
			throw new BatchSubmitError(error, batches.map((b) => b.batch.id), number, parts.length);
		}
		batches.push({ batch, requests: part.lines.length, reused });
		for (const [position, line] of part.lines.entries()) {
			const responseFormat = formats.get(line.customId);
			refs.set(line.customId, { batchId: batch.id, customId: line.customId, inputFileId: batch.inputFileId, line: position + 1, part: number, parts: parts.length, ...(responseFormat ? { responseFormat } : {}) });
		}
	}
	// Each item's refs in the order of its requests, whichever files they went to.
	for (const line of planned) (items[line.index] as { refs: BatchRef[] }).refs.push(refs.get(line.customId) as BatchRef);
	return { items, batches };
}

async function submitPart(
	provider: BatchProvider,
	part: BatchPart,
	number: number,
	parts: number,
	existing: Map<string, BatchInfo>,
	options: SubmitOptions,
): Promise<{ batch: BatchInfo; reused: boolean }> {
	const content = partContent(part);
	const sha256 = createHash('sha256').update(content).digest('hex').slice(0, 32);
	const metadata = batchMetadata(options.context, number, parts, part.lines.length, sha256);
	const found = options.context.executionId ? existing.get(keyOf(metadata)) : undefined;
	if (found) return { batch: found, reused: true };
	const file = await provider.uploadBatchFile({ filename: `batch-${number}-of-${parts}.jsonl`, content }, options.signal);
	const batch = await provider.createBatch({ inputFileId: file.id, endpoint: CHAT_ENDPOINT, metadata }, options.signal);
	return { batch: batch.inputFileId ? batch : { ...batch, inputFileId: file.id }, reused: false };
}
