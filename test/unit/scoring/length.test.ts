import { countCodePoints, countWords, createLengthScorer, estimateTokens } from '../../../core/scoring/scorers/length';
import { longText, run } from './run';

describe('length measures', () => {
	it('counts code points, not UTF-16 units', () => {
		expect(countCodePoints('')).toBe(0);
		expect(countCodePoints('abc')).toBe(3);
		expect(countCodePoints('🙂🙂')).toBe(2);
		expect(countCodePoints('e\u0301')).toBe(2);
		expect(countCodePoints('日本語')).toBe(3);
		expect(countCodePoints('\ud83d')).toBe(1);
		expect(countCodePoints('a\ud83db')).toBe(3);
		expect(countCodePoints('\ude42\ud83d')).toBe(2);
	});

	it('counts whitespace-separated words', () => {
		expect(countWords('')).toBe(0);
		expect(countWords('   \n\t ')).toBe(0);
		expect(countWords('one')).toBe(1);
		expect(countWords('  one two\tthree\nfour  ')).toBe(4);
		expect(countWords('non-breaking\u00a0space and\u3000ideographic')).toBe(4);
		expect(countWords('punctuation, counts. with words!')).toBe(4);
		expect(countWords('🙂 🙂')).toBe(2);
	});

	it('estimates tokens as ceil(characters / 4)', () => {
		expect(estimateTokens('')).toBe(0);
		expect(estimateTokens('abc')).toBe(1);
		expect(estimateTokens('abcd')).toBe(1);
		expect(estimateTokens('abcde')).toBe(2);
		expect(estimateTokens('🙂🙂🙂🙂🙂')).toBe(2);
	});
});

describe('length scorer', () => {
	it('has its type', () => {
		expect(createLengthScorer('short', { unit: 'words', max: 3 }).type).toBe('length');
	});

	it('passes within [min, max] inclusive and puts the length in details', () => {
		const scorer = createLengthScorer('short', { unit: 'words', min: 2, max: 3 });
		expect(run(scorer, 'one two')).toEqual({
			score: 1,
			pass: true,
			reason: '2 words, within [2, 3]',
			details: { length: 2, unit: 'words', min: 2, max: 3 },
		});
		expect(run(scorer, 'one two three').pass).toBe(true);
	});

	it('fails outside', () => {
		const scorer = createLengthScorer('short', { unit: 'words', min: 2, max: 3 });
		expect(run(scorer, 'one')).toEqual({
			score: 0,
			pass: false,
			reason: '1 words, not within [2, 3]',
			details: { length: 1, unit: 'words', min: 2, max: 3 },
		});
		expect(run(scorer, 'one two three four').pass).toBe(false);
		expect(run(scorer, '').details).toEqual({ length: 0, unit: 'words', min: 2, max: 3 });
	});

	it('takes one bound alone', () => {
		const atMost = createLengthScorer('c', { unit: 'characters', max: 5 });
		expect(run(atMost, 'hello')).toMatchObject({ pass: true, reason: '5 characters, at most 5' });
		expect(run(atMost, 'hello!')).toMatchObject({ pass: false, reason: '6 characters, not at most 5' });
		expect(run(atMost, '').pass).toBe(true);
		const atLeast = createLengthScorer('c', { unit: 'characters', min: 1 });
		expect(run(atLeast, '')).toMatchObject({ pass: false, reason: '0 characters, not at least 1', details: { length: 0, unit: 'characters', min: 1 } });
		expect(run(atLeast, 'x').pass).toBe(true);
	});

	it('counts characters as code points', () => {
		const scorer = createLengthScorer('c', { unit: 'characters', max: 3 });
		expect(run(scorer, '🙂🙂🙂')).toMatchObject({ pass: true, details: { length: 3 } });
		expect(run(scorer, 'e\u0301te\u0301').pass).toBe(false);
	});

	it('says that tokens are estimated', () => {
		const scorer = createLengthScorer('t', { unit: 'tokens', min: 2, max: 2 });
		expect(run(scorer, 'abcdefgh')).toEqual({
			score: 1,
			pass: true,
			reason: '2 tokens (estimated as characters / 4, rounded up), within [2, 2]',
			details: { length: 2, unit: 'tokens', min: 2, max: 2 },
		});
		expect(run(scorer, 'abcdefghi')).toMatchObject({ pass: false, details: { length: 3 } });
	});

	it('negates', () => {
		const scorer = createLengthScorer('notShort', { unit: 'words', max: 2, negate: true });
		expect(run(scorer, 'one two')).toMatchObject({ score: 0, pass: false, reason: 'not: 2 words, at most 2' });
		expect(run(scorer, 'one two three')).toMatchObject({ score: 1, pass: true });
	});

	it('measures a very long output', () => {
		const text = longText(100_000);
		expect(run(createLengthScorer('w', { unit: 'words', max: 100_000 }), text)).toMatchObject({ pass: true, details: { length: 100_000 } });
		expect(run(createLengthScorer('c', { unit: 'characters', max: 10 }), text)).toMatchObject({ pass: false, details: { length: 599_999 } });
		expect(run(createLengthScorer('t', { unit: 'tokens', min: 1 }), text).details?.length).toBe(150_000);
	});

	it('accepts bounds given as numeric text and zero', () => {
		const fromText = createLengthScorer('c', { unit: 'words', min: '1' as unknown as number, max: '3' as unknown as number });
		expect(run(fromText, 'x')).toMatchObject({ pass: true, details: { min: 1, max: 3 } });
		expect(run(fromText, '').pass).toBe(false);
		expect(run(createLengthScorer('c', { unit: 'words', max: 0 }), '').pass).toBe(true);
	});

	it('refuses a bad configuration, naming the scorer', () => {
		expect(() => createLengthScorer('len', { unit: 'words' })).toThrow('len: length needs a min, a max or both');
		expect(() => createLengthScorer('len', { unit: 'words', min: 5, max: 2 })).toThrow('len: length has min 5 above max 2');
		expect(() => createLengthScorer('len', { unit: 'words', min: -1 })).toThrow('len: length needs "min" as a number >= 0, got -1');
		expect(() => createLengthScorer('len', { unit: 'words', max: 'ten' as never })).toThrow('len: length needs "max" as a number >= 0, got "ten"');
		expect(() => createLengthScorer('len', { unit: 'lines' as never, max: 3 })).toThrow(
			'len: length needs "unit" to be characters, words or tokens, got "lines"',
		);
		expect(() => createLengthScorer('len', { unit: 'toString' as never, max: 3 })).toThrow(/unit/);
	});
});
