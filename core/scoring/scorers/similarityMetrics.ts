/**
 * The metrics of the similarity scorer (textSimilarity.ts), one entry per metric in a table the
 * compiler checks: which options each honours, the longest text it takes, and how it scores. Not a
 * scorer itself. The definitions live in ../metrics (one file per metric, with its sources).
 *
 * Size limits: each metric takes texts (the compared input and the reference, each) of at most
 * `maxLength` UTF-16 code units (JavaScript's string length; a character outside the Basic
 * Multilingual Plane counts 2). The limits keep one score under about 100 ms on this project's
 * machine for the slowest inputs of each metric and option (bench/similarityLimits.ts; figures in
 * README); a longer text is that item's error.
 */
import { BLEU_SMOOTHINGS, BleuUndefinedError, textBleu, type BleuSmoothing } from '../metrics/bleu';
import { sentenceChrf } from '../metrics/chrf';
import { textGleu } from '../metrics/gleu';
import { fuzzyRatio } from '../metrics/levenshtein';
import { ROUGE_TOKENIZERS, rougeFromTokens, rougeTokenize, type RougeTokenizer, type RougeType } from '../metrics/rouge';
import { WORD_TOKENIZERS, type WordTokenizer } from '../metrics/tokenize';

export const ROUGE_MEASURES = ['fmeasure', 'precision', 'recall'] as const;
export type RougeMeasure = (typeof ROUGE_MEASURES)[number];

/** The options a similarity metric may take (see TextSimilarityConfig for their meaning). */
export interface MetricOptions {
	stemmer?: boolean;
	rougeTokenizer?: RougeTokenizer;
	rougeMeasure?: RougeMeasure;
	tokenizer?: WordTokenizer;
	lowercase?: boolean;
	smoothing?: BleuSmoothing;
	maxOrder?: number;
	epsSmoothing?: boolean;
}

export type MetricOption = keyof MetricOptions;

/** What a metric gives: the score (before clamping), and a note for the reason when the score needs one. */
export interface MetricOutcome {
	score: number;
	note?: string;
	/** The metric could not score these texts (the scorer reports an error, score 0). */
	undefinedReason?: string;
}

export type Measure = (input: string, reference: string) => MetricOutcome;

export interface MetricDefinition {
	options: readonly MetricOption[];
	/** Longest input or reference, in UTF-16 code units (see above). */
	maxLength: number;
	/** Checks the options (throws a message without the scorer's name) and returns the measure. */
	create(options: MetricOptions): Measure;
}

/** Metrics computed here (cosine goes to the endpoint's embeddings instead). */
export const LOCAL_METRICS = ['exact', 'fuzzy_match', 'bleu', 'gleu', 'chrf', 'chrf_pp', 'rouge_1', 'rouge_2', 'rouge_l'] as const;
export type LocalMetric = (typeof LOCAL_METRICS)[number];

export const DEFAULT_MAX_ORDER = 4;
const MAX_ORDER_LIMIT = 10;
/** Exact comparison is linear and cheap; its limit only guards memory. */
const EXACT_MAX_LENGTH = 10_000_000;
/** Metrics linear in the text length with few n-gram orders (ROUGE-1 and -2; chrF's 6 + 2). */
const LINEAR_MAX_LENGTH = 20_000;
/** BLEU and GLEU (up to 10 orders, two tokenisations deep), and the quadratic ones (edit distance, longest common subsequence). */
const SLOW_MAX_LENGTH = 10_000;

