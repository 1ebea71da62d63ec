import { KEYWORD_CASES } from '../fixtures/schemaKeywords';
import { compileJsonSchema, describeViolations, InvalidSchemaError, validateJsonSchema, type JsonSchema } from '../../core/json/validateJsonSchema';

const paths = (value: unknown, schema: JsonSchema) => validateJsonSchema(value, schema).map((v) => v.path);

describe('validateJsonSchema: types', () => {
	it.each([
		['string', 'text', true],
		['string', 3, false],
		['boolean', false, true],
		['boolean', 'false', false],
		['null', null, true],
		['null', 0, false],
		['object', {}, true],
		['object', [], false],
		['object', null, false],
		['array', [], true],
		['array', {}, false],
		['number', 1.5, true],
		['number', 2, true],
		['number', '2', false],
		['integer', 2, true],
		['integer', 2.0, true],
		['integer', 2.5, false],
		['integer', '2', false],
	])('type %s with %j conforms: %s', (type, value, ok) => {
		expect(validateJsonSchema(value, { type })).toHaveLength(ok ? 0 : 1);
	});

	it('reports the expected and actual type', () => {
		expect(validateJsonSchema(2.5, { type: 'integer' })).toEqual([{ path: '$', message: 'expected integer, got number' }]);
		expect(validateJsonSchema('x', { type: 'number' })).toEqual([{ path: '$', message: 'expected number, got string' }]);
		expect(validateJsonSchema([], { type: 'object' })).toEqual([{ path: '$', message: 'expected object, got array' }]);
	});

	it('accepts a list of types', () => {
		expect(validateJsonSchema(null, { type: ['string', 'null'] })).toEqual([]);
		expect(validateJsonSchema('a', { type: ['string', 'null'] })).toEqual([]);
		expect(validateJsonSchema(1, { type: ['string', 'null'] })).toEqual([
			{ path: '$', message: 'expected string or null, got integer' },
		]);
	});

	it('treats nullable: true as also allowing null', () => {
		expect(validateJsonSchema(null, { type: 'string', nullable: true })).toEqual([]);
		expect(validateJsonSchema(null, { type: 'string' })).toEqual([{ path: '$', message: 'expected string, got null' }]);
		expect(validateJsonSchema(4, { type: 'string', nullable: true })).toEqual([
			{ path: '$', message: 'expected string or null, got integer' },
		]);
	});

	it('stops checking a value once its type is wrong', () => {
		expect(validateJsonSchema(5, { type: 'string', minLength: 3, enum: ['abc'] })).toHaveLength(1);
	});

	it('handles boolean schemas', () => {
		expect(validateJsonSchema({ anything: [1] }, true)).toEqual([]);
		expect(validateJsonSchema(1, false)).toEqual([{ path: '$', message: 'no value is allowed here' }]);
		expect(validateJsonSchema({ a: 1 }, { type: 'object', properties: { a: false } })).toEqual([
			{ path: '$.a', message: 'no value is allowed here' },
		]);
	});

	it('accepts anything against an empty schema', () => {
		expect(validateJsonSchema([1, 'a', null, { b: true }], {})).toEqual([]);
	});
});

