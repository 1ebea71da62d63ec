/**
 * Generate Text's Batch modes (issue 20). Batch: Submit sends the items' requests as batches and
 * passes each item on with its `batchRequest` (batch id, custom_id); Batch: Collect reads those
 * items, and once every batch has ended outputs one result per item, in input order, in the
 * synchronous mode's shape; while a batch runs it sends the items to its Still Running output,
 * which the workflow loops through n8n's own Wait node. n8n keeps a waiting execution in its
 * database, not in memory, and resumes it after a restart: nothing polls, nothing is held open.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { collectBatches, type UnfinishedChoice } from '../../core/batch/collect';
import { createOpenAiBatchProvider } from '../../core/batch/openaiBatches';
import { submitBatches, type BatchRef } from '../../core/batch/submit';
import { OPENAI_BATCH_LIMITS, type BatchLimits, type BatchProvider } from '../../core/batch/types';
import { completeAll } from '../../core/generate/generate';
import { buildChatParams } from '../../core/generate/request';
import { limitedCaller } from '../../core/transport/apiCaller';
import { createChatClient } from '../../core/transport/chatClient';
import type { ConnectionConfig } from '../../core/transport/connection';
import { createHttpClient, type HttpClient } from '../../core/transport/http';
import { ItemFailedError } from '../../core/transport/scheduler';
import { CancelledError } from '../../core/transport/sleep';
import { itemError, itemText, nodeError } from '../shared/errors';
import { describeFailure, type Endpoint } from '../shared/failures';
import { openLane } from '../shared/lane';
import { ParameterError, type RunSettings } from '../shared/transportOptions';
import { toOutputItems } from './output';
import { readGenerateRequest } from '../shared/generateTextParameters';

/** The field Batch: Submit adds to each item and Batch: Collect reads. */
export const BATCH_FIELD = 'batchRequest';

/** Uploads of up to 200 MB take longer than a chat request: at least this long. */
const BATCH_TIMEOUT_MS = 300_000;

export interface BatchRun {
	items: INodeExecutionData[];
	connection: ConnectionConfig;
	secrets: string[];
	endpoint: Endpoint;
	settings: RunSettings;
	defaultModel: string;
	continueOnFail: boolean;
}

function providerFor(ctx: IExecuteFunctions, run: BatchRun, limits?: BatchLimits): { provider: BatchProvider; http: HttpClient } {
	const http = createHttpClient(run.connection, { timeoutMs: Math.max(run.settings.timeoutMs, BATCH_TIMEOUT_MS) });
	const call = limitedCaller(http, openLane(ctx, run.connection, run.settings), { maxRetries: run.settings.maxRetries, maxRetryAfterMs: run.settings.maxWaitMs });
	return { provider: createOpenAiBatchProvider(call, limits ? { limits } : {}), http };
}

/** Max Requests per Batch and Max Batch File Size (MB), within OpenAI's limits. */
export function readBatchLimits(options: IDataObject): BatchLimits {
	const requests = options.batchMaxRequests;
	const megabytes = options.batchMaxFileSize;
	const maxRequests = requests === undefined || requests === '' ? OPENAI_BATCH_LIMITS.maxRequests : Number(requests);
	const maxBytes = megabytes === undefined || megabytes === '' ? OPENAI_BATCH_LIMITS.maxBytes : Math.floor(Number(megabytes) * 1024 * 1024);
	if (!Number.isInteger(maxRequests) || maxRequests < 1 || maxRequests > OPENAI_BATCH_LIMITS.maxRequests) {
		throw new ParameterError('Max Requests per Batch', `must be a whole number from 1 to ${OPENAI_BATCH_LIMITS.maxRequests}, got ${JSON.stringify(requests)}`);
	}
	if (!Number.isFinite(maxBytes) || maxBytes < 1 || maxBytes > OPENAI_BATCH_LIMITS.maxBytes) {
		throw new ParameterError('Max Batch File Size (MB)', `must be more than 0 and at most 200, got ${JSON.stringify(megabytes)}`);
	}
	return { maxRequests, maxBytes };
}

function failure(ctx: IExecuteFunctions, run: BatchRun, error: unknown): Error {
	if (error instanceof ItemFailedError) return itemError(ctx, error.index, describeFailure(error.cause, error.attempts, run.secrets, run.endpoint));
	if (error instanceof CancelledError) return nodeError(ctx, error.message);
	return nodeError(ctx, describeFailure(error, 0, run.secrets, run.endpoint));
}

