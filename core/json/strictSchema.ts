/**
 * Strict mode's rules for a json_schema response format (OpenAI Structured Outputs, "Supported
 * schemas": https://platform.openai.com/docs/guides/structured-outputs#supported-schemas). OpenAI
 * answers 400 for a strict schema that breaks them, for every item, so they are checked before
 * anything is sent. The schema is assumed to be valid JSON Schema already (validateJsonSchema.ts);
 * this adds only what strict mode asks on top.
 */

/** The types strict mode supports ("null" for the optional-as-nullable pattern). */
const SUPPORTED_TYPES = new Set(['string', 'number', 'boolean', 'integer', 'object', 'array', 'null']);
/** Composition keywords strict mode does not support. */
const UNSUPPORTED_KEYWORDS = ['allOf', 'not', 'dependentRequired', 'dependentSchemas', 'if', 'then', 'else'];

/** The published size limits of a strict schema. */
export const STRICT_SCHEMA_LIMITS = {
	/** Object properties over the whole schema. */
	properties: 5000,
	/** Levels of object nesting (the root object is level 1). */
	depth: 10,
	/** Enum values over the whole schema. */
	enumValues: 1000,
	/** Characters of all property names, definition names, enum values and const values. */
	characters: 120_000,
	/** A string enum with more values than this … */
	largeEnum: 250,
	/** … may have at most this many characters in its values. */
	largeEnumCharacters: 15_000,
} as const;

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const pointer = (path: string, ...keys: Array<string | number>) => keys.reduce<string>((text, key) => `${text}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`, path);
const typesOf = (node: Node): string[] => (typeof node.type === 'string' ? [node.type] : Array.isArray(node.type) ? node.type.filter((t): t is string => typeof t === 'string') : []);

class StrictProblem extends Error {}

/**
 * Undefined when the schema keeps strict mode's rules, otherwise the first rule it breaks, with the
 * path in the schema as a JSON Pointer (`#` is the root):
 * `at #/properties/address: strict mode needs "additionalProperties": false on every object`.
 */
export function strictSchemaProblem(schema: unknown): string | undefined {
	const tally = { properties: 0, enumValues: 0, characters: 0 };
	const fail = (path: string, rule: string): never => {
		throw new StrictProblem(`at ${path}: ${rule}`);
	};

	const walk = (node: unknown, path: string, depth: number): void => {
		if (!isNode(node)) return;
		for (const keyword of UNSUPPORTED_KEYWORDS) {
			if (keyword in node) fail(path, `strict mode does not support "${keyword}"`);
		}
		for (const type of typesOf(node)) {
			if (!SUPPORTED_TYPES.has(type)) fail(path, `strict mode does not support type "${type}"`);
		}
		const types = typesOf(node);
		const isObject = types.includes('object') || (types.length === 0 && isNode(node.properties));
		let level = depth;
		if (isObject) {
			level = depth + 1;
			if (level > STRICT_SCHEMA_LIMITS.depth) fail(path, `strict mode allows at most ${STRICT_SCHEMA_LIMITS.depth} levels of object nesting`);
			if (node.additionalProperties !== false) {
				const found = 'additionalProperties' in node ? `it is ${JSON.stringify(node.additionalProperties)}` : 'it is missing';
				fail(path, `strict mode needs "additionalProperties": false on every object (${found})`);
			}
			const properties = isNode(node.properties) ? node.properties : {};
			const names = Object.keys(properties);
			const required = new Set(Array.isArray(node.required) ? node.required : []);
			const missing = names.filter((name) => !required.has(name));
			if (missing.length > 0) {
				fail(path, `strict mode needs every property listed in "required"; not listed: ${missing.map((name) => JSON.stringify(name)).join(', ')} (an optional field is a required one that may be null)`);
			}
			tally.properties += names.length;
			if (tally.properties > STRICT_SCHEMA_LIMITS.properties) fail(path, `strict mode allows at most ${STRICT_SCHEMA_LIMITS.properties} object properties in all`);
			for (const name of names) {
				tally.characters += name.length;
				walk(properties[name], pointer(path, 'properties', name), level);
			}
		}
		if (Array.isArray(node.enum)) {
			tally.enumValues += node.enum.length;
			if (tally.enumValues > STRICT_SCHEMA_LIMITS.enumValues) fail(path, `strict mode allows at most ${STRICT_SCHEMA_LIMITS.enumValues} enum values in all`);
			const strings = node.enum.filter((value): value is string => typeof value === 'string');
			const characters = strings.reduce((sum, value) => sum + value.length, 0);
			tally.characters += characters;
			if (strings.length > STRICT_SCHEMA_LIMITS.largeEnum && characters > STRICT_SCHEMA_LIMITS.largeEnumCharacters) {
				fail(path, `strict mode allows at most ${STRICT_SCHEMA_LIMITS.largeEnumCharacters} characters in an enum of more than ${STRICT_SCHEMA_LIMITS.largeEnum} strings (this one has ${characters})`);
			}
		}
		if (typeof node.const === 'string') tally.characters += node.const.length;
		if (tally.characters > STRICT_SCHEMA_LIMITS.characters) {
			fail(path, `strict mode allows at most ${STRICT_SCHEMA_LIMITS.characters} characters of property names, definition names, enum and const values in all`);
		}
		if (Array.isArray(node.items)) node.items.forEach((item, i) => walk(item, pointer(path, 'items', i), level));
		else walk(node.items, pointer(path, 'items'), level);
		if (Array.isArray(node.prefixItems)) node.prefixItems.forEach((item, i) => walk(item, pointer(path, 'prefixItems', i), level));
		if (Array.isArray(node.anyOf)) node.anyOf.forEach((branch, i) => walk(branch, pointer(path, 'anyOf', i), depth));
		for (const key of ['$defs', 'definitions']) {
			const definitions = node[key];
			if (!isNode(definitions)) continue;
			for (const [name, definition] of Object.entries(definitions)) {
				tally.characters += name.length;
				// A definition is nested where it is referenced, which this walk does not follow: it counts from the top.
				walk(definition, pointer(path, key, name), 0);
			}
		}
	};

	try {
		if (!isNode(schema)) return 'at #: strict mode needs the schema to be an object schema';
		if ('anyOf' in schema) fail('#', 'strict mode does not allow "anyOf" at the root: the root must be an object');
		if (typesOf(schema).join() !== 'object') fail('#', `strict mode needs the root to be "type": "object"${schema.type === undefined ? '' : `, not ${JSON.stringify(schema.type)}`}`);
		walk(schema, '#', 0);
		return undefined;
	} catch (error) {
		if (error instanceof StrictProblem) return error.message;
		throw error;
	}
}
