/**
 * Expected distances: python-Levenshtein 0.12.2 (Debian's python3-levenshtein), whose
 * Levenshtein.distance counts code points, computed by
 *
 *     /usr/bin/python3 test/unit/metrics/reference/levenshtein.py > test/unit/metrics/fixtures/levenshtein.json
 *
 * fuzzyRatio's expected values follow from those distances by its definition, 1 − d / max(len).
 */
import { fuzzyRatio, levenshteinDistance, levenshteinInternals } from '../../../core/scoring/metrics/levenshtein';
import { longText } from './bleuGleuFixture';
import reference from './fixtures/levenshtein.json';

type Pair = [string, string, number];
const fixed = reference.fixed as Pair[];
const random = reference.random as Pair[];
const codePointLength = (text: string) => Array.from(text).length;

describe('levenshteinDistance against python-Levenshtein', () => {
	it.each(fixed)('%j → %j: %i', (a, b, distance) => {
		expect(levenshteinDistance(a, b)).toBe(distance);
		expect(levenshteinDistance(b, a)).toBe(distance);
	});

	it('agrees on 60 random pairs across the 32-character block boundaries', () => {
		for (const [a, b, distance] of random) {
			expect([a, b, levenshteinDistance(a, b)]).toEqual([a, b, distance]);
		}
	});

	it('handles long texts (5,000 words, about 19,500 characters)', () => {
		const a = longText(5000, false);
		const b = longText(5000, true);
		expect(a).toHaveLength(reference.longTextsLength);
		expect(levenshteinDistance(a, b)).toBe(reference.longTexts);
		expect(fuzzyRatio(a, b)).toBeCloseTo(1 - reference.longTexts / Math.max(a.length, b.length), 12);
		expect(fuzzyRatio(a, b)).toBeGreaterThan(0.9);
	});
});

describe('levenshteinDistance', () => {
	it('counts code points, not UTF-16 units', () => {
		expect('😀'.length).toBe(2);
		expect(levenshteinDistance('😀', '')).toBe(1);
		expect(levenshteinDistance('😀', '😁')).toBe(1);
		// The two emoji share their high surrogate: by UTF-16 units they would differ in one unit too, so
		// also check a pair that differs in the high surrogate.
		expect(levenshteinDistance('😀', '𝒜')).toBe(1);
	});

	it('counts a lone surrogate as one character', () => {
		expect(levenshteinDistance('a\ud800b', 'ab')).toBe(1);
		expect(levenshteinDistance('\udc00', '\ud800')).toBe(1);
	});

	it('gives the same distance with the bit-parallel and the plain algorithm', () => {
		const { bitParallelDistance, dynamicProgrammingDistance, codePoints } = levenshteinInternals;
		let seed = 12345;
		const nextRandom = () => {
			seed = (seed * 16807) % 2147483647;
			return seed / 2147483647;
		};
		const randomText = (length: number, alphabet: string) => {
			const letters = Array.from(alphabet);
			let text = '';
			for (let index = 0; index < length; index++) text += letters[Math.floor(nextRandom() * letters.length)];
			return text;
		};
		for (let trial = 0; trial < 300; trial++) {
			const a = codePoints(randomText(1 + Math.floor(nextRandom() * 200), trial % 2 === 0 ? 'ab' : 'abcdefgh😀'));
			const b = codePoints(randomText(Math.floor(nextRandom() * 200), trial % 2 === 0 ? 'ab' : 'abcdefgh😀'));
			expect(bitParallelDistance(a, b)).toBe(dynamicProgrammingDistance(a, b));
		}
	});

	it('keeps the bit-parallel algorithm for a large alphabet: rare characters get no stored row', () => {
		// 12,000 distinct characters in 375 blocks: a full table would take 4.5 Mi entries.
		const { bitParallelDistance, dynamicProgrammingDistance, codePoints } = levenshteinInternals;
		const hugeAlphabet = codePoints(Array.from({ length: 12000 }, (_unused, index) => String.fromCodePoint(0x4e00 + index)).join(''));
		expect(bitParallelDistance(hugeAlphabet, codePoints('x'))).toBe(12000);
		expect(bitParallelDistance(hugeAlphabet, hugeAlphabet)).toBe(0);
		const shuffled = codePoints(Array.from({ length: 2000 }, (_unused, index) => String.fromCodePoint(0x4e00 + ((index * 7919) % 12000))).join(''));
		expect(bitParallelDistance(hugeAlphabet, shuffled)).toBe(dynamicProgrammingDistance(hugeAlphabet, shuffled));
	});

	it('agrees with the plain algorithm when some characters are frequent (stored rows) and others rare', () => {
		const { bitParallelDistance, dynamicProgrammingDistance } = levenshteinInternals;
		for (let trial = 0; trial < 20; trial++) {
			const pattern = Int32Array.from({ length: 600 + trial * 37 }, (_unused, index) => (index % 3 === 0 ? 100 + ((index * 31 + trial) % 500) : (index * trial) % 4));
			const text = Int32Array.from({ length: 500 + trial * 11 }, (_unused, index) => (index % 4 === 0 ? 100 + ((index * 17) % 500) : (index + trial) % 4));
			expect([trial, bitParallelDistance(pattern, text)]).toEqual([trial, dynamicProgrammingDistance(pattern, text)]);
		}
	});

	it('falls back to the plain algorithm when even the frequent rows would be too large', () => {
		// 2,200 characters each 32 times (70,400 positions, 2,200 blocks) need 4.8 Mi entries, past the limit of 4 Mi.
		const { bitParallelDistance, dynamicProgrammingDistance } = levenshteinInternals;
		const frequent = Int32Array.from({ length: 70_400 }, (_unused, index) => index % 2_200);
		expect(bitParallelDistance(frequent, Int32Array.of(5))).toBeUndefined();
		expect(dynamicProgrammingDistance(frequent, Int32Array.of(5))).toBe(70_399);
	});
});

describe('fuzzyRatio', () => {
	it.each(fixed)('%j ~ %j', (a, b, distance) => {
		const longest = Math.max(codePointLength(a), codePointLength(b));
		expect(fuzzyRatio(a, b)).toBeCloseTo(longest === 0 ? 1 : 1 - distance / longest, 12);
	});

	it('is 1 for identical texts, including two empty ones, and 0 against an empty text', () => {
		expect(fuzzyRatio('', '')).toBe(1);
		expect(fuzzyRatio('same', 'same')).toBe(1);
		expect(fuzzyRatio('', 'abc')).toBe(0);
		expect(fuzzyRatio('abc', '')).toBe(0);
		expect(fuzzyRatio('abc', 'xyz')).toBe(0);
	});

	it('measures emoji in code points: one of two characters differs', () => {
		expect(fuzzyRatio('a😀', 'a😁')).toBe(0.5);
	});

	it('stays in [0, 1] on the random pairs', () => {
		for (const [a, b] of random) {
			const ratio = fuzzyRatio(a, b);
			expect(ratio).toBeGreaterThanOrEqual(0);
			expect(ratio).toBeLessThanOrEqual(1);
		}
	});
});
