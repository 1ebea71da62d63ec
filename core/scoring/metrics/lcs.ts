/**
 * Length of the longest common subsequence (LCS) of two sequences of integers (interned tokens),
 * for ROUGE-L.
 *
 * The bit-parallel algorithm of Allison and Dix (1986), in the form of Crochemore et al. (2001),
 * holds a DP column of the shorter sequence as bits, 32 to an integer: for each element c of the
 * longer sequence, V ← (V + (V & M[c])) | (V & ~M[c]), where M[c] marks the positions of c, and at the
 * end the LCS length is the number of 0 bits. That is O(n·⌈m/32⌉) time instead of the O(n·m) of the
 * textbook recurrence, whatever the alphabet: the match rows come from matchRows.ts, which stores
 * only the rows of frequent elements. Past MAX_MATCH_TABLE_ENTRIES (texts far longer than the
 * similarity scorer's limits) the textbook recurrence is used instead, with O(min(n, m)) memory.
 */
import { MatchRows } from './matchRows';

const WORD_BITS = 32;
/** Past this many table entries (16 MB), the bit-parallel algorithm gives way to the plain one. */
const MAX_MATCH_TABLE_ENTRIES = 1 << 22;

/** LCS length of two integer sequences. */
export function lcsLength(first: Int32Array, second: Int32Array): number {
	const [longer, shorter] = first.length >= second.length ? [first, second] : [second, first];
	if (shorter.length === 0) return 0;
	return bitParallelLcsLength(shorter, longer) ?? dynamicProgrammingLcsLength(shorter, longer);
}

function bitParallelLcsLength(pattern: Int32Array, text: Int32Array): number | undefined {
	const rows = new MatchRows(pattern);
	if (rows.table.length > MAX_MATCH_TABLE_ENTRIES) return undefined;
	const { table: matches, blocks } = rows;
	// A 1 bit in `column` is a position where the LCS so far does not grow; all 1 before any text.
	const column = new Int32Array(blocks).fill(-1);
	for (let index = 0; index < text.length; index++) {
		const offset = rows.offsetOf(text[index]);
		let carry = 0;
		for (let block = 0; block < blocks; block++) {
			const bits = column[block] >>> 0;
			const match = matches[offset + block];
			const matched = (bits & match) >>> 0;
			// A 32-bit addition whose carry goes on to the next block.
			const sum = bits + matched + carry;
			carry = sum > 0xffffffff ? 1 : 0;
			column[block] = (sum >>> 0) | (bits & ~match);
		}
	}
	// Zeros in the pattern's positions (the last block may be partly beyond the pattern).
	let zeros = 0;
	for (let block = 0; block < blocks; block++) {
		const used = block === blocks - 1 ? pattern.length - block * WORD_BITS : WORD_BITS;
		const usedMask = used === WORD_BITS ? -1 : (1 << used) - 1;
		zeros += bitCount(~column[block] & usedMask);
	}
	return zeros;
}

/** Number of 1 bits in a 32-bit integer (the classic SWAR popcount). */
function bitCount(value: number): number {
	let bits = value - ((value >>> 1) & 0x55555555);
	bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
	return Math.imul((bits + (bits >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** The textbook recurrence, one row at a time: O(n·m) time, O(m) memory. */
function dynamicProgrammingLcsLength(pattern: Int32Array, text: Int32Array): number {
	// row[j] is the LCS length of the text elements seen so far and the first j pattern elements.
	const row = new Int32Array(pattern.length + 1);
	for (let index = 0; index < text.length; index++) {
		const element = text[index];
		let diagonal = 0;
		for (let position = 1; position <= pattern.length; position++) {
			const above = row[position];
			if (pattern[position - 1] === element) row[position] = diagonal + 1;
			else if (row[position - 1] > above) row[position] = row[position - 1];
			diagonal = above;
		}
	}
	return row[pattern.length];
}

/** Exposed for the tests only: both algorithms, so that each can be checked against the other. */
export const lcsInternals = { bitParallelLcsLength, dynamicProgrammingLcsLength };
