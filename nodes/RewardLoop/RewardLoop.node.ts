import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { accumulateTokenUsage, NodeConnectionTypes } from 'n8n-workflow';
import { generateOrThrow } from '../../core/generate/generate';
import { buildChatParams, type GenerateRequest } from '../../core/generate/request';
import { askCritique } from '../../core/loop/critique';
import { LoopError, runRewardLoop, type LoopDeps, type LoopResult } from '../../core/loop/rewardLoop';
import { scoreCandidateSet } from '../../core/scoring/judges/candidateSet';
import { createModelServices } from '../../core/scoring/modelServices';
import { createChatClient } from '../../core/transport/chatClient';
import { createHttpClient } from '../../core/transport/http';
import { runScheduled } from '../../core/transport/scheduler';
import { readGenerateRequest } from '../shared/generateTextParameters';
import { ScoringPlans } from '../shared/scoringPlans';
import { credentialTestMethods } from '../shared/credentialTest';
import { failEveryItem, itemError, itemText } from '../shared/errors';
import { redactItems } from '../shared/redact';
import { describeFailure } from '../shared/failures';
import { searchModels } from '../shared/modelSearch';
import { literalExpressionWarnings } from '../shared/literalExpression';
import { withItemSignal } from '../../core/loop/itemSignal';
import { RefusalGate } from '../../core/loop/refusals';
import { openLane } from '../shared/lane';
import { openRun, runError } from '../shared/run';
import { rewardLoopProperties } from './description';
import { continueExternalLoops } from './external';
import { loopOutput, readLoopSettings } from './loopParameters';

