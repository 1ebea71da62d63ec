/**
 * Generate Text's Batch modes (issue 20). Batch: Submit sends the items' requests as batches and
 * passes each item on with its `batchRequest` (batch id, custom_id); Batch: Collect reads those
 * items, and once every batch has ended outputs one result per item, in input order, in the
 * synchronous mode's shape; while a batch runs it sends the items to its Still Running output,
 * which the workflow loops through n8n's own Wait node (nodes/shared/batch.ts).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { collectBatches, readGenerateResult, type UnfinishedChoice } from '../../core/batch/collect';
import { submitBatches } from '../../core/batch/submit';
import { completeAll } from '../../core/generate/generate';
import { buildChatParams } from '../../core/generate/request';
import { createChatClient } from '../../core/transport/chatClient';
import { BATCH_FIELD, batchProviderFor, batchRunError, batchSummary, missingBatchRef, readBatchLimits, readBatchRef, stillRunning, submitContextOf, type BatchConnection } from '../shared/batch';
import { itemError, itemText } from '../shared/errors';
import { describeFailure } from '../shared/failures';
import { openLane } from '../shared/lane';
import { toOutputItems } from './output';
import { readGenerateRequest } from '../shared/generateTextParameters';

export interface BatchRun extends BatchConnection {
	items: INodeExecutionData[];
	defaultModel: string;
}

export async function submitItems(ctx: IExecuteFunctions, run: BatchRun): Promise<INodeExecutionData[][]> {
	const { items } = run;
	const limits = readBatchLimits(ctx);
	const { provider, http } = batchProviderFor(ctx, run, limits);
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
				context: submitContextOf(ctx),
				limits,
				signal: ctx.getExecutionCancelSignal(),
				failFast: !run.continueOnFail,
			},
		);
	} catch (error) {
		throw batchRunError(ctx, run, error);
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

export async function collectItems(ctx: IExecuteFunctions, run: BatchRun): Promise<INodeExecutionData[][]> {
	const { items } = run;
	const refs = items.map((item) => readBatchRef(item.json[BATCH_FIELD]));
	// An item Submit could not send (Continue On Fail) carries its error; any other item without a batch is a wiring mistake.
	const earlier = items.map((item, index) => (refs[index] ? undefined : missingBatchRef(ctx, item, index, run.continueOnFail, 'Generate Text')));
	const onUnfinished = ctx.getNodeParameter('unfinishedRequests', 0, 'sync') as UnfinishedChoice;
	const { provider, http } = batchProviderFor(ctx, run);
	const chat = createChatClient(run.connection, { timeoutMs: run.settings.timeoutMs });
	const signal = ctx.getExecutionCancelSignal();
	let result;
	try {
		result = await collectBatches(provider, refs, {
			onUnfinished: onUnfinished === 'error' ? 'error' : 'sync',
			read: readGenerateResult,
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
		throw batchRunError(ctx, run, error);
	} finally {
		http.close();
		chat.close();
	}
	const summary = batchSummary(result.batches);
	if (result.state === 'running') {
		ctx.logger.info(`Generate Text: batches still running: ${summary}`);
		return [[], stillRunning(items)];
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
