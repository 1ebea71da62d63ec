/**
 * Sentence GLEU (Wu et al. 2016, Google's neural machine translation paper), computed as NLTK 3.8's
 * `nltk.translate.gleu_score.sentence_gleu` computes it.
 *
 * For each reference: collect all n-grams of orders minLen..maxLen of the hypothesis and of the
 * reference; tp is the number of n-grams they share (counted with multiplicity: the smaller of
 * the two counts), and the reference's score is tp / max(hypothesis n-grams, reference n-grams),
 * i.e. min(precision, recall). GLEU is the best score over the references (the first on a tie).
 * References for which both counts are 0 are skipped; when every reference is skipped, or there is
 * no reference, GLEU is 0 (NLTK returns 0.0 there too, no error). So an empty hypothesis scores 0,
 * an empty reference scores 0, and two empty texts score 0. GLEU is always in [0, 1], and with one
 * reference it is symmetric.
 *
 * minLen and maxLen must be integers with 1 ≤ minLen ≤ maxLen; otherwise a RangeError is thrown
 * (NLTK would quietly count no n-gram, or empty ones).
 */
import { NgramIndex, ngramTotal } from './ngrams';
import { tokenizeText, type TokenizeOptions } from './tokenize';

/** GLEU of a tokenised hypothesis against tokenised references, equal to NLTK's sentence_gleu. */
export function sentenceGleu(references: readonly (readonly string[])[], hypothesis: readonly string[], minLen = 1, maxLen = 4): number {
	if (!Number.isInteger(minLen) || !Number.isInteger(maxLen) || minLen < 1 || maxLen < minLen) {
		throw new RangeError(`GLEU needs integer n-gram lengths with 1 ≤ minLen ≤ maxLen (got ${minLen}, ${maxLen})`);
	}
	const index = new NgramIndex([hypothesis, ...references], maxLen);
	const hypothesisCounts = index.countNgrams(minLen, maxLen);
	const hypothesisTotal = everygramTotal(hypothesis.length, minLen, maxLen);

	let bestMatches = 0;
	let bestTotal = 0;
	for (let reference = 1; reference < index.sentences.length; reference++) {
		const sentence = index.sentences[reference];
		const total = Math.max(hypothesisTotal, everygramTotal(sentence.length, minLen, maxLen));
		if (total === 0) continue;
		const { ids, counts } = index.countKnownNgrams(sentence, minLen, maxLen, hypothesisCounts);
		let matches = 0;
		for (const id of ids) matches += Math.min(counts[id], hypothesisCounts.counts[id]);
		// Strictly greater keeps the first of equal ratios, as Python's max() does.
		if (bestTotal === 0 || matches / total > bestMatches / bestTotal) {
			bestMatches = matches;
			bestTotal = total;
		}
	}
	return bestTotal === 0 ? 0 : bestMatches / bestTotal;
}

/** GLEU of texts, each split by tokenize.ts's tokenizeText; a single reference may be given as a string. */
export function textGleu(reference: string | readonly string[], hypothesis: string, minLen = 1, maxLen = 4, options: TokenizeOptions = {}): number {
	const references = typeof reference === 'string' ? [reference] : reference;
	const split = (text: string) => tokenizeText(text, options);
	return sentenceGleu(references.map(split), split(hypothesis), minLen, maxLen);
}

/** Number of n-grams of all orders minLen..maxLen in a sentence of `length` tokens. */
function everygramTotal(length: number, minLen: number, maxLen: number): number {
	let total = 0;
	for (let order = minLen; order <= maxLen; order++) total += ngramTotal(length, order);
	return total;
}
