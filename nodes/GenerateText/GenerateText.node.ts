import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { accumulateTokenUsage, NodeConnectionTypes } from 'n8n-workflow';
import { generateAll } from '../../core/generate/generate';
import { createChatClient } from '../../core/transport/chatClient';
import { OutputError } from '../../core/generate/result';
import { credentialTestMethods } from '../shared/credentialTest';
import { itemText } from '../shared/errors';
import { describeFailure } from '../shared/failures';
import { literalExpressionWarnings } from '../shared/literalExpression';
import { searchModels } from '../shared/modelSearch';
import { redactOutput } from '../shared/redact';
import { generateTextProperties } from '../shared/generateTextDescription';
import { readGenerateRequest } from '../shared/generateTextParameters';
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
		outputs: [NodeConnectionTypes.Main],
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

		let promptTokens = 0;
		let completionTokens = 0;
		const includeInput = (this.getNodeParameter('options', 0, {}) as IDataObject).includeInput === true;
		const warnings = literalExpressionWarnings(this.getNode().parameters);
		const results: INodeExecutionData[] = outcomes.map((outcome, index) => {
			if (outcome.ok) {
				// A count that cannot be right (usageNote) is replaced by its estimate in n8n's token usage.
				const usage = outcome.value.estimatedUsage ?? outcome.value.usage;
				promptTokens += usage.promptTokens;
				completionTokens += usage.completionTokens;
				const json = (warnings.length ? { ...outcome.value, warnings } : outcome.value) as unknown as IDataObject;
				// Whatever the server sent back (text, model, candidates), no secret of the credential leaves.
				return { json: redactOutput(includeInput ? { ...items[index].json, ...json } : json, secrets), pairedItem: { item: index } };
			}
			const message = describeFailure(outcome.error, outcome.attempts, secrets, endpoint);
			// An answer that could not be used (not JSON, breaking the schema) keeps the model's words, so they can be read.
			const answer = outcome.error instanceof OutputError ? outcome.error.answer : undefined;
			const raw: IDataObject = answer?.candidates.length
				? { text: answer.candidates[0].text, ...(answer.candidates.length > 1 ? { candidates: answer.candidates as unknown as IDataObject[] } : {}) }
				: {};
			const json: IDataObject = { ...(includeInput ? items[index].json : {}), ...raw, error: itemText(index, message) };
			return { json: redactOutput(json, secrets), pairedItem: { item: index } };
		});
		if (promptTokens + completionTokens > 0) accumulateTokenUsage(this, promptTokens, completionTokens);
		return [results];
	}
}
