/**
 * chrF (Popović 2015) and chrF++ (Popović 2017), computed as sacrebleu 2.x's `CHRF` computes them
 * (sacrebleu/metrics/chrf.py and helpers.py); `sentenceChrf` is sacrebleu's
 * `sentence_chrf(hypothesis, references, char_order, word_order, beta)` divided by 100.
 *
 * Statistics, for each order (character orders 1..charOrder, then word orders 1..wordOrder) and
 * each reference: the number of hypothesis n-grams, of reference n-grams, and of matches (each
 * n-gram counts at most as often as in the other text). As in sacrebleu, the hypothesis count of
 * an order is 0 when the reference has no n-gram of that order.
 * - Character n-grams are taken from the text with all white space removed (Python's
 *   `''.join(text.split())`), unless `whitespace` is on; characters are code points.
 * - Words (chrF++): the text split on white space, where a word of more than one character that
 *   ends in ASCII punctuation (Python's string.punctuation) is split before that last character,
 *   or else one that starts with it after the first (sacrebleu's `_remove_punctuation`: "(hi)"
 *   gives "(hi" and ")"). Word n-grams are sequences of these words.
 * - `lowercase` lowercases hypothesis and references first.
 *
 * Score, with precision P = matches / hypothesis n-grams and recall R = matches / reference
 * n-grams per order, and β (default 2):
 * - default (sacrebleu's `eps_smoothing=False`): P and R are averaged over the orders where both
 *   texts have n-grams (the "effective order"); chrF = (1 + β²)·P̄·R̄ / (β²·P̄ + R̄), and 0 when
 *   P̄ + R̄ = 0 or no order is effective;
 * - `epsSmoothing` (chrF++.py, Moses and NLTK's way): per order F = (1 + β²)·P·R / (β²·P + R),
 *   with P or R set to ε = 1e-16 where their divisor is 0 and F = ε where β²·P + R = 0; chrF is the
 *   mean of F over all charOrder + wordOrder orders.
 * With several references, the one whose statistics give the highest score counts (the first on
 * a tie). Every value is in [0, 1]. An empty hypothesis or an empty reference scores 0.
 * Defaults: charOrder 6, wordOrder 0 (chrF; 2 is chrF++), β 2, as sacrebleu.
 */
import { NgramIndex, ngramTotal } from './ngrams';
import { pythonSplit, removePythonWhitespace } from './whitespace';

export interface ChrfOptions {
	/** Character n-gram order; default 6. */
	charOrder?: number;
	/** Word n-gram order; default 0 (chrF). 2 makes chrF++. */
	wordOrder?: number;
	/** Weight of recall over precision; default 2. */
	beta?: number;
	/** Default false. */
	lowercase?: boolean;
	/** Keep white space in the character n-grams (sacrebleu's `whitespace`); default false. */
	whitespace?: boolean;
	/** sacrebleu's `eps_smoothing`; default false (the effective order). */
	epsSmoothing?: boolean;
}

const EPSILON = 1e-16;
/** Python's string.punctuation, which sacrebleu splits off words. */
const PUNCTUATION: ReadonlySet<string> = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

interface Settings {
	charOrder: number;
	wordOrder: number;
	beta: number;
	lowercase: boolean;
	whitespace: boolean;
	epsSmoothing: boolean;
}

function settingsOf(options: ChrfOptions): Settings {
	const settings = {
		charOrder: options.charOrder ?? 6,
		wordOrder: options.wordOrder ?? 0,
		beta: options.beta ?? 2,
		lowercase: options.lowercase ?? false,
		whitespace: options.whitespace ?? false,
		epsSmoothing: options.epsSmoothing ?? false,
	};
	if (!Number.isInteger(settings.charOrder) || settings.charOrder < 1) throw new RangeError(`chrF needs a character order that is an integer ≥ 1 (got ${settings.charOrder})`);
	if (!Number.isInteger(settings.wordOrder) || settings.wordOrder < 0) throw new RangeError(`chrF needs a word order that is an integer ≥ 0 (got ${settings.wordOrder})`);
	if (!(Number.isFinite(settings.beta) && settings.beta >= 0)) throw new RangeError(`chrF needs a beta ≥ 0 (got ${settings.beta})`);
	return settings;
}

