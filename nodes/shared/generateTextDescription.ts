import type { INodeProperties } from 'n8n-workflow';
import { CHAT_LIMITS } from '../../core/requestLimits/chat';
import { numberTypeOptions } from '../../core/requestLimits/limit';
import { literalExpressionNotice } from './literalExpression';
import { MODEL_PICKER_MODES } from './modelSearch';
import { byDisplayName, transportOptions } from './transportOptions';

export const generateTextProperties: INodeProperties[] = [
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
	{
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
			...transportOptions,
		]),
	},
];
