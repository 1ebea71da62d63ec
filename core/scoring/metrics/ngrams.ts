/**
 * N-gram counting shared by BLEU and GLEU, built for speed on short texts (a 100-word pair in a few
 * microseconds), since a reward is computed for every item of a workflow.
 *
 * - Tokens are interned as integers 0..V−1: equal tokens get equal ids, whatever characters they
 *   contain (joining tokens with a separator would confuse ['a b', 'c'] with ['a', 'b c']).
 * - N-grams are interned too: an n-gram's id is looked up from (id of its first n−1 tokens) · V +
 *   (id of its last token), so the n-grams starting at one position are found one order after
 *   another with one integer-keyed lookup each, and no string is built. Unigrams keep their token
 *   ids; longer n-grams get ids from V on, so ids are dense and counts live in arrays indexed by
 *   id. The lookup keys stay exact integers below 2^53 for inputs of tens of millions of tokens.
 * - Only the hypothesis creates n-gram ids (countNgrams); references are only looked up against
 *   them (countKnownNgrams), since a reference n-gram the hypothesis lacks never counts.
 * - The arrays are reused from one call to the next (allocating them took more time than the
 *   counting), so what countNgrams and countKnownNgrams return is valid only until the next call
 *   of the same method; callers use it at once. Nothing else is kept between calls.
 */

/** Counts of n-grams by id. */
export interface NgramCounts {
	/** The distinct ids counted, in order of first appearance. */
	readonly ids: readonly number[];
	/** Count by id; 0 for every id not in `ids`. May be longer than the ids in use. */
	readonly counts: Int32Array;
}

/** The hypothesis' counts, with the order (n) of each id. */
export interface HypothesisNgramCounts extends NgramCounts {
	readonly orders: Int32Array;
}

/** A typed array kept between calls, handed out zeroed. */
class ReusedInt32Array {
	private buffer = new Int32Array(1024);

	/** Zeroed, at least `length` long; valid until the next call. */
	zeroed(length: number): Int32Array {
		if (this.buffer.length < length) this.buffer = new Int32Array(Math.max(length, 2 * this.buffer.length));
		else this.buffer.fill(0, 0, length);
		return this.buffer;
	}
}

const hypothesisCountsBuffer = new ReusedInt32Array();
const hypothesisOrdersBuffer = new ReusedInt32Array();
const knownCountsBuffer = new ReusedInt32Array();

export class NgramIndex {
	/** Each sentence as token ids. */
	readonly sentences: Int32Array[];
	private readonly vocabularySize: number;
	/** (prefix id · vocabularySize + last token id) → n-gram id, for n ≥ 2; filled by countNgrams. */
	private readonly extensions: IntegerTable;
	private nextId: number;
	private hypothesisCounted = false;

	/** The first sentence is the hypothesis; `maxOrder` is the longest n-gram that will be counted. */
	constructor(sentences: readonly (readonly string[])[], maxOrder: number) {
		const interner = new TokenInterner(sentences.reduce((total, tokens) => total + tokens.length, 0));
		this.sentences = sentences.map((tokens) => {
			const ids = new Int32Array(tokens.length);
			for (let index = 0; index < tokens.length; index++) ids[index] = interner.idOf(tokens[index]);
			return ids;
		});
		this.vocabularySize = interner.size;
		this.nextId = interner.size;
		this.extensions = new IntegerTable((sentences[0]?.length ?? 0) * Math.max(0, maxOrder - 1));
	}

	/**
	 * Counts the n-grams of orders minOrder..maxOrder of the hypothesis, giving ids to new ones.
	 * Called once, before countKnownNgrams.
	 */
	countNgrams(minOrder: number, maxOrder: number): HypothesisNgramCounts {
		if (this.hypothesisCounted) throw new Error('the hypothesis is counted once');
		this.hypothesisCounted = true;
		const sentence = this.sentences[0];
		// Token ids are below nextId, and at most one id is made per n-gram of order 2 or more.
		const capacity = this.nextId + sentence.length * Math.max(0, maxOrder - 1);
		const counts = hypothesisCountsBuffer.zeroed(capacity);
		const orders = hypothesisOrdersBuffer.zeroed(capacity);
		const ids: number[] = [];
		for (let start = 0; start < sentence.length; start++) {
			const longest = Math.min(maxOrder, sentence.length - start);
			let id = sentence[start];
			for (let order = 1; order <= longest; order++) {
				if (order > 1) {
					const key = id * this.vocabularySize + sentence[start + order - 1];
					let extended = this.extensions.get(key);
					if (extended < 0) {
						extended = this.nextId++;
						this.extensions.set(key, extended);
					}
					id = extended;
				}
				if (order < minOrder) continue;
				if (counts[id]++ === 0) {
					ids.push(id);
					orders[id] = order;
				}
			}
		}
		return { ids, counts, orders };
	}

