const KEY_LIKE = /\b(sk|rk|pk)-[A-Za-z0-9_*-]{6,}/g;

/**
 * Removes credentials from text that may reach an output, an error or a log: the exact secrets
 * given, and anything shaped like a provider key (OpenAI echoes part of a wrong key in its 401s).
 */
export function redactSecrets(text: string, secrets: Array<string | undefined>): string {
	let result = text;
	for (const secret of secrets) {
		const value = secret?.trim();
		if (value && value.length >= 4) result = result.split(value).join('[redacted]');
	}
	return result.replace(KEY_LIKE, '[redacted]');
}
