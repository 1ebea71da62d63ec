/**
 * Levenshtein distance and the similarity ratio built on it.
 *
 * The distance is the least number of single-character insertions, deletions and substitutions
 * (each costing 1) that turn one string into the other. Characters are Unicode code points, not
 * UTF-16 units, so an emoji or another astral character counts once; strings are compared as they
 * are (no case folding, no Unicode normalisation).
 *
 * fuzzyRatio is the normalised similarity 1 − distance / max(length a, length b), the same as
 * `rapidfuzz.distance.Levenshtein.normalized_similarity`. It is not python-Levenshtein's or
 * rapidfuzz's `ratio`, which are based on the indel distance (no substitutions).
 */
import { MatchRows } from './matchRows';

/** The code points of a string, as numbers, so that comparisons in the inner loop are cheap. */
function codePoints(text: string): Int32Array {
	const points = new Int32Array(text.length);
	let count = 0;
	for (let index = 0; index < text.length; index++) {
		const unit = text.charCodeAt(index);
		// A high surrogate followed by a low one is one astral code point; a lone surrogate counts as itself.
		if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
			const next = text.charCodeAt(index + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				points[count++] = (unit - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
				index++;
				continue;
			}
		}
		points[count++] = unit;
	}
	return points.subarray(0, count);
}

/** Levenshtein distance between two code-point sequences. */
function editDistance(first: Int32Array, second: Int32Array): number {
	const [longer, shorter] = first.length >= second.length ? [first, second] : [second, first];

	// A common prefix and suffix never change the distance; trimming them makes near-identical texts cheap.
	let start = 0;
	while (start < shorter.length && shorter[start] === longer[start]) start++;
	let shorterEnd = shorter.length;
	let longerEnd = longer.length;
	while (shorterEnd > start && shorter[shorterEnd - 1] === longer[longerEnd - 1]) {
		shorterEnd--;
		longerEnd--;
	}
	const pattern = shorter.subarray(start, shorterEnd);
	const text = longer.subarray(start, longerEnd);
	if (pattern.length === 0) return text.length;
	return bitParallelDistance(pattern, text) ?? dynamicProgrammingDistance(pattern, text);
}

/** Past this many table entries (16 MB), the bit-parallel algorithm gives way to the plain one. */
const MAX_MATCH_TABLE_ENTRIES = 1 << 22;

/**
 * Myers' bit-vector algorithm in its block form ("A fast bit-vector algorithm for approximate string
 * matching based on dynamic programming", J. ACM 1999, as Edlib uses it for global distance): the
 * DP column of the pattern is held as vertical +1/−1 deltas, 32 rows to an integer, and each text
 * character advances a whole block in a few operations, so the cost is O(n·⌈m/32⌉) instead of
 * O(n·m). The match rows come from matchRows.ts (stored for frequent characters only, so a large
 * alphabet costs no more); when even that would pass MAX_MATCH_TABLE_ENTRIES (texts far longer
 * than the similarity scorer's limits), returns undefined.
 */
