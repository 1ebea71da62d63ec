/**
 * Batch: Submit. Writes every item's request as a batch line, splits the lines at the provider's
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

export async function submitBatches(
	provider: BatchProvider,
	count: number,
	requestAt: (index: number) => { body: unknown; responseFormat?: ResponseFormat },
	options: SubmitOptions,
): Promise<SubmitResult> {
	const limits = options.limits ?? provider.limits;
	const items: SubmittedItem[] = new Array(count);
	const formats: Array<ResponseFormat | undefined> = new Array(count);
	const models: string[] = new Array(count);
	const planned: PlannedLine[] = [];
	for (let index = 0; index < count; index++) {
		let request;
		try {
			request = requestAt(index);
		} catch (error) {
			if (options.failFast) throw new ItemFailedError(index, error, 0);
			items[index] = { ok: false, error };
			continue;
		}
		const customId = customIdOf(index);
		const text = batchLine(customId, request.body);
		const model = (request.body as { model?: unknown } | null)?.model;
		models[index] = typeof model === 'string' ? model : '';
		formats[index] = request.responseFormat?.type === 'text' ? undefined : request.responseFormat;
		planned.push({ index, customId, text, bytes: Buffer.byteLength(text) });
	}
	// One model per batch, as OpenAI requires: an expression that picks the model per item makes a batch per model.
	const byModel = new Map<string, PlannedLine[]>();
	for (const line of planned) {
		const model = models[line.index];
		const group = byModel.get(model);
		if (group) group.push(line);
		else byModel.set(model, [line]);
	}
	const parts: BatchPart[] = [];
	const tooLarge: PlannedLine[] = [];
	for (const group of byModel.values()) {
		const split = splitIntoParts(group, limits);
		parts.push(...split.parts);
		tooLarge.push(...split.tooLarge);
	}
	for (const line of tooLarge) {
		const error = new LineTooLargeError(line.bytes + 1, limits.maxBytes);
		if (options.failFast) throw new ItemFailedError(line.index, error, 0);
		items[line.index] = { ok: false, error };
	}
	const now = (options.now ?? (() => Math.floor(Date.now() / 1000)))();
	const existing = parts.length && options.context.executionId ? await existingBatches(provider, options.context, now, options.signal) : new Map<string, BatchInfo>();
	const batches: SubmitResult['batches'] = [];
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
			const responseFormat = formats[line.index];
			items[line.index] = {
				ok: true,
				ref: { batchId: batch.id, customId: line.customId, inputFileId: batch.inputFileId, line: position + 1, part: number, parts: parts.length, ...(responseFormat ? { responseFormat } : {}) },
			};
		}
	}
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
