/**
 * JSON Schema validation through ajv 8 (drafts 2020-12 and 07, formats from ajv-formats). A schema
 * is compiled once and kept; each violation comes back as a path into the value (`$.items[2].name`)
 * and what is wrong there, in our own words. A schema that is itself invalid (not a schema of its
 * draft, a $ref that does not resolve, a pattern that is not a regular expression, an unsupported
 * $schema) throws InvalidSchemaError when it is compiled, which callers do before any request.
 *
 * Which draft: the schema's `$schema` (2020-12 or draft-07); without one, 2020-12. `format` is
 * asserted (a string that is not a valid email, date-time, uuid... is a violation) for the formats
 * ajv-formats knows; other formats are annotations. `nullable: true` (OpenAPI) is understood
 * beside `type`. References are followed only inside the schema: nothing is fetched.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export type JsonSchema = boolean | { [keyword: string]: unknown };

export interface SchemaViolation {
	path: string;
	message: string;
}

export type JsonSchemaDraft = '2020-12' | 'draft-07';

/** The schema cannot be used: the message says where and why. */
export class InvalidSchemaError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'InvalidSchemaError';
	}
}

export interface CompiledSchema {
	draft: JsonSchemaDraft;
	/** Every violation of the schema by `value`; an empty list means the value conforms. */
	validate(value: unknown): SchemaViolation[];
}

const META: Record<JsonSchemaDraft, string> = {
	'2020-12': 'https://json-schema.org/draft/2020-12/schema',
	'draft-07': 'http://json-schema.org/draft-07/schema',
};

const OPTIONS = {
	allErrors: true,
	// Unknown keywords are annotations, as the specification says (ajv's strict mode would refuse them).
	strict: false,
	verbose: true,
	logger: false as const,
	// `required: ["toString"]` is not met by {}: only a value's own properties count.
	ownProperties: true,
	nullable: true,
	// 0.3 is a multiple of 0.1: the quotient is compared to an integer within 1e-9, not exactly.
	multipleOfPrecision: 9,
};

const KINDS: Record<JsonSchemaDraft, typeof Ajv> = { '2020-12': Ajv2020, 'draft-07': Ajv };

/** One instance per draft checks schemas against the draft's meta-schema (its compiled meta-schema is kept). */
const checkers: Partial<Record<JsonSchemaDraft, Ajv>> = {};
const checkerFor = (draft: JsonSchemaDraft) => (checkers[draft] ??= new KINDS[draft](OPTIONS));

/**
 * Each schema is compiled in an instance of its own, dropped with it: its $id and anchors name
 * nothing in another schema, and two schemas may share an $id.
 */
const compilerFor = (draft: JsonSchemaDraft) => addFormats(new KINDS[draft]({ ...OPTIONS, validateSchema: false }));

function draftOf(schema: JsonSchema): JsonSchemaDraft {
	if (typeof schema !== 'object' || schema.$schema === undefined) return '2020-12';
	const declared = schema.$schema;
	if (typeof declared === 'string') {
		const uri = declared.replace(/#$/, '').replace(/^http:/, 'https:');
		if (uri === 'https://json-schema.org/draft/2020-12/schema') return '2020-12';
		if (uri === 'https://json-schema.org/draft-07/schema') return 'draft-07';
	}
	throw new InvalidSchemaError(
		`$schema ${JSON.stringify(declared)} is not a draft this package checks: use draft 2020-12 ("${META['2020-12']}"), draft-07 ("${META['draft-07']}#"), or no $schema for 2020-12`,
	);
}

function typeOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
	return typeof value;
}

