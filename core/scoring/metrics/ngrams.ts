/**
 * N-gram counting shared by BLEU and GLEU.
 *
 * Tokens are interned as integers and each sentence is written as a string of one (or, past 65,536
 * distinct tokens, two) UTF-16 units per token. An n-gram's key is then a substring of that string:
 * cheap to make, and two n-grams have the same key exactly when their tokens are equal, whatever
 * characters the tokens contain (joining tokens with a separator would confuse ['a b', 'c'] with
 * ['a', 'b c']). Keys of different orders have different lengths, so one Map can hold all orders.
 */

/** A tokenised sentence, encoded for n-gram keys. */
export interface EncodedSentence {
	/** Number of tokens. */
	readonly length: number;
	/** `width` UTF-16 units per token. */
	readonly text: string;
}

export interface EncodedSentences {
	readonly sentences: EncodedSentence[];
	/** UTF-16 units per token: 1, or 2 when there are more than 65,536 distinct tokens. */
	readonly width: number;
}

const ONE_UNIT_VOCABULARY = 0x10000;
// String.fromCharCode takes its units as arguments; chunks keep long texts clear of the engine's argument limit.
const FROM_CHAR_CODE_CHUNK = 8192;

/** Interns the tokens of all sentences together (so equal tokens get one id) and encodes each sentence. */
export function encodeSentences(sentences: readonly (readonly string[])[]): EncodedSentences {
	const ids = new Map<string, number>();
	const idLists = sentences.map((tokens) => {
		const list = new Array<number>(tokens.length);
		for (let index = 0; index < tokens.length; index++) {
			const token = tokens[index];
			let id = ids.get(token);
			if (id === undefined) {
				id = ids.size;
				ids.set(token, id);
			}
			list[index] = id;
		}
		return list;
	});
	const width = ids.size <= ONE_UNIT_VOCABULARY ? 1 : 2;
	return {
		width,
		sentences: idLists.map((list) => ({ length: list.length, text: unitsToString(width === 1 ? list : splitIntoUnitPairs(list)) })),
	};
}

function splitIntoUnitPairs(ids: readonly number[]): number[] {
	const units = new Array<number>(ids.length * 2);
	for (let index = 0; index < ids.length; index++) {
		units[2 * index] = ids[index] >>> 16;
		units[2 * index + 1] = ids[index] & 0xffff;
	}
	return units;
}

function unitsToString(units: readonly number[]): string {
	if (units.length <= FROM_CHAR_CODE_CHUNK) return String.fromCharCode(...units);
	let text = '';
	for (let start = 0; start < units.length; start += FROM_CHAR_CODE_CHUNK) {
		text += String.fromCharCode(...units.slice(start, start + FROM_CHAR_CODE_CHUNK));
	}
	return text;
}

/** Number of n-grams of one order in a sentence of `length` tokens. */
export function ngramTotal(length: number, order: number): number {
	return Math.max(0, length - order + 1);
}

/**
 * Counts the n-grams of orders minOrder..maxOrder of a sentence. With `only` (the counts of another
 * sentence over the same orders), counts just the keys that `only` has: the reference side of a
 * clipped count needs nothing else.
 */
export function countNgrams(
	sentence: EncodedSentence,
	width: number,
	minOrder: number,
	maxOrder: number,
	only?: ReadonlyMap<string, number>,
): Map<string, number> {
	const counts = new Map<string, number>();
	const { text, length } = sentence;
	for (let start = 0; start < length; start++) {
		const longest = Math.min(maxOrder, length - start);
		for (let order = minOrder; order <= longest; order++) {
			const key = text.substring(start * width, (start + order) * width);
			// `only` holds every order of its sentence, so when this n-gram is missing from it, so is every
			// longer one that extends it: none of them can be counted.
			if (only !== undefined && !only.has(key)) break;
			counts.set(key, (counts.get(key) ?? 0) + 1);
		}
	}
	return counts;
}