	/**
	 * Counts the n-grams of orders minOrder..maxOrder of a sentence (a reference) that the
	 * hypothesis has (`known`, its counts over the same orders); the others are never counted.
	 */
	countKnownNgrams(sentence: Int32Array, minOrder: number, maxOrder: number, known: HypothesisNgramCounts): NgramCounts {
		const counts = knownCountsBuffer.zeroed(known.counts.length);
		const ids: number[] = [];
		for (let start = 0; start < sentence.length; start++) {
			const longest = Math.min(maxOrder, sentence.length - start);
			let id = sentence[start];
			for (let order = 1; order <= longest; order++) {
				if (order > 1) {
					const extended = this.extensions.get(id * this.vocabularySize + sentence[start + order - 1]);
					// No hypothesis n-gram starts with these tokens, so none longer from here can count.
					if (extended < 0) break;
					id = extended;
				}
				if (order < minOrder || known.counts[id] === 0) continue;
				if (counts[id]++ === 0) ids.push(id);
			}
		}
		return { ids, counts };
	}
}

/** Number of n-grams of one order in a sentence of `length` tokens. */
export function ngramTotal(length: number, order: number): number {
	return Math.max(0, length - order + 1);
}

/** Smallest power of two that is at least twice `entries`: open addressing stays at most half full, so probe runs stay short. */
function tableBits(entries: number): number {
	let bits = 4;
	while (1 << bits < entries * 2) bits++;
	return bits;
}

/** Fibonacci hashing: the top `bits` bits of the 32-bit product with 2^32/φ. */
function slotOfHash(hash: number, bits: number): number {
	return Math.imul(hash, 0x9e3779b1) >>> (32 - bits);
}

/**
 * Token → id by open addressing on a hash of the characters. A Map does the same job, but hashing
 * the freshly made token strings through it took half of BLEU's time on short texts.
 */
class TokenInterner {
	size = 0;
	private readonly tokens: (string | undefined)[];
	private readonly ids: Int32Array;
	private readonly bits: number;

	constructor(maxTokens: number) {
		this.bits = tableBits(maxTokens);
		this.tokens = new Array<string | undefined>(1 << this.bits);
		this.ids = new Int32Array(1 << this.bits);
	}

	idOf(token: string): number {
		// FNV-1a over the UTF-16 units.
		let hash = 0x811c9dc5;
		for (let index = 0; index < token.length; index++) hash = Math.imul(hash ^ token.charCodeAt(index), 0x01000193);
		const mask = (1 << this.bits) - 1;
		for (let slot = slotOfHash(hash, this.bits); ; slot = (slot + 1) & mask) {
			const found = this.tokens[slot];
			if (found === token) return this.ids[slot];
			if (found === undefined) {
				this.tokens[slot] = token;
				this.ids[slot] = this.size;
				return this.size++;
			}
		}
	}
}

/**
 * Non-negative integer keys (below 2^53) → non-negative integer values, by open addressing in
 * typed arrays: several times faster than a Map for the one lookup per n-gram. Holds at most the
 * number of entries it was made for.
 */
class IntegerTable {
	/** key + 1 in each used slot, so that the zeros a new array starts with mean "empty". */
	private readonly keysPlusOne: Float64Array;
	private readonly values: Int32Array;
	private readonly bits: number;

	constructor(maxEntries: number) {
		this.bits = tableBits(maxEntries);
		this.keysPlusOne = new Float64Array(1 << this.bits);
		this.values = new Int32Array(1 << this.bits);
	}

	/** The value of `key`, or −1. */
	get(key: number): number {
		const wanted = key + 1;
		const mask = (1 << this.bits) - 1;
		for (let slot = this.slotOf(key); ; slot = (slot + 1) & mask) {
			const found = this.keysPlusOne[slot];
			if (found === wanted) return this.values[slot];
			if (found === 0) return -1;
		}
	}

	/** Adds a key that is not in the table yet. */
	set(key: number, value: number): void {
		const mask = (1 << this.bits) - 1;
		let slot = this.slotOf(key);
		while (this.keysPlusOne[slot] !== 0) slot = (slot + 1) & mask;
		this.keysPlusOne[slot] = key + 1;
		this.values[slot] = value;
	}

	private slotOf(key: number): number {
		// A key can pass 2^32 (rarely: only with long texts); then its high bits are folded in.
		return slotOfHash(key < 0x100000000 ? key : (key >>> 0) ^ ((key / 0x100000000) >>> 0), this.bits);
	}
}
