import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { generateAll } from '../../core/generate/generate';
import { createChatClient } from '../../core/transport/chatClient';
import { credentialTestMethods } from '../shared/credentialTest';
import { describeFailure } from '../shared/failures';
import { searchModels } from '../shared/modelSearch';
import { generateTextOutputs, generateTextProperties } from '../shared/generateTextDescription';
import { readGenerateRequest } from '../shared/generateTextParameters';
import { collectItems, submitItems } from './batch';
import { toOutputItems } from './output';
import { openLane } from '../shared/lane';
import { openRun, runError } from '../shared/run';

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
		// Batch: Collect has a second output, Still Running, for items whose batches have not ended.
		outputs: `={{ (${generateTextOutputs.toString()})($parameter) }}`,
		credentials: [{ name: 'openAiCompatibleApi', testedBy: 'openAiCompatibleApiTest', required: true }],
		properties: generateTextProperties,
	};

	methods = { listSearch: { searchModels }, ...credentialTestMethods };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const continueOnFail = this.continueOnFail();
		const prelude = await openRun(this, items);
		if (!prelude.ok) return prelude.output;
		const { connection, defaultModel, secrets, endpoint, settings } = prelude.value;

		const mode = this.getNodeParameter('mode', 0, 'sync') as string;
		if (mode === 'batchSubmit' || mode === 'batchCollect') {
			const run = { items, connection, secrets, endpoint, settings, defaultModel, continueOnFail };
			return mode === 'batchSubmit' ? await submitItems(this, run) : await collectItems(this, run);
		}

		const client = createChatClient(connection, { timeoutMs: settings.timeoutMs });
		let outcomes;
		try {
			// Each item's parameters are read as its turn comes: n8n evaluates expressions at about
			// 1 ms per item, which would otherwise all come before the first request.
			outcomes = await generateAll(client, items.length, (index) => readGenerateRequest(this, index, defaultModel), {
				concurrency: settings.concurrency,
				lane: openLane(this, connection, settings),
				maxRetries: settings.maxRetries,
				maxRetryAfterMs: settings.maxWaitMs,
				signal: this.getExecutionCancelSignal(),
				failFast: !continueOnFail,
			});
		} catch (error) {
			throw runError(this, error, (cause, attempts) => describeFailure(cause, attempts, secrets, endpoint));
		} finally {
			client.close();
		}

		const includeInput = (this.getNodeParameter('options', 0, {}) as IDataObject).includeInput === true;
		return [toOutputItems(this, items, outcomes, { secrets, endpoint, includeInput })];
	}
}
