/**
 * What the nodes with Batch modes share (issue 20: Generate Text, Score Output): the batch provider
 * on the node's credential and lane, the limits option, the items' batch reference, the errors, and
 * the Still Running output, which the workflow loops through n8n's own Wait node. n8n keeps a
 * waiting execution in its database, not in memory, and resumes it after a restart: nothing polls,
 * nothing is held open.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { createOpenAiBatchProvider } from '../../core/batch/openaiBatches';
import type { BatchRef, SubmitContext } from '../../core/batch/submit';
import { OPENAI_BATCH_LIMITS, type BatchInfo, type BatchLimits, type BatchProvider } from '../../core/batch/types';
import { limitedCaller } from '../../core/transport/apiCaller';
import type { ConnectionConfig } from '../../core/transport/connection';
import { createHttpClient, type HttpClient } from '../../core/transport/http';
import { ItemFailedError } from '../../core/transport/scheduler';
import { CancelledError } from '../../core/transport/sleep';
import { itemError, nodeError } from './errors';
import { describeFailure, type Endpoint } from './failures';
import { openLane } from './lane';
import { ParameterError, type RunSettings } from './transportOptions';

/** The field Batch: Submit adds to each item and Batch: Collect reads. */
export const BATCH_FIELD = 'batchRequest';

/** Uploads of up to 200 MB take longer than a chat request: at least this long. */
const BATCH_TIMEOUT_MS = 300_000;

/** What a batch run needs of the node's run. */
export interface BatchConnection {
	connection: ConnectionConfig;
	secrets: string[];
	endpoint: Endpoint;
	settings: RunSettings;
	continueOnFail: boolean;
}

export function batchProviderFor(ctx: IExecuteFunctions, run: BatchConnection, limits?: BatchLimits): { provider: BatchProvider; http: HttpClient } {
	const http = createHttpClient(run.connection, { timeoutMs: Math.max(run.settings.timeoutMs, BATCH_TIMEOUT_MS) });
	const call = limitedCaller(http, openLane(ctx, run.connection, run.settings), { maxRetries: run.settings.maxRetries, maxRetryAfterMs: run.settings.maxWaitMs });
	return { provider: createOpenAiBatchProvider(call, limits ? { limits } : {}), http };
}

/** Max Requests per Batch and Max Batch File Size (MB), within OpenAI's limits; a bad value is a node-wide error. */
export function readBatchLimits(ctx: IExecuteFunctions): BatchLimits {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const requests = options.batchMaxRequests;
	const megabytes = options.batchMaxFileSize;
	const maxRequests = requests === undefined || requests === '' ? OPENAI_BATCH_LIMITS.maxRequests : Number(requests);
	const maxBytes = megabytes === undefined || megabytes === '' ? OPENAI_BATCH_LIMITS.maxBytes : Math.floor(Number(megabytes) * 1024 * 1024);
	if (!Number.isInteger(maxRequests) || maxRequests < 1 || maxRequests > OPENAI_BATCH_LIMITS.maxRequests) {
		throw nodeError(ctx, new ParameterError('Max Requests per Batch', `must be a whole number from 1 to ${OPENAI_BATCH_LIMITS.maxRequests}, got ${JSON.stringify(requests)}`).message);
	}
	if (!Number.isFinite(maxBytes) || maxBytes < 1 || maxBytes > OPENAI_BATCH_LIMITS.maxBytes) {
		throw nodeError(ctx, new ParameterError('Max Batch File Size (MB)', `must be more than 0 and at most 200, got ${JSON.stringify(megabytes)}`).message);
	}
	return { maxRequests, maxBytes };
}

/** The batches' metadata: workflow, execution and node, by which a Submit run again finds its own. */
export function submitContextOf(ctx: IExecuteFunctions): SubmitContext {
	return { workflowId: ctx.getWorkflow().id, executionId: ctx.getExecutionId(), nodeName: ctx.getNode().name };
}

/** The n8n error for a batch run that stopped: an item (fail fast), a cancelled execution, or the run. */
export function batchRunError(ctx: IExecuteFunctions, run: BatchConnection, error: unknown): Error {
	if (error instanceof ItemFailedError) return itemError(ctx, error.index, describeFailure(error.cause, error.attempts, run.secrets, run.endpoint));
	if (error instanceof CancelledError) return nodeError(ctx, error.message);
	return nodeError(ctx, describeFailure(error, 0, run.secrets, run.endpoint));
}

/** A batch reference as Batch: Submit wrote it; undefined when it is not one. */
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

/** One line per batch for the log: id, status, counts. */
export function batchSummary(batches: BatchInfo[]): string {
	return batches.map((batch) => `${batch.id} ${batch.status} (${batch.counts.completed}/${batch.counts.total} done, ${batch.counts.failed} failed)`).join('; ');
}

/** The items as they came (batch reference included), each paired with itself: what Still Running sends back to the Wait node. */
export function stillRunning(items: INodeExecutionData[]): INodeExecutionData[] {
	return items.map((item, index) => ({ json: item.json, pairedItem: { item: index } }));
}

/** An item that reached Collect without a batch reference: Submit's error (Continue On Fail), or a wiring mistake. */
export function missingBatchRef(ctx: IExecuteFunctions, item: INodeExecutionData, index: number, continueOnFail: boolean, submitter: string): string {
	if (typeof item.json.error === 'string' && item.json.error) return item.json.error;
	const message = `has no ${BATCH_FIELD}: connect the output of a ${submitter} in Batch: Submit mode (through n8n's Wait node) to this node`;
	if (!continueOnFail) throw itemError(ctx, index, message);
	return message;
}
