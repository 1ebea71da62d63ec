/**
 * Field paths, one syntax for JSON Field and for templates (`{{item.<path>}}`,
 * `{{sample.output_json.<path>}}`): keys joined by dots, array indexes in brackets
 * (`items[0].name`), keys with dots, brackets or other characters in quoted brackets
 * (`meta["content-type"]`, `meta['a.b']`); a leading `$` is allowed (`$.items[0]`) and `$` alone is
 * the whole value. Lookups see own properties only, so `constructor` or `__proto__` are no fields.
 */

export type PathSegment = string | number;

/** Parses a field path into keys and indexes; throws an Error that says where it is malformed. */
export function parseFieldPath(path: string): PathSegment[] {
	const segments: PathSegment[] = [];
	let i = 0;
	const fail = (problem: string): never => {
		throw new Error(`path "${path}" is malformed at position ${i + 1}: ${problem}`);
	};
	const readKey = () => {
		const start = i;
		while (i < path.length && path[i] !== '.' && path[i] !== '[' && path[i] !== ']') i++;
		if (i === start) fail('a key is missing');
		segments.push(path.slice(start, i));
	};
	if (path.startsWith('$') && (path.length === 1 || path[1] === '.' || path[1] === '[')) i = 1;
	else if (path.length > 0 && path[0] !== '[') readKey();
	while (i < path.length) {
		const char = path[i];
		if (char === '.') {
			i++;
			readKey();
		} else if (char === '[') {
			i++;
			const quoteChar = path[i];
			if (quoteChar === '"' || quoteChar === "'") {
				const end = path.indexOf(quoteChar, i + 1);
				if (end < 0) fail(`the quoted key is not closed by ${quoteChar}`);
				segments.push(path.slice(i + 1, end));
				i = end + 1;
			} else {
				const start = i;
				while (i < path.length && path[i] >= '0' && path[i] <= '9') i++;
				if (i === start) fail('expected an index (digits) or a quoted key after "["');
				segments.push(Number(path.slice(start, i)));
			}
			if (path[i] !== ']') fail('expected "]"');
			i++;
		} else {
			fail(`unexpected "${char}"`);
		}
	}
	if (segments.length === 0 && path !== '$') fail('the path is empty');
	return segments;
}

export const MISSING: unique symbol = Symbol('missing');
export type Found = unknown | typeof MISSING;

const INDEX = /^(?:0|[1-9][0-9]*)$/;

/** The value at `segments`, or MISSING. Only own properties count: `constructor` is no field. */
export function lookupPath(root: unknown, segments: readonly PathSegment[]): Found {
	let current = root;
	for (const segment of segments) {
		if (Array.isArray(current)) {
			const index = typeof segment === 'number' ? segment : INDEX.test(segment) ? Number(segment) : -1;
			if (index < 0 || index >= current.length) return MISSING;
			current = current[index];
		} else if (typeof segment === 'string' && typeof current === 'object' && current !== null && Object.hasOwn(current, segment)) {
			current = (current as Record<string, unknown>)[segment];
		} else {
			return MISSING;
		}
	}
	return current;
}

