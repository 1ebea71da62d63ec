/**
 * External reward mode, the RPA way: candidates leave through "Score me" with the loop's state in
 * the item; any nodes (a human approval form, a Wait, an HTTP call, a Code node) set the reward and
 * wire the items back to this node's input, where the loop goes on or ends on "Done".
 *
 * The loop is core/loop's, as in the internal mode: the same budget (rounds, candidates, tokens,
 * errors), the same handling of unusable candidates (JSON that breaks the schema is an error and
 * never leaves, a refusal scores 0), the same critique, and items run concurrently. The only
 * difference is that the loop parks on "score" and resumes when the scored candidates come back.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { accumulateTokenUsage } from 'n8n-workflow';
import { itemText } from '../shared/errors';
import type { ChatMessage } from '../../core/generate/messages';
import type { GenerateRequest } from '../../core/generate/request';
import { emptyUsage, type GenerateResult, type TokenUsage } from '../../core/generate/result';
import { readPath } from '../../core/json/readPath';
import {
	driveLoop,
	loopSnapshot,
	LoopError,
	newLoopState,
	type Driven,
	type LoopConfig,
	type LoopDriver,
	type LoopInput,
	type LoopState,
	type PendingCandidate,
} from '../../core/loop/rewardLoop';
import type { ItemScore } from '../../core/scoring/combine';
import { runScheduled } from '../../core/transport/scheduler';
import { readGenerateRequest } from '../shared/generateTextParameters';
import { runError } from '../shared/run';
import { withItemSignal } from '../../core/loop/itemSignal';
import { loopOutput, readLoopSettings, type NodeLoopSettings } from './loopParameters';

export const EXTERNAL_STATE_FIELD = '_rewardLoop';

/** What each candidate on "Score me" carries in `_rewardLoop`. */
interface ExternalState {
	id: string;
	round: number;
	/** This item's candidate. */
	candidate: PendingCandidate;
	/** The loop's state when its round left for scoring. */
	loop: LoopState;
	request: GenerateRequest;
	input: IDataObject;
}

interface Helpers {
	generate(request: GenerateRequest, signal: AbortSignal, item: number): Promise<GenerateResult>;
	critique(model: string | undefined, messages: ChatMessage[], answer: string, feedback: string, signal: AbortSignal): Promise<{ text: string; usage: TokenUsage }>;
	cancelSignal: AbortSignal | undefined;
	/** The credential's Default Model, for an empty Model. */
	defaultModel: string;
	concurrency: number;
	continueOnFail: boolean;
	failureText(error: unknown): string;
}

/** A problem with one returning item, which may not be the first of its loop's group. */
class ItemProblem extends Error {
	constructor(
		readonly index: number,
		message: string,
		readonly partial?: ReturnType<typeof loopSnapshot>,
	) {
		super(message);
	}
}

interface Job {
	/** The input item the job answers for (Done's pairedItem). */
	index: number;
	/** Tokens this run spent on the loop, whether it parks, ends or fails. */
	spent: { prompt: number; completion: number };
	run(signal: AbortSignal, spent: Job['spent']): Promise<{ done?: INodeExecutionData; scoreMe: INodeExecutionData[] }>;
}

const externalScore = (reward: number, threshold: number, note: string): ItemScore => {
	const pass = reward >= threshold;
	return {
		reward,
		pass,
		reason: `reward ${reward} ${pass ? '>=' : '<'} threshold ${threshold}`,
		breakdown: { external: { score: reward, pass, reason: note, type: 'external', weight: 1, mustPass: false } },
		usage: emptyUsage(),
	};
};

