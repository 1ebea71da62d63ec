/**
 * What a request must keep beyond what Prism checks: rules of OpenAI's API that its OpenAPI
 * document cannot express (its request schemas allow any extra property; strict mode's schema rules
 * are prose), and values that can only be a bug in any API (a field sent as the text "undefined").
 */

type Schema = Record<string, unknown>;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export interface RuleProblem {
	/** Where, in the request: "body.max_completions_tokens". */
	field: string;
	problem: string;
	value?: unknown;
}

/** The template of the document's path that a request path is on ("/fine_tuning/jobs/{fine_tuning_job_id}"). */
export function pathTemplate(document: Record<string, unknown>, path: string): string | undefined {
	const bare = path.split('?')[0];
	for (const template of Object.keys((document.paths ?? {}) as object)) {
		const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
		if (pattern.test(bare)) return template;
	}
	return undefined;
}

function resolve(document: Record<string, unknown>, schema: unknown): Schema | undefined {
	let node = schema;
	for (let depth = 0; isObject(node) && typeof node.$ref === 'string' && depth < 20; depth++) {
		node = node.$ref
			.replace(/^#\//, '')
			.split('/')
			.reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), document);
	}
	return isObject(node) ? node : undefined;
}

/** Every property name the schema declares at its top level (through $ref, allOf, anyOf, oneOf); undefined if it allows any. */
function declaredKeys(document: Record<string, unknown>, schema: unknown, seen = new Set<unknown>()): Set<string> | undefined {
	const node = resolve(document, schema);
	if (!node || seen.has(node)) return new Set();
	seen.add(node);
	const keys = new Set<string>(Object.keys(isObject(node.properties) ? node.properties : {}));
	for (const combiner of ['allOf', 'anyOf', 'oneOf']) {
		for (const part of (Array.isArray(node[combiner]) ? node[combiner] : []) as unknown[]) {
			const inner = declaredKeys(document, part, seen);
			if (inner === undefined) return undefined;
			for (const key of inner) keys.add(key);
		}
	}
	if (isObject(node.additionalProperties) || isObject(node.patternProperties)) return undefined;
	return keys;
}

const keyCache = new Map<string, Set<string> | undefined>();

/** The top-level fields a JSON request body may have on this operation, or undefined when the document does not say. */
export function knownBodyFields(document: Record<string, unknown>, method: string, template: string): Set<string> | undefined {
	const key = `${method} ${template}`;
	if (!keyCache.has(key)) {
		const operation = ((document.paths as Record<string, Record<string, unknown>>)[template] ?? {})[method.toLowerCase()] as Record<string, unknown> | undefined;
		const content = (resolve(document, operation?.requestBody)?.content ?? {}) as Record<string, { schema?: unknown }>;
		const schema = content['application/json']?.schema;
		const keys = schema ? declaredKeys(document, schema) : undefined;
		keyCache.set(key, keys && keys.size > 0 ? keys : undefined);
	}
	return keyCache.get(key);
}

/**
 * OpenAI answers 400 "Unrecognized request argument" to a field it does not know; the document's
 * schemas allow extra properties, so Prism cannot see it. `allowed` are fields the user added on
 * purpose (Extra Body Parameters).
 */
export function unknownFields(known: Set<string>, body: unknown, allowed: Set<string>): RuleProblem[] {
	if (!isObject(body)) return [];
	return Object.keys(body)
		.filter((key) => !known.has(key) && !allowed.has(key))
		.map((key) => ({ field: `body.${key}`, problem: 'is not a field of this request in OpenAI\'s API', value: body[key] }));
}

const NOTHING = new Set(['undefined', '[object Object]', 'NaN']);

/** A value that is the text form of nothing: a template or String() of a missing value. */
export function stringifiedNothing(body: unknown, path: string, at = 'body'): RuleProblem[] {
	const problems: RuleProblem[] = [];
	const walk = (node: unknown, where: string) => {
		if (typeof node === 'string' && NOTHING.has(node)) problems.push({ field: where, problem: `is the text "${node}"`, value: node });
		else if (Array.isArray(node)) node.forEach((child) => walk(child, `${where}[*]`));
		else if (isObject(node)) for (const [key, child] of Object.entries(node)) walk(child, `${where}.${key}`);
	};
	walk(body, at);
	const [bare, query = ''] = path.split('?');
	for (const segment of bare.split('/')) if (NOTHING.has(decodeURIComponent(segment))) problems.push({ field: 'path', problem: `has the segment "${segment}"`, value: segment });
	for (const [name, value] of new URLSearchParams(query)) if (NOTHING.has(value)) problems.push({ field: `query.${name}`, problem: `is the text "${value}"`, value });
	return problems;
}

/**
 * Structured Outputs' strict mode (https://platform.openai.com/docs/guides/structured-outputs#supported-schemas):
 * the root is an object, every object lists all its properties in `required` and sets
 * `additionalProperties: false`. OpenAI answers 400 to a strict schema that breaks these.
 */
export function strictSchemaProblems(body: unknown): RuleProblem[] {
	if (!isObject(body) || !isObject(body.response_format)) return [];
	const format = body.response_format;
	const jsonSchema = format.json_schema;
	if (format.type !== 'json_schema' || !isObject(jsonSchema) || jsonSchema.strict !== true) return [];
	const problems: RuleProblem[] = [];
	const field = 'body.response_format.json_schema.schema';
	const root = jsonSchema.schema;
	if (!isObject(root) || root.type !== 'object') problems.push({ field, problem: 'strict mode needs an object at the root', value: root });
	const walk = (node: unknown, where: string) => {
		if (!isObject(node)) return;
		const properties = isObject(node.properties) ? node.properties : undefined;
		if (node.type === 'object' || properties) {
			if (node.additionalProperties !== false) problems.push({ field: `${field}${where}`, problem: 'strict mode needs additionalProperties: false', value: node.additionalProperties });
			const required = Array.isArray(node.required) ? node.required : [];
			const missing = Object.keys(properties ?? {}).filter((key) => !required.includes(key));
			if (missing.length > 0) problems.push({ field: `${field}${where}`, problem: 'strict mode needs every property in required', value: missing });
		}
		for (const [key, child] of Object.entries(properties ?? {})) walk(child, `${where}.properties.${key}`);
		if (node.items !== undefined) walk(node.items, `${where}.items`);
		for (const combiner of ['anyOf', 'allOf', 'oneOf']) if (Array.isArray(node[combiner])) (node[combiner] as unknown[]).forEach((child) => walk(child, `${where}.${combiner}[*]`));
		for (const defs of ['$defs', 'definitions']) if (isObject(node[defs])) for (const [key, child] of Object.entries(node[defs] as object)) walk(child, `${where}.${defs}.${key}`);
	};
	walk(root, '');
	return problems;
}
