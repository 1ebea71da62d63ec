import { createJsonSchemaScorer } from '../../../core/scoring/scorers/jsonSchema';
import { KEYWORD_CASES } from '../../fixtures/schemaKeywords';
import { run } from './run';

const person = {
	type: 'object',
	properties: {
		name: { type: 'string', minLength: 1 },
		age: { type: 'integer', minimum: 0 },
		tags: { type: 'array', items: { type: 'string' } },
	},
	required: ['name', 'age'],
	additionalProperties: false,
};

describe('json_schema scorer', () => {
	const scorer = createJsonSchemaScorer('shape', { schema: person });

	it('has its type', () => {
		expect(scorer.type).toBe('json_schema');
	});

	it('passes on conforming JSON', () => {
		expect(run(scorer, '{"name": "Ada", "age": 36, "tags": ["math"]}')).toEqual({
			score: 1,
			pass: true,
			reason: 'matches the schema',
			details: { violations: [] },
		});
	});

	it('fails on JSON that breaks the schema, listing the paths', () => {
		const result = run(scorer, '{"name": "", "age": -1, "tags": ["ok", 3], "extra": true}');
		expect(result.score).toBe(0);
		expect(result.pass).toBe(false);
		expect(result.error).toBeUndefined();
		expect(result.reason).toBe(
			'does not match the schema: $.name must have at least 1 characters; $.age must be >= 0; $.tags[1] expected string, got integer; $.extra is not an allowed property',
		);
		expect(result.details?.violations).toEqual([
			{ path: '$.name', message: 'must have at least 1 characters' },
			{ path: '$.age', message: 'must be >= 0' },
			{ path: '$.tags[1]', message: 'expected string, got integer' },
			{ path: '$.extra', message: 'is not an allowed property' },
		]);
	});

	it('lists every violation in details but at most five in the reason', () => {
		const many = createJsonSchemaScorer('s', { schema: { type: 'array', items: { type: 'string' } } });
		const result = run(many, '[1, 2, 3, 4, 5, 6, 7]');
		expect(result.details?.violations).toHaveLength(7);
		expect(result.reason).toMatch(/\(and 2 more\)$/);
	});

	it('fails without the error flag when the output is not JSON', () => {
		const result = run(scorer, 'Ada, 36');
		expect(result).toMatchObject({ score: 0, pass: false });
		expect(result.reason).toMatch(/^not JSON: Unexpected token/);
		expect(result.error).toBeUndefined();
		expect(run(scorer, '')).toEqual({ score: 0, pass: false, reason: 'not JSON: Unexpected end of JSON input' });
	});

	it('uses outputJson and accepts a fenced block', () => {
		expect(run(scorer, 'ignored', { outputJson: { name: 'Ada', age: 36 } }).pass).toBe(true);
		expect(run(scorer, '```json\n{"name": "Ada", "age": 36}\n```').pass).toBe(true);
	});

	it('takes the schema as JSON text', () => {
		const fromText = createJsonSchemaScorer('s', { schema: '{"type": "array", "maxItems": 1}' });
		expect(run(fromText, '[1]').pass).toBe(true);
		expect(run(fromText, '[1, 2]').reason).toBe('does not match the schema: $ must have at most 1 items');
	});

	it('handles Unicode', () => {
		const s = createJsonSchemaScorer('s', { schema: { type: 'object', properties: { 名前: { type: 'string', maxLength: 2 } } } });
		expect(run(s, '{"名前": "🙂🙂"}').pass).toBe(true);
		expect(run(s, '{"名前": "🙂🙂🙂"}').reason).toBe('does not match the schema: $["名前"] must have at most 2 characters');
	});

	it('negates: passes on JSON that does not conform, but still fails on text that is not JSON', () => {
		const negated = createJsonSchemaScorer('notPerson', { schema: person, negate: true });
		expect(run(negated, '{"name": "Ada", "age": 36}')).toEqual({ score: 0, pass: false, reason: 'not: matches the schema', details: { violations: [] } });
		expect(run(negated, '{"name": "Ada"}')).toMatchObject({ score: 1, pass: true });
		expect(run(negated, 'hello')).toMatchObject({ score: 0, pass: false });
		expect(run(negated, 'hello').reason).toMatch(/^not JSON: /);
	});

	it('refuses a schema that cannot be used when it is built, naming the scorer and where', () => {
		expect(() => createJsonSchemaScorer('s', { schema: { $ref: '#/$defs/missing' } })).toThrow(
			's: json_schema "schema" $ref "#/$defs/missing" does not resolve (references are followed only inside the schema; nothing is fetched)',
		);
		expect(() => createJsonSchemaScorer('s', { schema: '{"properties": {"age": {"type": "int"}}}' })).toThrow(
			's: json_schema "schema" is not a valid JSON Schema (draft 2020-12): #/properties/age/type must be equal to one of the allowed values',
		);
		expect(() => createJsonSchemaScorer('s', { schema: { type: 'string', pattern: '[' } })).toThrow(/^s: json_schema "schema" cannot be compiled: Invalid regular expression/);
	});

	it.each(KEYWORD_CASES)('$name: passes an output that meets it, fails one that breaks it with the path', ({ schema, good, bad, violations }) => {
		const scorer = createJsonSchemaScorer('rule', { schema });
		expect(run(scorer, JSON.stringify(good))).toMatchObject({ score: 1, pass: true });
		const result = run(scorer, JSON.stringify(bad));
		expect(result).toMatchObject({ score: 0, pass: false, details: { violations } });
		expect(result.error).toBeUndefined();
		expect(result.reason).toBe(`does not match the schema: ${violations.map((v) => `${v.path} ${v.message}`).join('; ')}`);
	});

	it('refuses a schema that is not an object, naming the scorer', () => {
		expect(() => createJsonSchemaScorer('shape', {} as never)).toThrow('shape: json_schema needs "schema" as a JSON Schema object');
		expect(() => createJsonSchemaScorer('shape', { schema: [] as never })).toThrow('shape: json_schema needs "schema" as a JSON Schema object');
		expect(() => createJsonSchemaScorer('shape', { schema: '{type' })).toThrow(/^shape: json_schema needs a schema that is valid JSON \(/);
		expect(() => createJsonSchemaScorer('shape', { schema: '3' })).toThrow('shape: json_schema needs "schema" as a JSON Schema object');
	});
});
