/**
 * Score Output's Batch modes (issue 20): the LLM judges' requests at about half the price.
 * Batch: Submit writes every item's judge requests (exactly the bodies the synchronous mode sends,
 * core/scoring/batchJudges.ts) into batches and passes each item on with its `batchRequest`; an
 * item scored by rules alone has no request. Batch: Collect reads the batches; while one runs, the
 * items go to Still Running (into n8n's Wait node); once all have ended, each item is scored as the
 * synchronous mode scores it, its judges answered from their batch lines.
 */
import { createHash } from 'node:crypto';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { collectBatches, type UnfinishedChoice } from '../../core/batch/collect';
import { submitRequests, type BatchRef } from '../../core/batch/submit';
import { JudgeAnswers, judgeRequestsOf, type JudgeRequest, type JudgeRequestRef } from '../../core/scoring/batchJudges';
import { chatAnswerOf } from '../../core/scoring/modelServices';
import type { ChatAnswer } from '../../core/scoring/types';
import { runScheduled, type Outcome } from '../../core/transport/scheduler';
import { BATCH_FIELD, batchProviderFor, batchRunError, batchSummary, missingBatchRef, readBatchLimits, readBatchRef, stillRunning, submitContextOf, type BatchConnection } from '../shared/batch';
import { itemError, itemText } from '../shared/errors';
import { describeFailure } from '../shared/failures';
import type { ItemPlan } from '../shared/scoringPlans';
import { openModels, readScoringRun, scoredOutputs, scoreItems, type ModelRun } from './scoring';

/** An item's `batchRequest`: its judges' requests in the batches, and the seed of its shuffles. */
interface JudgeBatch {
	seed: number;
	judges: Array<BatchRef & JudgeRequestRef>;
}

function readJudgeBatch(value: unknown): JudgeBatch | undefined {
	if (!value || typeof value !== 'object') return undefined;
	const raw = value as { seed?: unknown; judges?: unknown };
	if (typeof raw.seed !== 'number' || !Array.isArray(raw.judges)) return undefined;
	const judges: JudgeBatch['judges'] = [];
	for (const entry of raw.judges as IDataObject[]) {
		const ref = readBatchRef(entry);
		if (!ref || typeof entry.scorer !== 'string' || typeof entry.sha256 !== 'string') return undefined;
		judges.push({ ...ref, scorer: entry.scorer, sha256: entry.sha256 });
	}
	return { seed: raw.seed, judges };
}

const connectionOf = (modelRun: ModelRun, continueOnFail: boolean): BatchConnection => ({ ...modelRun, continueOnFail });

export async function submitJudgeRequests(ctx: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const read = await readScoringRun(ctx, items);
	if (!read.ok) return read.output;
	const run = read.value;
	const requests: Array<JudgeRequest[] | undefined> = new Array(items.length);
	// From the execution, node and item when n8n saves the execution: a Submit run again in it writes
	// the same shuffles, so the same file, and finds the batch it created (core/batch/submit.ts).
	const executionId = ctx.getExecutionId();
	const seeds = items.map((_, index) =>
		executionId ? createHash('sha256').update(`${executionId}\u0000${ctx.getNode().name}\u0000${index}`).digest().readUInt32BE(0) : Math.floor(Math.random() * 0x100000000),
	);
	for (const [index, itemPlan] of run.itemPlans.entries()) {
		if (!itemPlan) continue;
		try {
			requests[index] = await judgeRequestsOf(itemPlan.plan, index, run.sampleOf(index), run.contextOf(index), seeds[index]);
		} catch (error) {
			const message = describeFailure(error, 0, []);
			if (!run.continueOnFail) throw itemError(ctx, index, message);
			run.failures[index] = message;
		}
	}

	let submitted: Awaited<ReturnType<typeof submitRequests>>['items'] | undefined;
	let secrets: string[] = [];
	if (requests.some((list) => list?.length)) {
		const opened = await openModels(ctx, items);
		if (!opened.ok) return opened.output;
		const modelRun = opened.value;
		modelRun.close();
		secrets = modelRun.secrets;
		const connection = connectionOf(modelRun, run.continueOnFail);
		const limits = readBatchLimits(ctx);
		const { provider, http } = batchProviderFor(ctx, connection, limits);
		try {
			const result = await submitRequests(provider, items.length, (index) => (requests[index] ?? []).map(({ customId, body }) => ({ customId, body })), {
				context: submitContextOf(ctx),
				limits,
				signal: ctx.getExecutionCancelSignal(),
				failFast: !run.continueOnFail,
			});
			submitted = result.items;
			for (const { batch, requests: count, reused } of result.batches) {
				ctx.logger.info(`Score Output: ${reused ? 'found' : 'created'} batch ${batch.id} (${count} judge requests, ${batch.status})`);
			}
		} catch (error) {
			throw batchRunError(ctx, connection, error);
		} finally {
			http.close();
		}
		for (const [index, item] of submitted.entries()) if (!item.ok) run.failures[index] = describeFailure(item.error, 0, secrets, modelRun.endpoint);
	}

	return [
		items.map((item, index): INodeExecutionData => {
			const failure = run.failures[index];
			if (failure !== undefined) return { json: { ...item.json, error: itemText(index, failure) }, pairedItem: { item: index } };
			const refs = (submitted?.[index] as { refs: BatchRef[] } | undefined)?.refs ?? [];
			const own = requests[index] ?? [];
			const judges = refs.map((ref, k) => ({ ...ref, scorer: own[k].scorer, sha256: own[k].sha256 }));
			return { json: { ...item.json, [BATCH_FIELD]: { seed: seeds[index], judges } as unknown as IDataObject }, pairedItem: { item: index } };
		}),
	];
}