export async function submitItems(ctx: IExecuteFunctions, run: BatchRun): Promise<INodeExecutionData[][]> {
	const { items } = run;
	let limits: BatchLimits;
	try {
		limits = readBatchLimits(ctx.getNodeParameter('options', 0, {}) as IDataObject);
	} catch (error) {
		throw nodeError(ctx, (error as Error).message);
	}
	const { provider, http } = providerFor(ctx, run, limits);
	let result;
	try {
		result = await submitBatches(
			provider,
			items.length,
			(index) => {
				// The synchronous mode's own reading and body: a batch line is exactly what it would send.
				const request = readGenerateRequest(ctx, index, run.defaultModel);
				return { body: buildChatParams(request), responseFormat: request.options.responseFormat };
			},
			{
				context: { workflowId: ctx.getWorkflow().id, executionId: ctx.getExecutionId(), nodeName: ctx.getNode().name },
				limits,
				signal: ctx.getExecutionCancelSignal(),
				failFast: !run.continueOnFail,
			},
		);
	} catch (error) {
		throw failure(ctx, run, error);
	} finally {
		http.close();
	}
	for (const { batch, requests, reused } of result.batches) {
		ctx.logger.info(`Generate Text: ${reused ? 'found' : 'created'} batch ${batch.id} (${requests} requests, ${batch.status})`);
	}
	return [
		items.map((item, index): INodeExecutionData => {
			const submitted = result.items[index];
			if (submitted.ok) return { json: { ...item.json, [BATCH_FIELD]: submitted.ref as unknown as IDataObject }, pairedItem: { item: index } };
			return { json: { ...item.json, error: itemText(index, describeFailure(submitted.error, 0, run.secrets, run.endpoint)) }, pairedItem: { item: index } };
		}),
	];
}

/** An item's batch reference as Batch: Submit wrote it; undefined when it has none. */
export function readBatchRef(value: unknown): BatchRef | undefined {
	if (!value || typeof value !== 'object') return undefined;
	const ref = value as Partial<BatchRef>;
	if (typeof ref.batchId !== 'string' || !ref.batchId || typeof ref.customId !== 'string' || !ref.customId) return undefined;
	return {
		batchId: ref.batchId,
		customId: ref.customId,
		inputFileId: typeof ref.inputFileId === 'string' ? ref.inputFileId : '',
		line: typeof ref.line === 'number' ? ref.line : 0,
		part: typeof ref.part === 'number' ? ref.part : 1,
		parts: typeof ref.parts === 'number' ? ref.parts : 1,
		...(ref.responseFormat && typeof ref.responseFormat === 'object' ? { responseFormat: ref.responseFormat } : {}),
	};
}

export async function collectItems(ctx: IExecuteFunctions, run: BatchRun): Promise<INodeExecutionData[][]> {
	const { items } = run;
	const refs = items.map((item) => readBatchRef(item.json[BATCH_FIELD]));
	// An item Submit could not send (Continue On Fail) carries its error; any other item without a batch is a wiring mistake.
	const earlier: Array<string | undefined> = items.map((item, index) => {
		if (refs[index]) return undefined;
		if (typeof item.json.error === 'string' && item.json.error) return item.json.error;
		const message = `has no ${BATCH_FIELD}: connect the output of a Generate Text in Batch: Submit mode (through n8n's Wait node) to this node`;
		if (!run.continueOnFail) throw itemError(ctx, index, message);
		return message;
	});
	const onUnfinished = ctx.getNodeParameter('unfinishedRequests', 0, 'sync') as UnfinishedChoice;
	const { provider, http } = providerFor(ctx, run);
	const chat = createChatClient(run.connection, { timeoutMs: run.settings.timeoutMs });
	const signal = ctx.getExecutionCancelSignal();
	let result;
	try {
		result = await collectBatches(provider, refs, {
			onUnfinished: onUnfinished === 'error' ? 'error' : 'sync',
			signal,
			sendSync: (requests) =>
				completeAll(chat, requests, {
					concurrency: run.settings.concurrency,
					lane: openLane(ctx, run.connection, run.settings),
					maxRetries: run.settings.maxRetries,
					maxRetryAfterMs: run.settings.maxWaitMs,
					signal,
				}),
		});
	} catch (error) {
		throw failure(ctx, run, error);
	} finally {
		http.close();
		chat.close();
	}
	const summary = result.batches.map((batch) => `${batch.id} ${batch.status} (${batch.counts.completed}/${batch.counts.total} done, ${batch.counts.failed} failed)`).join('; ');
	if (result.state === 'running') {
		ctx.logger.info(`Generate Text: batches still running: ${summary}`);
		return [[], items.map((item, index) => ({ json: item.json, pairedItem: { item: index } }))];
	}
	ctx.logger.info(`Generate Text: batches ended: ${summary}${result.sentSync ? `; ${result.sentSync} unfinished requests sent synchronously` : ''}`);
	const outcomes = result.outcomes.map((outcome, index) => (earlier[index] !== undefined ? { ok: false as const, error: new Error(earlier[index]), attempts: 0 } : outcome));
	if (!run.continueOnFail) {
		const failed = outcomes.findIndex((outcome) => !outcome.ok);
		if (failed >= 0) {
			const outcome = outcomes[failed] as { error: unknown; attempts: number };
			throw itemError(ctx, failed, describeFailure(outcome.error, outcome.attempts, run.secrets, run.endpoint));
		}
	}
	const includeInput = (ctx.getNodeParameter('options', 0, {}) as IDataObject).includeInput === true;
	return [toOutputItems(ctx, items, outcomes, { secrets: run.secrets, endpoint: run.endpoint, includeInput, omitFields: [BATCH_FIELD] }), []];
}
