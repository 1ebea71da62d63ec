import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { accumulateTokenUsage, isExpression, NodeConnectionTypes } from 'n8n-workflow';
import type { ItemScore } from '../../core/scoring/combine';
import { createModelServices } from '../../core/scoring/modelServices';
import type { ModelServices } from '../../core/scoring/types';
import { createChatClient, type ChatClient } from '../../core/transport/chatClient';
import { createHttpClient, type HttpClient } from '../../core/transport/http';
import { runScheduled } from '../../core/transport/scheduler';
import { CREDENTIAL_NAME, connectionFromCredentials, credentialName, defaultModelOf, endpointOf, secretsOf } from '../shared/connection';
import { credentialTestMethods } from '../shared/credentialTest';
import { failEveryItem, itemError, itemText, nodeError } from '../shared/errors';
import type { Endpoint } from '../shared/failures';
import { searchModels } from '../shared/modelSearch';
import { redactItems } from '../shared/redact';
import { describeFailure } from '../shared/failures';
import { withItemSignal } from '../../core/loop/itemSignal';
import { openLane } from '../shared/lane';
import type { RunSettings } from '../shared/transportOptions';
import { runError, runSettingsOf } from '../shared/run';
import { scoreOutputProperties } from '../shared/scoreOutputDescription';
import { ScoringPlans, type ItemPlan } from '../shared/scoringPlans';
import { sampleFromItem } from './sample';