describe('validateJsonSchema: objects', () => {
	const person = {
		type: 'object',
		properties: { name: { type: 'string' }, age: { type: 'integer' } },
		required: ['name', 'age'],
		additionalProperties: false,
	};

	it('accepts a conforming object', () => {
		expect(validateJsonSchema({ name: 'Ada', age: 36 }, person)).toEqual([]);
	});

	it('reports each missing required property at the object path', () => {
		expect(validateJsonSchema({}, person)).toEqual([
			{ path: '$', message: 'is missing the required property "name"' },
			{ path: '$', message: 'is missing the required property "age"' },
		]);
	});

	it('reports a wrong property type at its own path', () => {
		expect(validateJsonSchema({ name: 'Ada', age: 36.5 }, person)).toEqual([
			{ path: '$.age', message: 'expected integer, got number' },
		]);
	});

	it('rejects properties not listed when additionalProperties is false', () => {
		expect(validateJsonSchema({ name: 'Ada', age: 1, extra: true }, person)).toEqual([
			{ path: '$.extra', message: 'is not an allowed property' },
		]);
	});

	it('allows unlisted properties by default', () => {
		expect(validateJsonSchema({ name: 'Ada', age: 1, extra: true }, { ...person, additionalProperties: undefined })).toEqual(
			[],
		);
		expect(validateJsonSchema({ name: 'Ada', age: 1, extra: true }, { ...person, additionalProperties: true })).toEqual([]);
	});

	it('validates unlisted properties against an additionalProperties schema', () => {
		const schema = { type: 'object', properties: { id: { type: 'string' } }, additionalProperties: { type: 'number' } };
		expect(validateJsonSchema({ id: 'x', a: 1, b: 2.5 }, schema)).toEqual([]);
		expect(validateJsonSchema({ id: 'x', a: 'one' }, schema)).toEqual([{ path: '$.a', message: 'expected number, got string' }]);
	});

	it('quotes property names that are not identifiers in paths', () => {
		const schema = { type: 'object', additionalProperties: { type: 'string' } };
		expect(paths({ 'first name': 1, 'a-b': 2, _ok$1: 3 }, schema)).toEqual(['$["first name"]', '$["a-b"]', '$._ok$1']);
	});

	it('reports a required property named like an Object.prototype member as missing', () => {
		// `"toString" in {}` is true through the prototype; JSON Schema only counts own properties.
		expect(validateJsonSchema({}, { type: 'object', required: ['toString'] })).toEqual([
			{ path: '$', message: 'is missing the required property "toString"' },
		]);
	});

	it('rejects an unlisted property named like an Object.prototype member when additionalProperties is false', () => {
		const schema = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false };
		expect(validateJsonSchema({ a: 'x', constructor: 'y' }, schema)).toEqual([
			{ path: '$.constructor', message: 'is not an allowed property' },
		]);
	});
});

describe('validateJsonSchema: enum and const', () => {
	it('checks enum with deep equality', () => {
		const schema = { enum: ['red', 1, null, { a: [1, 2] }] };
		for (const ok of ['red', 1, null, { a: [1, 2] }]) expect(validateJsonSchema(ok, schema)).toEqual([]);
		expect(validateJsonSchema('blue', schema)).toEqual([
			{ path: '$', message: 'must be one of ["red",1,null,{"a":[1,2]}]' },
		]);
		expect(validateJsonSchema({ a: [2, 1] }, schema)).toHaveLength(1);
		expect(validateJsonSchema({ a: [1, 2], b: 1 }, schema)).toHaveLength(1);
	});

	it('checks const with deep equality', () => {
		expect(validateJsonSchema({ x: [1] }, { const: { x: [1] } })).toEqual([]);
		expect(validateJsonSchema({ x: [1] }, { const: { x: { 0: 1 } } })).toEqual([
			{ path: '$', message: 'must equal {"x":{"0":1}}' },
		]);
		expect(validateJsonSchema('b', { const: 'a' })).toEqual([{ path: '$', message: 'must equal "a"' }]);
	});

	it('treats const: null as a real constraint', () => {
		expect(validateJsonSchema(null, { const: null })).toEqual([]);
		expect(validateJsonSchema(0, { const: null })).toEqual([{ path: '$', message: 'must equal null' }]);
	});
});

