/**
 * External reward mode, the RPA way: candidates leave through "Score me" with the loop's state in
 * the item; any nodes (a human approval form, a Wait, an HTTP call, a Code node) set the reward and
 * wire the items back to this node's input, where the loop goes on or ends on "Done".
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { accumulateTokenUsage, NodeOperationError as NodeOperationError } from 'n8n-workflow';
import type { ChatMessage } from '../../core/generate/messages';
import type { GenerateRequest } from '../../core/generate/request';
import { addUsage, emptyUsage, type GenerateResult, type TokenUsage } from '../../core/generate/result';
import { preferencePairs } from '../../core/loop/preferencePairs';
import { feedbackFor, generateRound, type LoopAttempt, type LoopResult, type StopReason } from '../../core/loop/rewardLoop';
import type { BreakdownEntry } from '../../core/scoring/combine';
import { readPath } from '../../core/json/readPath';
import { CancelledError } from '../../core/transport/sleep';
import { readGenerateRequest } from '../GenerateText/parameters';
import { loopOutput, readLoopSettings } from './loopParameters';

export const EXTERNAL_STATE_FIELD = '_rewardLoop';

interface ExternalState {
	id: string;
	round: number;
	roundSize: number;
	candidateIndex: number;
	text: string;
	input: IDataObject;
	request: GenerateRequest;
	history: LoopAttempt[];
	feedback: string[];
	usage: TokenUsage;
	candidatesTried: number;
	requests: number;
	errors: number;
}

interface Helpers {
	generate(request: GenerateRequest, signal: AbortSignal): Promise<GenerateResult>;
	cancelSignal: AbortSignal | undefined;
	continueOnFail: boolean;
	failureText(error: unknown): string;
	fail(index: number, message: string): Error;
}

/** A problem with one returning item, which may not be the first of its loop's group. */
class ItemProblem extends Error {
	constructor(
		readonly index: number,
		message: string,
	) {
		super(message);
	}
}

const externalEntry = (reward: number, pass: boolean, reason: string): Record<string, BreakdownEntry> => ({
	external: { score: reward, pass, reason, type: 'external', weight: 1, mustPass: false },
});

function bestOf(history: LoopAttempt[]): LoopAttempt | undefined {
	let best: LoopAttempt | undefined;
	for (const attempt of history) if (attempt.error === undefined && (!best || attempt.reward > best.reward)) best = attempt;
	return best;
}

