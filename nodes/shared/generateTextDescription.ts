import type { INodeProperties } from 'n8n-workflow';
import { CHAT_LIMITS } from '../../core/requestLimits/chat';
import { numberTypeOptions } from '../../core/requestLimits/limit';
import { literalExpressionNotice } from './literalExpression';
import { MODEL_PICKER_MODES } from './modelSearch';
import { byDisplayName, transportOptions } from './transportOptions';
import { batchLimitOptions, unfinishedRequestsProperty } from './batchDescription';

const requestProperties: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		// Not required: left empty, the credential's Default Model is used (the examples rely on it).
		description: 'The model to use, from the endpoint\'s model list or typed as an ID; empty: the credential\'s Default Model',
		modes: MODEL_PICKER_MODES,
	},
	{
		displayName: 'Prompt Source',
		name: 'promptSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Prompt',
				value: 'prompt',
				description: 'A user message, with an optional system message',
			},
			{
				name: 'Message List From a Field',
				value: 'messages',
				description: 'A whole conversation (an array of {role, content}) taken from each item',
			},
		],
		default: 'prompt',
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		// Starts in Expression mode, as Basic LLM Chain's prompt does: {{ $json.question }} typed here is filled in.
		default: '=',
		required: true,
		placeholder: 'e.g. Summarize this ticket: {{ $json.body }}',
		displayOptions: { show: { promptSource: ['prompt'] } },
	},
	literalExpressionNotice('prompt', { promptSource: ['prompt'] }),
	{
		displayName: 'System Message',
		name: 'systemMessage',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '=',
		placeholder: 'e.g. You answer in one short paragraph.',
		description: 'Optional instructions sent before the prompt',
		displayOptions: { show: { promptSource: ['prompt'] } },
	},
	literalExpressionNotice('systemMessage', { promptSource: ['prompt'] }),
	{
		displayName: 'Messages Field',
		name: 'messagesField',
		type: 'string',
		default: 'messages',
		required: true,
		description:
			'The item field holding the message list (dots for nested fields, e.g. data.messages). Roles: system, developer, user, assistant, tool.',
		displayOptions: { show: { promptSource: ['messages'] } },
	},
	{
		displayName: 'Response Format',
		name: 'responseFormat',
		type: 'options',
		options: [
			{ name: 'Text', value: 'text' },
			{ name: 'JSON Object', value: 'json_object', description: 'A JSON object; any other JSON value (a string, a number, an array) is the item\'s error' },
			{
				name: 'JSON Schema',
				value: 'json_schema',
				description: 'JSON that matches a schema; the answer is checked against it',
			},
		],
		default: 'text',
	},
	{
		displayName: 'Schema Name',
		name: 'schemaName',
		type: 'string',
		default: 'response',
		description: 'A name for the schema (letters, digits, _ and -)',
		displayOptions: { show: { responseFormat: ['json_schema'] } },
	},
	{
		displayName: 'JSON Schema',
		name: 'jsonSchema',
		type: 'json',
		default:
			'{\n  "type": "object",\n  "properties": {\n    "answer": { "type": "string" }\n  },\n  "required": ["answer"],\n  "additionalProperties": false\n}',
		description: 'The JSON Schema the answer must match',
		displayOptions: { show: { responseFormat: ['json_schema'] } },
	},
	{
		displayName: 'Strict',
		name: 'strict',
		type: 'boolean',
		default: true,
		description:
			'Whether to ask the server to enforce the schema exactly (OpenAI strict mode needs every property required and additionalProperties false)',
		displayOptions: { show: { responseFormat: ['json_schema'] } },
	},
];

