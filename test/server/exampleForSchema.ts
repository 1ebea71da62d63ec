/** Builds a value that satisfies a JSON Schema, so the test server can answer structured-output requests. */
export function exampleForSchema(schema: unknown, seedText: string, root: unknown = schema, depth = 0): unknown {
	if (depth > 20 || typeof schema !== 'object' || schema === null) return seedText;
	const s = schema as Record<string, unknown>;
	if (typeof s.$ref === 'string') {
		const target = s.$ref
			.slice(2)
			.split('/')
			.reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], root);
		return exampleForSchema(target, seedText, root, depth + 1);
	}
	if ('const' in s) return s.const;
	if (Array.isArray(s.enum)) return s.enum[0];
	if (Array.isArray(s.anyOf)) return exampleForSchema(s.anyOf[0], seedText, root, depth + 1);
	if (Array.isArray(s.oneOf)) return exampleForSchema(s.oneOf[0], seedText, root, depth + 1);
	const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
	switch (type) {
		case 'object': {
			const properties = (s.properties ?? {}) as Record<string, unknown>;
			return Object.fromEntries(
				Object.entries(properties).map(([name, child]) => [name, exampleForSchema(child, seedText, root, depth + 1)]),
			);
		}
		case 'array': {
			const count = typeof s.minItems === 'number' ? s.minItems : 1;
			return Array.from({ length: count }, () => exampleForSchema(s.items, seedText, root, depth + 1));
		}
		case 'integer':
			return typeof s.minimum === 'number' ? Math.ceil(s.minimum) : 1;
		case 'number':
			return typeof s.minimum === 'number' ? s.minimum : 0.5;
		case 'boolean':
			return true;
		case 'null':
			return null;
		default:
			return seedText;
	}
}
