import type { IExecuteFunctions, ILoadOptionsFunctions, IPollFunctions } from 'n8n-workflow';
import { OpenAiCompatibleProvider } from '../../core/finetune/providers/openaiCompatible';
import { TogetherProvider, TOGETHER_BASE_URL } from '../../core/finetune/providers/together';
import type { FineTuneProvider } from '../../core/finetune/providers/types';
import { createClient } from '../../core/transport/client';
import { CREDENTIAL_NAME, connectionFromCredentials, secretsOf } from '../shared/connection';

export const TOGETHER_CREDENTIAL = 'togetherAiApi';

export type ProviderName = 'openai' | 'together' | 'export';

/** The adapter for the chosen provider, built from its credential, and the secrets to keep out of messages. */
export async function providerFor(
	ctx: IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions,
	name: ProviderName,
): Promise<{ provider: FineTuneProvider; secrets: string[] }> {
	if (name === 'together') {
		const credentials = await ctx.getCredentials(TOGETHER_CREDENTIAL);
		const apiKey = String(credentials.apiKey ?? '');
		return { provider: new TogetherProvider(apiKey, String(credentials.baseUrl || TOGETHER_BASE_URL)), secrets: [apiKey] };
	}
	const connection = connectionFromCredentials(await ctx.getCredentials(CREDENTIAL_NAME));
	return { provider: new OpenAiCompatibleProvider(createClient(connection, { timeoutMs: 300_000, maxRetries: 3 })), secrets: secretsOf(connection) };
}
