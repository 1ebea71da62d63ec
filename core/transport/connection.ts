/** How to reach and authenticate with an OpenAI-compatible endpoint. No SDK here: credentials load it. */

export type AuthHeader = 'bearer' | 'apiKey';

export interface ConnectionConfig {
	baseUrl: string;
	apiKey?: string;
	/** `bearer` sends `Authorization: Bearer <key>`; `apiKey` sends `api-key: <key>` (Azure OpenAI). */
	authHeader?: AuthHeader;
	organization?: string;
	project?: string;
	headers?: Record<string, string>;
}

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export function normalizeBaseUrl(baseUrl: string | undefined): string {
	const trimmed = (baseUrl ?? '').trim() || DEFAULT_BASE_URL;
	return trimmed.replace(/\/+$/, '');
}

/**
 * The base URL as messages show it: normalised, without a user name, password or query (where some
 * gateways take a key), so that naming the endpoint never shows a secret.
 */
export function displayBaseUrl(baseUrl: string | undefined): string {
	const normalized = normalizeBaseUrl(baseUrl);
	try {
		const url = new URL(normalized);
		url.username = '';
		url.password = '';
		url.search = '';
		url.hash = '';
		return url.href.replace(/\/+$/, '');
	} catch {
		return normalized.replace(/[?#].*$/, '');
	}
}

/** The headers that authenticate a request, for callers that do not go through the SDK. */
export function authenticationHeaders(config: ConnectionConfig): Record<string, string> {
	const headers: Record<string, string> = {};
	const key = config.apiKey?.trim();
	if (key) {
		if (config.authHeader === 'apiKey') headers['api-key'] = key;
		else headers.Authorization = `Bearer ${key}`;
	}
	if (config.organization?.trim()) headers['OpenAI-Organization'] = config.organization.trim();
	if (config.project?.trim()) headers['OpenAI-Project'] = config.project.trim();
	return { ...(config.headers ?? {}), ...headers };
}

