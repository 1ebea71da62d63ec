import type { IExecuteFunctions, ILoadOptionsFunctions, IPollFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { FireworksProvider, FIREWORKS_BASE_URL } from '../../core/finetune/providers/fireworks';
import { OpenAiCompatibleProvider } from '../../core/finetune/providers/openaiCompatible';
import { resolvePlatform } from '../../core/finetune/providers/platforms';
import { TogetherProvider, TOGETHER_BASE_URL } from '../../core/finetune/providers/together';
import type { FineTuneProvider } from '../../core/finetune/providers/types';
import { limitedCaller } from '../../core/transport/apiCaller';
import type { ConnectionConfig } from '../../core/transport/connection';
import { createHttpClient } from '../../core/transport/http';
import { createLane } from '../../core/transport/limits/lane';
import { limiterFor } from '../../core/transport/limits/registry';
import { CREDENTIAL_NAME, connectionFromCredentials, secretsOf } from './connection';

export const TOGETHER_CREDENTIAL = 'togetherAiApi';
export const FIREWORKS_CREDENTIAL = 'fireworksAiApi';

export type ProviderName = 'openai' | 'together' | 'fireworks' | 'export';

/** Uploads and job calls can be slow (a large training file): a longer timeout than a chat request's. */
const FINE_TUNE_TIMEOUT_MS = 300_000;
/** A few calls at once at most (a listing and its pages, a poll): these are not bulk traffic. */
const FINE_TUNE_CONCURRENCY = 4;
/** As the SDK did before: a 429 or a 5xx on a job call is tried again, up to three more times. */
const FINE_TUNE_RETRIES = 3;

/** The key's shared limiter and the retry policy in front of the provider's HTTP calls. */
function callerFor(connection: ConnectionConfig) {
	const http = createHttpClient(connection, { timeoutMs: FINE_TUNE_TIMEOUT_MS });
	return limitedCaller(http, createLane(limiterFor(connection), FINE_TUNE_CONCURRENCY), { maxRetries: FINE_TUNE_RETRIES });
}

/** The adapter for the chosen provider, built from its credential, and the secrets to keep out of messages. */
export async function providerFor(
	ctx: IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions,
	name: ProviderName,
): Promise<{ provider: FineTuneProvider; secrets: string[] }> {
	if (name === 'together') {
		const credentials = await ctx.getCredentials(TOGETHER_CREDENTIAL);
		const apiKey = String(credentials.apiKey ?? '');
		const connection: ConnectionConfig = { baseUrl: String(credentials.baseUrl || TOGETHER_BASE_URL), apiKey, authHeader: 'bearer' };
		return { provider: new TogetherProvider(callerFor(connection)), secrets: [apiKey] };
	}
	if (name === 'fireworks') {
		const credentials = await ctx.getCredentials(FIREWORKS_CREDENTIAL);
		const apiKey = String(credentials.apiKey ?? '');
		const connection: ConnectionConfig = { baseUrl: String(credentials.baseUrl || FIREWORKS_BASE_URL), apiKey, authHeader: 'bearer' };
		// An empty Account ID is the provider's error, naming the field, before anything is sent.
		return { provider: new FireworksProvider(callerFor(connection), { account: String(credentials.accountId ?? ''), sleep: (ms) => sleep(ms) }), secrets: [apiKey] };
	}
	const credentials = await ctx.getCredentials(CREDENTIAL_NAME);
	const connection = connectionFromCredentials(credentials);
	// Credentials saved before the field existed have none: detected from the base URL.
	const platform = resolvePlatform(credentials.fineTunePlatform, connection.baseUrl);
	return {
		provider: new OpenAiCompatibleProvider(callerFor(connection), { platform, baseUrl: connection.baseUrl, authHeader: connection.authHeader }),
		secrets: secretsOf(connection),
	};
}
