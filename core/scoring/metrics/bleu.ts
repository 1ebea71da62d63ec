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
 *   method5 averages each precision with its neighbours (the previous averaged one, or p₁ + 1
 *   before the first; the next one as it was, or the 5-gram precision after the last);
 *   method6 (Gao and He 2013) replaces each precision from the 3-gram on by
 *   (matches + α·π₀) / (n-grams + α) with α = 5 and the prior π₀ = pₙ₋₁² / pₙ₋₂ (0 when pₙ₋₂ is 0),
 *   using the already replaced lower orders; NLTK asserts that the 3-gram precision is not 0 (its
 *   message says "bigrams") and fails for fewer than 3 orders (after returning 0 when no unigram
 *   matches): here the first is a BleuUndefinedError, the second a RangeError;
 *   method7 applies method4, then method5. Method5's averaging can lift a precision above 1, so
 *   for (nearly) identical texts method5 and method7 give more than 1 (method7: 1.1167 for an
 *   identical 10-token sentence): NLTK does, and this value is kept so that it matches NLTK; a
 *   reward should clamp it.
 *
 * Every other result is in [0, 1] (the weights must be non-negative). A RangeError is thrown where
 * NLTK raises (no reference at all, empty weights) and for what NLTK does not check (negative or
 * non-finite weights, an epsilon that is not a positive number, an unknown smoothing name). One
 * empty reference is valid (it matches nothing: BLEU 0). An empty hypothesis scores 0, so two empty
 * texts score 0, as in NLTK. `method0` is another name for 'none'. corpusBleu is NLTK's corpus_bleu
 * (the counts and lengths of all sentences summed before the formula), for tests against published
 * corpus-level figures; NLTK's auto_reweigh (off by default) is not offered.
 */
import { NgramIndex, ngramTotal } from './ngrams';
import { tokenizeText, type TokenizeOptions } from './tokenize';

export const BLEU_SMOOTHINGS = ['none', 'method0', 'method1', 'method2', 'method3', 'method4', 'method5', 'method6', 'method7'] as const;
export type BleuSmoothing = (typeof BLEU_SMOOTHINGS)[number];

/** BLEU is undefined for these texts with this smoothing (NLTK raises): method6 without a matching 3-gram. */
export class BleuUndefinedError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'BleuUndefinedError';
	}
}

export interface BleuOptions {
	/** Weights of the 1-gram, 2-gram, … precisions; default (0.25, 0.25, 0.25, 0.25), BLEU-4. */
	weights?: readonly number[];
	/** Default 'method1', with which no order's zero precision sends the score to (nearly) 0. */
	smoothing?: BleuSmoothing;
	/** method1's count for a zero precision; default 0.1 as in NLTK. */
	epsilon?: number;
}

const SMOOTHINGS: ReadonlySet<string> = new Set<string>(BLEU_SMOOTHINGS);
const DEFAULT_WEIGHTS: readonly number[] = [0.25, 0.25, 0.25, 0.25];
const DEFAULT_EPSILON = 0.1;
/** NLTK's SmoothingFunction k, used by method4 (and so method7). */
const METHOD4_K = 5;
/** Python's sys.float_info.min, what NLTK's method0 puts in place of a zero precision. */
const SMALLEST_NORMAL_DOUBLE = 2.2250738585072014e-308;
/** Method5 (alone or inside method7) always looks at the 5-gram precision after the last order, whatever the weights. */
const METHOD5_NEXT_ORDER = 5;
/** NLTK's SmoothingFunction alpha, used by method6. */
const METHOD6_ALPHA = 5;

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
	return corpusBleu([references], [hypothesis], options);
}

/**
 * NLTK's `corpus_bleu`: the clipped matches, n-gram totals, hypothesis lengths and closest
 * reference lengths of every sentence are summed, then combined as for one sentence (smoothing
 * methods 5 and 6 look at the last sentence's texts, as NLTK's do).
 */