export class RewardLoop implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Reward Loop',
		name: 'rewardLoop',
		icon: { light: 'file:rewardLoop.svg', dark: 'file:rewardLoop.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ ($parameter["rewardSource"] === "external" ? "external reward" : "best of " + $parameter["candidatesPerRound"]) + ($parameter["maxRounds"] > 1 ? ", up to " + $parameter["maxRounds"] + " rounds" : ", one round") }}',
		description: 'Generate, score, keep the best, retry with feedback until the reward is reached; emits preference pairs',
		defaults: { name: 'Reward Loop' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{ $parameter["rewardSource"] === "external" ? [{ "type": "${NodeConnectionTypes.Main}", "displayName": "Done" }, { "type": "${NodeConnectionTypes.Main}", "displayName": "Score me" }] : [{ "type": "${NodeConnectionTypes.Main}", "displayName": "Done" }] }}`,
		credentials: [{ name: 'openAiCompatibleApi', testedBy: 'openAiCompatibleApiTest', required: true }],
		properties: rewardLoopProperties,
	};

	// The model picker is Generate Text's (the same Model parameter), and so is the credential's test.
	methods = { listSearch: { searchModels }, ...credentialTestMethods };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const continueOnFail = this.continueOnFail();
		const fail = (index: number, message: string) => itemError(this, index, message);
		const prelude = await openRun(this, items);
		if (!prelude.ok) return prelude.output;
		const { connection, defaultModel, secrets, endpoint, settings } = prelude.value;
		const http = createHttpClient(connection, { timeoutMs: settings.timeoutMs });
		// Every request of every item (candidates, judges, critiques, embeddings) takes this one lane.
		const lane = openLane(this, connection, settings);
		const retry = { maxRetries: settings.maxRetries, maxRetryAfterMs: settings.maxWaitMs };
		const chat = createChatClient(connection, { timeoutMs: settings.timeoutMs });
		const models = createModelServices({ http, chat }, lane, retry);
		const cancelSignal = this.getExecutionCancelSignal();
		// A request the server refused in a way asking again cannot change is not sent again in this run (core/loop/refusals.ts).
		const refusals = new RefusalGate();
		const generate = (request: GenerateRequest, signal: AbortSignal, item: number) =>
			refusals.send(item, buildChatParams(request) as unknown as Record<string, unknown>, signal, (gated) => generateOrThrow(chat, request, lane, gated, retry));
		try {
			// A loop that failed on a request carries that request's error, with its attempts.
			const failureText = (error: unknown) => describeFailure(error instanceof LoopError && error.reason !== undefined ? error.reason : error, 0, secrets, endpoint);

			if (this.getNodeParameter('rewardSource', 0, 'scorers') === 'external') {
				const outputs = await continueExternalLoops(this, items, {
					generate,
					critique: (model, messages, answer, feedback, signal) => askCritique(models, model, messages, answer, feedback, signal),
					cancelSignal,
					defaultModel,
					concurrency: settings.concurrency,
					continueOnFail,
					failureText,
				});
				const warnings = literalExpressionWarnings(this.getNode().parameters);
				const done = warnings.length ? outputs.done.map((item) => (item.json.error ? item : { ...item, json: { ...item.json, warnings } })) : outputs.done;
				return [redactItems(done, secrets), redactItems(outputs.scoreMe, secrets)];
			}

			const plans = new ScoringPlans(this, false, defaultModel);
			const jobs: Array<{ index: number; run: (signal: AbortSignal) => Promise<LoopResult>; loop: ReturnType<typeof readLoopSettings> }> = [];
			const done: INodeExecutionData[] = new Array(items.length);
			for (let index = 0; index < items.length; index++) {
				let scoring: ReturnType<typeof plans.forItem> | undefined;
				let planProblem: unknown;
				try {
					scoring = plans.forItem(index);
				} catch (error) {
					// Scorers, combination and threshold without an expression are node-wide settings: the error names no item.
					if (!plans.perItem) return failEveryItem(this, items, failureText(error));
					planProblem = error;
				}
				try {
					if (!scoring) throw planProblem;
					const request = readGenerateRequest(this, index, defaultModel);
					const { plan } = scoring;
					const loop = readLoopSettings(this, index);
					const customValues = plans.customValues(index);
					const json = items[index].json;
					jobs.push({
						index,
						loop,
						// One signal per item: its requests may be many, and those still running when it fails are aborted.
						run: (jobSignal) =>
							withItemSignal(jobSignal, (signal) => {
								const deps: LoopDeps = {
									generate: (roundRequest) => generate(roundRequest, signal, index),
									scoreRound: (samples) => scoreCandidateSet(plan, samples, { item: json, signal, models, customValues }),
									critique: (messages, answer, feedback) => askCritique(models, loop.critiqueModel, messages, answer, feedback, signal),
								};
								return runRewardLoop(request, loop, deps, plan.options.threshold);
							}),
					});
				} catch (error) {
					const message = failureText(error);
					if (!continueOnFail) throw fail(index, message);
					done[index] = { json: { ...items[index].json, error: itemText(index, message) }, pairedItem: { item: index } };
				}
			}

			let outcomes;
			try {
				outcomes = await runScheduled(jobs.length, (position, { signal }) => jobs[position].run(signal), {
					concurrency: settings.concurrency,
					maxRetries: 0,
					signal: cancelSignal,
					failFast: !continueOnFail,
				});
			} catch (error) {
				throw runError(this, error, failureText, (position) => jobs[position].index);
			}
			let promptTokens = 0;
			let completionTokens = 0;
			const found = literalExpressionWarnings(this.getNode().parameters);
			const warnings = found.length ? { warnings: found } : {};
			outcomes.forEach((outcome, position) => {
				const { index, loop } = jobs[position];
				const base = loop.includeInput ? items[index].json : {};
				if (outcome.ok) {
					promptTokens += outcome.value.usage.promptTokens;
					completionTokens += outcome.value.usage.completionTokens;
					done[index] = { json: { ...base, ...loopOutput(outcome.value, loop.includeHistory), ...warnings }, pairedItem: { item: index } };
					return;
				}
				const partial = outcome.error instanceof LoopError ? outcome.error.partial : undefined;
				if (partial) {
					promptTokens += partial.usage.promptTokens;
					completionTokens += partial.usage.completionTokens;
				}
				done[index] = {
					json: { ...base, error: itemText(index, failureText(outcome.error)), ...(partial ? { loop: loopOutput(partial, loop.includeHistory) } : {}) },
					pairedItem: { item: index },
				};
			});
			if (promptTokens + completionTokens > 0) accumulateTokenUsage(this, promptTokens, completionTokens);
			return [redactItems(done, secrets)];
		} finally {
			// Idle keep-alive sockets would otherwise wait for the server to close them.
			chat.close();
			http.close();
		}
	}
}