export async function collectJudgeAnswers(ctx: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const continueOnFail = ctx.continueOnFail();
	const route = ctx.getNodeParameter('route', 0, false) as boolean;
	const batches = items.map((item) => readJudgeBatch(item.json[BATCH_FIELD]));
	const earlier = items.map((item, index) => (batches[index] ? undefined : missingBatchRef(ctx, item, index, continueOnFail, 'Score Output')));
	// Scored as Submit saw them: without the batch reference (an {{item}} template reads the same fields).
	const scoredItems = items.map((item) => {
		const { [BATCH_FIELD]: _reference, ...json } = item.json;
		return { ...item, json };
	});
	const read = await readScoringRun(ctx, scoredItems);
	if (!read.ok) return read.output;
	const run = read.value;
	earlier.forEach((message, index) => {
		if (message !== undefined) run.failures[index] = message;
	});

	const refs = batches.flatMap((batch) => batch?.judges ?? []);
	let modelRun: ModelRun | undefined;
	if (refs.length || run.plans.needsModels) {
		const opened = await openModels(ctx, items);
		if (!opened.ok) return opened.output;
		modelRun = opened.value;
	}
	try {
		const outcomes = new Map<string, Outcome<ChatAnswer>>();
		if (refs.length && modelRun) {
			const { models, settings } = modelRun;
			const connection = connectionOf(modelRun, continueOnFail);
			const { provider, http } = batchProviderFor(ctx, connection);
			const signal = ctx.getExecutionCancelSignal();
			let result;
			try {
				result = await collectBatches<ChatAnswer>(provider, refs, {
					onUnfinished: (ctx.getNodeParameter('unfinishedRequests', 0, 'sync') as UnfinishedChoice) === 'error' ? 'error' : 'sync',
					// The answer read as the synchronous judge reads it: a usable message, its usage.
					read: (completion) => chatAnswerOf(completion, completion.model),
					sendSync: (requests) =>
						runScheduled(requests.length, (index, context) => models.chat(requests[index].body as Record<string, unknown>, context.signal), { concurrency: settings.concurrency, maxRetries: 0, signal }),
					signal,
				});
			} catch (error) {
				throw batchRunError(ctx, connection, error);
			} finally {
				http.close();
			}
			const summary = batchSummary(result.batches);
			if (result.state === 'running') {
				ctx.logger.info(`Score Output: batches still running: ${summary}`);
				return [...(route ? [[], []] : [[]]), stillRunning(items)];
			}
			ctx.logger.info(`Score Output: batches ended: ${summary}${result.sentSync ? `; ${result.sentSync} unfinished judge requests sent synchronously` : ''}`);
			refs.forEach((ref, at) => outcomes.set(ref.customId, result.outcomes[at]));
		}

		const answers = new JudgeAnswers(outcomes, refs, modelRun?.models);
		const results = await scoreItems(
			ctx,
			run,
			(index, signal) => {
				const batch = batches[index] as JudgeBatch;
				return answers.score((run.itemPlans[index] as ItemPlan).plan, index, batch.judges, run.sampleOf(index), run.contextOf(index, signal), batch.seed);
			},
			modelRun,
			true,
		);
		// A judge answer no scorer asked for: this node's Scorers are not the Submit node's.
		for (const [index, result] of results.entries()) {
			const unasked = result ? answers.unasked((batches[index] as JudgeBatch).judges) : [];
			if (!unasked.length) continue;
			const message = `the batch answered ${unasked.map((ref) => `"${ref.scorer}"`).join(', ')}, which no scorer of this node asks: Batch: Collect scores with the Scorers of the Batch: Submit node (make this node a copy of it)`;
			if (!continueOnFail) throw itemError(ctx, index, message);
			results[index] = undefined;
			run.failures[index] = message;
		}
		return [...scoredOutputs(ctx, run, results, modelRun?.secrets ?? []), []];
	} finally {
		modelRun?.close();
	}
}