export function corpusBleu(
	listOfReferences: readonly (readonly (readonly string[])[])[],
	hypotheses: readonly (readonly string[])[],
	options: BleuOptions = {},
): number {
	const weights = options.weights ?? DEFAULT_WEIGHTS;
	const requested = options.smoothing ?? 'method1';
	const epsilon = options.epsilon ?? DEFAULT_EPSILON;
	// Callers from JavaScript or a workflow's JSON are not held to the type.
	if (!SMOOTHINGS.has(requested)) throw new RangeError(`unknown BLEU smoothing ${JSON.stringify(requested)} (known: ${BLEU_SMOOTHINGS.join(', ')})`);
	const smoothing = requested === 'method0' ? 'none' : requested;
	if (listOfReferences.length !== hypotheses.length) throw new RangeError('BLEU needs as many reference lists as hypotheses');
	if (listOfReferences.length === 0 || listOfReferences.some((references) => references.length === 0)) throw new RangeError('BLEU needs at least one reference');
	if (weights.length === 0) throw new RangeError('BLEU needs at least one weight');
	if (!weights.every((weight) => Number.isFinite(weight) && weight >= 0)) throw new RangeError('BLEU weights must be finite and non-negative');
	if (!(Number.isFinite(epsilon) && epsilon > 0)) throw new RangeError('BLEU epsilon must be a positive number');

	const orders = weights.length;
	const needsFifthOrder = smoothing === 'method5' || smoothing === 'method7';
	const countedOrders = needsFifthOrder ? Math.max(orders, METHOD5_NEXT_ORDER) : orders;
	const numerators = new Array<number>(countedOrders + 1).fill(0);
	const denominators = new Array<number>(countedOrders + 1).fill(0);
	let hypothesisLength = 0;
	let referenceLength = 0;
	let lastMatches: number[] = [];
	for (let sentence = 0; sentence < hypotheses.length; sentence++) {
		const hypothesis = hypotheses[sentence];
		const matches = clippedMatches(listOfReferences[sentence], hypothesis, countedOrders);
		lastMatches = matches;
		for (let order = 1; order <= countedOrders; order++) {
			numerators[order] += matches[order];
			denominators[order] += Math.max(1, ngramTotal(hypothesis.length, order));
		}
		hypothesisLength += hypothesis.length;
		referenceLength += closestReferenceLength(listOfReferences[sentence], hypothesis.length);
	}
	if (numerators[1] === 0) return 0;

	const precisionOf = (order: number): Precision => ({ numerator: numerators[order], denominator: denominators[order] });
	const precisions: Precision[] = [];
	for (let order = 1; order <= orders; order++) precisions.push(precisionOf(order));
	// Methods 5 and 6 read the last sentence itself, as NLTK's do: its 5-gram precision, its n-gram totals.
	const lastHypothesisLength = hypotheses[hypotheses.length - 1].length;
	const lastFifthOrder = (): Precision => ({
		numerator: lastMatches[METHOD5_NEXT_ORDER],
		denominator: Math.max(1, ngramTotal(lastHypothesisLength, METHOD5_NEXT_ORDER)),
	});
	const smoothed = smooth(smoothing, precisions, hypothesisLength, epsilon, lastFifthOrder, lastHypothesisLength);

	let logSum = 0;
	for (let index = 0; index < orders; index++) {
		if (smoothed[index] > 0) logSum += weights[index] * Math.log(smoothed[index]);
	}
	return brevityPenalty(referenceLength, hypothesisLength) * Math.exp(logSum);
}

/** BLEU of texts, each split by tokenize.ts's tokenizeText; a single reference may be given as a string. */
export function textBleu(reference: string | readonly string[], hypothesis: string, options: BleuOptions & TokenizeOptions = {}): number {
	const references = typeof reference === 'string' ? [reference] : reference;
	const split = (text: string) => tokenizeText(text, options);
	return sentenceBleu(references.map(split), split(hypothesis), options);
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
	smoothing: Exclude<BleuSmoothing, 'method0'>,
	precisions: readonly Precision[],
	hypothesisLength: number,
	epsilon: number,
	nextOrderPrecision: () => Precision,
	lastHypothesisLength: number,
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
		case 'method5':
			return method5(precisions.map(precisionValue), precisionValue(nextOrderPrecision()));
		case 'method6':
			return method6(precisions, lastHypothesisLength);
		case 'method7':
			return method5(method4(precisions, hypothesisLength), precisionValue(nextOrderPrecision()));
	}
}

/**
 * NLTK's method6: from the 3-gram on, (matches + α·π₀) / (n-grams + α), where the prior π₀ is
 * p²ₙ₋₁ / pₙ₋₂ over the precisions as already replaced (0 when pₙ₋₂ is 0).
 */
function method6(precisions: readonly Precision[], hypothesisLength: number): number[] {
	// After the check that some unigram matches, as in NLTK (which returns 0 before smoothing).
	if (precisions.length < 3) throw new RangeError('BLEU smoothing method6 needs at least 3 n-gram orders');
	if (precisions[2].numerator === 0) {
		throw new BleuUndefinedError('BLEU smoothing method6 needs at least one matching 3-gram (NLTK raises an AssertionError here)');
	}
	const smoothed = precisions.map(precisionValue);
	for (let index = 2; index < precisions.length; index++) {
		const prior = smoothed[index - 2] === 0 ? 0 : smoothed[index - 1] ** 2 / smoothed[index - 2];
		smoothed[index] = (precisions[index].numerator + METHOD6_ALPHA * prior) / (ngramTotal(hypothesisLength, index + 1) + METHOD6_ALPHA);
	}
	return smoothed;
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
