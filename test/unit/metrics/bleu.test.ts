/**
 * Expected values: NLTK 3.8's nltk.translate.bleu_score.sentence_bleu with SmoothingFunction()
 * methods 0 (here 'none'), 1, 2, 3, 4 and 7, computed by
 *
 *     /usr/bin/python3 test/unit/metrics/reference/bleu_gleu.py > test/unit/metrics/fixtures/bleu_gleu.json
 *
 * (Debian's python3-nltk), over the text pairs listed in that script; plus the values printed in
 * the docstrings of /usr/lib/python3/dist-packages/nltk/translate/bleu_score.py.
 */
import { sentenceBleu, textBleu } from '../../../core/scoring/metrics/bleu';
import { tokenize } from '../../../core/scoring/metrics/tokenize';
import { expandText, expectCloseToReference, findCase, fixture, longText, SMOOTHINGS } from './bleuGleuFixture';

describe('textBleu against NLTK sentence_bleu', () => {
	it('has at least 15 text pairs besides the empty ones', () => {
		expect(fixture.cases.filter((testCase) => testCase.hypothesis !== '' && testCase.references.some((reference) => reference !== '')).length).toBeGreaterThanOrEqual(15);
	});

	describe.each(fixture.cases.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
		const references = testCase.references.map(expandText);
		const hypothesis = expandText(testCase.hypothesis);

		it.each(SMOOTHINGS.map((smoothing) => [smoothing]))('smoothing %s', (smoothing) => {
			expectCloseToReference(textBleu(references, hypothesis, { smoothing }), testCase.bleu[smoothing]);
		});
	});

	describe.each(fixture.optionCases.map((optionCase) => [optionCase.name, optionCase] as const))('%s', (_name, optionCase) => {
		const testCase = findCase(optionCase.case);
		const references = testCase.references.map(expandText);
		const hypothesis = expandText(testCase.hypothesis);

		it.each(SMOOTHINGS.map((smoothing) => [smoothing]))('smoothing %s', (smoothing) => {
			expectCloseToReference(textBleu(references, hypothesis, { ...optionCase.options, smoothing }), optionCase.bleu[smoothing]);
		});
	});
});