function bitParallelDistance(pattern: Int32Array, text: Int32Array): number | undefined {
	const rows = new MatchRows(pattern);
	if (rows.table.length > MAX_MATCH_TABLE_ENTRIES) return undefined;
	const { table: matches, blocks } = rows;
	// Vertical deltas D[i][j] − D[i−1][j]: all +1 in column 0, where D[i][0] = i.
	const plusVertical = new Int32Array(blocks).fill(-1);
	const minusVertical = new Int32Array(blocks);
	const lastRowBit = 1 << ((pattern.length - 1) & 31);
	let distance = pattern.length;

	const lastBlock = blocks - 1;
	for (let column = 0; column < text.length; column++) {
		const offset = rows.offsetOf(text[column]);
		// The horizontal delta D[i][j] − D[i][j−1] handed from the bottom row of one block to the top
		// of the next, as two bits (+1, −1). Above the first block it is +1, since D[0][j] = j.
		let carryPlus = 1;
		let carryMinus = 0;
		for (let block = 0; block < lastBlock; block++) {
			const plus = plusVertical[block];
			const minus = minusVertical[block];
			const equal = matches[offset + block];
			const verticalChange = equal | minus;
			// The addition's carry out of the block is dropped on purpose: the incoming delta stands in for it.
			const horizontalChange = (((((equal | carryMinus) & plus) + plus) | 0) ^ plus) | equal | carryMinus;
			const plusHorizontal = minus | ~(horizontalChange | plus);
			const minusHorizontal = plus & horizontalChange;
			const shiftedPlus = (plusHorizontal << 1) | carryPlus;
			const shiftedMinus = (minusHorizontal << 1) | carryMinus;
			carryPlus = plusHorizontal >>> 31;
			carryMinus = minusHorizontal >>> 31;
			plusVertical[block] = shiftedMinus | ~(verticalChange | shiftedPlus);
			minusVertical[block] = shiftedPlus & verticalChange;
		}
		// The last block, taken out of the loop so that the loop needs no test for it: its delta at the
		// pattern's last row is the change of D[m][j], the distance so far.
		const plus = plusVertical[lastBlock];
		const minus = minusVertical[lastBlock];
		const equal = matches[offset + lastBlock];
		const verticalChange = equal | minus;
		const horizontalChange = (((((equal | carryMinus) & plus) + plus) | 0) ^ plus) | equal | carryMinus;
		const plusHorizontal = minus | ~(horizontalChange | plus);
		const minusHorizontal = plus & horizontalChange;
		if ((plusHorizontal & lastRowBit) !== 0) distance++;
		else if ((minusHorizontal & lastRowBit) !== 0) distance--;
		const shiftedPlus = (plusHorizontal << 1) | carryPlus;
		const shiftedMinus = (minusHorizontal << 1) | carryMinus;
		plusVertical[lastBlock] = shiftedMinus | ~(verticalChange | shiftedPlus);
		minusVertical[lastBlock] = shiftedPlus & verticalChange;
	}
	return distance;
}

/** The textbook Wagner–Fischer recurrence, one row at a time: O(n·m) time, O(m) memory. */
function dynamicProgrammingDistance(pattern: Int32Array, text: Int32Array): number {
	// row[i] is the distance between the first i pattern characters and the text characters seen so far.
	const row = new Int32Array(pattern.length + 1);
	for (let index = 0; index <= pattern.length; index++) row[index] = index;
	for (let column = 1; column <= text.length; column++) {
		const character = text[column - 1];
		let diagonal = row[0];
		let above = column;
		row[0] = column;
		for (let index = 1; index <= pattern.length; index++) {
			const left = row[index];
			const substitution = diagonal + (pattern[index - 1] === character ? 0 : 1);
			const best = Math.min(substitution, left + 1, above + 1);
			row[index] = best;
			above = best;
			diagonal = left;
		}
	}
	return row[pattern.length];
}

/** Exposed for the tests only: both algorithms, so that each can be checked against the other. */
export const levenshteinInternals = { bitParallelDistance, dynamicProgrammingDistance, codePoints };

/**
 * Levenshtein distance between a and b in code points. O(n·⌈m/32⌉) time with the bit-parallel
 * algorithm (O(n·m) with the fallback), O(min(n, m)) memory for a bounded alphabet.
 */
export function levenshteinDistance(a: string, b: string): number {
	return a === b ? 0 : editDistance(codePoints(a), codePoints(b));
}

/** Similarity in [0, 1]: 1 − distance / max(code-point lengths). Two empty strings are identical: 1. */
export function fuzzyRatio(a: string, b: string): number {
	if (a === b) return 1;
	const first = codePoints(a);
	const second = codePoints(b);
	// Not both empty, since a !== b.
	return 1 - editDistance(first, second) / Math.max(first.length, second.length);
}
