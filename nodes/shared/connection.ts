import type { ICredentialDataDecryptedObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { tryParseJson } from '../../core/json/tryParseJson';
import { displayBaseUrl, type ConnectionConfig } from '../../core/transport/connection';
import { nodeError } from './errors';
import type { Endpoint } from './failures';

export const CREDENTIAL_NAME = 'openAiCompatibleApi';

function parseHeaders(raw: unknown): Record<string, string> {
	if (raw === undefined || raw === null || raw === '') return {};
	let value: unknown = raw;
	if (typeof raw === 'string') {
		const parsed = tryParseJson(raw);
		if (!parsed.ok) throw new Error('Extra Headers is not valid JSON');
		value = parsed.value;
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new Error('Extra Headers must be a JSON object');
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

/** The credential's name as the user gave it (the node's selection), for messages. */
export function credentialName(node: INode, type = CREDENTIAL_NAME): string {
	const name = node.credentials?.[type]?.name;
	return typeof name === 'string' && name.trim() ? name.trim() : 'OpenAI-Compatible API';
}

/** The base URL and credential that connection and auth errors name. */
export function endpointOf(node: INode, connection: ConnectionConfig, type = CREDENTIAL_NAME): Endpoint {
	return { baseUrl: displayBaseUrl(connection.baseUrl), credential: credentialName(node, type) };
}

/** The node's credential as connection settings; a credential that cannot be used is a node-wide error naming it. */
export async function connectionOf(ctx: IExecuteFunctions): Promise<ConnectionConfig> {
	const credentials = await ctx.getCredentials(CREDENTIAL_NAME);
	try {
		return connectionFromCredentials(credentials);
	} catch (error) {
		throw nodeError(ctx, `The credential "${credentialName(ctx.getNode())}": ${(error as Error).message}`);
	}
}
