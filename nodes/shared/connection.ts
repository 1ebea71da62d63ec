import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { tryParseJson } from '../../core/json/tryParseJson';
import type { ConnectionConfig } from '../../core/transport/connection';

export const CREDENTIAL_NAME = 'openAiCompatibleApi';

function parseHeaders(raw: unknown): Record<string, string> {
	if (raw === undefined || raw === null || raw === '') return {};
	let value: unknown = raw;
	if (typeof raw === 'string') {
		const parsed = tryParseJson(raw);
		if (!parsed.ok) throw new Error('Extra Headers in the credential is not valid JSON');
		value = parsed.value;
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new Error('Extra Headers in the credential must be a JSON object');
	}
	return Object.fromEntries(Object.entries(value).map(([name, v]) => [name, String(v)]));
}

/** Maps the stored credential to the core's connection settings. */
export function connectionFromCredentials(credentials: ICredentialDataDecryptedObject): ConnectionConfig {
	return {
		baseUrl: String(credentials.baseUrl ?? ''),
		apiKey: String(credentials.apiKey ?? ''),
		authHeader: credentials.authHeader === 'apiKey' ? 'apiKey' : 'bearer',
		organization: String(credentials.organization ?? ''),
		project: String(credentials.project ?? ''),
		headers: parseHeaders(credentials.extraHeaders),
	};
}

/**
 * The credential's Default Model: what a node uses where its model is left empty, so that the
 * examples switch endpoint and model in one place. n8n fills in the field's default for
 * credentials saved before it existed.
 */
export function defaultModelOf(credentials: ICredentialDataDecryptedObject | undefined): string {
	return String(credentials?.defaultModel ?? '').trim();
}

/** Every value that must never appear in an output, an error or a log. */
export function secretsOf(connection: ConnectionConfig): string[] {
	return [connection.apiKey ?? '', ...Object.values(connection.headers ?? {})].filter((s) => s.length >= 4);
}
