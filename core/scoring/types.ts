/**
 * The scoring core: a scorer turns one sample (a model's output) and its item into a score in
 * [0, 1], a pass flag and a reason. Scorers are plain TypeScript, one per file under scorers/,
 * created from a config through the registry.
 */
import type { TokenUsage } from '../generate/result';

/** What is scored: a model's output, as Generate Text emits it. */
export interface Sample {
	/** OpenAI graders' `sample.output_text`. */
	outputText: string;
	/** OpenAI graders' `sample.output_json`: the output parsed as JSON, when it is JSON. */
	outputJson?: unknown;
	/** Perplexity of the output from Generate Text's logprobs, when present. */
	perplexity?: number;
	/** All candidates of the item (including outputText), for judges that compare them. */
	candidates?: string[];
	/** outputText's position in `candidates`, when known (a loop round): tells equal texts apart. */
	candidateIndex?: number;
}

/** Model access for judges and embeddings, on the node's credential and transport. */
export interface ModelServices {
	chat(body: Record<string, unknown>, signal?: AbortSignal): Promise<ChatAnswer>;
	embed(model: string, input: string[], signal?: AbortSignal): Promise<EmbeddingAnswer>;
}

export interface ChatAnswer {
	text: string;
	usage: TokenUsage;
	/** The model's refusal (`message.refusal`), when it refused instead of answering. */
	refusal?: string;
}

export interface EmbeddingAnswer {
	vectors: number[][];
	usage: TokenUsage;
}

export interface ScoreContext {
	/** The input item's fields: OpenAI graders' `item`. */
	item: Record<string, unknown>;
	signal?: AbortSignal;
	/** Present where the node has a credential; scorers that need a model fail without it. */
	models?: ModelServices;
	/** Random numbers in [0, 1), injectable so that judges' shuffles are testable. */
	random?: () => number;
	/** Per-item numbers the node computed for custom scorers (from n8n expressions), by scorer name. */
	customValues?: Record<string, unknown>;
	/**
	 * Judgements shared by the samples of one candidate set (a loop round, or Score Output's items
	 * with the same candidates): a judge that compares candidates is asked once per set. See
	 * judges/candidateSet.ts.
	 */
	setJudgements?: Map<string, Promise<unknown>>;
}

export interface ScoreResult {
	/** In [0, 1]. */
	score: number;
	pass: boolean;
	/** One line a person can read: why this score. */
	reason: string;
	details?: Record<string, unknown>;
	/** True when the scorer could not score (a judge that answered badly, a broken schema); the score is then 0. A bad output is an ordinary fail. */
	error?: boolean;
	/** Tokens a judge or an embedding call used. */
	usage?: TokenUsage;
}

export interface Scorer {
	/** The scorer's name within a node: the key in the breakdown and in formulas. */
	readonly name: string;
	readonly type: string;
	score(sample: Sample, context: ScoreContext): ScoreResult | Promise<ScoreResult>;
}

/** Every rule can be negated: a negated rule passes where the plain one fails. */
export interface NegatableConfig {
	negate?: boolean;
}

export interface CaseConfig {
	/** Default false: comparisons ignore case unless asked. */
	caseSensitive?: boolean;
}

/** For graded scorers (similarity, judges): pass when score >= passThreshold. */
export interface GradedConfig {
	passThreshold?: number;
}

export const clamp01 = (value: number): number => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);

/** A failed scorer: score 0, not passing, flagged as an error. */
export function scoreError(reason: string, details?: Record<string, unknown>): ScoreResult {
	return { score: 0, pass: false, reason, error: true, ...(details ? { details } : {}) };
}

/** A binary rule's result, with negation applied. */
export function ruleResult(matched: boolean, negate: boolean | undefined, reason: string, details?: Record<string, unknown>): ScoreResult {
	const pass = negate ? !matched : matched;
	return { score: pass ? 1 : 0, pass, reason: negate ? `not: ${reason}` : reason, ...(details ? { details } : {}) };
}
