/**
 * Sentence BLEU, computed as NLTK 3.8's `nltk.translate.bleu_score.sentence_bleu` computes it
 * (Papineni et al. 2002, with the smoothing methods of Chen and Cherry 2014):
 *
 *   BLEU = BP · exp(Σₙ wₙ · log pₙ), the sum over the orders n = 1..weights.length whose
 *   (smoothed) precision pₙ is above 0.
 *
 * - pₙ is the modified precision: each hypothesis n-gram counts at most as often as it appears in
 *   the reference where it appears most (clipping), divided by the number of hypothesis n-grams
 *   (at least 1, so a hypothesis shorter than n has pₙ = 0/1).
 * - BP, the brevity penalty, is 1 when the hypothesis is longer than the closest reference length r
 *   (the reference length nearest the hypothesis length c, the shorter one on a tie), else
 *   exp(1 − r / c).
 * - When no unigram matches (this includes an empty hypothesis), BLEU is 0 whatever the smoothing.
 * - Without smoothing ('none', NLTK's method0) a zero precision is replaced by the smallest normal
 *   double, 2.2250738585072014e-308 (Python's sys.float_info.min), so NLTK's score is not exactly 0
 *   but a factor of about 1e-77 per missing order at weight 0.25: this module returns the same
 *   tiny number.
 * - Smoothing (SmoothingFunction with NLTK's defaults epsilon 0.1, k 5):
 *   method1 replaces a zero precision by epsilon / (number of hypothesis n-grams);
 *   method2 adds 1 to numerator and denominator of every order above 1;
 *   method3 replaces the k-th zero precision by 1 / (2^k · number of n-grams);
 *   method4 replaces the k-th zero precision by ln(c) / (2^k · 5) / (number of n-grams), and only
 *   when c > 1 (for a one-token hypothesis the zero orders are left out of the sum);
 *   method7 applies method4, then method5, which averages each precision with its neighbours
 *   (the previous smoothed one, or p₁ + 1 before the first; the next one, or the 5-gram precision
 *   after the last). Method5's averaging can lift a precision above 1, so for (nearly) identical
 *   texts method7 gives more than 1 (1.1167 for an identical 7-token sentence): NLTK does, and
 *   this value is kept so that it matches NLTK; a reward should clamp it.
 *
 * Every other result is in [0, 1] (the weights must be non-negative). A RangeError is thrown where
 * NLTK raises (no reference at all, empty weights) and for what NLTK does not check (negative or
 * non-finite weights, an epsilon that is not a positive number, an unknown smoothing name). One
 * empty reference is valid (it matches nothing: BLEU 0). An empty hypothesis scores 0, so two empty
 * texts score 0, as in NLTK. NLTK's auto_reweigh (off by default) and corpus_bleu are not offered.
 */
import { NgramIndex, ngramTotal } from './ngrams';
import { tokenize } from './tokenize';

export type BleuSmoothing = 'none' | 'method1' | 'method2' | 'method3' | 'method4' | 'method7';

export interface BleuOptions {
	/** Weights of the 1-gram, 2-gram, … precisions; default (0.25, 0.25, 0.25, 0.25), BLEU-4. */
	weights?: readonly number[];
	/** Default 'method1', with which no order's zero precision sends the score to (nearly) 0. */
	smoothing?: BleuSmoothing;
	/** method1's count for a zero precision; default 0.1 as in NLTK. */
	epsilon?: number;
}

const SMOOTHINGS: ReadonlySet<string> = new Set<BleuSmoothing>(['none', 'method1', 'method2', 'method3', 'method4', 'method7']);
const DEFAULT_WEIGHTS: readonly number[] = [0.25, 0.25, 0.25, 0.25];
const DEFAULT_EPSILON = 0.1;
/** NLTK's SmoothingFunction k, used by method4 (and so method7). */
const METHOD4_K = 5;
/** Python's sys.float_info.min, what NLTK's method0 puts in place of a zero precision. */
const SMALLEST_NORMAL_DOUBLE = 2.2250738585072014e-308;
/** Method5 (inside method7) always looks at the 5-gram precision after the last order, whatever the weights. */
const METHOD5_NEXT_ORDER = 5;

/** A modified precision as NLTK keeps it: an unreduced fraction, whose parts the smoothing methods use. */
interface Precision {
	numerator: number;
	denominator: number;
}

/**
 * Sentence BLEU of a tokenised hypothesis against one or more tokenised references, equal to NLTK's
 * `sentence_bleu(references, hypothesis, weights, smoothing_function=SmoothingFunction(epsilon).<method>)`.
 */
export function sentenceBleu(references: readonly (readonly string[])[], hypothesis: readonly string[], options: BleuOptions = {}): number {
	const weights = options.weights ?? DEFAULT_WEIGHTS;
	const smoothing = options.smoothing ?? 'method1';
	const epsilon = options.epsilon ?? DEFAULT_EPSILON;
	if (references.length === 0) throw new RangeError('BLEU needs at least one reference');
	// Callers from JavaScript or a workflow's JSON are not held to the type.
	if (!SMOOTHINGS.has(smoothing)) throw new RangeError(`unknown BLEU smoothing ${JSON.stringify(smoothing)}`);
	if (weights.length === 0) throw new RangeError('BLEU needs at least one weight');
	if (!weights.every((weight) => Number.isFinite(weight) && weight >= 0)) throw new RangeError('BLEU weights must be finite and non-negative');
	if (!(Number.isFinite(epsilon) && epsilon > 0)) throw new RangeError('BLEU epsilon must be a positive number');

	const orders = weights.length;
	const countedOrders = smoothing === 'method7' ? Math.max(orders, METHOD5_NEXT_ORDER) : orders;
	const numerators = clippedMatches(references, hypothesis, countedOrders);
	if (numerators[1] === 0) return 0;

	const hypothesisLength = hypothesis.length;
	const precisionOf = (order: number): Precision => ({
		numerator: numerators[order],
		denominator: Math.max(1, ngramTotal(hypothesisLength, order)),
	});
	const precisions: Precision[] = [];
	for (let order = 1; order <= orders; order++) precisions.push(precisionOf(order));
	const smoothed = smooth(smoothing, precisions, hypothesisLength, epsilon, () => precisionOf(METHOD5_NEXT_ORDER));

	let logSum = 0;
	for (let index = 0; index < orders; index++) {
		if (smoothed[index] > 0) logSum += weights[index] * Math.log(smoothed[index]);
	}
	return brevityPenalty(closestReferenceLength(references, hypothesisLength), hypothesisLength) * Math.exp(logSum);
}

