import type { IExecuteFunctions } from 'n8n-workflow';
import type { OnlineRlProvider } from '../../core/finetune/onlineRl/types';
import { WandbRlProvider, WANDB_TRAINING_BASE_URL } from '../../core/finetune/onlineRl/wandb';
import { limitedCaller } from '../../core/transport/apiCaller';
import { displayBaseUrl, type ConnectionConfig } from '../../core/transport/connection';
import { createHttpClient } from '../../core/transport/http';
import { createLane } from '../../core/transport/limits/lane';
import { limiterFor } from '../../core/transport/limits/registry';
import { credentialName } from './connection';
import type { Endpoint } from './failures';

export const WANDB_CREDENTIAL = 'wandbApi';

/** A training step's body is every trajectory at once: a longer timeout than a chat request's. */
const TIMEOUT_MS = 300_000;
const CONCURRENCY = 4;

export interface OnlineRlConnection {
	provider: OnlineRlProvider;
	project: string;
	entity: string;
	secrets: string[];
	endpoint: Endpoint;
	close(): void;
}

/**
 * The W&B adapter from its credential, through the package's one transport and the key's shared
 * limiter: reads are retried as the fine-tune providers' are, the POSTs are sent once.
 */
export async function onlineRlConnection(ctx: IExecuteFunctions): Promise<OnlineRlConnection> {
	const credentials = await ctx.getCredentials(WANDB_CREDENTIAL);
	const connection: ConnectionConfig = { baseUrl: String(credentials.baseUrl || WANDB_TRAINING_BASE_URL), apiKey: String(credentials.apiKey ?? ''), authHeader: 'bearer' };
	const http = createHttpClient(connection, { timeoutMs: TIMEOUT_MS });
	const lane = createLane(limiterFor(connection), CONCURRENCY);
	const provider = new WandbRlProvider({ read: limitedCaller(http, lane, { maxRetries: 3 }), write: limitedCaller(http, lane, { maxRetries: 0 }) });
	return {
		provider,
		project: String(credentials.project ?? '').trim(),
		entity: String(credentials.entity ?? '').trim(),
		secrets: [connection.apiKey ?? ''].filter((s) => s.length >= 4),
		endpoint: { baseUrl: displayBaseUrl(connection.baseUrl), credential: credentialName(ctx.getNode(), WANDB_CREDENTIAL) },
		close: () => http.close(),
	};
}
