import type { INodeProperties } from 'n8n-workflow';

export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_TIMEOUT_MS = 120_000;

export const generateTextProperties: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The model to use, from the endpoint\'s model list or typed as an ID',
		modes: [
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
		],
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
		default: '',
		required: true,
		placeholder: 'e.g. Summarize this ticket: {{ $json.body }}',
		displayOptions: { show: { promptSource: ['prompt'] } },
	},
	{
		displayName: 'System Message',
		name: 'systemMessage',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		description: 'Optional instructions sent before the prompt',
		displayOptions: { show: { promptSource: ['prompt'] } },
	},
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
			{ name: 'JSON Object', value: 'json_object', description: 'Any valid JSON object' },
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
		options: [
			{
				displayName: 'Candidates (N)',
				name: 'n',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 128 },
				default: 1,
				description: 'How many answers to generate for each item; each comes back in candidates',
			},
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1000 },
				default: DEFAULT_CONCURRENCY,
				description: 'How many requests may be in flight at once',
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
				typeOptions: { minValue: -2, maxValue: 2, numberPrecision: 2 },
				default: 0,
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
				typeOptions: { minValue: 1 },
				default: 1024,
				description: 'The most tokens the answer may have, reasoning tokens included (max_completion_tokens)',
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 20 },
				default: DEFAULT_MAX_RETRIES,
				description:
					'How often to retry a request after a rate limit (429), a timeout, a server error (5xx) or a network error',
			},
			{
				displayName: 'Max Tokens (Legacy)',
				name: 'maxTokens',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 1024,
				description: 'The older max_tokens field, for servers that do not read max_completion_tokens',
			},
			{
				displayName: 'Presence Penalty',
				name: 'presencePenalty',
				type: 'number',
				typeOptions: { minValue: -2, maxValue: 2, numberPrecision: 2 },
				default: 0,
			},
			{
				displayName: 'Requests Per Minute',
				name: 'requestsPerMinute',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					'Your rate limit, if you know it. 0 learns it from the server\'s x-ratelimit headers. Requests are spread over each second (1,200 per minute means 20 per second).',
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				default: 0,
				description: 'Asks for deterministic sampling where the server supports it',
			},
			{
				displayName: 'Stop Sequences',
				name: 'stop',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				description: 'Up to 4 sequences where generation stops: one per line, or a JSON array of strings',
			},
			{
				displayName: 'Temperature',
				name: 'temperature',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
				default: 1,
			},
			{
				displayName: 'Timeout (Ms)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_TIMEOUT_MS,
				description: 'How long one request may take before it is abandoned and retried',
			},
			{
				displayName: 'Top Log Probabilities',
				name: 'topLogprobs',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 20 },
				default: 0,
				description: 'How many alternatives to return for each token (with Log Probabilities on)',
			},
			{
				displayName: 'Top P',
				name: 'topP',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				default: 1,
			},
		],
	},
];
