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
 */
import { porterStem } from './porterStemmer';

export type RougeType = 'rouge1' | 'rouge2' | 'rougeL';

export interface RougeScore {
	precision: number;
	recall: number;
	fmeasure: number;
}

export interface RougeOptions {
	/** Porter-stem tokens longer than 3 characters, as rouge-score's `use_stemmer=True`. Default false. */
	stemmer?: boolean;
}

const ROUGE_TYPES: ReadonlySet<string> = new Set<RougeType>(['rouge1', 'rouge2', 'rougeL']);
const ASCII_WORD = /[a-z0-9]+/g;
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

/** rouge-score's tokenisation of a text (see above). */
export function rougeTokenize(text: string, stemmer = false): string[] {
	// The maximal [a-z0-9] runs of the lowercased text are exactly what rouge-score's substitute,
	// split and filter leave.
	const tokens = text.toLowerCase().match(ASCII_WORD) ?? [];
	if (!stemmer) return tokens;
	const stemmed: string[] = [];
	for (const token of tokens) {
		const stem = token.length > LONGEST_UNSTEMMED ? cachedStem(token) : token;
		if (stem.length > 0) stemmed.push(stem);
	}
	return stemmed;
}

/** ROUGE of a candidate (the model's output) against a reference (the target), as rouge-score's RougeScorer.score(reference, candidate). */
export function rouge(reference: string, candidate: string, type: RougeType, options: RougeOptions = {}): RougeScore {
	// Callers from JavaScript or a workflow's JSON are not held to the type.
	if (!ROUGE_TYPES.has(type)) throw new RangeError(`unknown ROUGE type ${JSON.stringify(type)}; expected rouge1, rouge2 or rougeL`);
	const stemmer = options.stemmer ?? false;
	const referenceTokens = rougeTokenize(reference, stemmer);
	const candidateTokens = rougeTokenize(candidate, stemmer);
	if (type === 'rougeL') return lcsScore(referenceTokens, candidateTokens);
	return ngramScore(referenceTokens, candidateTokens, type === 'rouge1' ? 1 : 2);
}

function fmeasure(precision: number, recall: number): number {
	return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function score(precision: number, recall: number): RougeScore {
	return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Counts of the n-grams of a token list; tokens are [a-z0-9]+, so a space joins them without ambiguity. */
function ngramCounts(tokens: readonly string[], order: number): Map<string, number> {
	const counts = new Map<string, number>();
	for (let start = 0; start + order <= tokens.length; start++) {
		const key = order === 1 ? tokens[start] : tokens.slice(start, start + order).join(' ');
		counts.set(key, (counts.get(key) ?? 0) + 1);
	}
	return counts;
}

function ngramScore(referenceTokens: readonly string[], candidateTokens: readonly string[], order: number): RougeScore {
	const referenceCounts = ngramCounts(referenceTokens, order);
	const candidateCounts = ngramCounts(candidateTokens, order);
	let overlap = 0;
	for (const [ngram, count] of referenceCounts) overlap += Math.min(count, candidateCounts.get(ngram) ?? 0);
	const referenceTotal = Math.max(0, referenceTokens.length - order + 1);
	const candidateTotal = Math.max(0, candidateTokens.length - order + 1);
	return score(overlap / Math.max(candidateTotal, 1), overlap / Math.max(referenceTotal, 1));
}

function lcsScore(referenceTokens: readonly string[], candidateTokens: readonly string[]): RougeScore {
	if (referenceTokens.length === 0 || candidateTokens.length === 0) return { ...ZERO };
	const lcs = longestCommonSubsequenceLength(referenceTokens, candidateTokens);
	return score(lcs / candidateTokens.length, lcs / referenceTokens.length);
}

/** Length of the longest common subsequence of two token lists. O(n·m) time, O(min(n, m)) memory. */
export function longestCommonSubsequenceLength(first: readonly string[], second: readonly string[]): number {
	const [longer, shorter] = first.length >= second.length ? [first, second] : [second, first];
	// Integers compare faster than strings in the n·m inner loop.
	const ids = new Map<string, number>();
	const toIds = (tokens: readonly string[]) => {
		const result = new Int32Array(tokens.length);
		for (let index = 0; index < tokens.length; index++) {
			let id = ids.get(tokens[index]);
			if (id === undefined) {
				id = ids.size;
				ids.set(tokens[index], id);
			}
			result[index] = id;
		}
		return result;
	};
	const rowTokens = toIds(longer);
	const columnTokens = toIds(shorter);
	// row[j] is the LCS length of the rows seen so far and the first j column tokens.
	const row = new Int32Array(columnTokens.length + 1);
	for (let rowIndex = 0; rowIndex < rowTokens.length; rowIndex++) {
		const token = rowTokens[rowIndex];
		let diagonal = 0;
		for (let column = 1; column <= columnTokens.length; column++) {
			const above = row[column];
			if (columnTokens[column - 1] === token) row[column] = diagonal + 1;
			else if (row[column - 1] > above) row[column] = row[column - 1];
			diagonal = above;
		}
	}
	return row[columnTokens.length];
}
