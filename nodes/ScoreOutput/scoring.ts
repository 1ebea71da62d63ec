/**
 * Score Output's run, in the steps its modes share: the items' plans and samples, the credential's
 * models, the scoring of every item (one signal per item, the run's Concurrency), and the outputs.
 * The synchronous mode runs them in a row; Batch: Submit stops after the plans and samples, and
 * Batch: Collect scores with the judges answered from the batch (./batch.ts).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { accumulateTokenUsage, isExpression } from 'n8n-workflow';
import { withItemSignal } from '../../core/loop/itemSignal';
import type { ItemScore } from '../../core/scoring/combine';
import { createModelServices } from '../../core/scoring/modelServices';
import type { ModelServices, Sample, ScoreContext } from '../../core/scoring/types';
import { createChatClient } from '../../core/transport/chatClient';
import type { ConnectionConfig } from '../../core/transport/connection';
import { createHttpClient } from '../../core/transport/http';
import { runScheduled } from '../../core/transport/scheduler';
import { CREDENTIAL_NAME, connectionFromCredentials, credentialName, defaultModelOf, endpointOf, secretsOf } from '../shared/connection';
import { failEveryItem, itemError, itemText, nodeError } from '../shared/errors';
import { describeFailure, type Endpoint } from '../shared/failures';
import { openLane } from '../shared/lane';
import { redactItems } from '../shared/redact';
import { runError, runSettingsOf, type Prelude } from '../shared/run';
import { ScoringPlans, type ItemPlan } from '../shared/scoringPlans';
import type { RunSettings } from '../shared/transportOptions';
import { sampleFromItem } from './sample';

export interface ScoringRun {
	/** The items as scored: Batch: Collect's without their batch reference. */
	items: INodeExecutionData[];
	continueOnFail: boolean;
	plans: ScoringPlans;
	itemPlans: Array<ItemPlan | undefined>;
	/** Each item's error so far (its plan could not be read). */
	failures: Array<string | undefined>;
	sampleOf(index: number): Sample;
	/** The item's context without models: its fields, custom values, and the candidate sets' shared judgements. */
	contextOf(index: number, signal?: AbortSignal): Omit<ScoreContext, 'models' | 'random'>;
}

/** Reads every item's plan; a node-wide setting that cannot be used fails the run (or every item, with Continue On Fail). */
export async function readScoringRun(ctx: IExecuteFunctions, items: INodeExecutionData[]): Promise<Prelude<ScoringRun>> {
	const continueOnFail = ctx.continueOnFail();
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const includeGrader = options.includeGrader === true;
	const candidatesField = String(options.candidatesField ?? 'candidates');
	const textField = String(ctx.getNodeParameter('textField', 0, 'text'));
	const textFieldPerItem = isExpression(ctx.getNode().parameters.textField);
	// A judge left without a model uses the credential's Default Model (the credential is optional here).
	const defaultModel = ctx.getNode().credentials?.[CREDENTIAL_NAME] ? await ctx.getCredentials(CREDENTIAL_NAME).then(defaultModelOf, () => '') : '';
	const plans = new ScoringPlans(ctx, includeGrader, defaultModel);
	const itemPlans: Array<ItemPlan | undefined> = new Array(items.length);
	const failures: Array<string | undefined> = new Array(items.length);
	for (let index = 0; index < items.length; index++) {
		try {
			itemPlans[index] = plans.forItem(index);
		} catch (error) {
			const message = describeFailure(error, 0, []);
			// Scorers, combination and threshold without an expression are node-wide settings: the error names no item.
			if (!plans.perItem) return { ok: false, output: failEveryItem(ctx, items, message) };
			if (!continueOnFail) throw itemError(ctx, index, message);
			failures[index] = message;
		}
	}
	// Items with the same candidates share Select Best's one call for the set.
	const setJudgements = new Map<string, Promise<unknown>>();
	return {
		ok: true,
		value: {
			items,
			continueOnFail,
			plans,
			itemPlans,
			failures,
			sampleOf: (index) => sampleFromItem(items[index].json, textFieldPerItem ? String(ctx.getNodeParameter('textField', index, 'text')) : textField, candidatesField),
			contextOf: (index, signal) => ({ item: items[index].json, signal, customValues: plans.customValues(index), setJudgements }),
		},
	};
}

