import OpenAI from 'openai';
import type { ConnectionConfig } from './connection';
import { normalizeBaseUrl } from './connection';

export type { ConnectionConfig } from './connection';

export interface ClientOptions {
	timeoutMs?: number;
	/** The SDK's own retries: 0 where the scheduler retries (the default), more for one-off calls. */
	maxRetries?: number;
}

/**
 * One SDK client per node execution. The SDK's own retries are off: the scheduler retries, so that
 * every worker shares one view of the rate limits and one item's failures never hold up the rest.
 * Every option is passed explicitly so the SDK never falls back to OPENAI_* environment variables.
 */
export function createClient(config: ConnectionConfig, options: ClientOptions = {}): OpenAI {
	const key = config.apiKey?.trim() ?? '';
	const defaultHeaders: Record<string, string | null> = { ...(config.headers ?? {}) };
	if (!key || config.authHeader === 'apiKey') defaultHeaders.Authorization = null;
	if (key && config.authHeader === 'apiKey') defaultHeaders['api-key'] = key;
	return new OpenAI({
		apiKey: key,
		baseURL: normalizeBaseUrl(config.baseUrl),
		organization: config.organization?.trim() || null,
		project: config.project?.trim() || null,
		webhookSecret: null,
		defaultHeaders,
		timeout: options.timeoutMs,
		maxRetries: options.maxRetries ?? 0,
	});
}
