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

/** Levenshtein distance between two code-point sequences. O(n·m) time, O(min(n, m)) memory. */
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
	const columns = shorterEnd - start;
	const rows = longerEnd - start;
	if (columns === 0) return rows;

	// previousRow[j] is the distance between the first i characters of `longer` and the first j of `shorter`.
	const previousRow = new Int32Array(columns + 1);
	for (let column = 0; column <= columns; column++) previousRow[column] = column;
	for (let row = 1; row <= rows; row++) {
		const character = longer[start + row - 1];
		let diagonal = previousRow[0];
		previousRow[0] = row;
		for (let column = 1; column <= columns; column++) {
			const above = previousRow[column];
			const substitution = diagonal + (shorter[start + column - 1] === character ? 0 : 1);
			const deletion = above + 1;
			const insertion = previousRow[column - 1] + 1;
			previousRow[column] = substitution < deletion ? (substitution < insertion ? substitution : insertion) : deletion < insertion ? deletion : insertion;
			diagonal = above;
		}
	}
	return previousRow[columns];
}

/** Levenshtein distance between a and b in code points. O(n·m) time, O(min(n, m)) memory. */
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