export class ScoreOutput implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Score Output',
		name: 'scoreOutput',
		icon: { light: 'file:scoreOutput.svg', dark: 'file:scoreOutput.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ ($parameter["mode"] === "grader" ? "reward from an OpenAI grader" : "reward from scorers") + ($parameter["route"] ? ", pass / fail" : "") }}',
		description: 'Turns text into a reward in [0, 1]: rules, similarity, JSON checks, LLM judges, OpenAI graders',
		defaults: { name: 'Score Output' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{ $parameter["route"] ? [{ "type": "${NodeConnectionTypes.Main}", "displayName": "Pass" }, { "type": "${NodeConnectionTypes.Main}", "displayName": "Fail" }] : ["${NodeConnectionTypes.Main}"] }}`,
		credentials: [{ name: 'openAiCompatibleApi', testedBy: 'openAiCompatibleApiTest', required: false }],
		properties: scoreOutputProperties,
	};

	// The judges' model picker lists the endpoint's models, as Generate Text's does.
	methods = { listSearch: { searchModels }, ...credentialTestMethods };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const continueOnFail = this.continueOnFail();
		const route = this.getNodeParameter('route', 0, false) as boolean;
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const includeInput = options.includeInput !== false;
		const includeGrader = options.includeGrader === true;
		const candidatesField = String(options.candidatesField ?? 'candidates');
		const textField = String(this.getNodeParameter('textField', 0, 'text'));
		const textFieldPerItem = isExpression(this.getNode().parameters.textField);
		const fail = (index: number, message: string) => itemError(this, index, message);

		// A judge left without a model uses the credential's Default Model (the credential is optional here).
		const defaultModel = this.getNode().credentials?.[CREDENTIAL_NAME] ? await this.getCredentials(CREDENTIAL_NAME).then(defaultModelOf, () => '') : '';
		const plans = new ScoringPlans(this, includeGrader, defaultModel);
		const itemPlans: Array<ItemPlan | undefined> = new Array(items.length);
		const failures: Array<string | undefined> = new Array(items.length);
		for (let index = 0; index < items.length; index++) {
			try {
				itemPlans[index] = plans.forItem(index);
			} catch (error) {
				const message = describeFailure(error, 0, []);
				// Scorers, combination and threshold without an expression are node-wide settings: the error names no item.
				if (!plans.perItem) return failEveryItem(this, items, message);
				if (!continueOnFail) throw fail(index, message);
				failures[index] = message;
			}
		}

		let models: ModelServices | undefined;
		let chat: ChatClient | undefined;
		let http: HttpClient | undefined;
		let secrets: string[] = [];
		let endpoint: Endpoint | undefined;
		let settings: RunSettings = { concurrency: 10, maxRetries: 5, timeoutMs: 120_000, maxWaitMs: 120_000 };
		if (plans.needsModels) {
			const read = runSettingsOf(this, items);
			if (!read.ok) return read.output;
			settings = read.value;
			let credentials;
			try {
				credentials = await this.getCredentials(CREDENTIAL_NAME);
			} catch {
				throw nodeError(this, 'A judge or embedding scorer needs an OpenAI-Compatible API credential: select one on this node');
			}
			let connection;
			try {
				connection = connectionFromCredentials(credentials);
			} catch (error) {
				throw nodeError(this, `The credential "${credentialName(this.getNode())}": ${(error as Error).message}`);
			}
			secrets = secretsOf(connection);
			endpoint = endpointOf(this.getNode(), connection);
			chat = createChatClient(connection, { timeoutMs: settings.timeoutMs });
			http = createHttpClient(connection, { timeoutMs: settings.timeoutMs });
			models = createModelServices(
				{ http, chat },
				openLane(this, connection, settings),
				{ maxRetries: settings.maxRetries, maxRetryAfterMs: settings.maxWaitMs },
			);
		}

		const results: Array<ItemScore | undefined> = new Array(items.length);
		// Items with the same candidates share Select Best's one call for the set.
		const setJudgements = new Map<string, Promise<unknown>>();
		const scoreOne = (index: number, signal?: AbortSignal): ItemScore | Promise<ItemScore> => {
			const itemPlan = itemPlans[index] as ItemPlan;
			const json = items[index].json;
			const sample = sampleFromItem(json, textFieldPerItem ? String(this.getNodeParameter('textField', index, 'text')) : textField, candidatesField);
			const context = { item: json, signal, models, customValues: plans.customValues(index), setJudgements };
			return models ? itemPlan.plan.scoreItem(sample, context) : itemPlan.plan.scoreItemSync(sample, context);
		};
		const pending = itemPlans.flatMap((plan, index) => (plan ? [index] : []));

		if (!models) {
			for (const index of pending) {
				try {
					results[index] = scoreOne(index) as ItemScore;
				} catch (error) {
					const message = describeFailure(error, 0, secrets);
					if (!continueOnFail) throw fail(index, message);
					failures[index] = message;
				}
			}
		} else {
			let outcomes;
			// Aborted when the node returns: a failed item's other judges (which no item waits for any more) stop with it.
			const leftRunning = new Set<AbortController>();
			try {
				// One signal per item, which its judges may all listen to; a call other items share outlives the item.
				const scoreScheduled = (position: number, signal: AbortSignal) =>
					withItemSignal(signal, (itemSignal) => Promise.resolve(scoreOne(pending[position], itemSignal)), { abortAtEnd: false, leftRunning });
				outcomes = await runScheduled(pending.length, (position, { signal }) => scoreScheduled(position, signal), {
					concurrency: settings.concurrency,
					maxRetries: 0,
					signal: this.getExecutionCancelSignal(),
					failFast: !continueOnFail,
				});
			} catch (error) {
				throw runError(this, error, (cause) => describeFailure(cause, 0, secrets, endpoint), (position) => pending[position]);
			} finally {
				for (const item of leftRunning) item.abort();
				chat?.close();
				http?.close();
			}
			outcomes.forEach((outcome, position) => {
				const index = pending[position];
				if (outcome.ok) results[index] = outcome.value;
				else {
					failures[index] = describeFailure(outcome.error, 0, secrets, endpoint);
				}
			});
		}

		const passed: INodeExecutionData[] = [];
		const failed: INodeExecutionData[] = [];
		let promptTokens = 0;
		let completionTokens = 0;
		for (let index = 0; index < items.length; index++) {
			const result = results[index];
			const base = includeInput ? items[index].json : {};
			if (!result) {
				failed.push({ json: { ...base, error: itemText(index, failures[index] ?? 'not scored') }, pairedItem: { item: index } });
				continue;
			}
			promptTokens += result.usage.promptTokens;
			completionTokens += result.usage.completionTokens;
			const grader = itemPlans[index]?.grader;
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
		if (promptTokens + completionTokens > 0) accumulateTokenUsage(this, promptTokens, completionTokens);
		// A judge's reasons and steps are the model's words: no secret of the credential leaves in them.
		if (route) return [redactItems(passed, secrets), redactItems(failed, secrets)];
		// Without routing, failed items (Continue On Fail) stay in input order with the others.
		const all = [...passed, ...failed].sort((a, b) => (a.pairedItem as { item: number }).item - (b.pairedItem as { item: number }).item);
		return [redactItems(all, secrets)];
	}
}
