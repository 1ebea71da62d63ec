import { createRegexScorer } from '../../../core/scoring/scorers/regex';
import { longText, run } from './run';

describe('regex scorer', () => {
	it('has its type', () => {
		expect(createRegexScorer('date', { pattern: '\\d' }).type).toBe('regex');
	});

	it('passes on a match and reports it, case-insensitive by default', () => {
		const scorer = createRegexScorer('date', { pattern: '\\d{4}-\\d{2}-\\d{2}' });
		expect(run(scorer, 'Due on 2024-03-15.')).toEqual({
			score: 1,
			pass: true,
			reason: 'matches /\\d{4}-\\d{2}-\\d{2}/i at "2024-03-15"',
			details: { match: '2024-03-15', index: 7 },
		});
		expect(run(createRegexScorer('yes', { pattern: '^yes\\b' }), 'YES, indeed').pass).toBe(true);
	});

	it('fails without a match', () => {
		const scorer = createRegexScorer('date', { pattern: '\\d{4}-\\d{2}-\\d{2}' });
		expect(run(scorer, 'tomorrow')).toEqual({
			score: 0,
			pass: false,
			reason: 'does not match /\\d{4}-\\d{2}-\\d{2}/i',
			details: { match: null },
		});
		expect(run(scorer, '').pass).toBe(false);
	});

	it('respects caseSensitive and explicit flags', () => {
		expect(run(createRegexScorer('r', { pattern: '^yes', caseSensitive: true }), 'YES').pass).toBe(false);
		expect(run(createRegexScorer('r', { pattern: '^yes', caseSensitive: true, flags: 'i' }), 'YES').pass).toBe(true);
		expect(run(createRegexScorer('r', { pattern: '^b$' }), 'a\nb').pass).toBe(false);
		expect(run(createRegexScorer('r', { pattern: '^b$', flags: 'm' }), 'a\nb').pass).toBe(true);
		expect(run(createRegexScorer('r', { pattern: 'a.b', flags: 's' }), 'a\nb').pass).toBe(true);
	});

	it('does not add a second i flag', () => {
		expect(run(createRegexScorer('r', { pattern: 'x', flags: 'i' }), 'X').reason).toBe('matches /x/i at "X"');
	});

	it('drops g and y, so that repeated calls give the same answer', () => {
		const scorer = createRegexScorer('r', { pattern: 'cat', flags: 'gy' });
		for (let i = 0; i < 3; i++) expect(run(scorer, 'cat').pass).toBe(true);
		expect(run(scorer, 'a cat').pass).toBe(true);
		expect(run(scorer, 'a cat').reason).toBe('matches /cat/i at "cat"');
	});

	it('negates', () => {
		const scorer = createRegexScorer('noUrl', { pattern: 'https?://', negate: true });
		expect(run(scorer, 'see http://x.test')).toMatchObject({ score: 0, pass: false, reason: 'not: matches /https?:\\/\\//i at "http://"' });
		expect(run(scorer, 'no links here')).toMatchObject({ score: 1, pass: true, reason: 'not: does not match /https?:\\/\\//i' });
	});

	it('handles Unicode with the u flag', () => {
		expect(run(createRegexScorer('r', { pattern: '^\\p{Lu}', flags: 'u', caseSensitive: true }), 'Émile').pass).toBe(true);
		expect(run(createRegexScorer('r', { pattern: '^\\p{Lu}', flags: 'u', caseSensitive: true }), 'émile').pass).toBe(false);
		expect(run(createRegexScorer('r', { pattern: '^.$', flags: 'u' }), '🙂').pass).toBe(true);
		expect(run(createRegexScorer('r', { pattern: '^.$' }), '🙂').pass).toBe(false);
	});

	it('handles a very long output', () => {
		const text = `${longText(200_000)} final answer: 42`;
		expect(run(createRegexScorer('r', { pattern: 'answer: (\\d+)$' }), text).details).toEqual({ match: 'answer: 42', index: text.length - 10 });
	});

	it('cuts a long match in the reason', () => {
		const result = run(createRegexScorer('r', { pattern: 'a+' }), 'a'.repeat(500));
		expect(result.reason).toBe(`matches /a+/i at "${'a'.repeat(60)}"…`);
		expect(result.details?.match).toBe('a'.repeat(500));
	});

	it('refuses an invalid pattern, an empty one or bad flags, naming the scorer', () => {
		expect(() => createRegexScorer('date', { pattern: '(' })).toThrow(/^date: regex pattern \/\(\/i is invalid: .*Unterminated group/);
		expect(() => createRegexScorer('date', { pattern: '' })).toThrow('date: regex needs a pattern');
		expect(() => createRegexScorer('date', { pattern: 'x', flags: 'q' })).toThrow(/^date: regex pattern \/x\/qi is invalid/);
		expect(() => createRegexScorer('date', {} as never)).toThrow('date: regex needs "pattern" as text, got undefined');
	});
});
