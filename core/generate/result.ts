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
	/** Why this candidate is unusable: a refusal, or JSON that breaks the format (with n > 1 the item fails only if none is usable). */
	error?: string;
	/** The model's refusal (`message.refusal` with no content): reported as such, never as the answer's text. */
	refusal?: string;
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
	/** Why `usage` cannot be right (a server that counts one choice when n > 1); `estimatedUsage` is used instead. */
	usageNote?: string;
	/** With `usageNote`: the usage with the completion tokens estimated from the choices' text. */
	estimatedUsage?: TokenUsage;
}

/** Model output that cannot be used: a refusal, not JSON, or JSON that breaks the schema. Never retried. */
export class OutputError extends Error {
	constructor(
		message: string,
		/**
		 * The answer that had no usable candidate, when there was one: its candidates and the tokens it
		 * cost (estimated, with `usageNote`, when the server's count cannot be right).
		 */
		readonly answer?: { candidates: Candidate[]; usage: TokenUsage; usageNote?: string },
	) {
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

function toCandidate(choice: ChatCompletion.Choice, position: number, format: ResponseFormat | undefined): Candidate {
	const text = choice.message?.content ?? '';
	const refusal = choice.message?.refusal;
	const candidate: Candidate = { index: choice.index ?? position, text, finishReason: choice.finish_reason ?? null };
	if (typeof refusal === 'string' && refusal !== '' && !text) {
		candidate.refusal = refusal;
		candidate.error = `the model refused: ${refusal}`;
	} else if (format && format.type !== 'text') {
		try {
			const parsed = parseJsonOutput(text, format);
			// "JSON Object" means an object: `"He,"`, 42 or [1] is JSON, but not what the format promises.
			if (format.type === 'json_object' && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))) {
				throw new OutputError(`the model's answer is JSON but not a JSON object (it is ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`})`);
			}
			candidate.parsed = parsed;
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

/** At most this many characters per token: a count below the choices' text / 8 cannot be right. */
const MAX_CHARACTERS_PER_TOKEN = 8;
/** The usual estimate (OpenAI's rule of thumb), used in place of a count that cannot be right. */
const CHARACTERS_PER_TOKEN = 4;

/**
 * Whether the server's completion tokens can be right for the choices it sent. llama.cpp counts the
 * tokens of one choice when n > 1, so the usage, n8n's token usage and a loop's token budget come
 * out about n times too low. The rule: with two or more choices that have text, the completion
 * tokens must cover at least the tokens of their text, that is each choice's logprob tokens when the
 * server sent them (an exact count), else its characters / 8 (no tokenizer averages more than 8
 * characters a token over a text). A count below that is flagged, and the completion tokens are
 * estimated instead: the logprob tokens, else characters / 4. A single choice, or an answer without
 * a usage count, is taken as it is.
 */
export function checkUsage(candidates: Candidate[], usage: TokenUsage, reported: boolean): { usageNote: string; estimatedUsage: TokenUsage } | undefined {
	const withText = candidates.filter((c) => c.text.length > 0 || (c.refusal?.length ?? 0) > 0);
	if (!reported || withText.length < 2) return undefined;
	let least = 0;
	let estimate = 0;
	for (const c of withText) {
		const characters = c.text.length || (c.refusal?.length ?? 0);
		least += c.logprobs?.length ?? Math.ceil(characters / MAX_CHARACTERS_PER_TOKEN);
		estimate += c.logprobs?.length ?? Math.ceil(characters / CHARACTERS_PER_TOKEN);
	}
	if (usage.completionTokens >= least) return undefined;
	const completionTokens = Math.max(usage.completionTokens, estimate + usage.reasoningTokens);
	return {
		usageNote:
			`the server counted ${usage.completionTokens} completion tokens for ${withText.length} choices whose text alone is at least ${least} tokens ` +
			`(some servers, llama.cpp among them, count one choice when n > 1); ${completionTokens} estimated from the text are used for the token budget and n8n's token usage`,
		estimatedUsage: { ...usage, completionTokens, totalTokens: usage.promptTokens + completionTokens },
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
	const candidates = (completion.choices ?? []).map((choice, position) => toCandidate(choice, position, format)).sort((a, b) => a.index - b.index);
	if (candidates.length === 0) throw new OutputError('the server answered without any choice');
	const usage = readUsage(completion);
	const usageCheck = checkUsage(candidates, usage, typeof completion.usage?.completion_tokens === 'number');
	const best = candidates.find((c) => c.error === undefined);
	if (!best) {
		throw new OutputError(candidates[0].error ?? 'no usable answer', {
			candidates,
			usage: usageCheck?.estimatedUsage ?? usage,
			...(usageCheck ? { usageNote: usageCheck.usageNote } : {}),
		});
	}
	const result: GenerateResult = {
		text: best.text,
		...(best.parsed !== undefined ? { parsed: best.parsed } : {}),
		...(best.logprobs ? { meanLogprob: best.meanLogprob, perplexity: best.perplexity, logprobs: best.logprobs } : {}),
		finishReason: best.finishReason,
		model: completion.model ?? '',
		usage,
		...(usageCheck ?? {}),
		latencyMs,
		attempts,
	};
	if (candidates.length > 1) result.candidates = candidates;
	return result;
}
