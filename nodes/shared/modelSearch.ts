import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyMode } from 'n8n-workflow';
import { createHttpClient } from '../../core/transport/http';
import { CREDENTIAL_NAME, connectionFromCredentials, credentialName, endpointOf, secretsOf } from './connection';
import { nodeError } from './errors';
import { describeFailure } from './failures';

/** The model picker's modes (Generate Text's model, the judges' model): the endpoint's list, or an ID. */
// The rule takes these modes for parameters; a resource locator's modes have no default.
/* eslint-disable n8n-nodes-base/node-param-default-missing */
export const MODEL_PICKER_MODES: INodePropertyMode[] = [
	{
		displayName: 'From List',
		name: 'list',
		type: 'list',
		typeOptions: { searchListMethod: 'searchModels', searchable: true },
	},
	{
		displayName: 'ID',
		name: 'id',
		type: 'string',
		placeholder: 'e.g. gpt-4.1-mini, llama3.1:8b',
	},
];
/* eslint-enable n8n-nodes-base/node-param-default-missing */

/** Lists the endpoint's models (GET /models) for the model picker, filtered by what the user types. */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	let connection;
	try {
		connection = connectionFromCredentials(await this.getCredentials(CREDENTIAL_NAME));
	} catch (error) {
		throw nodeError(this, `Could not list models: the credential "${credentialName(this.getNode())}": ${(error as Error).message}`);
	}
	const endpoint = endpointOf(this.getNode(), connection);
	const http = createHttpClient(connection, { timeoutMs: 30_000 });
	const ids: string[] = [];
	try {
		const { data } = await http.request<{ data?: Array<{ id?: unknown }> } | undefined>({ method: 'GET', path: '/models' }, new AbortController().signal);
		if (!Array.isArray(data?.data)) throw new Error('GET /models answered without a data list');
		for (const model of data.data) if (typeof model?.id === 'string') ids.push(model.id);
	} catch (error) {
		// The picker shows this line alone: it names where the list was asked for and what to check.
		throw nodeError(this, `Could not list models from ${endpoint.baseUrl}/models (credential "${endpoint.credential}"): ${describeFailure(error, 0, secretsOf(connection), endpoint)}`);
	} finally {
		http.close();
	}
	const needle = filter?.trim().toLowerCase() ?? '';
	return {
		results: ids
			.filter((id) => id.toLowerCase().includes(needle))
			.sort((a, b) => a.localeCompare(b))
			.map((id) => ({ name: id, value: id })),
	};
}