describe('validateJsonSchema: numbers and strings', () => {
	it('checks inclusive and exclusive bounds', () => {
		const schema = { type: 'number', minimum: 1, maximum: 10 };
		expect(validateJsonSchema(1, schema)).toEqual([]);
		expect(validateJsonSchema(10, schema)).toEqual([]);
		expect(validateJsonSchema(0.5, schema)).toEqual([{ path: '$', message: 'must be >= 1' }]);
		expect(validateJsonSchema(11, schema)).toEqual([{ path: '$', message: 'must be <= 10' }]);
		const exclusive = { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 };
		expect(validateJsonSchema(0.5, exclusive)).toEqual([]);
		expect(validateJsonSchema(0, exclusive)).toEqual([{ path: '$', message: 'must be > 0' }]);
		expect(validateJsonSchema(1, exclusive)).toEqual([{ path: '$', message: 'must be < 1' }]);
	});

	it('checks multipleOf, tolerating floating-point error', () => {
		expect(validateJsonSchema(0.3, { multipleOf: 0.1 })).toEqual([]);
		expect(validateJsonSchema(12, { multipleOf: 4 })).toEqual([]);
		expect(validateJsonSchema(10, { multipleOf: 4 })).toEqual([{ path: '$', message: 'must be a multiple of 4' }]);
	});

	it('counts string length in characters, not UTF-16 units', () => {
		const schema = { type: 'string', minLength: 2, maxLength: 3 };
		expect(validateJsonSchema('ab', schema)).toEqual([]);
		expect(validateJsonSchema('😀😀😀', schema)).toEqual([]);
		expect(validateJsonSchema('a', schema)).toEqual([{ path: '$', message: 'must have at least 2 characters' }]);
		expect(validateJsonSchema('abcd', schema)).toEqual([{ path: '$', message: 'must have at most 3 characters' }]);
	});

	it('checks a pattern anywhere in the string unless anchored', () => {
		expect(validateJsonSchema('order-123', { type: 'string', pattern: '\\d+' })).toEqual([]);
		expect(validateJsonSchema('order-123', { type: 'string', pattern: '^\\d+$' })).toEqual([
			{ path: '$', message: 'must match the pattern ^\\d+$' },
		]);
	});

	it('does not apply string or number keywords to other types', () => {
		expect(validateJsonSchema('abc', { minimum: 10 })).toEqual([]);
		expect(validateJsonSchema(5, { minLength: 10, pattern: '^x$' })).toEqual([]);
	});
});

describe('validateJsonSchema: arrays', () => {
	const schema = {
		type: 'object',
		properties: {
			items: {
				type: 'array',
				minItems: 1,
				maxItems: 3,
				items: {
					type: 'object',
					properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
					required: ['name'],
				},
			},
		},
	};

	it('accepts conforming nested arrays', () => {
		expect(validateJsonSchema({ items: [{ name: 'a', tags: ['x'] }, { name: 'b' }] }, schema)).toEqual([]);
	});

	it('reports violations inside items with their index in the path', () => {
		expect(validateJsonSchema({ items: [{ name: 'a' }, { name: 2 }, { name: 'c', tags: ['ok', 7] }] }, schema)).toEqual([
			{ path: '$.items[1].name', message: 'expected string, got integer' },
			{ path: '$.items[2].tags[1]', message: 'expected string, got integer' },
		]);
		expect(validateJsonSchema({ items: [{ name: 'a' }, {}] }, schema)).toEqual([
			{ path: '$.items[1]', message: 'is missing the required property "name"' },
		]);
	});

	it('checks minItems and maxItems', () => {
		expect(validateJsonSchema({ items: [] }, schema)).toEqual([{ path: '$.items', message: 'must have at least 1 items' }]);
		expect(paths({ items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }] }, schema)).toEqual(['$.items']);
	});

	it('applies prefixItems first, then items', () => {
		const tuple = { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: { type: 'boolean' } };
		expect(validateJsonSchema(['a', 1, true, false], tuple)).toEqual([]);
		expect(paths([1, 'a', true, 'no'], tuple)).toEqual(['$[0]', '$[1]', '$[3]']);
	});

	it('reports duplicates with uniqueItems', () => {
		expect(validateJsonSchema([1, 2, 3], { uniqueItems: true })).toEqual([]);
		expect(validateJsonSchema([{ a: 1 }, 2, { a: 1 }], { uniqueItems: true })).toEqual([
			{ path: '$[2]', message: 'duplicates the item at $[0]' },
		]);
	});
});