function oneOf<T extends string>(what: string, allowed: readonly T[], value: T | undefined, fallback: T): T {
	const chosen = value ?? fallback;
	if (!allowed.includes(chosen)) throw new Error(`${what} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
	return chosen;
}

function maxOrderOf(value: number | undefined): number {
	const order = value ?? DEFAULT_MAX_ORDER;
	if (!Number.isInteger(order) || order < 1 || order > MAX_ORDER_LIMIT) {
		throw new Error(`the max n-gram order must be an integer from 1 to ${MAX_ORDER_LIMIT} (got ${JSON.stringify(value)})`);
	}
	return order;
}

function flag(what: string, value: boolean | undefined): boolean {
	if (value !== undefined && typeof value !== 'boolean') throw new Error(`${what} must be true or false (got ${JSON.stringify(value)})`);
	return value ?? false;
}

/** Has the text something other than white space? */
const VISIBLE = /\S/u;
const CJK = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/u;

function rougeMetric(type: RougeType): MetricDefinition {
	return {
		options: ['stemmer', 'rougeTokenizer', 'rougeMeasure'],
		maxLength: type === 'rougeL' ? SLOW_MAX_LENGTH : LINEAR_MAX_LENGTH,
		create(options) {
			const stemmer = flag('Stem Words', options.stemmer);
			const tokenizer = oneOf('the ROUGE tokenizer', ROUGE_TOKENIZERS, options.rougeTokenizer, 'rouge_score');
			const measure = oneOf('the ROUGE measure', ROUGE_MEASURES, options.rougeMeasure, 'fmeasure');
			return (input, reference) => {
				const referenceTokens = rougeTokenize(reference, stemmer, tokenizer);
				const inputTokens = rougeTokenize(input, stemmer, tokenizer);
				const score = rougeFromTokens(referenceTokens, inputTokens, type)[measure];
				const empty = [referenceTokens.length === 0 && VISIBLE.test(reference) ? 'the reference' : '', inputTokens.length === 0 && VISIBLE.test(input) ? 'the output' : ''].filter(Boolean);
				if (empty.length === 0) return { score };
				const kept = tokenizer === 'rouge_score' ? "rouge-score's tokeniser keeps only ASCII letters and digits" : 'the CJK tokeniser keeps letters and numbers only';
				const hint = tokenizer === 'rouge_score' && (CJK.test(reference) || CJK.test(input)) ? '; for Chinese, Japanese or Korean choose the CJK tokenisation' : '';
				return { score, note: `${empty.join(' and ')} ${empty.length > 1 ? 'have' : 'has'} no token to compare (${kept})${hint}` };
			};
		},
	};
}

export const METRICS: { readonly [M in LocalMetric]: MetricDefinition } = {
	exact: {
		options: [],
		maxLength: EXACT_MAX_LENGTH,
		create: () => (input, reference) => ({ score: input === reference ? 1 : 0 }),
	},
	fuzzy_match: {
		options: [],
		maxLength: SLOW_MAX_LENGTH,
		create: () => (input, reference) => ({ score: fuzzyRatio(input, reference) }),
	},
	bleu: {
		options: ['tokenizer', 'lowercase', 'smoothing', 'maxOrder'],
		maxLength: SLOW_MAX_LENGTH,
		create(options) {
			const tokenizer = oneOf('the tokenizer', WORD_TOKENIZERS, options.tokenizer, 'words');
			const lowercase = flag('Lowercase', options.lowercase);
			const smoothing = oneOf('the BLEU smoothing', BLEU_SMOOTHINGS, options.smoothing, 'method1');
			const order = maxOrderOf(options.maxOrder);
			if (smoothing === 'method6' && order < 3) throw new Error('BLEU smoothing method6 needs a max n-gram order of at least 3');
			const weights = new Array<number>(order).fill(1 / order);
			return (input, reference) => {
				try {
					return { score: textBleu(reference, input, { weights, smoothing, tokenizer, lowercase }) };
				} catch (error) {
					if (error instanceof BleuUndefinedError) return { score: 0, undefinedReason: error.message };
					throw error;
				}
			};
		},
	},
	gleu: {
		options: ['tokenizer', 'lowercase', 'maxOrder'],
		maxLength: SLOW_MAX_LENGTH,
		create(options) {
			const tokenizer = oneOf('the tokenizer', WORD_TOKENIZERS, options.tokenizer, 'words');
			const lowercase = flag('Lowercase', options.lowercase);
			const order = maxOrderOf(options.maxOrder);
			return (input, reference) => ({ score: textGleu(reference, input, 1, order, { tokenizer, lowercase }) });
		},
	},
	chrf: chrfMetric(0),
	chrf_pp: chrfMetric(2),
	rouge_1: rougeMetric('rouge1'),
	rouge_2: rougeMetric('rouge2'),
	rouge_l: rougeMetric('rougeL'),
};

function chrfMetric(wordOrder: number): MetricDefinition {
	return {
		options: ['lowercase', 'epsSmoothing'],
		maxLength: LINEAR_MAX_LENGTH,
		create(options) {
			const lowercase = flag('Lowercase', options.lowercase);
			const epsSmoothing = flag('Epsilon Smoothing', options.epsSmoothing);
			return (input, reference) => ({ score: sentenceChrf(input, [reference], { charOrder: 6, wordOrder, beta: 2, lowercase, epsSmoothing }) });
		},
	};
}

/** Every option any metric takes, for telling an unknown option from one that applies elsewhere. */
export const ALL_METRIC_OPTIONS: ReadonlySet<string> = new Set(Object.values(METRICS).flatMap((metric) => metric.options));

/** The metrics that honour an option, for error messages. */
export function metricsWithOption(option: string): LocalMetric[] {
	return LOCAL_METRICS.filter((metric) => (METRICS[metric].options as readonly string[]).includes(option));
}
