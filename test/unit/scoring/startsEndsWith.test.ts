import { createEndsWithScorer } from '../../../core/scoring/scorers/endsWith';
import { createStartsWithScorer } from '../../../core/scoring/scorers/startsWith';
import { longText, run } from './run';

describe('starts_with scorer', () => {
	it('has its type', () => {
		expect(createStartsWithScorer('opening', { value: 'Dear' }).type).toBe('starts_with');
	});

	it('passes when the output starts with the value, ignoring case and leading whitespace', () => {
		const scorer = createStartsWithScorer('opening', { value: 'Dear' });
		expect(run(scorer, 'Dear Sir')).toEqual({ score: 1, pass: true, reason: 'starts with "Dear"' });
		expect(run(scorer, '\n  dEAR Sir').pass).toBe(true);
	});

	it('fails otherwise', () => {
		const scorer = createStartsWithScorer('opening', { value: 'Dear' });
		expect(run(scorer, 'Hello, dear Sir')).toEqual({ score: 0, pass: false, reason: 'does not start with "Dear"' });
		expect(run(scorer, 'Dea').pass).toBe(false);
		expect(run(scorer, '').pass).toBe(false);
	});

	it('respects caseSensitive and trim: false', () => {
		expect(run(createStartsWithScorer('o', { value: 'Dear', caseSensitive: true }), 'dear Sir').pass).toBe(false);
		expect(run(createStartsWithScorer('o', { value: 'Dear', caseSensitive: true }), 'Dear Sir').pass).toBe(true);
		expect(run(createStartsWithScorer('o', { value: 'Dear', trim: false }), ' Dear Sir').pass).toBe(false);
	});

	it('negates', () => {
		const scorer = createStartsWithScorer('opening', { value: 'As an AI', negate: true });
		expect(run(scorer, 'As an AI model, I')).toEqual({ score: 0, pass: false, reason: 'not: starts with "As an AI"' });
		expect(run(scorer, 'Sure!').pass).toBe(true);
	});

	it('handles Unicode and very long outputs', () => {
		expect(run(createStartsWithScorer('o', { value: 'ÉTÉ 🙂' }), 'été 🙂 chaud').pass).toBe(true);
		expect(run(createStartsWithScorer('o', { value: 'İstanbul' }), 'İSTANBUL').pass).toBe(true);
		expect(run(createStartsWithScorer('o', { value: 'LOREM lorem' }), longText(200_000)).pass).toBe(true);
		expect(run(createStartsWithScorer('o', { value: 'ipsum' }), longText(200_000)).pass).toBe(false);
	});

	it('refuses an empty value', () => {
		expect(() => createStartsWithScorer('opening', { value: '' })).toThrow('opening: starts_with needs a value that is not empty');
	});
});

describe('ends_with scorer', () => {
	it('has its type', () => {
		expect(createEndsWithScorer('closing', { value: 'Regards' }).type).toBe('ends_with');
	});

	it('passes when the output ends with the value, ignoring case and trailing whitespace', () => {
		const scorer = createEndsWithScorer('closing', { value: 'Regards.' });
		expect(run(scorer, 'Best regards.')).toEqual({ score: 1, pass: true, reason: 'ends with "Regards."' });
		expect(run(scorer, 'Best REGARDS.\n\n').pass).toBe(true);
	});

	it('fails otherwise', () => {
		const scorer = createEndsWithScorer('closing', { value: 'Regards.' });
		expect(run(scorer, 'Regards. Bye')).toEqual({ score: 0, pass: false, reason: 'does not end with "Regards."' });
		expect(run(scorer, '').pass).toBe(false);
	});

	it('respects caseSensitive and trim: false', () => {
		expect(run(createEndsWithScorer('c', { value: 'END', caseSensitive: true }), 'the end').pass).toBe(false);
		expect(run(createEndsWithScorer('c', { value: 'END', caseSensitive: true }), 'the END').pass).toBe(true);
		expect(run(createEndsWithScorer('c', { value: 'end', trim: false }), 'the end\n').pass).toBe(false);
	});

	it('negates', () => {
		const scorer = createEndsWithScorer('closing', { value: '?', negate: true });
		expect(run(scorer, 'Anything else?')).toEqual({ score: 0, pass: false, reason: 'not: ends with "?"' });
		expect(run(scorer, 'Done.').pass).toBe(true);
	});

	it('handles Unicode and very long outputs', () => {
		expect(run(createEndsWithScorer('c', { value: 'ΤΈΛΟΣ 🎉' }), 'Το τέλος 🎉').pass).toBe(true);
		expect(run(createEndsWithScorer('c', { value: 'LOREM' }), longText(200_000)).pass).toBe(true);
		expect(run(createEndsWithScorer('c', { value: 'ipsum' }), longText(200_000)).pass).toBe(false);
	});

	it('refuses an empty value', () => {
		expect(() => createEndsWithScorer('closing', { value: '' })).toThrow('closing: ends_with needs a value that is not empty');
	});
});
