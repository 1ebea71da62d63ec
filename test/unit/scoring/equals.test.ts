import { createEqualsScorer } from '../../../core/scoring/scorers/equals';
import { longText, run } from './run';

describe('equals scorer', () => {
	it('has the name and type it was created with', () => {
		const scorer = createEqualsScorer('capital', { value: 'Paris' });
		expect(scorer.name).toBe('capital');
		expect(scorer.type).toBe('equals');
	});

	it('passes on an equal output, ignoring case and surrounding whitespace by default', () => {
		const scorer = createEqualsScorer('capital', { value: 'Paris' });
		expect(run(scorer, 'Paris')).toEqual({ score: 1, pass: true, reason: 'equals "Paris"' });
		expect(run(scorer, '  pARIS\n')).toEqual({ score: 1, pass: true, reason: 'equals "Paris"' });
	});

	it('fails on a different output and quotes it', () => {
		const scorer = createEqualsScorer('capital', { value: 'Paris' });
		expect(run(scorer, 'Lyon')).toEqual({ score: 0, pass: false, reason: '"Lyon" does not equal "Paris"' });
		expect(run(scorer, 'Paris.').pass).toBe(false);
		expect(run(scorer, 'Paris is the capital').pass).toBe(false);
	});

	it('trims the value too', () => {
		expect(run(createEqualsScorer('c', { value: ' Paris ' }), 'Paris').pass).toBe(true);
	});

	it('compares case when caseSensitive', () => {
		const scorer = createEqualsScorer('capital', { value: 'Paris', caseSensitive: true });
		expect(run(scorer, 'Paris').pass).toBe(true);
		expect(run(scorer, 'paris').pass).toBe(false);
	});

	it('compares whitespace when trim is false', () => {
		const scorer = createEqualsScorer('capital', { value: 'Paris', trim: false });
		expect(run(scorer, 'Paris').pass).toBe(true);
		expect(run(scorer, 'Paris\n').pass).toBe(false);
	});

	it('negates', () => {
		const scorer = createEqualsScorer('capital', { value: 'Paris', negate: true });
		expect(run(scorer, 'Paris')).toEqual({ score: 0, pass: false, reason: 'not: equals "Paris"' });
		expect(run(scorer, 'Lyon')).toEqual({ score: 1, pass: true, reason: 'not: "Lyon" does not equal "Paris"' });
	});

	it('handles an empty output and an empty value', () => {
		expect(run(createEqualsScorer('c', { value: 'Paris' }), '').pass).toBe(false);
		expect(run(createEqualsScorer('c', { value: '' }), '   ').pass).toBe(true);
		expect(run(createEqualsScorer('c', { value: '' }), 'x').pass).toBe(false);
	});

	it('folds Unicode case', () => {
		const scorer = createEqualsScorer('c', { value: 'ÉCOLE ÜBER ΣΟΦΙΑ' });
		expect(run(scorer, 'école über σοφια').pass).toBe(true);
		expect(run(createEqualsScorer('c', { value: '🙂 ok' }), '🙂 OK').pass).toBe(true);
	});

	it('accepts a number as the value', () => {
		expect(run(createEqualsScorer('c', { value: 42 as unknown as string }), ' 42 ').pass).toBe(true);
	});

	it('cuts a very long output in the reason', () => {
		const result = run(createEqualsScorer('c', { value: 'Paris' }), longText(100_000));
		expect(result.pass).toBe(false);
		expect(result.reason.length).toBeLessThan(100);
		expect(result.reason).toBe(`"${'lorem '.repeat(10)}"… does not equal "Paris"`);
	});

	it('refuses a value that is not text', () => {
		expect(() => createEqualsScorer('capital', {} as never)).toThrow('capital: equals needs "value" as text, got undefined');
		expect(() => createEqualsScorer('capital', { value: { a: 1 } } as never)).toThrow('capital: equals needs "value" as text, got object');
	});
});
