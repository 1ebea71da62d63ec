/**
 * Reads `a.b[0].c` from a JSON value, own properties only (so `constructor` or `__proto__` are
 * never found). `readField` first tries the whole name as one key, for fields whose names hold dots.
 */
export function readPath(root: unknown, path: string): unknown {
	return readKeys(root, path.match(/[^.[\]]+/g) ?? []);
}

/** The value under `keys`, one own property at a time; undefined as soon as one is missing. */
export function readKeys(root: unknown, keys: readonly string[]): unknown {
	let value = root;
	for (const key of keys) {
		if (value === null || value === undefined || typeof value !== 'object') return undefined;
		value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
	}
	return value;
}

export function readField(json: Record<string, unknown>, name: string): unknown {
	return Object.hasOwn(json, name) ? json[name] : readPath(json, name);
}