describe('validateJsonSchema: combinators', () => {
	it('anyOf passes when one branch passes and reports each branch otherwise', () => {
		const schema = { anyOf: [{ type: 'string' }, { type: 'integer', minimum: 10 }] };
		expect(validateJsonSchema('x', schema)).toEqual([]);
		expect(validateJsonSchema(12, schema)).toEqual([]);
		expect(validateJsonSchema(3, schema)).toEqual([
			{ path: '$', message: 'matches none of the anyOf options (expected string, got integer; must be >= 10)' },
		]);
	});

	it('oneOf needs exactly one passing branch', () => {
		const schema = { oneOf: [{ type: 'number' }, { type: 'integer' }] };
		expect(validateJsonSchema(1.5, schema)).toEqual([]);
		expect(validateJsonSchema(2, schema)).toEqual([{ path: '$', message: 'must match exactly one oneOf option, matches more than one (options 0 and 1)' }]);
		expect(validateJsonSchema('2', schema)).toEqual([
			{ path: '$', message: 'must match exactly one oneOf option, matches none (expected number, got string; expected integer, got string)' },
		]);
	});

	it('allOf reports the violations of every branch', () => {
		const schema = { allOf: [{ type: 'string', minLength: 3 }, { pattern: '^a' }] };
		expect(validateJsonSchema('abc', schema)).toEqual([]);
		expect(validateJsonSchema('b', schema)).toEqual([
			{ path: '$', message: 'must have at least 3 characters' },
			{ path: '$', message: 'must match the pattern ^a' },
		]);
	});

	it('not rejects values that match its schema', () => {
		const schema = { not: { type: 'null' } };
		expect(validateJsonSchema(0, schema)).toEqual([]);
		expect(validateJsonSchema(null, schema)).toEqual([{ path: '$', message: 'must not match the "not" schema' }]);
	});

	it('combinators inside properties keep the property path', () => {
		const schema = { type: 'object', properties: { v: { anyOf: [{ type: 'string' }, { type: 'null' }] } } };
		expect(paths({ v: 1 }, schema)).toEqual(['$.v']);
	});
});