function childPath(path: string, key: string | number): string {
	if (typeof key === 'number') return `${path}[${key}]`;
	return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

const unescapePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * `/items/2/name` in `value` as `$.items[2].name` (an index only where the value holds an array),
 * and where that place comes in the value, for listing violations in the value's own order.
 */
function locate(value: unknown, pointer: string): { path: string; order: number[] } {
	let path = '$';
	const order: number[] = [];
	let node = value;
	for (const segment of pointer.split('/').slice(1).map(unescapePointer)) {
		if (Array.isArray(node) && /^\d+$/.test(segment)) {
			path = childPath(path, Number(segment));
			order.push(Number(segment));
			node = node[Number(segment)];
		} else {
			path = childPath(path, segment);
			const isObject = node !== null && typeof node === 'object';
			order.push(isObject ? Object.keys(node as object).indexOf(segment) : -1);
			node = isObject && Object.hasOwn(node as object, segment) ? (node as Record<string, unknown>)[segment] : undefined;
		}
	}
	return { path, order };
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** A raw ajv error turned into a violation; combinators keep their branches' errors for the summary. */
interface Entry {
	error: ErrorObject;
	path: string;
	message: string;
	order: number[];
}

/** Applicators whose failing branches are not violations of their own, only reasons for the applicator's. */
const BRANCHES: Record<string, string[]> = { anyOf: ['anyOf'], oneOf: ['oneOf'], contains: ['contains'], propertyNames: ['propertyNames'] };
/** Keywords that hold subschemas without applying them: an error path through them came by a $ref. */
const DEFINITIONS = new Set(['$defs', 'definitions']);

const within = (pointer: string, parent: string) => pointer === parent || pointer.startsWith(`${parent}/`);

/** Whether `entry` (just before the applicator error `owner`) came from one of the applicator's branches. */
function belongsTo(entry: Entry, owner: ErrorObject): boolean {
	if (!within(entry.error.instancePath, owner.instancePath)) return false;
	const schemaPath = entry.error.schemaPath;
	if (schemaPath.startsWith(`${owner.schemaPath}/`)) return true;
	const parent = owner.schemaPath.slice(0, owner.schemaPath.lastIndexOf('/'));
	if (!schemaPath.startsWith(`${parent}/`)) return true; // reached through a $ref (an anchor, an $id)
	const keyword = schemaPath.slice(parent.length + 1).split('/')[0];
	return DEFINITIONS.has(keyword) || BRANCHES[owner.keyword].includes(keyword);
}

/** The first reasons the branches gave, in parentheses (or nothing, when they gave none). */
const summary = (branches: Entry[], path: string) => {
	const reasons = [...new Set(branches.map((b) => (b.path === path ? b.message : `${b.path} ${b.message}`)))].slice(0, 3);
	return reasons.length ? ` (${reasons.join('; ')})` : '';
};

/** What is wrong, and where: at the value the error names, or at one of its properties or items. */
function describe(error: ErrorObject, value: unknown, branches: Entry[]): { at?: string | number; message: string } | undefined {
	const path = locate(value, error.instancePath).path;
	const params = error.params as Record<string, unknown>;
	switch (error.keyword) {
		case 'type': {
			const types = String(params.type).split(',');
			if ((error.parentSchema as { nullable?: unknown } | undefined)?.nullable === true && !types.includes('null')) types.push('null');
			return { message: `expected ${types.join(' or ')}, got ${typeOf(error.data)}` };
		}
		case 'false schema':
			return { message: 'no value is allowed here' };
		case 'required':
			return { message: `is missing the required property "${String(params.missingProperty)}"` };
		case 'dependentRequired':
		case 'dependencies':
			return { message: `is missing the property "${String(params.missingProperty)}", which "${String(params.property)}" requires` };
		case 'additionalProperties':
			return { at: String(params.additionalProperty), message: 'is not an allowed property' };
		case 'unevaluatedProperties':
			return { at: String(params.unevaluatedProperty), message: 'is not an allowed property (unevaluatedProperties)' };
		case 'propertyNames': {
			return { at: String(params.propertyName), message: `is not an allowed property name${summary(branches, path)}` };
		}
		case 'minProperties':
			return { message: `must have at least ${String(params.limit)} properties` };
		case 'maxProperties':
			return { message: `must have at most ${String(params.limit)} properties` };
		case 'enum':
			return { message: `must be one of ${JSON.stringify(params.allowedValues)}` };
		case 'const':
			return { message: `must equal ${JSON.stringify(params.allowedValue)}` };
		case 'minimum':
		case 'maximum':
		case 'exclusiveMinimum':
		case 'exclusiveMaximum':
			return { message: `must be ${String(params.comparison)} ${String(params.limit)}` };
		case 'multipleOf':
			return { message: `must be a multiple of ${String(params.multipleOf)}` };
		case 'minLength':
			return { message: `must have at least ${String(params.limit)} characters` };
		case 'maxLength':
			return { message: `must have at most ${String(params.limit)} characters` };
		case 'pattern':
			return { message: `must match the pattern ${String(params.pattern)}` };
		case 'format':
			return { message: `is not a valid ${String(params.format)} (format)` };
		case 'minItems':
			return { message: `must have at least ${String(params.limit)} items` };
		case 'maxItems':
			return { message: `must have at most ${String(params.limit)} items` };
		case 'items':
		case 'additionalItems':
			return { message: `must have at most ${String(params.limit)} items (no item is allowed after them)` };
		case 'unevaluatedItems':
			return { message: `must have at most ${String(params.limit)} items (unevaluatedItems)` };
		case 'uniqueItems':
			return { at: Number(params.i), message: `duplicates the item at ${childPath(path, Number(params.j))}` };
		case 'contains': {
			const [min, max] = [params.minContains, params.maxContains].map((n) => (n === undefined ? undefined : String(n)));
			const at = max === undefined ? `at least ${min}` : min === max ? `exactly ${max}` : `${min} to ${max}`;
			return { message: `must contain ${at} item(s) matching "contains"` };
		}
		case 'anyOf':
			return { message: `matches none of the anyOf options${summary(branches, path)}` };
		case 'oneOf': {
			const passing = params.passingSchemas as number[] | null;
			return passing
				? { message: `must match exactly one oneOf option, matches more than one (options ${passing.join(' and ')})` }
				: { message: `must match exactly one oneOf option, matches none${summary(branches, path)}` };
		}
		case 'not':
			return { message: 'must not match the "not" schema' };
		case 'if':
			// The failing "then" or "else" branch has reported what is wrong.
			return undefined;
		default:
			return { message: error.message ?? `breaks "${error.keyword}"` };
	}
}

const compareOrder = (a: number[], b: number[]) => {
	for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
	return a.length - b.length;
};

function toViolations(errors: ErrorObject[], value: unknown): SchemaViolation[] {
	// A value of the wrong type is reported as that alone, not also as outside its enum or const.
	const mistyped = new Map<unknown, Set<string>>();
	for (const e of errors.filter((e) => e.keyword === 'type')) mistyped.set(e.parentSchema, (mistyped.get(e.parentSchema) ?? new Set()).add(e.instancePath));
	const out: Entry[] = [];
	for (const error of errors) {
		if ((error.keyword === 'enum' || error.keyword === 'const') && mistyped.get(error.parentSchema)?.has(error.instancePath)) continue;
		const branches: Entry[] = [];
		if (BRANCHES[error.keyword]) {
			while (out.length && belongsTo(out[out.length - 1], error)) branches.unshift(out.pop() as Entry);
		}
		const described = describe(error, value, branches);
		if (!described) continue;
		const pointer = described.at === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(String(described.at))}`;
		out.push({ error, message: described.message, ...locate(value, pointer) });
	}
	const seen = new Set<string>();
	return [...out]
		.sort((a, b) => compareOrder(a.order, b.order))
		.map(({ path, message }) => ({ path, message }))
		.filter((v) => {
			const key = `${v.path}\u0000${v.message}`;
			if (seen.has(key)) return false;
			seen.add(key);
			return true;
		});
}

/** Where a meta-schema error points inside the schema: `#/properties/age/type`. */
function schemaProblems(errors: ErrorObject[]): string {
	// The deepest locations say the most, and the first reason at each (type: a name or a list of them).
	const deepest = Math.max(...errors.map((e) => e.instancePath.split('/').length));
	const chosen = errors.filter((e) => e.instancePath.split('/').length === deepest && e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
	const first = new Map<string, string>();
	for (const e of chosen.length ? chosen : errors) if (!first.has(e.instancePath)) first.set(e.instancePath, `#${e.instancePath} ${e.message ?? e.keyword}`);
	const lines = [...first.values()];
	return lines.slice(0, 3).join('; ') + (lines.length > 3 ? ` (and ${lines.length - 3} more)` : '');
}

const LOOPS = 'the schema loops: a $ref leads back to itself without reaching a value';

/** Compiles our private copy of a schema (its $schema may be rewritten). */
function compileUncached(schema: JsonSchema, draft: JsonSchemaDraft): ValidateFunction {
	// ajv knows each draft's meta-schema by one URI (http: for draft-07, with no "#").
	if (typeof schema === 'object' && schema.$schema !== undefined) schema.$schema = META[draft];
	const checker = checkerFor(draft);
	if (!checker.validateSchema(schema)) {
		const problems = schemaProblems(checker.errors ?? []);
		checker.errors = null;
		throw new InvalidSchemaError(`is not a valid JSON Schema (draft ${draft}): ${problems}`);
	}
	try {
		return compilerFor(draft).compile(schema);
	} catch (error) {
		const missing = (error as { missingRef?: string }).missingRef;
		if (missing !== undefined) {
			throw new InvalidSchemaError(`$ref "${missing}" does not resolve (references are followed only inside the schema; nothing is fetched)`);
		}
		if (error instanceof RangeError) throw new InvalidSchemaError(LOOPS);
		throw new InvalidSchemaError(`cannot be compiled: ${(error as Error).message}`);
	}
}

function wrap(validator: ValidateFunction, draft: JsonSchemaDraft): CompiledSchema {
	return {
		draft,
		validate(value) {
			let valid: boolean;
			try {
				valid = validator(value) as boolean;
			} catch (error) {
				if (error instanceof RangeError) {
					throw new InvalidSchemaError(LOOPS);
				}
				throw error;
			}
			return valid ? [] : toViolations(validator.errors ?? [], value);
		},
	};
}

/** Compiled schemas by their JSON text; the least recently used go first past the bound. */
const MAX_CACHED = 200;
const cache = new Map<string, CompiledSchema>();

/** Compiles `schema` once (later calls with an equal schema reuse it); throws InvalidSchemaError. */
export function compileJsonSchema(schema: JsonSchema): CompiledSchema {
	if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
		throw new InvalidSchemaError('is not a JSON Schema: give an object (or true / false)');
	}
	const key = JSON.stringify(schema);
	const hit = cache.get(key);
	if (hit) {
		cache.delete(key);
		cache.set(key, hit);
		return hit;
	}
	const draft = draftOf(schema);
	// A private copy: what the caller does with its object later changes nothing here.
	const compiled = wrap(compileUncached(JSON.parse(key) as JsonSchema, draft), draft);
	cache.set(key, compiled);
	if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
	return compiled;
}

/** Why `schema` cannot be used (what compileJsonSchema would throw), or undefined when it can; compiles it for later. */
export function jsonSchemaProblem(schema: JsonSchema): string | undefined {
	try {
		compileJsonSchema(schema);
		return undefined;
	} catch (error) {
		if (error instanceof InvalidSchemaError) return error.message;
		throw error;
	}
}

/** Returns every violation of `schema` by `value`; an empty list means the value conforms. Throws InvalidSchemaError. */
export function validateJsonSchema(value: unknown, schema: JsonSchema): SchemaViolation[] {
	return compileJsonSchema(schema).validate(value);
}

export function describeViolations(violations: SchemaViolation[], limit = 5): string {
	const shown = violations.slice(0, limit).map((v) => `${v.path} ${v.message}`);
	const more = violations.length > limit ? ` (and ${violations.length - limit} more)` : '';
	return shown.join('; ') + more;
}
