/**
 * A JSON Schema validator for the subset that structured outputs use (OpenAI's strict mode and
 * what vLLM, Ollama and llama.cpp accept): types, enum/const, objects, arrays, numeric and string
 * bounds, pattern, anyOf/oneOf/allOf/not and local $ref. It reports every violation with the
 * JSON path where it happened, so a user can see what the model got wrong.
 */
export type JsonSchema = boolean | { [keyword: string]: unknown };

export interface SchemaViolation {
	path: string;
	message: string;
}

type SchemaObject = { [keyword: string]: unknown };

function typeOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
	return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
	const actual = typeOf(value);
	if (type === 'number') return actual === 'number' || actual === 'integer';
	return actual === type;
}

function deepEqual(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	const keysA = Object.keys(a);
	const keysB = Object.keys(b);
	if (keysA.length !== keysB.length) return false;
	return keysA.every((key) =>
		deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
	);
}

function childPath(path: string, key: string | number): string {
	if (typeof key === 'number') return `${path}[${key}]`;
	return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function resolveRef(root: SchemaObject, ref: string): JsonSchema {
	if (!ref.startsWith('#')) throw new Error(`only local $ref is supported, got "${ref}"`);
	let node: unknown = root;
	for (const raw of ref.slice(1).split('/').filter(Boolean)) {
		const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
		node = (node as Record<string, unknown> | undefined)?.[key];
		if (node === undefined) throw new Error(`$ref "${ref}" does not resolve`);
	}
	return node as JsonSchema;
}

function validateNode(
	value: unknown,
	schema: JsonSchema,
	root: SchemaObject,
	path: string,
	out: SchemaViolation[],
	depth: number,
): void {
	if (depth > 100) throw new Error('schema nests too deeply (a $ref cycle?)');
	if (schema === true) return;
	if (schema === false) {
		out.push({ path, message: 'no value is allowed here' });
		return;
	}
	const s = schema;
	if (typeof s.$ref === 'string') {
		validateNode(value, resolveRef(root, s.$ref), root, path, out, depth + 1);
	}
	if (s.type !== undefined) {
		const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
		const allowed = s.nullable === true ? [...types, 'null'] : types;
		if (!allowed.some((type) => matchesType(value, type))) {
			out.push({ path, message: `expected ${allowed.join(' or ')}, got ${typeOf(value)}` });
			return;
		}
	}
	if (Array.isArray(s.enum) && !s.enum.some((option) => deepEqual(option, value))) {
		out.push({ path, message: `must be one of ${JSON.stringify(s.enum)}` });
	}
	if ('const' in s && !deepEqual(s.const, value)) {
		out.push({ path, message: `must equal ${JSON.stringify(s.const)}` });
	}
	if (typeof value === 'number') {
		if (typeof s.minimum === 'number' && value < s.minimum) out.push({ path, message: `must be >= ${s.minimum}` });
		if (typeof s.maximum === 'number' && value > s.maximum) out.push({ path, message: `must be <= ${s.maximum}` });
		if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) {
			out.push({ path, message: `must be > ${s.exclusiveMinimum}` });
		}
		if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) {
			out.push({ path, message: `must be < ${s.exclusiveMaximum}` });
		}
		if (typeof s.multipleOf === 'number' && s.multipleOf > 0) {
			const ratio = value / s.multipleOf;
			if (Math.abs(ratio - Math.round(ratio)) > 1e-9) out.push({ path, message: `must be a multiple of ${s.multipleOf}` });
		}
	}
	if (typeof value === 'string') {
		const length = [...value].length;
		if (typeof s.minLength === 'number' && length < s.minLength) {
			out.push({ path, message: `must have at least ${s.minLength} characters` });
		}
		if (typeof s.maxLength === 'number' && length > s.maxLength) {
			out.push({ path, message: `must have at most ${s.maxLength} characters` });
		}
		if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) {
			out.push({ path, message: `must match the pattern ${s.pattern}` });
		}
	}
	if (Array.isArray(value)) {
		if (typeof s.minItems === 'number' && value.length < s.minItems) {
			out.push({ path, message: `must have at least ${s.minItems} items` });
		}
		if (typeof s.maxItems === 'number' && value.length > s.maxItems) {
			out.push({ path, message: `must have at most ${s.maxItems} items` });
		}
		const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as JsonSchema[]) : [];
		value.forEach((item, i) => {
			const itemSchema = i < prefix.length ? prefix[i] : (s.items as JsonSchema | undefined);
			if (itemSchema !== undefined) validateNode(item, itemSchema, root, childPath(path, i), out, depth + 1);
		});
		if (s.uniqueItems === true) {
			value.forEach((item, i) => {
				if (value.findIndex((other) => deepEqual(other, item)) !== i) {
					out.push({ path: childPath(path, i), message: 'duplicates an earlier item' });
				}
			});
		}
	}
	if (typeOf(value) === 'object') {
		const record = value as Record<string, unknown>;
		const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
		for (const name of (Array.isArray(s.required) ? s.required : []) as string[]) {
			if (!Object.hasOwn(record, name)) out.push({ path, message: `is missing the required property "${name}"` });
		}
		for (const [name, child] of Object.entries(record)) {
			if (Object.hasOwn(properties, name)) {
				validateNode(child, properties[name], root, childPath(path, name), out, depth + 1);
			} else if (s.additionalProperties === false) {
				out.push({ path: childPath(path, name), message: 'is not an allowed property' });
			} else if (typeof s.additionalProperties === 'object' && s.additionalProperties !== null) {
				validateNode(child, s.additionalProperties as JsonSchema, root, childPath(path, name), out, depth + 1);
			}
		}
	}
	const branchErrors = (branch: JsonSchema) => {
		const errors: SchemaViolation[] = [];
		validateNode(value, branch, root, path, errors, depth + 1);
		return errors;
	};
	if (Array.isArray(s.allOf)) {
		for (const branch of s.allOf as JsonSchema[]) out.push(...branchErrors(branch));
	}
	if (Array.isArray(s.anyOf)) {
		const results = (s.anyOf as JsonSchema[]).map(branchErrors);
		if (!results.some((errors) => errors.length === 0)) {
			out.push({ path, message: `matches none of the anyOf options (${results.map((e) => e[0]?.message).join('; ')})` });
		}
	}
	if (Array.isArray(s.oneOf)) {
		const passing = (s.oneOf as JsonSchema[]).filter((branch) => branchErrors(branch).length === 0).length;
		if (passing !== 1) out.push({ path, message: `must match exactly one oneOf option, matches ${passing}` });
	}
	if (s.not !== undefined && branchErrors(s.not as JsonSchema).length === 0) {
		out.push({ path, message: 'must not match the "not" schema' });
	}
}

/** Returns every violation of `schema` by `value`; an empty list means the value conforms. */
export function validateJsonSchema(value: unknown, schema: JsonSchema): SchemaViolation[] {
	const out: SchemaViolation[] = [];
	const root = typeof schema === 'object' ? schema : {};
	validateNode(value, schema, root, '$', out, 0);
	return out;
}

export function describeViolations(violations: SchemaViolation[], limit = 5): string {
	const shown = violations.slice(0, limit).map((v) => `${v.path} ${v.message}`);
	const more = violations.length > limit ? ` (and ${violations.length - limit} more)` : '';
	return shown.join('; ') + more;
}