describe('validateJsonSchema: $ref', () => {
	const schema = {
		$defs: {
			item: {
				type: 'object',
				properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/item' } } },
				required: ['name'],
				additionalProperties: false,
			},
			'a/b': { type: 'integer' },
		},
		type: 'object',
		properties: { root: { $ref: '#/$defs/item' }, slash: { $ref: '#/$defs/a~1b' } },
	};

	it('resolves local references, recursively', () => {
		expect(validateJsonSchema({ root: { name: 'a', children: [{ name: 'b', children: [] }] } }, schema)).toEqual([]);
		expect(validateJsonSchema({ root: { name: 'a', children: [{ name: 'b' }, { title: 'c' }] } }, schema)).toEqual([
			{ path: '$.root.children[1]', message: 'is missing the required property "name"' },
			{ path: '$.root.children[1].title', message: 'is not an allowed property' },
		]);
	});

	it('decodes ~1 as / in a reference', () => {
		expect(validateJsonSchema({ slash: 3 }, schema)).toEqual([]);
		expect(validateJsonSchema({ slash: 'x' }, schema)).toEqual([{ path: '$.slash', message: 'expected integer, got string' }]);
	});

	it('resolves # to the root schema', () => {
		const list = { type: 'array', items: { anyOf: [{ type: 'integer' }, { $ref: '#' }] } };
		expect(validateJsonSchema([1, [2, [3]]], list)).toEqual([]);
		expect(validateJsonSchema([1, [2, ['x']]], list)).toHaveLength(1);
	});

	it('throws on references it cannot follow', () => {
		expect(() => validateJsonSchema(1, { $ref: '#/$defs/missing' })).toThrow('$ref "#/$defs/missing" does not resolve');
		expect(() => validateJsonSchema(1, { $ref: 'https://example.test/schema.json' })).toThrow(
			'$ref "https://example.test/schema.json" does not resolve (references are followed only inside the schema; nothing is fetched)',
		);
	});

	it('throws on a reference cycle instead of overflowing the stack', () => {
		expect(() => validateJsonSchema(1, { $defs: { a: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' })).toThrow(
			'the schema loops: a $ref leads back to itself without reaching a value',
		);
	});
});

describe('validateJsonSchema: keywords a hand-written subset missed', () => {
	it.each(KEYWORD_CASES)('$name: accepts an answer that meets it, rejects one that breaks it, naming the path', ({ schema, good, bad, violations }) => {
		expect(validateJsonSchema(good, schema)).toEqual([]);
		expect(validateJsonSchema(bad, schema)).toEqual(violations);
	});

	it('lists violations in the order of the value, the type error alone where a value has the wrong type', () => {
		const schema = { type: 'object', properties: { a: { type: 'string', enum: ['x'] }, b: { type: 'integer' } }, required: ['c'], additionalProperties: false };
		expect(validateJsonSchema({ b: 'no', a: 1, z: 0 }, schema)).toEqual([
			{ path: '$', message: 'is missing the required property "c"' },
			{ path: '$.b', message: 'expected integer, got string' },
			{ path: '$.a', message: 'expected string, got integer' },
			{ path: '$.z', message: 'is not an allowed property' },
		]);
	});

	it('does not let a summary hide a violation beside it', () => {
		const schema = { type: 'object', required: ['id'], properties: { v: { anyOf: [{ type: 'string' }, { $ref: '#/$defs/n' }] } }, $defs: { n: { type: 'number' } } };
		expect(validateJsonSchema({ v: true }, schema)).toEqual([
			{ path: '$', message: 'is missing the required property "id"' },
			{ path: '$.v', message: 'matches none of the anyOf options (expected string, got boolean; expected number, got boolean)' },
		]);
	});
});

describe('validateJsonSchema: drafts and invalid schemas', () => {
	it('picks the draft from $schema, 2020-12 without one', () => {
		expect(compileJsonSchema({ type: 'string' }).draft).toBe('2020-12');
		expect(compileJsonSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'string' }).draft).toBe('2020-12');
		expect(compileJsonSchema({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'string' }).draft).toBe('draft-07');
		expect(compileJsonSchema({ $schema: 'https://json-schema.org/draft-07/schema', type: 'string' }).draft).toBe('draft-07');
		// The drafts differ: an items array is a tuple in draft-07, not a 2020-12 schema.
		expect(validateJsonSchema([1, 'x'], { $schema: 'http://json-schema.org/draft-07/schema#', items: [{ type: 'integer' }, { type: 'string' }] })).toEqual([]);
		expect(() => compileJsonSchema({ items: [{ type: 'integer' }] })).toThrow(InvalidSchemaError);
	});

	it('refuses a $schema of another draft, naming those it checks', () => {
		expect(() => compileJsonSchema({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'string' })).toThrow(
			'$schema "http://json-schema.org/draft-04/schema#" is not a draft this package checks: use draft 2020-12 ("https://json-schema.org/draft/2020-12/schema"), draft-07 ("http://json-schema.org/draft-07/schema#"), or no $schema for 2020-12',
		);
	});

	it('refuses a schema that is not one, saying where', () => {
		expect(() => compileJsonSchema({ type: 'object', properties: { age: { type: 'int' } } })).toThrow(
			/^is not a valid JSON Schema \(draft 2020-12\): #\/properties\/age\/type must be equal to one of the allowed values/,
		);
		expect(() => compileJsonSchema({ type: 'object', required: 'name' })).toThrow('#/required must be array');
		expect(() => compileJsonSchema({ minLength: -1 })).toThrow('#/minLength must be >= 0');
		expect(() => compileJsonSchema({ pattern: '(' })).toThrow(InvalidSchemaError);
		expect(() => compileJsonSchema({ pattern: '(' })).toThrow(/^cannot be compiled: .*Invalid regular expression/);
		expect(() => compileJsonSchema([] as never)).toThrow('is not a JSON Schema: give an object (or true / false)');
	});

	it('compiles a schema once and lets two schemas share an $id', () => {
		const first = { $id: 'https://example.test/answer', type: 'string' };
		expect(compileJsonSchema(first)).toBe(compileJsonSchema({ ...first }));
		expect(validateJsonSchema(1, { $id: 'https://example.test/answer', type: 'integer' })).toEqual([]);
		expect(validateJsonSchema(1, first)).toEqual([{ path: '$', message: 'expected string, got integer' }]);
	});

	it('counts only a value\'s own properties', () => {
		expect(validateJsonSchema({}, { required: ['constructor'] })).toEqual([{ path: '$', message: 'is missing the required property "constructor"' }]);
	});
});

describe('describeViolations', () => {
	const violations = Array.from({ length: 7 }, (_, i) => ({ path: `$[${i}]`, message: `bad ${i}` }));

	it('joins path and message, showing at most the limit', () => {
		expect(describeViolations(violations.slice(0, 2))).toBe('$[0] bad 0; $[1] bad 1');
		expect(describeViolations(violations)).toBe('$[0] bad 0; $[1] bad 1; $[2] bad 2; $[3] bad 3; $[4] bad 4 (and 2 more)');
		expect(describeViolations(violations, 1)).toBe('$[0] bad 0 (and 6 more)');
		expect(describeViolations([])).toBe('');
	});
});