export async function continueExternalLoops(ctx: IExecuteFunctions, items: INodeExecutionData[], helpers: Helpers): Promise<{ done: INodeExecutionData[]; scoreMe: INodeExecutionData[] }> {
	const threshold = Number(ctx.getNodeParameter('externalThreshold', 0, 0.8));
	const rewardField = String(ctx.getNodeParameter('rewardField', 0, 'reward'));
	const feedbackField = 'feedback';

	/** Runs one loop from `input` until it parks (its round goes out on "Score me") or ends (Done). */
	const drive = async (
		signal: AbortSignal,
		tally: Job['spent'],
		id: string,
		pairedIndex: number,
		loop: NodeLoopSettings,
		request: GenerateRequest,
		input: IDataObject,
		state: LoopState,
		step: LoopInput,
	) => {
		const config: LoopConfig = { prompt: request.messages, settings: loop, threshold };
		const before = { ...state.usage };
		const driver: LoopDriver = {
			generate: (roundRequest) => helpers.generate(roundRequest, signal, pairedIndex),
			critique: (messages, answer, feedback) => helpers.critique(loop.critiqueModel, messages, answer, feedback, signal),
			// Scores come from outside: the loop parks here.
			scoreRound: async () => undefined,
		};
		let driven: Driven;
		try {
			driven = await driveLoop(request, state, step, config, driver);
		} finally {
			tally.prompt = state.usage.promptTokens - before.promptTokens;
			tally.completion = state.usage.completionTokens - before.completionTokens;
		}
		if ('done' in driven) {
			return { done: { json: { ...(loop.includeInput ? input : {}), ...loopOutput(driven.done, loop.includeHistory) }, pairedItem: { item: pairedIndex } }, scoreMe: [] };
		}
		const { round, candidates } = driven.parked;
		const scoreMe = candidates.map((candidate) => {
			const carried: ExternalState = { id, round, candidate, loop: state, request, input };
			return {
				json: {
					...input,
					text: candidate.text,
					...(candidate.parsed !== undefined ? { parsed: candidate.parsed as IDataObject } : {}),
					round,
					candidateIndex: candidate.index,
					// A copy per item: a node downstream that changes one item's state changes no other.
					[EXTERNAL_STATE_FIELD]: structuredClone(carried) as unknown as IDataObject,
				},
				pairedItem: { item: pairedIndex },
			};
		});
		return { scoreMe };
	};

	// Items coming back, grouped by loop; new items start a loop.
	const groups = new Map<string, Array<{ index: number; state: ExternalState; json: IDataObject }>>();
	const jobs: Job[] = [];
	items.forEach((item, index) => {
		const state = item.json[EXTERNAL_STATE_FIELD] as unknown as ExternalState | undefined;
		if (state && typeof state === 'object' && typeof state.id === 'string') {
			const group = groups.get(state.id) ?? [];
			group.push({ index, state, json: item.json });
			groups.set(state.id, group);
			return;
		}
		jobs.push({
			index,
			spent: { prompt: 0, completion: 0 },
			run: (signal, tally) => {
				const request = readGenerateRequest(ctx, index, helpers.defaultModel);
				const loop = readLoopSettings(ctx, index);
				const { [EXTERNAL_STATE_FIELD]: _ignored, ...input } = item.json;
				const id = `${Date.now().toString(36)}-${index}-${Math.random().toString(36).slice(2, 10)}`;
				return drive(signal, tally, id, index, loop, request, input, newLoopState(), { kind: 'start' });
			},
		});
	});

	for (const group of groups.values()) {
		const first = group[0];
		jobs.push({
			index: first.index,
			spent: { prompt: 0, completion: 0 },
			run: (signal, tally) => {
				const { id, request, input, loop: carried } = first.state;
				const state = structuredClone(carried);
				const loop = readLoopSettings(ctx, first.index);
				const scored = group.map(({ index, state: item, json }) => {
					const partial = () => loopSnapshot(state, { prompt: request.messages, settings: loop, threshold });
					if (!item.candidate || !item.loop || !first.state.loop) {
						throw new ItemProblem(index, `${EXTERNAL_STATE_FIELD} is not a loop state this version of the node wrote: finish executions started before an upgrade first`);
					}
					if (item.round !== first.state.round) {
						throw new ItemProblem(index, `${EXTERNAL_STATE_FIELD} belongs to round ${item.round} of this loop, but round ${first.state.round} came back with it`, partial());
					}
					const raw = readPath(json, rewardField);
					const reward = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
					if (typeof reward !== 'number' || !Number.isFinite(reward)) {
						throw new ItemProblem(index, `Reward Field: "${rewardField}" is ${raw === undefined ? 'missing' : `not a number (${JSON.stringify(raw)})`}`, partial());
					}
					const clamped = Math.min(1, Math.max(0, reward));
					const note = readPath(json, feedbackField);
					return { candidate: item.candidate, score: externalScore(clamped, threshold, typeof note === 'string' && note ? note : `reward ${clamped}`) };
				});
				return drive(signal, tally, id, first.index, loop, request, input, state, { kind: 'scored', scored });
			},
		});
	}

	let outcomes;
	try {
		outcomes = await runScheduled(jobs.length, (position, { signal }) => withItemSignal(signal, (itemSignal) => jobs[position].run(itemSignal, jobs[position].spent)), {
			concurrency: helpers.concurrency,
			maxRetries: 0,
			signal: helpers.cancelSignal,
			failFast: !helpers.continueOnFail,
		});
	} catch (error) {
		throw runError(ctx, error, (cause) => helpers.failureText(cause), (position, cause) => (cause instanceof ItemProblem ? cause.index : jobs[position].index));
	}

	const done: INodeExecutionData[] = [];
	const scoreMe: INodeExecutionData[] = [];
	let promptTokens = 0;
	let completionTokens = 0;
	outcomes.forEach((outcome, position) => {
		const job = jobs[position];
		promptTokens += job.spent.prompt;
		completionTokens += job.spent.completion;
		if (outcome.ok) {
			if (outcome.value.done) done.push(outcome.value.done);
			scoreMe.push(...outcome.value.scoreMe);
			return;
		}
		const error = outcome.error;
		const index = error instanceof ItemProblem ? error.index : job.index;
		const partial = error instanceof LoopError || error instanceof ItemProblem ? error.partial : undefined;
		const carried = items[index].json[EXTERNAL_STATE_FIELD] as unknown as ExternalState | undefined;
		let output = { includeInput: true, includeHistory: true };
		try {
			output = readLoopSettings(ctx, index);
		} catch {
			// The item's own parameters are what failed: keep its fields, as for any bad parameter.
		}
		// As in the internal mode: the item's input (without the loop's state), its error, and the partial result.
		const input = carried?.input ?? stripState(items[index].json);
		done.push({
			json: { ...(output.includeInput ? input : {}), error: itemText(index, helpers.failureText(error)), ...(partial ? { loop: loopOutput(partial, output.includeHistory) } : {}) },
			pairedItem: { item: index },
		});
	});
	if (promptTokens + completionTokens > 0) accumulateTokenUsage(ctx, promptTokens, completionTokens);
	return { done, scoreMe };
}

function stripState(json: IDataObject): IDataObject {
	const { [EXTERNAL_STATE_FIELD]: _ignored, ...rest } = json;
	return rest;
}