const optionsProperty: INodeProperties = {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: byDisplayName([
			{
				displayName: 'Candidates (N)',
				name: 'n',
				type: 'number',
				typeOptions: numberTypeOptions(CHAT_LIMITS.n),
				default: 1,
				description: 'How many answers to generate for each item; each comes back in candidates',
			},
			{
				displayName: 'Extra Body Parameters',
				name: 'extraBody',
				type: 'json',
				default: '{}',
				description:
					'Provider-specific fields merged into the request body as they are, e.g. {"use_beam_search": true} for vLLM or {"options": {"num_ctx": 8192}} for Ollama',
			},
			{
				displayName: 'Frequency Penalty',
				name: 'frequencyPenalty',
				type: 'number',
				typeOptions: numberTypeOptions(CHAT_LIMITS.frequencyPenalty, { numberPrecision: 2 }),
				default: 0,
			},
			{
				displayName: 'Include Input Fields',
				name: 'includeInput',
				type: 'boolean',
				default: false,
				description: 'Whether to keep the input item\'s fields beside the answer, e.g. for Score Output to read them as {{item.field}}',
			},
			{
				displayName: 'Log Probabilities',
				name: 'logprobs',
				type: 'boolean',
				default: false,
				description:
					'Whether to return token log probabilities, with their mean and the perplexity (exp of minus the mean) of each answer',
			},
			{
				displayName: 'Max Completion Tokens',
				name: 'maxCompletionTokens',
				type: 'number',
				typeOptions: numberTypeOptions(CHAT_LIMITS.maxCompletionTokens),
				default: 1024,
				description: 'The most tokens the answer may have, reasoning tokens included (max_completion_tokens)',
			},
			{
				displayName: 'Max Tokens (Legacy)',
				name: 'maxTokens',
				type: 'number',
				typeOptions: numberTypeOptions(CHAT_LIMITS.maxTokens),
				default: 1024,
				description: 'The older max_tokens field, for servers that do not read max_completion_tokens',
			},
			{
				displayName: 'Presence Penalty',
				name: 'presencePenalty',
				type: 'number',
				typeOptions: numberTypeOptions(CHAT_LIMITS.presencePenalty, { numberPrecision: 2 }),
				default: 0,
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				typeOptions: numberTypeOptions(CHAT_LIMITS.seed),
				default: 0,
				description: 'Asks for deterministic sampling where the server supports it',
			},
			{
				displayName: 'Stop Sequences',
				name: 'stop',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				placeholder: 'One per line, or a JSON array of strings',
				description: 'Up to 4 sequences where generation stops: one per line, or a JSON array of strings',
			},
			{
				displayName: 'Temperature',
				name: 'temperature',
				type: 'number',
				typeOptions: numberTypeOptions(CHAT_LIMITS.temperature, { numberPrecision: 2 }),
				default: 1,
			},
			{
				displayName: 'Top Log Probabilities',
				name: 'topLogprobs',
				type: 'number',
				typeOptions: numberTypeOptions(CHAT_LIMITS.topLogprobs),
				default: 0,
				description: 'How many alternatives to return for each token (with Log Probabilities on)',
			},
			{
				displayName: 'Top P',
				name: 'topP',
				type: 'number',
				typeOptions: numberTypeOptions(CHAT_LIMITS.topP, { numberPrecision: 2 }),
				default: 1,
			},
			...batchLimitOptions('mode'),
			...transportOptions,
		]),
	};

const modeProperty: INodeProperties = {
	displayName: 'Mode',
	name: 'mode',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Synchronous', value: 'sync', action: 'Generate text now', description: 'Send each item\'s request now and output the answers' },
		{
			name: 'Batch: Submit',
			value: 'batchSubmit',
			action: 'Submit items as a batch (half price, within 24 hours)',
			description: 'Send the items as a batch (about half the price, done within 24 hours); each item goes on with its batch reference, to n8n\'s Wait node and a Generate Text in Batch: Collect',
		},
		{
			name: 'Batch: Collect',
			value: 'batchCollect',
			action: 'Collect the answers of a batch',
			description: 'Read the batches of items from Batch: Submit: answers on Done once every batch has ended, the items on Still Running until then (loop them back through n8n\'s Wait node)',
		},
	],
	default: 'sync',
};

const collectProperties: INodeProperties[] = [
	{
		displayName: 'Collect reads the request of each item from its batch: model, prompt and format come from the Batch: Submit node. Connect Still Running to a Wait node that leads back here.',
		name: 'collectNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['batchCollect'] } },
	},
	unfinishedRequestsProperty('mode'),
];

/** The request's own fields mean nothing to Batch: Collect, which reads each request from its batch. */
const hiddenInCollect = (property: INodeProperties): INodeProperties => ({
	...property,
	displayOptions: { ...(property.displayOptions ?? {}), hide: { ...(property.displayOptions?.hide ?? {}), mode: ['batchCollect'] } },
});

const BATCH_OPTIONS = ['batchMaxRequests', 'batchMaxFileSize'];

/**
 * A chat request's parameters, as the synchronous mode reads them, without the modes: what other
 * nodes that generate (the Reward Loop) show of Generate Text.
 */
export const generationProperties: INodeProperties[] = [
	...requestProperties,
	{ ...optionsProperty, options: (optionsProperty.options as INodeProperties[]).filter((option) => !BATCH_OPTIONS.includes(option.name)) },
];

export const generateTextProperties: INodeProperties[] = [modeProperty, ...requestProperties.map(hiddenInCollect), ...collectProperties, optionsProperty];

/** The node's outputs by its parameters (evaluated by n8n as an expression): Collect adds Still Running. */
export function generateTextOutputs(parameters: { mode?: string }) {
	return parameters.mode === 'batchCollect'
		? [
				{ type: 'main', displayName: 'Done' },
				{ type: 'main', displayName: 'Still Running' },
			]
		: [{ type: 'main' }];
}
