import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { WANDB_TRAINING_BASE_URL } from '../../core/finetune/onlineRl/wandb';
import { displayBaseUrl, type ConnectionConfig } from '../../core/transport/connection';
import { createHttpClient, HttpStatusError } from '../../core/transport/http';
import { describeFailure } from './failures';

/** The name a node gives in `testedBy` for the W&B Training API credential. */
export const WANDB_CREDENTIAL_TEST = 'wandbApiTest';

/** A job id no job has: W&B looks the key up before the job. */
const NO_SUCH_JOB = '00000000-0000-0000-0000-000000000000';

/**
 * The W&B credential's Test button. The Training API has no listing that only reads (its model
 * routes create), and /health answers without a key, so the test asks for a training job that does
 * not exist: a 401 or 403 is a key W&B refused; a 404 or 422 means the key was accepted and W&B
 * only has no such job. The message names the base URL and the credential, never the key.
 */
export async function testWandbCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const name = credential.name?.trim() || 'W&B Training API';
	const data = credential.data ?? {};
	const connection: ConnectionConfig = { baseUrl: String(data.baseUrl ?? '').trim() || WANDB_TRAINING_BASE_URL, apiKey: String(data.apiKey ?? ''), authHeader: 'bearer' };
	if (!String(data.project ?? '').trim()) return { status: 'Error', message: `The credential "${name}": Project is empty; W&B keeps the trained models in a project` };
	const baseUrl = displayBaseUrl(connection.baseUrl);
	const http = createHttpClient(connection, { timeoutMs: 20_000 });
	try {
		await http.request({ method: 'GET', path: `/preview/training-jobs/${NO_SUCH_JOB}` }, new AbortController().signal);
		return { status: 'OK', message: 'Connection successful!' };
	} catch (error) {
		if (error instanceof HttpStatusError && (error.status === 404 || error.status === 422)) return { status: 'OK', message: 'Connection successful!' };
		const secrets = connection.apiKey && connection.apiKey.length >= 4 ? [connection.apiKey] : [];
		return { status: 'Error', message: `GET ${baseUrl}/preview/training-jobs failed: ${describeFailure(error, 0, secrets, { baseUrl, credential: name })}` };
	} finally {
		http.close();
	}
}
