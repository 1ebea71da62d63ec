import type { INodeProperties } from 'n8n-workflow';

const fromLoop = { show: { input: ['rewardLoop'] } };
const fromMessages = { show: { input: ['messages'] } };

export const ONLINE_RL_DESCRIPTION =
	'One online reinforcement-learning step from the rewards your workflow computed (W&B Serverless RL): the Reward Loop\'s candidates, or any conversations with a reward, in; the new checkpoint\'s model name out';

export const onlineRlProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Train Step',
				value: 'trainStep',
				action: 'Train one step on the items rewards',
				description: 'Send every input item\'s trajectories as one training step, wait for it, and output the new checkpoint\'s model name',
			},
		],
		default: 'trainStep',
	},
	{
		displayName: 'Input',
		name: 'input',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Reward Loop Items',
				value: 'rewardLoop',
				description: 'Each item\'s candidates and their rewards (its "history") are one trajectory group per round',
			},
			{
				name: 'Items With Messages and a Reward',
				value: 'messages',
				description: 'Each item is one conversation ending in the rewarded answer; items with the same group value are one group',
			},
		],
		default: 'rewardLoop',
	},
	{
		displayName: 'Prompt Source',
		name: 'promptSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Prompt (and System Message)', value: 'prompt', description: 'The prompt the Reward Loop was given, e.g. the same expression' },
			{ name: 'Messages Field', value: 'messages', description: 'The message list the Reward Loop was given, from a field' },
		],
		default: 'prompt',
		description: 'The prompt the candidates answered: the Reward Loop\'s items do not repeat it',
		displayOptions: fromLoop,
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '=',
		required: true,
		placeholder: 'e.g. {{ $json.question }}',
		description: 'The same prompt as the Reward Loop\'s (keep its Include Input option on, so the item still has the fields the expression reads)',
		displayOptions: { show: { input: ['rewardLoop'], promptSource: ['prompt'] } },
	},
	{
		displayName: 'System Message',
		name: 'systemMessage',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '=',
		description: 'The Reward Loop\'s System Message, if it had one',
		displayOptions: { show: { input: ['rewardLoop'], promptSource: ['prompt'] } },
	},
	{
		displayName: 'Prompt Messages Field',
		name: 'promptMessagesField',
		type: 'string',
		default: 'messages',
		required: true,
		description: 'The item field holding the message list the Reward Loop was given (dots for nested fields)',
		displayOptions: { show: { input: ['rewardLoop'], promptSource: ['messages'] } },
	},
	{
		displayName: 'Messages Field',
		name: 'messagesField',
		type: 'string',
		default: 'messages',
		required: true,
		description: 'The item field holding the conversation, its last message the assistant\'s rewarded answer (dots for nested fields)',
		displayOptions: fromMessages,
	},
	{
		displayName: 'Reward Field',
		name: 'rewardField',
		type: 'string',
		default: 'reward',
		required: true,
		description: 'The item field holding the conversation\'s reward, a number',
		displayOptions: fromMessages,
	},
	{
		displayName: 'Group Field',
		name: 'groupField',
		type: 'string',
		default: 'prompt',
		required: true,
		description: 'Items with the same value here answered the same prompt and form one group (GRPO compares rewards within a group)',
		displayOptions: fromMessages,
	},
	{
		displayName: 'Base Model',
		name: 'baseModel',
		type: 'string',
		default: 'OpenPipe/Qwen3-14B-Instruct',
		required: true,
		description: 'The base model W&B trains a LoRA on (one of W&B Training\'s available models); it cannot change once the model exists',
	},
	{
		displayName: 'Model Name',
		name: 'modelName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. support-agent-001',
		description: 'The trained model\'s name in the credential\'s project: every step with this name trains the same model on from its last checkpoint',
	},
	{
		displayName: 'Groups With Equal Rewards',
		name: 'equalRewards',
		type: 'options',
		options: [
			{ name: 'Skip Them', value: 'skip', description: 'Left out of the step and listed in the output (they would teach nothing)' },
			{ name: 'Fail', value: 'fail', description: 'An error naming the items' },
		],
		default: 'skip',
		description: 'GRPO learns from the differences between the rewards of one group: a group whose rewards are all equal teaches nothing',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Learning Rate',
				name: 'learningRate',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 10 },
				default: 0.000005,
				description: 'The step\'s learning rate; without this option W&B uses its own default',
			},
			{
				displayName: 'Poll Every (Seconds)',
				name: 'pollSeconds',
				type: 'number',
				typeOptions: { minValue: 0.01 },
				default: 10,
				description: 'How often the step\'s events are read while it trains',
			},
			{
				displayName: 'Timeout (Minutes)',
				name: 'timeoutMinutes',
				type: 'number',
				typeOptions: { minValue: 0.01 },
				default: 60,
				description: 'How long to wait for the step before the node fails (the step goes on at W&B)',
			},
		],
	},
];
