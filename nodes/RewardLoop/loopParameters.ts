import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { LoopResult, LoopSettings } from '../../core/loop/rewardLoop';
import { readLimitedNumber } from '../../core/generate/checkChat';
import { CHAT_LIMITS, relabel } from '../../core/requestLimits/chat';
import { numberOption } from '../shared/transportOptions';

/**
 * Candidates Per Round is the request's `n` (one request per round) or the number of requests of one
 * candidate: either way the API's limit for n, under the name this node shows.
 */
export const CANDIDATES_PER_ROUND = relabel(CHAT_LIMITS.n, 'Candidates Per Round (N)');

export interface NodeLoopSettings extends LoopSettings {
	critiqueModel?: string;
	includeHistory: boolean;
	includeInput: boolean;
}

export function readLoopSettings(ctx: IExecuteFunctions, index: number): NodeLoopSettings {
	const options = ctx.getNodeParameter('loopOptions', index, {}) as IDataObject;
	return {
		candidatesPerRound: readLimitedNumber(ctx.getNodeParameter('candidatesPerRound', index, 4), CANDIDATES_PER_ROUND) ?? 4,
		maxRounds: Number(ctx.getNodeParameter('maxRounds', index, 3)),
		useN: options.useN !== false,
		maxCandidates: numberOption(options, 'maxCandidates', 'Max Candidates'),
		maxTokens: numberOption(options, 'maxTokens', 'Max Tokens'),
		maxErrors: numberOption(options, 'maxErrors', 'Max Errors') ?? 2,
		onExhausted: options.onExhausted === 'fail' ? 'fail' : 'returnBest',
		critique: Boolean(String(options.critiqueModel ?? '').trim()),
		critiqueModel: String(options.critiqueModel ?? '').trim() || undefined,
		includeHistory: options.includeHistory !== false,
		includeInput: options.includeInput !== false,
	};
}

/** The Done item for a finished loop. */
export function loopOutput(result: LoopResult, includeHistory: boolean): IDataObject {
	const best = result.best;
	return {
		text: best?.text ?? '',
		...(best?.parsed !== undefined ? { parsed: best.parsed as IDataObject } : {}),
		reward: best?.reward ?? 0,
		pass: result.pass,
		scores: (best?.breakdown ?? {}) as unknown as IDataObject,
		stopReason: result.stopReason,
		roundsUsed: result.roundsUsed,
		candidatesTried: result.candidatesTried,
		requests: result.requests,
		errors: result.errors,
		usage: result.usage as unknown as IDataObject,
		...(result.usageNote ? { usageNote: result.usageNote } : {}),
		...(includeHistory ? { history: result.history as unknown as IDataObject[], feedback: result.feedback } : {}),
		preferencePairs: result.preferencePairs as unknown as IDataObject,
	};
}

