export type JsonParse = { ok: true; value: unknown } | { ok: false; problem: string };

/** JSON.parse that returns the problem instead of throwing, so callers choose their own error. */
export function tryParseJson(text: string): JsonParse {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch (error) {
		return { ok: false, problem: (error as Error).message };
	}
}
