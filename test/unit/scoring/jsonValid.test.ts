import { createJsonValidScorer } from '../../../core/scoring/scorers/jsonValid';
import { run } from './run';

describe('json_valid scorer', () => {
	const scorer = createJsonValidScorer('isJson');

	it('has its type', () => {
		expect(scorer.type).toBe('json_valid');
	});

	it.each([['{"a":1}'], ['[1, 2]'], ['"text"'], ['42'], ['null'], ['  {"a": [true, false]}\n']])('passes on %j', (text) => {
		expect(run(scorer, text)).toEqual({ score: 1, pass: true, reason: 'valid JSON' });
	});

	it('accepts a ```json fenced block', () => {
		expect(run(scorer, '```json\n{"a": 1}\n```').pass).toBe(true);
		expect(run(scorer, '```\n[1]\n```').pass).toBe(true);
	});

	it('fails on text that is not JSON, without the error flag', () => {
		const result = run(scorer, 'Sure! {"a": 1}');
		expect(result).toMatchObject({ score: 0, pass: false });
		expect(result.reason).toMatch(/^not JSON: Unexpected token/);
		expect(result.error).toBeUndefined();
		expect(result.details?.problem).toBe(result.reason.slice('not JSON: '.length));
	});

	it('fails on a fenced block that is not JSON, with the parser\'s problem only', () => {
		const result = run(scorer, '```json\n{oops}\n```');
		expect(result).toMatchObject({ score: 0, pass: false });
		expect(result.reason).toMatch(/^not JSON: Expected property name or '}' in JSON at position 1/);
	});

	it('fails on an empty output and on truncated JSON', () => {
		expect(run(scorer, '')).toMatchObject({ score: 0, pass: false, reason: 'not JSON: Unexpected end of JSON input' });
		expect(run(scorer, '{"a": [1, 2').pass).toBe(false);
		expect(run(scorer, "{'a': 1}").pass).toBe(false);
	});

	it('uses outputJson when Generate Text parsed the output', () => {
		expect(run(scorer, 'not json at all', { outputJson: { a: 1 } }).pass).toBe(true);
		expect(run(scorer, 'null', { outputJson: null }).pass).toBe(true);
	});

	it('handles Unicode and very long JSON', () => {
		expect(run(scorer, '{"émoji": "🙂", "日本": "語"}').pass).toBe(true);
		const big = JSON.stringify(Array.from({ length: 50_000 }, (_, i) => ({ i, text: 'lorem ipsum' })));
		expect(run(scorer, big).pass).toBe(true);
		expect(run(scorer, big.slice(0, -1)).pass).toBe(false);
	});

	it('negates: passes when the output is not JSON', () => {
		const negated = createJsonValidScorer('plainText', { negate: true });
		expect(run(negated, 'hello')).toMatchObject({ score: 1, pass: true });
		expect(run(negated, 'hello').reason).toMatch(/^not: not JSON: /);
		expect(run(negated, '{}')).toEqual({ score: 0, pass: false, reason: 'not: valid JSON' });
	});
});
