/**
 * Expected cosines: numpy 1.24 (Debian's python3-numpy), dot(a, b) / (norm(a) · norm(b)), printed by
 *
 *     /usr/bin/python3 test/unit/metrics/reference/cosine.py
 *
 * (the table below is its output; for huge and tiny vectors, where plain numpy gives nan, the
 * script scales the vectors first).
 */
import { cosineSimilarity } from '../../../core/scoring/metrics/cosine';

// [a, b, cosine]
const NUMPY_COSINES: [number[], number[], number][] = [
	[[1, 0], [0, 1], 0.0],
	[[1, 2, 3], [1, 2, 3], 1.0],
	[[1, 2, 3], [-1, -2, -3], -1.0],
	[[1, 2, 3], [2, 4, 6], 1.0],
	[[1, 2, 3], [4, 5, 6], 0.9746318461970762],
	[[0.1, -0.3, 0.5, 0.7], [0.2, -0.1, 0.4, -0.6], -0.24568115803183396],
	[[3, -4], [4, 3], 0.0],
	[[1e-200, 2e-200], [3e-200, 1e-200], 0.7071067811865475], // numpy unscaled: nan
	[[1e200, 2e200], [3e200, 1e200], 0.7071067811865475], // numpy unscaled: nan
];

describe('cosineSimilarity', () => {
	it.each(NUMPY_COSINES)('%j · %j = %d', (a, b, cosine) => {
		expect(cosineSimilarity(a, b)).toBeCloseTo(cosine, 12);
		expect(cosineSimilarity(b, a)).toBeCloseTo(cosine, 12);
	});

	it('stays within [−1, 1] despite rounding', () => {
		const vector = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
		expect(cosineSimilarity(vector, vector)).toBeLessThanOrEqual(1);
		expect(cosineSimilarity(vector, vector.map((value) => -value))).toBeGreaterThanOrEqual(-1);
	});

	it('is 0 for a zero vector and for two empty vectors', () => {
		expect(cosineSimilarity([0, 0, 0], [1, 2, 3])).toBe(0);
		expect(cosineSimilarity([1, 2, 3], [0, 0, 0])).toBe(0);
		expect(cosineSimilarity([0, 0], [0, 0])).toBe(0);
		expect(cosineSimilarity([], [])).toBe(0);
	});

	it('is not fooled by components whose squares underflow', () => {
		expect(cosineSimilarity([1e-170, 0], [1e-170, 0])).toBeCloseTo(1, 12);
	});

	it('throws on vectors of different lengths and on non-finite components', () => {
		expect(() => cosineSimilarity([1, 2], [1, 2, 3])).toThrow(RangeError);
		expect(() => cosineSimilarity([1, Number.NaN], [1, 2])).toThrow(RangeError);
		expect(() => cosineSimilarity([1, 2], [Number.POSITIVE_INFINITY, 2])).toThrow(RangeError);
	});

	it('handles long vectors (3,072 dimensions, as large embeddings have)', () => {
		const a = Array.from({ length: 3072 }, (_unused, index) => Math.sin(index));
		const b = Array.from({ length: 3072 }, (_unused, index) => Math.sin(index) + 0.1 * Math.cos(3 * index));
		const cosine = cosineSimilarity(a, b);
		expect(cosine).toBeGreaterThan(0.9);
		expect(cosine).toBeLessThan(1);
	});
});
