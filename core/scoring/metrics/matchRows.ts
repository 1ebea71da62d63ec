/**
 * The match table of the bit-parallel algorithms (lcs.ts, levenshtein.ts): for an element c, a row
 * of ⌈m/32⌉ integers whose bit i of integer b is set when pattern position 32·b + i is c.
 *
 * A full table takes (distinct elements × blocks) integers, which for long texts in a large
 * alphabet (Chinese text: thousands of distinct characters) is tens of megabytes and is read with a
 * cache miss per block. So only elements that occur often (at least DENSE_OCCURRENCES times, so at
 * most m / DENSE_OCCURRENCES of them) get a stored row; the row of a rarer element is written into
 * one scratch row when it is asked for (at most DENSE_OCCURRENCES − 1 bits) and cleared at the next
 * request, and an element the pattern lacks gets the all-zero row. Memory is then at most about
 * m² / (32 · DENSE_OCCURRENCES) integers plus the positions, and each request costs O(1) amortised
 * beyond the block loop that reads the row.
 */

const DENSE_OCCURRENCES = 32;

export class MatchRows {
	/** Stored rows, then the all-zero row, then the scratch row; `blocks` integers each. */
	readonly table: Int32Array;
	readonly blocks: number;
	private readonly denseRow = new Map<number, number>();
	private readonly sparsePositions = new Map<number, number[]>();
	private readonly zeroOffset: number;
	private readonly scratchOffset: number;
	/** Positions currently set in the scratch row. */
	private scratchPositions: number[] | undefined;

	constructor(pattern: Int32Array) {
		this.blocks = Math.ceil(pattern.length / 32);
		const positions = new Map<number, number[]>();
		for (let position = 0; position < pattern.length; position++) {
			const list = positions.get(pattern[position]);
			if (list === undefined) positions.set(pattern[position], [position]);
			else list.push(position);
		}
		let denseCount = 0;
		for (const [element, list] of positions) {
			if (list.length >= DENSE_OCCURRENCES) this.denseRow.set(element, denseCount++);
			else this.sparsePositions.set(element, list);
		}
		this.zeroOffset = denseCount * this.blocks;
		this.scratchOffset = this.zeroOffset + this.blocks;
		this.table = new Int32Array(this.scratchOffset + this.blocks);
		for (const [element, row] of this.denseRow) {
			const offset = row * this.blocks;
			for (const position of positions.get(element) as number[]) this.table[offset + (position >>> 5)] |= 1 << (position & 31);
		}
	}

	/** Offset in `table` of the element's row; a scratch row stays valid until the next call. */
	offsetOf(element: number): number {
		const dense = this.denseRow.get(element);
		if (dense !== undefined) return dense * this.blocks;
		const table = this.table;
		const scratch = this.scratchOffset;
		if (this.scratchPositions !== undefined) {
			for (const position of this.scratchPositions) table[scratch + (position >>> 5)] = 0;
			this.scratchPositions = undefined;
		}
		const sparse = this.sparsePositions.get(element);
		if (sparse === undefined) return this.zeroOffset;
		for (const position of sparse) table[scratch + (position >>> 5)] |= 1 << (position & 31);
		this.scratchPositions = sparse;
		return scratch;
	}
}
