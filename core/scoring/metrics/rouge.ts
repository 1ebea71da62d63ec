/**
 * ROUGE-1, ROUGE-2 and ROUGE-L (Lin 2004) as Google's rouge-score package computes them
 * (google-research/google-research, rouge/rouge_scorer.py, tokenize.py and scoring.py).
 *
 * Tokens (rouge-score's tokenize.py): lowercase the text, replace every run of characters other
 * than a-z and 0-9 by a space, split on white space; with the stemmer, Porter-stem each token
 * longer than 3 characters (NLTK's PorterStemmer in its default NLTK_EXTENSIONS mode, which is what
 * rouge-score constructs); drop empty tokens. So only ASCII letters and digits count: "café"
 * gives the tokens "caf", and a text in another script gives no token at all.
 *
 * ROUGE-N: with the n-gram counts of the reference and the candidate, overlap = Σ min(counts);
 * precision = overlap / candidate n-grams, recall = overlap / reference n-grams (each divisor at
 * least 1). ROUGE-L: with the length of the longest common subsequence of the two token lists,
 * precision = LCS / candidate tokens, recall = LCS / reference tokens, and all 0 when either list
 * is empty. The F-measure is 2PR / (P + R), or 0 when P + R = 0.
 *
 * Edge cases, all as rouge-score: an empty candidate, an empty reference, both empty, or texts
 * with no ASCII letter or digit score 0 in precision, recall and F-measure. Every value is in [0, 1].
 *
 * The `cjk` tokeniser (this project's, for Chinese, Japanese and Korean; rouge-score's default
 * drops them): lowercase the text, then every character of the Han, Hiragana or Katakana scripts
 * (by Unicode Script_Extensions, so "々" and "ー" count) that is a letter or a number is a token of
 * its own, and every maximal run of other letters and numbers of any script (\p{L}, \p{N}: English
 * words, digits, Hangul words, "café") is one token; everything else (punctuation, symbols, white
 * space) separates tokens. With the stemmer, tokens of ASCII letters and digits longer than 3
 * characters are Porter-stemmed as in rouge-score; other tokens are kept as they are.
 * Python equivalent (the `regex` module), used for the reference values in test/unit/metrics:
 *
 *     regex.findall(r'(?=[\p{L}\p{N}])[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]'
 *                   r'|(?:(?![\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}])[\p{L}\p{N}])+', text.lower())
 */
import { lcsLength } from './lcs';
import { internTokens, NgramIndex, ngramTotal } from './ngrams';
import { porterStem } from './porterStemmer';

export type RougeType = 'rouge1' | 'rouge2' | 'rougeL';

export interface RougeScore {
	precision: number;
	recall: number;
	fmeasure: number;
}

export const ROUGE_TOKENIZERS = ['rouge_score', 'cjk'] as const;
export type RougeTokenizer = (typeof ROUGE_TOKENIZERS)[number];

export interface RougeOptions {
	/** Porter-stem tokens longer than 3 characters, as rouge-score's `use_stemmer=True`. Default false. */
	stemmer?: boolean;
	/** Default 'rouge_score' (ASCII letters and digits only); 'cjk' is described above. */
	tokenizer?: RougeTokenizer;
}

const ROUGE_TYPES: ReadonlySet<string> = new Set<RougeType>(['rouge1', 'rouge2', 'rougeL']);
const ASCII_WORD = /[a-z0-9]+/g;
const ASCII_TOKEN = /^[a-z0-9]+$/;
const CJK_TOKEN = /(?=[\p{L}\p{N}])[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]|(?:(?![\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}])[\p{L}\p{N}])+/gu;
/** rouge-score stems only tokens longer than this. */
const LONGEST_UNSTEMMED = 3;
const ZERO: Readonly<RougeScore> = { precision: 0, recall: 0, fmeasure: 0 };

/**
 * Stems of words already seen. Stemming is a pure function of the word, and texts repeat words, so
 * this saves most of the stemming time; it is emptied when full to bound its memory.
 */
const stemCache = new Map<string, string>();
const STEM_CACHE_LIMIT = 50_000;

