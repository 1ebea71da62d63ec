import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { accumulateTokenUsage, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { generateAll } from '../../core/generate/generate';
import type { GenerateRequest } from '../../core/generate/request';
import { createClient } from '../../core/transport/client';
import { ItemFailedError } from '../../core/transport/scheduler';
import { CancelledError } from '../../core/transport/sleep';
import { CREDENTIAL_NAME, connectionFromCredentials, secretsOf } from '../shared/connection';
import { describeFailure } from '../shared/failures';
import { searchModels } from '../shared/modelSearch';
import { generateTextProperties } from './description';
import { readGenerateRequest } from './parameters';
import { readRunSettings } from '../shared/transportOptions';

export class GenerateText implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Generate Text',
		name: 'generateText',
		icon: { light: 'file:generateText.svg', dark: 'file:generateText.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["model"]?.value || $parameter["model"]}}',
		description:
			'Chat completions on any OpenAI-compatible endpoint, many items at once, within rate limits',
		defaults: { name: 'Generate Text' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_NAME, required: true }],
		properties: generateTextProperties,
	};

	methods = { listSearch: { searchModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const continueOnFail = this.continueOnFail();
		const connection = connectionFromCredentials(await this.getCredentials(CREDENTIAL_NAME));
		const secrets = secretsOf(connection);
		const fail = (index: number, message: string) =>
			new NodeOperationError(this.getNode(), `Item ${index}: ${message}`, { itemIndex: index });

		let settings;
		try {
			settings = readRunSettings(this);
		} catch (error) {
			throw fail(0, describeFailure(error, 0, secrets));
		}

		const results: INodeExecutionData[] = new Array(items.length);
		const requests: GenerateRequest[] = [];
		const requestItems: number[] = [];
		for (let index = 0; index < items.length; index++) {
			try {
				requests.push(readGenerateRequest(this, index));
				requestItems.push(index);
			} catch (error) {
				const message = describeFailure(error, 0, secrets);
				if (!continueOnFail) throw fail(index, message);
				results[index] = { json: { error: `Item ${index}: ${message}` }, pairedItem: { item: index } };
			}
		}

		const client = createClient(connection, { timeoutMs: settings.timeoutMs });
		let outcomes;
		try {
			outcomes = await generateAll(client, requests, {
				concurrency: settings.concurrency,
				maxRetries: settings.maxRetries,
				requestsPerMinute: settings.requestsPerMinute,
				signal: this.getExecutionCancelSignal(),
				failFast: !continueOnFail,
			});
		} catch (error) {
			if (error instanceof ItemFailedError) {
				throw fail(requestItems[error.index], describeFailure(error.cause, error.attempts, secrets));
			}
			if (error instanceof CancelledError) throw new NodeOperationError(this.getNode(), error.message);
			throw new NodeOperationError(this.getNode(), describeFailure(error, 0, secrets));
		}

		let promptTokens = 0;
		let completionTokens = 0;
		const includeInput = (this.getNodeParameter('options', 0, {}) as IDataObject).includeInput === true;
		outcomes.forEach((outcome, position) => {
			const index = requestItems[position];
			if (outcome.ok) {
				promptTokens += outcome.value.usage.promptTokens;
				completionTokens += outcome.value.usage.completionTokens;
				const json = outcome.value as unknown as IDataObject;
				results[index] = { json: includeInput ? { ...items[index].json, ...json } : json, pairedItem: { item: index } };
				return;
			}
			const message = describeFailure(outcome.error, outcome.attempts, secrets);
			results[index] = { json: { error: `Item ${index}: ${message}` }, pairedItem: { item: index } };
		});
		if (promptTokens + completionTokens > 0) accumulateTokenUsage(this, promptTokens, completionTokens);
		return [results];
	}
}