/** The credential's models for judges and embeddings, on the node's transport. */
export interface ModelRun {
	models: ModelServices;
	connection: ConnectionConfig;
	secrets: string[];
	endpoint: Endpoint;
	settings: RunSettings;
	close(): void;
}

export async function openModels(ctx: IExecuteFunctions, items: INodeExecutionData[]): Promise<Prelude<ModelRun>> {
	const read = runSettingsOf(ctx, items);
	if (!read.ok) return read;
	const settings = read.value;
	let credentials;
	try {
		credentials = await ctx.getCredentials(CREDENTIAL_NAME);
	} catch {
		throw nodeError(ctx, 'A judge or embedding scorer needs an OpenAI-Compatible API credential: select one on this node');
	}
	let connection;
	try {
		connection = connectionFromCredentials(credentials);
	} catch (error) {
		throw nodeError(ctx, `The credential "${credentialName(ctx.getNode())}": ${(error as Error).message}`);
	}
	const chat = createChatClient(connection, { timeoutMs: settings.timeoutMs });
	const http = createHttpClient(connection, { timeoutMs: settings.timeoutMs });
	const models = createModelServices({ http, chat }, openLane(ctx, connection, settings), { maxRetries: settings.maxRetries, maxRetryAfterMs: settings.maxWaitMs });
	return {
		ok: true,
		value: {
			models,
			connection,
			secrets: secretsOf(connection),
			endpoint: endpointOf(ctx.getNode(), connection),
			settings,
			close: () => {
				chat.close();
				http.close();
			},
		},
	};
}

const NO_MODELS_SETTINGS = { concurrency: 10 };

/**
 * Scores the items that have a plan: `score` in a row when nothing calls a model, else scheduled
 * at the run's Concurrency with one signal per item. Returns each item's score; an item that failed
 * gets its error in `run.failures` (or stops the run without Continue On Fail).
 */
export async function scoreItems(
	ctx: IExecuteFunctions,
	run: ScoringRun,
	score: (index: number, signal?: AbortSignal) => ItemScore | Promise<ItemScore>,
	modelRun: Pick<ModelRun, 'secrets' | 'endpoint' | 'settings'> | undefined,
	scheduled: boolean,
): Promise<Array<ItemScore | undefined>> {
	const results: Array<ItemScore | undefined> = new Array(run.items.length);
	const secrets = modelRun?.secrets ?? [];
	const endpoint = modelRun?.endpoint;
	const pending = run.itemPlans.flatMap((plan, index) => (plan && run.failures[index] === undefined ? [index] : []));
	if (!scheduled) {
		for (const index of pending) {
			try {
				results[index] = score(index) as ItemScore;
			} catch (error) {
				const message = describeFailure(error, 0, secrets);
				if (!run.continueOnFail) throw itemError(ctx, index, message);
				run.failures[index] = message;
			}
		}
		return results;
	}
	let outcomes;
	// Aborted when the node returns: a failed item's other judges (which no item waits for any more) stop with it.
	const leftRunning = new Set<AbortController>();
	try {
		// One signal per item, which its judges may all listen to; a call other items share outlives the item.
		const scoreScheduled = (position: number, signal: AbortSignal) =>
			withItemSignal(signal, (itemSignal) => Promise.resolve(score(pending[position], itemSignal)), { abortAtEnd: false, leftRunning });
		outcomes = await runScheduled(pending.length, (position, { signal }) => scoreScheduled(position, signal), {
			concurrency: (modelRun?.settings ?? NO_MODELS_SETTINGS).concurrency,
			maxRetries: 0,
			signal: ctx.getExecutionCancelSignal(),
			failFast: !run.continueOnFail,
		});
	} catch (error) {
		throw runError(ctx, error, (cause) => describeFailure(cause, 0, secrets, endpoint), (position) => pending[position]);
	} finally {
		for (const item of leftRunning) item.abort();
	}
	outcomes.forEach((outcome, position) => {
		const index = pending[position];
		if (outcome.ok) results[index] = outcome.value;
		else run.failures[index] = describeFailure(outcome.error, 0, secrets, endpoint);
	});
	return results;
}