/** Whether a string is one code point. */
function isOneCharacter(text: string): boolean {
	if (text.length === 1) return true;
	if (text.length !== 2) return false;
	const high = text.charCodeAt(0);
	const low = text.charCodeAt(1);
	return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

/** sacrebleu's `_remove_punctuation`: the words of chrF++. */
export function chrfWords(text: string): string[] {
	const words: string[] = [];
	for (const word of pythonSplit(text)) {
		if (isOneCharacter(word)) words.push(word);
		// string.punctuation is ASCII, so the last and first UTF-16 units are the last and first characters here.
		else if (PUNCTUATION.has(word[word.length - 1])) words.push(word.slice(0, -1), word[word.length - 1]);
		else if (PUNCTUATION.has(word[0])) words.push(word[0], word.slice(1));
		else words.push(word);
	}
	return words;
}

/**
 * [hypothesis n-grams, reference n-grams, matches] of each order against each reference, orders
 * 1..maxOrder, flattened: result[reference][3 · (order − 1) + k].
 */
function orderStatistics(hypothesis: readonly string[], references: readonly (readonly string[])[], maxOrder: number): number[][] {
	const index = new NgramIndex([hypothesis, ...references], maxOrder);
	const hypothesisCounts = index.countNgrams(1, maxOrder);
	const result: number[][] = [];
	for (let reference = 1; reference < index.sentences.length; reference++) {
		const sentence = index.sentences[reference];
		const { ids, counts } = index.countKnownNgrams(sentence, 1, maxOrder, hypothesisCounts);
		const matches = new Array<number>(maxOrder + 1).fill(0);
		for (const id of ids) matches[hypothesisCounts.orders[id]] += Math.min(counts[id], hypothesisCounts.counts[id]);
		const statistics: number[] = [];
		for (let order = 1; order <= maxOrder; order++) {
			const referenceTotal = ngramTotal(sentence.length, order);
			statistics.push(referenceTotal > 0 ? ngramTotal(hypothesis.length, order) : 0, referenceTotal, matches[order]);
		}
		result.push(statistics);
	}
	return result;
}

/** The chrF of summed statistics (see above), in [0, 1]. */
function scoreOf(statistics: readonly number[], settings: Settings): number {
	const factor = settings.beta ** 2;
	const orders = statistics.length / 3;
	let smoothedSum = 0;
	let precisionSum = 0;
	let recallSum = 0;
	let effectiveOrders = 0;
	for (let order = 0; order < orders; order++) {
		const hypothesisCount = statistics[3 * order];
		const referenceCount = statistics[3 * order + 1];
		const matches = statistics[3 * order + 2];
		const precision = hypothesisCount > 0 ? matches / hypothesisCount : EPSILON;
		const recall = referenceCount > 0 ? matches / referenceCount : EPSILON;
		const denominator = factor * precision + recall;
		smoothedSum += denominator > 0 ? ((1 + factor) * precision * recall) / denominator : EPSILON;
		if (hypothesisCount > 0 && referenceCount > 0) {
			precisionSum += precision;
			recallSum += recall;
			effectiveOrders++;
		}
	}
	if (settings.epsSmoothing) return smoothedSum / orders;
	if (effectiveOrders === 0) return 0;
	const precision = precisionSum / effectiveOrders;
	const recall = recallSum / effectiveOrders;
	if (precision + recall === 0) return 0;
	return ((1 + factor) * precision * recall) / (factor * precision + recall);
}

/**
 * The statistics of the hypothesis against its best reference: 3 numbers per order (character
 * orders, then word orders). Summing them over sentences gives sacrebleu's corpus statistics.
 */
export function chrfStatistics(hypothesis: string, references: readonly string[], options: ChrfOptions = {}): number[] {
	const settings = settingsOf(options);
	if (references.length === 0) throw new RangeError('chrF needs at least one reference');
	const prepare = (text: string) => (settings.lowercase ? text.toLowerCase() : text);
	const hypothesisText = prepare(hypothesis);
	const referenceTexts = references.map(prepare);
	const characters = (text: string) => Array.from(settings.whitespace ? text : removePythonWhitespace(text));
	const perReference = orderStatistics(characters(hypothesisText), referenceTexts.map(characters), settings.charOrder);
	if (settings.wordOrder > 0) {
		const words = orderStatistics(chrfWords(hypothesisText), referenceTexts.map(chrfWords), settings.wordOrder);
		words.forEach((statistics, reference) => perReference[reference].push(...statistics));
	}
	let best = perReference[0];
	let bestScore = -1;
	for (const statistics of perReference) {
		const score = scoreOf(statistics, settings);
		if (score > bestScore) {
			bestScore = score;
			best = statistics;
		}
	}
	return best;
}

/** chrF of statistics from chrfStatistics (of one sentence, or summed over a corpus), in [0, 1]. */
export function chrfFromStatistics(statistics: readonly number[], options: ChrfOptions = {}): number {
	const settings = settingsOf(options);
	if (statistics.length !== 3 * (settings.charOrder + settings.wordOrder)) {
		throw new RangeError(`chrF statistics need 3 numbers for each of the ${settings.charOrder + settings.wordOrder} orders`);
	}
	return scoreOf(statistics, settings);
}

/** sacrebleu's sentence_chrf / 100: the chrF (or chrF++) of a hypothesis against its references, in [0, 1]. */
export function sentenceChrf(hypothesis: string, references: string | readonly string[], options: ChrfOptions = {}): number {
	return chrfFromStatistics(chrfStatistics(hypothesis, typeof references === 'string' ? [references] : references, options), options);
}
