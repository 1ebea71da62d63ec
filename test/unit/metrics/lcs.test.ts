/**
 * The LCS length behind ROUGE-L: the bit-parallel algorithm checked against the textbook
 * recurrence (which rouge-score's rouge_scorer._lcs_table computes) on random sequences, and
 * rouge_scorer_test.py's testLcsTable example (google-research/google-research, rouge/, commit
 * 61ce9f0ca76025dac5b671c0631e443a9975a8a3).
 */
import { lcsInternals, lcsLength } from '../../../core/scoring/metrics/lcs';

let seed = 99;
function nextRandom(): number {
	seed = (seed * 16807) % 2147483647;
	return seed / 2147483647;
}

function randomSequence(length: number, alphabet: number): Int32Array {
	return Int32Array.from({ length }, () => Math.floor(nextRandom() * alphabet));
}

describe('lcsLength', () => {
	it("testLcsTable's examples", () => {
		const reference = Int32Array.of(1, 2, 3, 4, 5);
		expect(lcsLength(reference, Int32Array.of(2, 5, 3, 4))).toBe(3);
		expect(lcsLength(reference, Int32Array.of(8, 9))).toBe(0);
	});

	it('is 0 when either sequence is empty, and the length for equal sequences', () => {
		expect(lcsLength(new Int32Array(0), Int32Array.of(1, 2))).toBe(0);
		expect(lcsLength(Int32Array.of(1, 2), new Int32Array(0))).toBe(0);
		const sequence = randomSequence(100, 7);
		expect(lcsLength(sequence, sequence)).toBe(100);
	});

	it('agrees with the textbook recurrence on 400 random pairs, across 32-element blocks', () => {
		const { bitParallelLcsLength, dynamicProgrammingLcsLength } = lcsInternals;
		for (let trial = 0; trial < 400; trial++) {
			const alphabet = 1 + Math.floor(nextRandom() * (trial % 2 === 0 ? 4 : 40));
			const pattern = randomSequence(1 + Math.floor(nextRandom() * 140), alphabet);
			const text = randomSequence(Math.floor(nextRandom() * 140), alphabet);
			expect([trial, bitParallelLcsLength(pattern, text)]).toEqual([trial, dynamicProgrammingLcsLength(pattern, text)]);
		}
	});

	it('falls back to the textbook recurrence when the match table would be too large', () => {
		// 12,000 distinct elements in 375 blocks pass the limit of 4 Mi table entries.
		const { bitParallelLcsLength, dynamicProgrammingLcsLength } = lcsInternals;
		const distinct = Int32Array.from({ length: 12_000 }, (_unused, index) => index);
		expect(bitParallelLcsLength(distinct, Int32Array.of(5))).toBeUndefined();
		expect(dynamicProgrammingLcsLength(distinct, distinct.slice(100, 1100))).toBe(1000);
	});
});