/**
 * The scored items, paired with their inputs: reward, pass and reason first, then the input's
 * fields (Include Input Fields), the breakdown and the tokens; an item that failed carries its
 * error. The synchronous mode and Batch: Collect both answer through here, so their items have one shape.
 */
export function scoredOutputs(ctx: IExecuteFunctions, run: ScoringRun, results: Array<ItemScore | undefined>, secrets: string[]): INodeExecutionData[][] {
	const route = ctx.getNodeParameter('route', 0, false) as boolean;
	const includeInput = (ctx.getNodeParameter('options', 0, {}) as IDataObject).includeInput !== false;
	const passed: INodeExecutionData[] = [];
	const failed: INodeExecutionData[] = [];
	let promptTokens = 0;
	let completionTokens = 0;
	for (let index = 0; index < run.items.length; index++) {
		const result = results[index];
		const base = includeInput ? run.items[index].json : {};
		if (!result) {
			failed.push({ json: { ...base, error: itemText(index, run.failures[index] ?? 'not scored') }, pairedItem: { item: index } });
			continue;
		}
		promptTokens += result.usage.promptTokens;
		completionTokens += result.usage.completionTokens;
		const grader = run.itemPlans[index]?.grader;
		// reward, pass and reason come first (the first columns of n8n's table view), and win over
		// input fields of the same name: a key keeps its first place and takes its last value.
		const verdict = { reward: result.reward, pass: result.pass, reason: result.reason };
		const json: IDataObject = {
			...verdict,
			...base,
			...verdict,
			scores: result.breakdown as unknown as IDataObject,
			...(result.usage.totalTokens > 0 ? { scoringUsage: result.usage as unknown as IDataObject } : {}),
			...(grader ? { grader: (grader.grader ?? { none: grader.reason }) as unknown as IDataObject } : {}),
		};
		(result.pass || !route ? passed : failed).push({ json, pairedItem: { item: index } });
	}
	if (promptTokens + completionTokens > 0) accumulateTokenUsage(ctx, promptTokens, completionTokens);
	// A judge's reasons and steps are the model's words: no secret of the credential leaves in them.
	if (route) return [redactItems(passed, secrets), redactItems(failed, secrets)];
	// Without routing, failed items (Continue On Fail) stay in input order with the others.
	const all = [...passed, ...failed].sort((a, b) => (a.pairedItem as { item: number }).item - (b.pairedItem as { item: number }).item);
	return [redactItems(all, secrets)];
}

/** The synchronous mode: every item scored now, its judges asked now. */
export async function scoreNow(ctx: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const read = await readScoringRun(ctx, items);
	if (!read.ok) return read.output;
	const run = read.value;
	let modelRun: ModelRun | undefined;
	if (run.plans.needsModels) {
		const opened = await openModels(ctx, items);
		if (!opened.ok) return opened.output;
		modelRun = opened.value;
	}
	const models = modelRun?.models;
	let results;
	try {
		results = await scoreItems(
			ctx,
			run,
			(index, signal) => {
				const plan = (run.itemPlans[index] as ItemPlan).plan;
				const sample = run.sampleOf(index);
				const context = { ...run.contextOf(index, signal), models };
				return models ? plan.scoreItem(sample, context) : plan.scoreItemSync(sample, context);
			},
			modelRun,
			models !== undefined,
		);
	} finally {
		modelRun?.close();
	}
	return scoredOutputs(ctx, run, results, modelRun?.secrets ?? []);
}