/** BLEU of texts, each split by tokenize.ts; a single reference may be given as a string. */
export function textBleu(reference: string | readonly string[], hypothesis: string, options?: BleuOptions): number {
	const references = typeof reference === 'string' ? [reference] : reference;
	return sentenceBleu(references.map(tokenize), tokenize(hypothesis), options);
}

/**
 * For each order 1..maxOrder, the clipped number of hypothesis n-grams found in the references
 * (index 0 unused): each n-gram counts at most its largest count in any one reference.
 */
function clippedMatches(references: readonly (readonly string[])[], hypothesis: readonly string[], maxOrder: number): number[] {
	const index = new NgramIndex([hypothesis, ...references], maxOrder);
	const hypothesisCounts = index.countNgrams(1, maxOrder);
	const largestReferenceCounts = new Int32Array(hypothesisCounts.idLimit);
	for (let reference = 1; reference < index.sentences.length; reference++) {
		const { ids, counts } = index.countKnownNgrams(index.sentences[reference], 1, maxOrder, hypothesisCounts);
		for (const id of ids) largestReferenceCounts[id] = Math.max(largestReferenceCounts[id], counts[id]);
	}
	const matches = new Array<number>(maxOrder + 1).fill(0);
	for (const id of hypothesisCounts.ids) {
		matches[hypothesisCounts.orders[id]] += Math.min(hypothesisCounts.counts[id], largestReferenceCounts[id]);
	}
	return matches;
}

/** NLTK's closest_ref_length: the reference length nearest the hypothesis length, the shorter on a tie. */
function closestReferenceLength(references: readonly (readonly string[])[], hypothesisLength: number): number {
	let closest = references[0].length;
	for (const reference of references) {
		const gap = Math.abs(reference.length - hypothesisLength);
		const closestGap = Math.abs(closest - hypothesisLength);
		if (gap < closestGap || (gap === closestGap && reference.length < closest)) closest = reference.length;
	}
	return closest;
}

function brevityPenalty(closestLength: number, hypothesisLength: number): number {
	if (hypothesisLength > closestLength) return 1;
	if (hypothesisLength === 0) return 0;
	return Math.exp(1 - closestLength / hypothesisLength);
}

function precisionValue({ numerator, denominator }: Precision): number {
	return numerator / denominator;
}

/** The precisions as numbers after NLTK's SmoothingFunction method of that name; 0 means "left out of the sum". */
function smooth(
	smoothing: BleuSmoothing,
	precisions: readonly Precision[],
	hypothesisLength: number,
	epsilon: number,
	nextOrderPrecision: () => Precision,
): number[] {
	switch (smoothing) {
		case 'none':
			return precisions.map((precision) => (precision.numerator !== 0 ? precisionValue(precision) : SMALLEST_NORMAL_DOUBLE));
		case 'method1':
			return precisions.map((precision) => (precision.numerator !== 0 ? precisionValue(precision) : epsilon / precision.denominator));
		case 'method2':
			return precisions.map((precision, index) =>
				index === 0 ? precisionValue(precision) : (precision.numerator + 1) / (precision.denominator + 1),
			);
		case 'method3': {
			let zeroOrders = 0;
			return precisions.map((precision) => {
				if (precision.numerator !== 0) return precisionValue(precision);
				zeroOrders++;
				return 1 / (2 ** zeroOrders * precision.denominator);
			});
		}
		case 'method4':
			return method4(precisions, hypothesisLength);
		case 'method7':
			return method5(method4(precisions, hypothesisLength), precisionValue(nextOrderPrecision()));
	}
}

function method4(precisions: readonly Precision[], hypothesisLength: number): number[] {
	let zeroOrders = 0;
	return precisions.map((precision) => {
		if (precision.numerator !== 0 || hypothesisLength <= 1) return precisionValue(precision);
		zeroOrders++;
		// Same operation order as NLTK, for the same rounding: 1 / (2^k · K / ln c), then / denominator.
		const smoothedCount = 1 / ((2 ** zeroOrders * METHOD4_K) / Math.log(hypothesisLength));
		return smoothedCount / precision.denominator;
	});
}

/**
 * NLTK's method5: each precision becomes the mean of the previous averaged one (p₁ + 1 before the
 * first), itself and the next one as it was before averaging (after the last: the plain 5-gram
 * precision, whatever the number of weights).
 */
function method5(precisions: readonly number[], fifthOrderPrecision: number): number[] {
	const smoothed: number[] = [];
	let previous = precisions[0] + 1;
	for (let index = 0; index < precisions.length; index++) {
		const next = index + 1 < precisions.length ? precisions[index + 1] : fifthOrderPrecision;
		previous = (previous + precisions[index] + next) / 3;
		smoothed.push(previous);
	}
	return smoothed;
}
