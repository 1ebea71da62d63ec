/**
 * Expected stems: NLTK 3.8's nltk.stem.porter.PorterStemmer(mode).stem(word) (Debian's
 * python3-nltk) for the modes ORIGINAL_ALGORITHM, MARTIN_EXTENSIONS and NLTK_EXTENSIONS, over 685
 * words (Porter's examples, NLTK's extensions, odd and astral inputs, a sample of NLTK's source
 * words), computed by
 *
 *     /usr/bin/python3 test/unit/metrics/reference/porter.py > test/unit/metrics/fixtures/porter.json
 */
import { porterStem, type PorterMode } from '../../../core/scoring/metrics/porterStemmer';
import reference from './fixtures/porter.json';

const modes = reference.modes as PorterMode[];
const rows = reference.words as string[][];

describe('porterStem against NLTK', () => {
	it('covers a few hundred words, some of which the modes stem differently', () => {
		expect(rows.length).toBeGreaterThanOrEqual(300);
		expect(rows.filter((row) => new Set(row.slice(1)).size > 1).length).toBeGreaterThanOrEqual(30);
	});

	describe.each(modes.map((mode, index) => [mode, index + 1] as const))('%s', (mode, column) => {
		it('gives NLTK’s stem for every word', () => {
			const mismatches = rows.filter((row) => porterStem(row[0], mode) !== row[column]).map((row) => [row[0], porterStem(row[0], mode), row[column]]);
			expect(mismatches).toEqual([]);
		});
	});
});

describe('porterStem', () => {
	it('uses the original algorithm by default', () => {
		expect(porterStem('dying')).toBe('dy');
		expect(porterStem('dying', 'NLTK_EXTENSIONS')).toBe('die');
	});

	it("follows Porter's paper", () => {
		const examples: [string, string][] = [
			['caresses', 'caress'],
			['ponies', 'poni'],
			['motoring', 'motor'],
			['hopping', 'hop'],
			['filing', 'file'],
			['relational', 'relat'],
			['generalizations', 'gener'],
			['oscillators', 'oscil'],
		];
		for (const [word, stem] of examples) expect(porterStem(word)).toBe(stem);
	});

	it('lowercases first, as NLTK does', () => {
		expect(porterStem('CARESSES')).toBe('caress');
	});

	it('counts astral characters as one character each, as Python does', () => {
		// 😀😀 is a double consonant to Python, so -ed removal undoubles it.
		expect(porterStem('bee😀😀ed')).toBe('bee😀');
		expect(porterStem('𝒜bcs')).toBe('𝒜bc');
	});

	it('keeps empty and one-letter words', () => {
		expect(porterStem('')).toBe('');
		expect(porterStem('a', 'NLTK_EXTENSIONS')).toBe('a');
	});
});
