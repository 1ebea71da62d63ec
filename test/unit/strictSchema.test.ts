import { STRICT_SCHEMA_LIMITS, strictSchemaProblem } from '../../core/json/strictSchema';
import { STEPS_SCHEMA } from '../../core/scoring/judges/hardening';

const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
	type: 'object',
	properties,
	required: Object.keys(properties),
	additionalProperties: false,
	...extra,
});

describe('strictSchemaProblem: what strict mode accepts', () => {
	it('accepts the documented subset: nested objects, arrays, nullable fields, anyOf, enums, $defs and recursion', () => {
		const schema = object(
			{
				name: { type: 'string', pattern: '^[a-z]+$', format: 'email' },
				age: { type: ['integer', 'null'], minimum: 0, maximum: 150 },
				tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1, maxItems: 3 },
				address: object({ street: { type: 'string' }, city: { type: 'string' } }),
				contact: { anyOf: [object({ email: { type: 'string' } }), object({ phone: { type: 'string' } }), { type: 'null' }] },
				tree: { $ref: '#/$defs/node' },
				steps: STEPS_SCHEMA,
			},
			{ $defs: { node: object({ value: { type: 'number' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } }) } },
		);
		expect(strictSchemaProblem(schema)).toBeUndefined();
		expect(strictSchemaProblem({ type: 'object', properties: {}, additionalProperties: false })).toBeUndefined();
	});

	it('accepts the judges\' own schemas (they are sent with strict true)', () => {
		expect(strictSchemaProblem(object({ steps: STEPS_SCHEMA, result: { type: 'number' } }))).toBeUndefined();
		expect(strictSchemaProblem(object({ steps: STEPS_SCHEMA, best: { type: 'integer', minimum: 1, maximum: 3 } }))).toBeUndefined();
	});
});

describe('strictSchemaProblem: the rules it breaks, with the path', () => {
	it('needs additionalProperties false on every object', () => {
		expect(strictSchemaProblem({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] })).toBe(
			'at #: strict mode needs "additionalProperties": false on every object (it is missing)',
		);
		expect(strictSchemaProblem(object({ address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: true } }))).toBe(
			'at #/properties/address: strict mode needs "additionalProperties": false on every object (it is true)',
		);
		expect(strictSchemaProblem(object({ list: { type: 'array', items: { type: 'object', properties: {}, additionalProperties: { type: 'string' } } } }))).toBe(
			'at #/properties/list/items: strict mode needs "additionalProperties": false on every object (it is {"type":"string"})',
		);
	});

	it('needs every property listed in required', () => {
		expect(strictSchemaProblem({ ...object({ a: { type: 'string' }, b: { type: 'string' }, c: { type: 'string' } }), required: ['a'] })).toBe(
			'at #: strict mode needs every property listed in "required"; not listed: "b", "c" (an optional field is a required one that may be null)',
		);
		expect(strictSchemaProblem(object({ x: { anyOf: [{ type: 'object', properties: { y: { type: 'string' } }, additionalProperties: false }, { type: 'null' }] } }))).toBe(
			'at #/properties/x/anyOf/0: strict mode needs every property listed in "required"; not listed: "y" (an optional field is a required one that may be null)',
		);
		expect(strictSchemaProblem(object({}, { $defs: { 'a/b': { type: 'object', properties: { z: {} }, additionalProperties: false } } }))).toMatch(/^at #\/\$defs\/a~1b: .*not listed: "z"/);
	});

	it('needs an object root that is not anyOf', () => {
		expect(strictSchemaProblem({ type: 'array', items: { type: 'string' } })).toBe('at #: strict mode needs the root to be "type": "object", not "array"');
		expect(strictSchemaProblem({ anyOf: [object({}), { type: 'null' }] })).toBe('at #: strict mode does not allow "anyOf" at the root: the root must be an object');
		expect(strictSchemaProblem({ properties: {}, additionalProperties: false })).toBe('at #: strict mode needs the root to be "type": "object"');
		expect(strictSchemaProblem([])).toBe('at #: strict mode needs the schema to be an object schema');
	});

	it('refuses the composition keywords strict mode does not support', () => {
		for (const keyword of ['allOf', 'not', 'dependentRequired', 'dependentSchemas', 'if', 'then', 'else']) {
			expect(strictSchemaProblem(object({ a: { type: 'string', [keyword]: keyword === 'dependentRequired' ? {} : [{}] } }))).toBe(
				`at #/properties/a: strict mode does not support "${keyword}"`,
			);
		}
	});

	it('refuses the size limits', () => {
		let deep: Record<string, unknown> = object({ leaf: { type: 'string' } });
		for (let level = 1; level < STRICT_SCHEMA_LIMITS.depth; level++) deep = object({ next: deep });
		expect(strictSchemaProblem(deep)).toBeUndefined();
		expect(strictSchemaProblem(object({ next: deep }))).toMatch(/: strict mode allows at most 10 levels of object nesting$/);

		const many = Object.fromEntries(Array.from({ length: 5001 }, (_, i) => [`p${i}`, { type: 'string' }]));
		expect(strictSchemaProblem(object(many))).toBe('at #: strict mode allows at most 5000 object properties in all');

		const values = (count: number, length: number) => Array.from({ length: count }, (_, i) => String(i).padStart(length, 'x'));
		expect(strictSchemaProblem(object({ a: { type: 'string', enum: values(600, 5) }, b: { type: 'string', enum: values(401, 5) } }))).toBe(
			'at #/properties/b: strict mode allows at most 1000 enum values in all',
		);
		expect(strictSchemaProblem(object({ a: { type: 'string', enum: values(251, 60) } }))).toBe(
			'at #/properties/a: strict mode allows at most 15000 characters in an enum of more than 250 strings (this one has 15060)',
		);
		expect(strictSchemaProblem(object({ a: { type: 'string', enum: values(250, 100) } }))).toBeUndefined();
		expect(strictSchemaProblem(object({ a: { const: 'x'.repeat(120_001) } }))).toMatch(/^at #\/properties\/a: strict mode allows at most 120000 characters/);
	});
});
