/**
 * Expected values: NLTK 3.8's nltk.translate.gleu_score.sentence_gleu(references, hypothesis,
 * min_len, max_len), computed by
 *
 *     /usr/bin/python3 test/unit/metrics/reference/bleu_gleu.py > test/unit/metrics/fixtures/bleu_gleu.json
 *
 * (Debian's python3-nltk), over the text pairs listed in that script; plus the docstring examples
 * of /usr/lib/python3/dist-packages/nltk/translate/gleu_score.py.
 */
import { sentenceGleu, textGleu } from '../../../core/scoring/metrics/gleu';
import { expandText, expectCloseToReference, findCase, fixture, longText } from './bleuGleuFixture';

describe('textGleu against NLTK sentence_gleu', () => {
	it('has at least 15 text pairs besides the empty ones', () => {
		expect(fixture.cases.filter((testCase) => testCase.hypothesis !== '' && testCase.references.some((reference) => reference !== '')).length).toBeGreaterThanOrEqual(15);
	});

	describe.each(fixture.cases.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
		const references = testCase.references.map(expandText);
		const hypothesis = expandText(testCase.hypothesis);

		it.each(testCase.gleu.map((expected) => [expected.minLen, expected.maxLen, expected.value]))('n-grams of %i to %i', (minLen, maxLen, value) => {
			expectCloseToReference(textGleu(references, hypothesis, minLen, maxLen), value);
		});
	});
});

describe('sentenceGleu', () => {
	/** A doctest's `0.4393...`: the value starts with these digits. */
	const expectDigits = (value: number, digits: string) => expect(String(value).startsWith(digits)).toBe(true);

	it("reproduces the examples in NLTK's docstrings", () => {
		const words = (text: string) => text.split(' ');
		const reference1 = words('It is a guide to action that ensures that the military will forever heed Party commands');
		const hypothesis1 = words('It is a guide to action which ensures that the military always obeys the commands of the party');
		const hypothesis2 = words('It is to insure the troops forever hearing the activity guidebook that party direct');
		expectDigits(sentenceGleu([words('the cat is on the mat')], words('the the the the the the the')), '0.0909');
		expectDigits(sentenceGleu([reference1], hypothesis1), '0.4393');
		expectDigits(sentenceGleu([reference1], hypothesis2), '0.1206');
		// corpus_gleu's docstring: the mean of two sentence scores.
		const reference2 = words('he was interested in world history because he read the book');
		const hypothesis3 = words('he read the book because he was interested in world history');
		expectDigits((sentenceGleu([reference1], hypothesis1) + sentenceGleu([reference2], hypothesis3)) / 2, '0.6144');
	});

	it('matches the fixture when given the tokens directly', () => {
		for (const testCase of fixture.cases) {
			if (testCase.referenceTokens === null || testCase.hypothesisTokens === null) continue;
			expectCloseToReference(sentenceGleu(testCase.referenceTokens, testCase.hypothesisTokens), testCase.gleu[0].value);
		}
	});

	it('uses n-grams of 1 to 4 by default', () => {
		const testCase = findCase('unicode: accents');
		expect(textGleu(testCase.references, testCase.hypothesis)).toBe(textGleu(testCase.references, testCase.hypothesis, 1, 4));
		expect(textGleu(testCase.references[0], testCase.hypothesis)).toBe(textGleu(testCase.references, testCase.hypothesis));
	});

	it('is symmetric with one reference', () => {
		const testCase = findCase('shorter hypothesis (brevity penalty)');
		expect(textGleu(testCase.hypothesis, testCase.references[0])).toBe(textGleu(testCase.references[0], testCase.hypothesis));
	});

	it('scores the empty cases as NLTK does: 0, also with no reference at all', () => {
		expect(textGleu('the cat', '')).toBe(0);
		expect(textGleu('', 'the cat')).toBe(0);
		expect(textGleu('', '')).toBe(0);
		expect(sentenceGleu([], ['a', 'b'])).toBe(fixture.gleuWithoutReferences);
		expect(textGleu([], 'a b')).toBe(0);
	});

	it('does not confuse tokens that contain spaces', () => {
		// Joined with a space, ('a b', 'c') and ('a', 'b c') would be one bigram: 3 matches of 5 instead of 2.
		expect(sentenceGleu([['a b', 'c']], ['a', 'b c'], 1, 2)).toBe(0);
		expect(sentenceGleu([['a b', 'c']], ['a b', 'c'], 1, 2)).toBe(1);
	});

	it('rejects n-gram lengths NLTK would count nothing or empty n-grams for', () => {
		expect(() => sentenceGleu([['a']], ['a'], 0, 4)).toThrow(RangeError);
		expect(() => sentenceGleu([['a']], ['a'], 3, 2)).toThrow(RangeError);
		expect(() => sentenceGleu([['a']], ['a'], 1.5, 2)).toThrow(RangeError);
	});

	it('handles long texts (5,000 words) with a sane value', () => {
		const value = textGleu(longText(5000, false), longText(5000, true));
		expect(value).toBeGreaterThan(0.5);
		expect(value).toBeLessThan(1);
		expectCloseToReference(value, findCase('long texts (5,000 words each)').gleu[0].value);
	});
});
