import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { createClient } from '../../core/transport/client';
import { redactSecrets } from '../../core/transport/secrets';
import { CREDENTIAL_NAME, connectionFromCredentials, secretsOf } from './connection';

/** Lists the endpoint's models (GET /models) for the model picker, filtered by what the user types. */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const connection = connectionFromCredentials(await this.getCredentials(CREDENTIAL_NAME));
	const client = createClient(connection, { timeoutMs: 30_000 });
	const ids: string[] = [];
	try {
		for await (const model of client.models.list()) ids.push(model.id);
	} catch (error) {
		throw new NodeOperationError(
			this.getNode(),
			`Could not list models: ${redactSecrets((error as Error).message, secretsOf(connection))}`,
		);
	}
	const needle = filter?.trim().toLowerCase() ?? '';
	return {
		results: ids
			.filter((id) => id.toLowerCase().includes(needle))
			.sort((a, b) => a.localeCompare(b))
			.map((id) => ({ name: id, value: id })),
	};
}
