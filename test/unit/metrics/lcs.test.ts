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

	it('keeps the bit-parallel algorithm for a large alphabet: rare elements get no stored row', () => {
		// 12,000 distinct elements in 375 blocks: a full table would take 4.5 Mi entries.
		const { bitParallelLcsLength, dynamicProgrammingLcsLength } = lcsInternals;
		const distinct = Int32Array.from({ length: 12_000 }, (_unused, index) => index);
		expect(bitParallelLcsLength(distinct, Int32Array.of(5))).toBe(1);
		const text = Int32Array.from({ length: 3_000 }, (_unused, index) => (index * 7919) % 12_000);
		expect(bitParallelLcsLength(distinct, text)).toBe(dynamicProgrammingLcsLength(distinct, text));
	});

	it('agrees with the recurrence when some elements are frequent (stored rows) and others rare', () => {
		const { bitParallelLcsLength, dynamicProgrammingLcsLength } = lcsInternals;
		for (let trial = 0; trial < 20; trial++) {
			// Elements 0..3 occur hundreds of times, 100.. once or twice.
			const pattern = Int32Array.from({ length: 600 + trial * 37 }, (_unused, index) => (index % 3 === 0 ? 100 + ((index * 31 + trial) % 500) : (index * trial) % 4));
			const text = Int32Array.from({ length: 500 + trial * 11 }, (_unused, index) => (index % 4 === 0 ? 100 + ((index * 17) % 500) : (index + trial) % 4));
			expect([trial, bitParallelLcsLength(pattern, text)]).toEqual([trial, dynamicProgrammingLcsLength(pattern, text)]);
		}
	});

	it('falls back to the textbook recurrence when even the frequent rows would be too large', () => {
		// 2,200 elements each 32 times (70,400 positions, 2,200 blocks) need 4.8 Mi entries, past the limit of 4 Mi.
		const { bitParallelLcsLength, dynamicProgrammingLcsLength } = lcsInternals;
		const frequent = Int32Array.from({ length: 70_400 }, (_unused, index) => index % 2_200);
		expect(bitParallelLcsLength(frequent, Int32Array.of(5))).toBeUndefined();
		expect(dynamicProgrammingLcsLength(frequent, Int32Array.of(5, 6))).toBe(2);
	});
});