function cachedStem(token: string): string {
	let stem = stemCache.get(token);
	if (stem === undefined) {
		if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
		stem = porterStem(token, 'NLTK_EXTENSIONS');
		stemCache.set(token, stem);
	}
	return stem;
}

/** rouge-score's tokenisation of a text, or the `cjk` one (see above). */
export function rougeTokenize(text: string, stemmer = false, tokenizer: RougeTokenizer = 'rouge_score'): string[] {
	if (tokenizer !== 'rouge_score' && tokenizer !== 'cjk') throw new RangeError(`unknown ROUGE tokenizer ${JSON.stringify(tokenizer)}; expected rouge_score or cjk`);
	// The maximal [a-z0-9] runs of the lowercased text are exactly what rouge-score's substitute,
	// split and filter leave.
	const tokens = text.toLowerCase().match(tokenizer === 'cjk' ? CJK_TOKEN : ASCII_WORD) ?? [];
	if (!stemmer) return tokens;
	const stemmed: string[] = [];
	for (const token of tokens) {
		const stem = token.length > LONGEST_UNSTEMMED && (tokenizer === 'rouge_score' || ASCII_TOKEN.test(token)) ? cachedStem(token) : token;
		if (stem.length > 0) stemmed.push(stem);
	}
	return stemmed;
}

/** ROUGE of a candidate (the model's output) against a reference (the target), as rouge-score's RougeScorer.score(reference, candidate). */
export function rouge(reference: string, candidate: string, type: RougeType, options: RougeOptions = {}): RougeScore {
	// Callers from JavaScript or a workflow's JSON are not held to the type.
	if (!ROUGE_TYPES.has(type)) throw new RangeError(`unknown ROUGE type ${JSON.stringify(type)}; expected rouge1, rouge2 or rougeL`);
	const stemmer = options.stemmer ?? false;
	const tokenizer = options.tokenizer ?? 'rouge_score';
	return rougeFromTokens(rougeTokenize(reference, stemmer, tokenizer), rougeTokenize(candidate, stemmer, tokenizer), type);
}

/** ROUGE of token lists already made by rougeTokenize (reference first, as rouge-score). */
export function rougeFromTokens(referenceTokens: readonly string[], candidateTokens: readonly string[], type: RougeType): RougeScore {
	if (!ROUGE_TYPES.has(type)) throw new RangeError(`unknown ROUGE type ${JSON.stringify(type)}; expected rouge1, rouge2 or rougeL`);
	if (type === 'rougeL') return lcsScore(referenceTokens, candidateTokens);
	return ngramScore(referenceTokens, candidateTokens, type === 'rouge1' ? 1 : 2);
}

function fmeasure(precision: number, recall: number): number {
	return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function score(precision: number, recall: number): RougeScore {
	return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

function ngramScore(referenceTokens: readonly string[], candidateTokens: readonly string[], order: number): RougeScore {
	// Overlap = Σ over n-grams of min(reference count, candidate count): only n-grams in both count.
	const index = new NgramIndex([candidateTokens, referenceTokens], order);
	const candidateCounts = index.countNgrams(order, order);
	const referenceCounts = index.countKnownNgrams(index.sentences[1], order, order, candidateCounts);
	let overlap = 0;
	for (const id of referenceCounts.ids) overlap += Math.min(referenceCounts.counts[id], candidateCounts.counts[id]);
	const precision = overlap / Math.max(ngramTotal(candidateTokens.length, order), 1);
	const recall = overlap / Math.max(ngramTotal(referenceTokens.length, order), 1);
	return score(precision, recall);
}

function lcsScore(referenceTokens: readonly string[], candidateTokens: readonly string[]): RougeScore {
	if (referenceTokens.length === 0 || candidateTokens.length === 0) return { ...ZERO };
	const lcs = longestCommonSubsequenceLength(referenceTokens, candidateTokens);
	return score(lcs / candidateTokens.length, lcs / referenceTokens.length);
}

/** Length of the longest common subsequence of two token lists (see lcs.ts). */
export function longestCommonSubsequenceLength(first: readonly string[], second: readonly string[]): number {
	const { sentences } = internTokens([first, second]);
	return lcsLength(sentences[0], sentences[1]);
}