describe('sentenceBleu', () => {
	const reference1 = 'It is a guide to action that ensures that the military will forever heed Party commands'.split(' ');
	const reference2 = 'It is the guiding principle which guarantees the military forces always being under the command of the Party'.split(' ');
	const reference3 = 'It is the practical guide for the army always to heed the directions of the party'.split(' ');
	const hypothesis1 = 'It is a guide to action which ensures that the military always obeys the commands of the party'.split(' ');

	/** A doctest's `0.5045...`: the value starts with these digits. */
	const expectDigits = (value: number, digits: string) => expect(String(value).startsWith(digits)).toBe(true);

	it("reproduces the examples in NLTK's docstrings", () => {
		const references = [reference1, reference2, reference3];
		expectDigits(sentenceBleu(references, hypothesis1, { smoothing: 'none' }), '0.5045');
		expectDigits(sentenceBleu(references, hypothesis1, { smoothing: 'none', weights: [0.2, 0.2, 0.2, 0.2, 0.2] }), '0.3920');
		expectDigits(sentenceBleu(references, hypothesis1, { smoothing: 'none', weights: [0.5, 0.5] }), '0.7453');
		expectDigits(sentenceBleu(references, hypothesis1, { smoothing: 'none', weights: [1 / 3, 1 / 3, 1 / 3] }), '0.6240');
		// SmoothingFunction's docstring, one reference.
		for (const smoothing of ['none', 'method1', 'method3', 'method4'] as const) expectDigits(sentenceBleu([reference1], hypothesis1, { smoothing }), '0.4118');
		expectDigits(sentenceBleu([reference1], hypothesis1, { smoothing: 'method2' }), '0.4452');
		expectDigits(sentenceBleu([reference1], hypothesis1, { smoothing: 'method7' }), '0.4905');
		// brevity_penalty's docstring: a hypothesis of 12 against two references of 28 gives BP 0.2635971381157267.
		const a = (count: number) => new Array<string>(count).fill('a');
		expect(sentenceBleu([a(28), a(28)], a(12), { weights: [1] })).toBeCloseTo(0.2635971381157267, 12);
		// Reference lengths 13 and 2 for 12 tokens: 13 is the closest, BP 0.9200...
		expectDigits(sentenceBleu([a(13), a(2)], a(12), { weights: [1] }), '0.9200');
		// mteval-v13a.pl's example, as quoted there: references of 11 and 8, hypothesis of 7: 0.8668...
		expectDigits(sentenceBleu([a(11), a(8)], a(7), { weights: [1] }), '0.8668');
		// Lengths 13 and 11 are equally close to 12: the shorter wins and there is no penalty.
		expect(sentenceBleu([a(13), a(11)], a(12), { weights: [1] })).toBe(1);
		expect(sentenceBleu([a(11), a(13)], a(12), { weights: [1] })).toBe(1);
	});

	it('matches the fixture when given the tokens directly', () => {
		for (const testCase of fixture.cases) {
			if (testCase.referenceTokens === null || testCase.hypothesisTokens === null) continue;
			expectCloseToReference(sentenceBleu(testCase.referenceTokens, testCase.hypothesisTokens), testCase.bleu.method1);
		}
	});

	it('uses method1 and BLEU-4 weights by default', () => {
		const testCase = findCase('multiple references, no 3- or 4-gram match (NLTK doc hypothesis 2)');
		const references = testCase.references.map(tokenize);
		const hypothesis = tokenize(testCase.hypothesis);
		expect(sentenceBleu(references, hypothesis)).toBe(sentenceBleu(references, hypothesis, { smoothing: 'method1', weights: [0.25, 0.25, 0.25, 0.25], epsilon: 0.1 }));
		expect(textBleu(testCase.references, testCase.hypothesis)).toBe(sentenceBleu(references, hypothesis));
	});

	it('without smoothing returns the tiny number NLTK returns, not exactly 0', () => {
		// NLTK puts sys.float_info.min in place of each zero precision: 0.25 · ln(2.2e-308) per missing order.
		const testCase = findCase('hypothesis of 3 tokens');
		const value = textBleu(testCase.references, testCase.hypothesis, { smoothing: 'none' });
		expect(value).toBeGreaterThan(0);
		expect(value).toBeLessThan(1e-70);
		expect(value / testCase.bleu.none).toBeCloseTo(1, 9);
	});

	it('method7 can exceed 1 on identical texts, as in NLTK', () => {
		expect(textBleu('The quick brown fox jumps over the lazy dog.', 'The quick brown fox jumps over the lazy dog.', { smoothing: 'method7' })).toBeCloseTo(
			findCase('identical texts').bleu.method7,
			12,
		);
		expect(findCase('identical texts').bleu.method7).toBeGreaterThan(1);
	});

	it('accepts a single reference as a string or as a list', () => {
		expect(textBleu('the cat sat on the mat', 'the cat sat')).toBe(textBleu(['the cat sat on the mat'], 'the cat sat'));
	});

	it('does not confuse tokens that contain spaces or separator-like characters', () => {
		// Joined with a space, the bigrams ('a b', 'c') and ('a', 'b c') would be one key, and p2 would be
		// 1/2 instead of method1's 0.1/2. Likewise with a NUL separator for ('x\0', 'y') and ('x', '\0y').
		expect(sentenceBleu([['a b', 'c']], ['a', 'b c', 'a b'], { weights: [0, 1] })).toBeCloseTo(0.05, 12);
		expect(sentenceBleu([['x\u0000', 'y']], ['x', '\u0000y', 'x\u0000'], { weights: [0, 1] })).toBeCloseTo(0.05, 12);
	});

	it('scores the empty cases as NLTK does', () => {
		expect(textBleu('the cat', '')).toBe(0);
		expect(textBleu('', 'the cat')).toBe(0);
		expect(textBleu('', '')).toBe(0);
		expect(sentenceBleu([[]], [])).toBe(0);
	});

	it('throws where NLTK raises or has nothing to say', () => {
		expect(() => sentenceBleu([], ['a'])).toThrow(RangeError);
		expect(() => textBleu([], 'a')).toThrow(RangeError);
		expect(() => sentenceBleu([['a']], ['a'], { weights: [] })).toThrow(RangeError);
		expect(() => sentenceBleu([['a']], ['a'], { weights: [0.5, -0.5] })).toThrow(RangeError);
		expect(() => sentenceBleu([['a']], ['a'], { weights: [Number.NaN] })).toThrow(RangeError);
		expect(() => sentenceBleu([['a']], ['a'], { epsilon: 0 })).toThrow(RangeError);
		expect(() => sentenceBleu([['a']], ['a'], { smoothing: 'method8' as never })).toThrow(RangeError);
	});

	it('handles long texts (5,000 words) with a sane value', () => {
		const reference = longText(5000, false);
		const hypothesis = longText(5000, true);
		const value = textBleu(reference, hypothesis);
		expect(value).toBeGreaterThan(0.5);
		expect(value).toBeLessThan(1);
		expectCloseToReference(value, findCase('long texts (5,000 words each)').bleu.method1);
		expect(textBleu(reference, reference)).toBe(1);
	});
});
