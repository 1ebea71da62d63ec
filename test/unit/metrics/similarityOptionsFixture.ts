/**
 * The reference values of reference/similarity_options.py (NLTK 3.8 from Debian's python3-nltk,
 * Python 3.11, the `regex` module), shared by similarityOptions.test.ts, chrf.test.ts and
 * rougeCjk.test.ts:
 *
 *     /usr/bin/python3 test/unit/metrics/reference/similarity_options.py > test/unit/metrics/fixtures/similarity_options.json
 *
 * The script checks its own tokenisers and chrF against sacrebleu's published figures before it
 * prints anything (see its docstring).
 */
import type { RougeScore, RougeTokenizer } from '../../../core/scoring/metrics/rouge';
import type { WordTokenizer } from '../../../core/scoring/metrics/tokenize';
import rawFixture from './fixtures/similarity_options.json';

export const NLTK_SMOOTHINGS = ['method0', 'method1', 'method2', 'method3', 'method4', 'method5', 'method6', 'method7'] as const;
export type NltkSmoothing = (typeof NLTK_SMOOTHINGS)[number];

export interface Tokenization {
	tokenizer: WordTokenizer;
	lowercase: boolean;
	referenceTokens: string[][];
	hypothesisTokens: string[];
	/** NLTK's sentence_bleu, BLEU-4; null where NLTK raises (method6 without a matching 3-gram). */
	bleu: Record<NltkSmoothing, number | null>;
	/** NLTK's sentence_gleu with min_len 1, by max_len. */
	gleu: Record<string, number>;
	/** BLEU-N with uniform weights, by N; for words, 13a and zh without lowercasing. */
	bleuByOrder?: Record<string, Record<NltkSmoothing, number | null>>;
}

export interface OptionCase {
	name: string;
	language: 'en' | 'ro' | 'zh' | 'ja';
	references: string[];
	hypothesis: string;
	tokenizations: Tokenization[];
}

export interface ChrfCase {
	case: string;
	wordOrder: number;
	lowercase: boolean;
	epsSmoothing: boolean;
	/** sacrebleu's definition, in [0, 1]. */
	value: number;
}

export interface RougeCase {
	name: string;
	tokenizer: RougeTokenizer;
	reference: string;
	candidate: string;
	referenceTokens: string[];
	candidateTokens: string[];
	scores: Record<'rouge1' | 'rouge2' | 'rougeL', RougeScore>;
}

export interface SimilarityOptionsFixture {
	nltk: string;
	python: string;
	unicode: string;
	/** NLTK's corpus_bleu of sacrebleu's test_bleu.py corpus with whitespace tokens. */
	sacrebleuCorpusWhitespaceNltk: number;
	/** The code points sacrebleu's zh tokeniser takes for Chinese characters, as [first, last] ranges. */
	zhRanges: [number, number][];
	cases: OptionCase[];
	chrf: ChrfCase[];
	rouge: RougeCase[];
}

export const fixture = rawFixture as unknown as SimilarityOptionsFixture;

export function findOptionCase(name: string): OptionCase {
	const found = fixture.cases.find((candidate) => candidate.name === name);
	if (found === undefined) throw new Error(`no reference case ${name}`);
	return found;
}
