import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { displayBaseUrl } from '../../core/transport/connection';
import { createHttpClient } from '../../core/transport/http';
import { connectionFromCredentials, secretsOf } from './connection';
import { describeFailure } from './failures';

/** The name nodes give in `testedBy` for the OpenAI-Compatible API credential. */
export const CREDENTIAL_TEST = 'openAiCompatibleApiTest';
/** The name nodes give in `testedBy` for the Together AI API credential. */
export const TOGETHER_CREDENTIAL_TEST = 'togetherAiApiTest';
/** The name nodes give in `testedBy` for the Fireworks AI API credential. */
export const FIREWORKS_CREDENTIAL_TEST = 'fireworksAiApiTest';

/**
 * The credential's Test button: GET /models with the key, as the requests will be sent. n8n's
 * declarative test says only "Couldn't connect with these settings" and a network code; this one
 * names the base URL and the credential, and says what to check (never the key).
 */
export async function testOpenAiCompatibleCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return testModelsEndpoint(credential, 'OpenAI-Compatible API', '');
}

/** Together AI's credential: the same test, against Together's API when no Base URL is set. */
export async function testTogetherCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return testModelsEndpoint(credential, 'Together AI API', 'https://api.together.xyz/v1');
}

/**
 * Fireworks AI's credential: the key and the account together, by listing one of the account's
 * datasets (GET /v1/accounts/{account}/datasets?pageSize=1, https://docs.fireworks.ai/api-reference/list-datasets),
 * which is what Upload File and Create Job need; a wrong account answers 403 or 404 there.
 */
export async function testFireworksCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const name = credential.name?.trim() || 'Fireworks AI API';
	const account = String(data.accountId ?? '').trim().replace(/^accounts\//, '');
	if (!account) return { status: 'Error', message: `The credential "${name}": Account ID is empty; Fireworks names every dataset and job under an account` };
	return testEndpoint(credential, 'Fireworks AI API', 'https://api.fireworks.ai', `/v1/accounts/${encodeURIComponent(account)}/datasets`, { pageSize: 1 });
}

async function testModelsEndpoint(credential: ICredentialsDecrypted, kind: string, defaultBaseUrl: string): Promise<INodeCredentialTestResult> {
	return testEndpoint(credential, kind, defaultBaseUrl, '/models');
}

async function testEndpoint(credential: ICredentialsDecrypted, kind: string, defaultBaseUrl: string, path: string, query?: Record<string, number>): Promise<INodeCredentialTestResult> {
	const name = credential.name?.trim() || kind;
	let connection;
	try {
		const data = credential.data ?? {};
		connection = connectionFromCredentials({ ...data, baseUrl: String(data.baseUrl ?? '').trim() || defaultBaseUrl });
	} catch (error) {
		return { status: 'Error', message: `The credential "${name}": ${(error as Error).message}` };
	}
	const endpoint = { baseUrl: displayBaseUrl(connection.baseUrl), credential: name };
	const http = createHttpClient(connection, { timeoutMs: 20_000 });
	try {
		await http.request({ method: 'GET', path, query }, new AbortController().signal);
		return { status: 'OK', message: 'Connection successful!' };
	} catch (error) {
		return { status: 'Error', message: `GET ${endpoint.baseUrl}${path} failed: ${describeFailure(error, 0, secretsOf(connection), endpoint)}` };
	} finally {
		http.close();
	}
}

/** What a node that uses the credential declares, so that n8n tests the credential with the function above. */
export const credentialTestMethods = { credentialTest: { [CREDENTIAL_TEST]: testOpenAiCompatibleCredential, [TOGETHER_CREDENTIAL_TEST]: testTogetherCredential, [FIREWORKS_CREDENTIAL_TEST]: testFireworksCredential } };