export async function continueExternalLoops(ctx: IExecuteFunctions, items: INodeExecutionData[], helpers: Helpers): Promise<{ done: INodeExecutionData[]; scoreMe: INodeExecutionData[] }> {
	const done: INodeExecutionData[] = [];
	const scoreMe: INodeExecutionData[] = [];
	const signal = helpers.cancelSignal ?? new AbortController().signal;
	const threshold = Number(ctx.getNodeParameter('externalThreshold', 0, 0.8));
	const rewardField = String(ctx.getNodeParameter('rewardField', 0, 'reward'));
	let promptTokens = 0;
	let completionTokens = 0;

	const emitRound = async (state: Omit<ExternalState, 'round' | 'roundSize' | 'candidateIndex' | 'text'>, round: number, messages: ChatMessage[], pairedIndex: number) => {
		const loop = readLoopSettings(ctx, pairedIndex);
		const room = loop.maxCandidates === undefined ? loop.candidatesPerRound : loop.maxCandidates - state.candidatesTried;
		const generated = await generateRound(state.request, messages, Math.min(loop.candidatesPerRound, room), loop.useN, (request) => helpers.generate(request, signal));
		if (generated.candidates.length === 0) throw new Error(generated.errors[0] ?? 'no candidate was generated');
		promptTokens += generated.usage.promptTokens;
		completionTokens += generated.usage.completionTokens;
		const usage = { ...state.usage };
		addUsage(usage, generated.usage);
		generated.candidates.forEach((candidate, candidateIndex) => {
			const next: ExternalState = {
				...state,
				round,
				roundSize: generated.candidates.length,
				candidateIndex,
				text: candidate.text,
				usage,
				candidatesTried: state.candidatesTried + generated.candidates.length,
				requests: state.requests + generated.requests,
				errors: state.errors + generated.errors.length,
			};
			scoreMe.push({
				json: {
					...state.input,
					text: candidate.text,
					...(candidate.parsed !== undefined ? { parsed: candidate.parsed as IDataObject } : {}),
					round,
					candidateIndex,
					[EXTERNAL_STATE_FIELD]: next as unknown as IDataObject,
				},
				pairedItem: { item: pairedIndex },
			});
		});
	};

	const finish = (state: ExternalState, history: LoopAttempt[], feedback: string[], stopReason: StopReason, pairedIndex: number) => {
		const loop = readLoopSettings(ctx, pairedIndex);
		const best = bestOf(history);
		const pass = best !== undefined && best.reward >= threshold;
		const result: LoopResult = {
			best: best ? { ...best, breakdown: externalEntry(best.reward, pass, best.reasons.external ?? '') } : undefined,
			pass,
			stopReason,
			roundsUsed: state.round,
			candidatesTried: state.candidatesTried,
			requests: state.requests,
			errors: state.errors,
			usage: state.usage,
			history,
			feedback,
			preferencePairs: preferencePairs(state.request.messages, best, history),
		};
		if (!pass && loop.onExhausted === 'fail') {
			throw new Error(`the budget ended (${stopReason}) below the threshold: best reward ${(best?.reward ?? 0).toFixed(3)}`);
		}
		done.push({ json: { ...(loop.includeInput ? state.input : {}), ...loopOutput(result, loop.includeHistory) }, pairedItem: { item: pairedIndex } });
	};

	// Items coming back, grouped by loop; new items start a loop.
	const groups = new Map<string, Array<{ index: number; state: ExternalState; json: IDataObject }>>();
	const starts: number[] = [];
	items.forEach((item, index) => {
		const state = item.json[EXTERNAL_STATE_FIELD] as unknown as ExternalState | undefined;
		if (state && typeof state === 'object' && typeof state.id === 'string') {
			const group = groups.get(state.id) ?? [];
			group.push({ index, state, json: item.json });
			groups.set(state.id, group);
		} else starts.push(index);
	});

	const guard = async (groupIndex: number, work: () => Promise<void>) => {
		try {
			await work();
		} catch (error) {
			if (signal.aborted) throw new NodeOperationError(ctx.getNode(), new CancelledError().message);
			const index = error instanceof ItemProblem ? error.index : groupIndex;
			const message = helpers.failureText(error);
			if (!helpers.continueOnFail) throw helpers.fail(index, message);
			done.push({ json: { ...items[index].json, error: `Item ${index}: ${message}` }, pairedItem: { item: index } });
		}
	};

	for (const index of starts) {
		await guard(index, async () => {
			const request = readGenerateRequest(ctx, index);
			const { [EXTERNAL_STATE_FIELD]: _ignored, ...input } = items[index].json;
			const id = `${Date.now().toString(36)}-${index}-${Math.random().toString(36).slice(2, 10)}`;
			await emitRound({ id, input, request, history: [], feedback: [], usage: emptyUsage(), candidatesTried: 0, requests: 0, errors: 0 }, 1, request.messages, index);
		});
	}

	for (const group of groups.values()) {
		const first = group[0];
		await guard(first.index, async () => {
			const feedbackField = 'feedback';
			const attempts = group.map(({ index, state, json }) => {
				const raw = readPath(json, rewardField);
				const reward = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
				if (typeof reward !== 'number' || !Number.isFinite(reward)) {
					throw new ItemProblem(index, `Reward Field: "${rewardField}" is ${raw === undefined ? 'missing' : `not a number (${JSON.stringify(raw)})`}`);
				}
				const clamped = Math.min(1, Math.max(0, reward));
				const note = readPath(json, feedbackField);
				return {
					round: state.round,
					index: state.candidateIndex,
					text: state.text,
					reward: clamped,
					pass: clamped >= threshold,
					reasons: { external: typeof note === 'string' && note ? note : `reward ${clamped}` },
				} satisfies LoopAttempt;
			});
			const state = first.state;
			const history = [...state.history, ...attempts];
			const best = bestOf(history);
			const loop = readLoopSettings(ctx, first.index);
			let stopReason: StopReason | undefined;
			if (best && best.reward >= threshold) stopReason = 'threshold';
			else if (state.round >= loop.maxRounds) stopReason = 'rounds';
			else if (loop.maxCandidates !== undefined && state.candidatesTried >= loop.maxCandidates) stopReason = 'candidates';
			else if (loop.maxTokens !== undefined && state.usage.totalTokens >= loop.maxTokens) stopReason = 'tokens';
			if (stopReason || !best) {
				finish(state, history, state.feedback, stopReason ?? 'rounds', first.index);
				return;
			}
			const text = feedbackFor({ text: best.text, reward: best.reward, breakdown: externalEntry(best.reward, false, best.reasons.external) }, threshold);
			const messages: ChatMessage[] = [...state.request.messages, { role: 'assistant', content: best.text }, { role: 'user', content: text }];
			await emitRound({ ...state, history, feedback: [...state.feedback, text] }, state.round + 1, messages, first.index);
		});
	}
	if (promptTokens + completionTokens > 0) accumulateTokenUsage(ctx, promptTokens, completionTokens);
	return { done, scoreMe };
}
