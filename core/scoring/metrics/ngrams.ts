/**
 * N-gram counting shared by BLEU and GLEU, built for speed on short texts, since a reward is
 * computed for every item of a workflow (throughput: bench/RESULTS.md, Score Output).
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
 * - The arrays and hash tables are reused from one call to the next (allocating them cost more
 *   than the counting). So only the newest NgramIndex may be used (an older one throws), and
 *   what countKnownNgrams returns is valid until its next call: callers use it at once. The
 *   metrics are synchronous, so no other call can come in between. Nothing else is kept.
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
	/** Every n-gram id of this index is below it. */
	readonly idLimit: number;
}

/** Buffers this long or shorter are kept whatever the next call needs; longer ones shrink when much too long. */
const ALWAYS_KEPT_BUFFER_LENGTH = 1 << 16;

/** Whether a reused buffer of `length` must be replaced to serve `wanted` elements: too short, or holding on to much memory after a very long text. */
function needsNewBuffer(length: number, wanted: number): boolean {
	return length < wanted || (length > ALWAYS_KEPT_BUFFER_LENGTH && length > 4 * wanted);
}

/** A typed array kept between calls, handed out zeroed. */
class ReusedInt32Array {
	private buffer = new Int32Array(1024);

	/** Zeroed, at least `length` long; valid until the next call. */
	zeroed(length: number): Int32Array {
		if (needsNewBuffer(this.buffer.length, length)) this.buffer = new Int32Array(Math.max(length, 1024));
		else this.buffer.fill(0, 0, length);
		return this.buffer;
	}
}

const hypothesisCountsBuffer = new ReusedInt32Array();
const hypothesisOrdersBuffer = new ReusedInt32Array();
const knownCountsBuffer = new ReusedInt32Array();
/** Incremented by each new NgramIndex, which takes over the shared buffers. */
let newestIndex = 0;

/** The n-grams of a hypothesis and its references; see the notes above. */
export class NgramIndex {
	/** Each sentence as token ids. */
	readonly sentences: Int32Array[];
	private readonly vocabularySize: number;
	/** (prefix id · vocabularySize + last token id) → n-gram id, for n ≥ 2; filled by countNgrams. */
	private readonly extensions = extensionTable;
	private nextId: number;
	private hypothesisCounted = false;
	private readonly generation = ++newestIndex;

	/** The first sentence is the hypothesis; `maxOrder` is the longest n-gram that will be counted. */
	constructor(sentences: readonly (readonly string[])[], maxOrder: number) {
		const interned = internTokens(sentences);
		this.sentences = interned.sentences;
		this.vocabularySize = interned.vocabularySize;
		this.nextId = interned.vocabularySize;
		this.extensions.reset((sentences[0]?.length ?? 0) * Math.max(0, maxOrder - 1));
	}

	/**
	 * Counts the n-grams of orders minOrder..maxOrder of the hypothesis, giving ids to new ones.
	 * Called once, before countKnownNgrams.
	 */
	countNgrams(minOrder: number, maxOrder: number): HypothesisNgramCounts {
		this.assertNewest();
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
		return { ids, counts, orders, idLimit: capacity };
	}

	/**
	 * Counts the n-grams of orders minOrder..maxOrder of a sentence (a reference) that the
	 * hypothesis has (`known`, its counts over the same orders); the others are never counted.
	 */
	countKnownNgrams(sentence: Int32Array, minOrder: number, maxOrder: number, known: HypothesisNgramCounts): NgramCounts {
		this.assertNewest();
		if (!this.hypothesisCounted) throw new Error('count the hypothesis first');
		const counts = knownCountsBuffer.zeroed(known.idLimit);
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

	private assertNewest(): void {
		if (this.generation !== newestIndex) throw new Error('an NgramIndex is used after a newer one took over the shared buffers');
	}
}

/** The sentences with each token replaced by its id, 0..vocabularySize−1; equal tokens, equal ids. */
export function internTokens(sentences: readonly (readonly string[])[]): { sentences: Int32Array[]; vocabularySize: number } {
	interner.reset(sentences.reduce((total, tokens) => total + tokens.length, 0));
	const ids = sentences.map((tokens) => {
		const sentence = new Int32Array(tokens.length);
		for (let index = 0; index < tokens.length; index++) sentence[index] = interner.idOf(tokens[index]);
		return sentence;
	});
	return { sentences: ids, vocabularySize: interner.size };
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
 * Token → id by open addressing on a hash of the characters: a Map does the same job, but hashing
 * freshly made token strings through it was the slow part of BLEU on short texts. One instance is
 * reused by every call (see reset).
 */
class TokenInterner {
	size = 0;
	/** The token in each used slot; a slot is used when its id is not −1. */
	private tokens: string[] = [];
	private ids = new Int32Array(0);
	private bits = 0;

	/** Empties the table and makes room for `maxTokens` distinct tokens. */
	reset(maxTokens: number): void {
		this.bits = tableBits(maxTokens);
		const slots = 1 << this.bits;
		if (needsNewBuffer(this.ids.length, slots)) {
			this.ids = new Int32Array(slots);
			this.tokens = new Array<string>(slots).fill('');
		}
		this.ids.fill(-1, 0, slots);
		this.size = 0;
	}

	idOf(token: string): number {
		// FNV-1a over the UTF-16 units.
		let hash = 0x811c9dc5;
		for (let index = 0; index < token.length; index++) hash = Math.imul(hash ^ token.charCodeAt(index), 0x01000193);
		const mask = (1 << this.bits) - 1;
		for (let slot = slotOfHash(hash, this.bits); ; slot = (slot + 1) & mask) {
			const id = this.ids[slot];
			if (id < 0) {
				this.tokens[slot] = token;
				this.ids[slot] = this.size;
				return this.size++;
			}
			if (this.tokens[slot] === token) return id;
		}
	}
}

const interner = new TokenInterner();

/**
 * Non-negative integer keys (below 2^53) → non-negative integer values, by open addressing in
 * typed arrays, cheaper than a Map for the one lookup per n-gram. One instance is reused by every
 * call (see reset).
 */
class IntegerTable {
	/** key + 1 in each used slot, 0 in each free one. */
	private keysPlusOne = new Float64Array(0);
	private values = new Int32Array(0);
	private bits = 0;

	/** Empties the table and makes room for `maxEntries` entries. */
	reset(maxEntries: number): void {
		this.bits = tableBits(maxEntries);
		const slots = 1 << this.bits;
		if (needsNewBuffer(this.keysPlusOne.length, slots)) {
			this.keysPlusOne = new Float64Array(slots);
			this.values = new Int32Array(slots);
		} else {
			this.keysPlusOne.fill(0, 0, slots);
		}
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

const extensionTable = new IntegerTable();
