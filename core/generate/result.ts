import type { ChatCompletion } from 'openai/resources/chat/completions';
import { describeViolations, validateJsonSchema } from '../json/validateJsonSchema';
import type { ResponseFormat } from './options';

export interface TokenLogprob {
	token: string;
	logprob: number;
	topLogprobs?: Array<{ token: string; logprob: number }>;
}

export interface Candidate {
	index: number;
	text: string;
	finishReason: string | null;
	parsed?: unknown;
	/** Why this candidate's JSON is unusable (with n > 1 the item fails only if none is usable). */
	error?: string;
	meanLogprob?: number;
	perplexity?: number;
	logprobs?: TokenLogprob[];
}

export interface TokenUsage {
	promptTokens: number;
	completionTokens: number;
	totalTokens: number;
	cachedTokens: number;
	reasoningTokens: number;
}

export const emptyUsage = (): TokenUsage => ({ promptTokens: 0, completionTokens: 0, totalTokens: 0, cachedTokens: 0, reasoningTokens: 0 });

/** Adds `usage` into `total`, field by field. */
export function addUsage(total: TokenUsage, usage: TokenUsage | undefined): void {
	if (!usage) return;
	total.promptTokens += usage.promptTokens;
	total.completionTokens += usage.completionTokens;
	total.totalTokens += usage.totalTokens;
	total.cachedTokens += usage.cachedTokens;
	total.reasoningTokens += usage.reasoningTokens;
}

export interface GenerateResult {
	text: string;
	parsed?: unknown;
	candidates?: Candidate[];
	meanLogprob?: number;
	perplexity?: number;
	logprobs?: TokenLogprob[];
	finishReason: string | null;
	model: string;
	usage: TokenUsage;
	latencyMs: number;
	attempts: number;
}

/** Model output that cannot be used: not JSON, or JSON that breaks the schema. Never retried. */
export class OutputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'OutputError';
	}
}

const FENCE = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/;

export function parseJsonOutput(text: string, format: ResponseFormat): unknown {
	const body = FENCE.exec(text)?.[1] ?? text;
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch (error) {
		throw new OutputError(`the model's answer is not valid JSON (${(error as Error).message})`);
	}
	if (format.type === 'json_schema') {
		const violations = validateJsonSchema(parsed, format.schema);
		if (violations.length > 0) {
			throw new OutputError(`the model's answer does not match the JSON schema "${format.name}": ${describeViolations(violations)}`);
		}
	}
	return parsed;
}

/** Mean token logprob and perplexity = exp(-mean): how sure the model was of its own answer. */
export function logprobStats(tokens: TokenLogprob[]): { meanLogprob: number; perplexity: number } | undefined {
	if (tokens.length === 0) return undefined;
	const meanLogprob = tokens.reduce((sum, t) => sum + t.logprob, 0) / tokens.length;
	return { meanLogprob, perplexity: Math.exp(-meanLogprob) };
}

function toCandidate(choice: ChatCompletion.Choice, format: ResponseFormat | undefined): Candidate {
	const text = choice.message?.content ?? choice.message?.refusal ?? '';
	const candidate: Candidate = { index: choice.index, text, finishReason: choice.finish_reason ?? null };
	if (format && format.type !== 'text') {
		try {
			candidate.parsed = parseJsonOutput(text, format);
		} catch (error) {
			candidate.error = (error as Error).message;
		}
	}
	const content = choice.logprobs?.content;
	if (content && content.length > 0) {
		candidate.logprobs = content.map((t) => ({
			token: t.token,
			logprob: t.logprob,
			...(t.top_logprobs?.length ? { topLogprobs: t.top_logprobs.map((top) => ({ token: top.token, logprob: top.logprob })) } : {}),
		}));
		Object.assign(candidate, logprobStats(candidate.logprobs));
	}
	return candidate;
}

export function readUsage(completion: ChatCompletion): TokenUsage {
	const usage = completion.usage;
	return {
		promptTokens: usage?.prompt_tokens ?? 0,
		completionTokens: usage?.completion_tokens ?? 0,
		totalTokens: usage?.total_tokens ?? (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0),
		cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
		reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
	};
}

/**
 * Turns a completion into the node's output. The top-level fields describe the first usable
 * candidate; with several candidates they are all listed, each with its own text and scores.
 */
export function toGenerateResult(
	completion: ChatCompletion,
	format: ResponseFormat | undefined,
	latencyMs: number,
	attempts: number,
): GenerateResult {
	const choices = [...(completion.choices ?? [])].sort((a, b) => a.index - b.index);
	if (choices.length === 0) throw new OutputError('the server answered without any choice');
	const candidates = choices.map((choice) => toCandidate(choice, format));
	const best = candidates.find((c) => c.error === undefined);
	if (!best) throw new OutputError(candidates[0].error ?? 'no usable answer');
	const result: GenerateResult = {
		text: best.text,
		...(best.parsed !== undefined ? { parsed: best.parsed } : {}),
		...(best.logprobs ? { meanLogprob: best.meanLogprob, perplexity: best.perplexity, logprobs: best.logprobs } : {}),
		finishReason: best.finishReason,
		model: completion.model,
		usage: readUsage(completion),
		latencyMs,
		attempts,
	};
	if (candidates.length > 1) result.candidates = candidates;
	return result;
}
