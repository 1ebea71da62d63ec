/**
 * The credential's secrets (the API key and every Extra Headers value, see secretsOf) never leave a
 * node, whatever the server sends back (issue 15, D8): a server or proxy that echoes the key into a
 * 200 answer would otherwise put it in the text, the model name, the candidates, a loop's history,
 * its preference pairs or a judge's reasons. Every output item goes through `redactOutput` before
 * it is returned: each string (and each object key) has every secret replaced by `[redacted]`.
 * Token lists (`logprobs`) are redacted across tokens, since a tokenizer splits a key into several.
 */

const MASK = '[redacted]';

function redactText(text: string, secrets: readonly string[]): string {
	let result = text;
	for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join(MASK);
	return result;
}

const isTokenList = (value: unknown[]): value is Array<{ token: string }> =>
	value.length > 0 && value.every((entry) => entry !== null && typeof entry === 'object' && typeof (entry as { token?: unknown }).token === 'string');

/**
 * A logprob list whose tokens spell a secret: every token that overlaps an occurrence becomes
 * `[redacted]` (its logprob stays), and so do the tokens of the top logprobs at that position.
 */
function redactTokens(tokens: Array<{ token: string }>, secrets: readonly string[]): Set<number> | undefined {
	const text = tokens.map((t) => t.token).join('');
	let hit: Set<number> | undefined;
	for (const secret of secrets) {
		for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) {
			const end = at + secret.length;
			let offset = 0;
			tokens.forEach((t, index) => {
				const start = offset;
				offset += t.token.length;
				if (start < end && offset > at) (hit ??= new Set()).add(index);
			});
		}
	}
	return hit;
}

function walk(value: unknown, secrets: readonly string[]): unknown {
	if (typeof value === 'string') return redactText(value, secrets);
	if (value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) {
		const hit = isTokenList(value) ? redactTokens(value, secrets) : undefined;
		let changed = false;
		const out = value.map((entry, index) => {
			let next = walk(entry, secrets);
			if (hit?.has(index)) {
				const token = next as { token: string; topLogprobs?: Array<{ token: string }>; top_logprobs?: Array<{ token: string }> };
				const masked = (list: Array<{ token: string }> | undefined) => (Array.isArray(list) ? list.map((top) => ({ ...top, token: MASK })) : list);
				next = {
					...token,
					token: MASK,
					...(token.topLogprobs ? { topLogprobs: masked(token.topLogprobs) } : {}),
					...(token.top_logprobs ? { top_logprobs: masked(token.top_logprobs) } : {}),
				};
			}
			if (next !== entry) changed = true;
			return next;
		});
		return changed ? out : value;
	}
	// Binary data, dates and the like stay as they are: only plain objects are walked (whatever realm
	// made them: structuredClone's objects may come from another one).
	if (Object.prototype.toString.call(value) !== '[object Object]') return value;
	let changed = false;
	const out: Record<string, unknown> = {};
	for (const [key, entry] of Object.entries(value)) {
		const name = redactText(key, secrets);
		const next = walk(entry, secrets);
		if (name !== key || next !== entry) changed = true;
		out[name] = next;
	}
	return changed ? out : value;
}

/**
 * `value` with every secret replaced; the same object when none occurs in it (nothing is copied
 * then). Secrets shorter than 4 characters are left out by secretsOf.
 */
export function redactOutput<T>(value: T, secrets: readonly string[]): T {
	if (secrets.length === 0) return value;
	// The longest first: a secret inside another is not left half-replaced.
	return walk(value, [...secrets].sort((a, b) => b.length - a.length)) as T;
}

/** Output items with `redactOutput` applied to their json (the items themselves when nothing changed). */
export function redactItems<T extends { json: unknown }>(items: T[], secrets: readonly string[]): T[] {
	if (secrets.length === 0) return items;
	return items.map((item) => {
		const json = redactOutput(item.json, secrets);
		return json === item.json ? item : { ...item, json };
	});
}
