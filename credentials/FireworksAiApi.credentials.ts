import type { IAuthenticateGeneric, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class FireworksAiApi implements ICredentialType {
	name = 'fireworksAiApi';

	displayName = 'Fireworks AI API';

	icon: Icon = { light: 'file:fireworks.svg', dark: 'file:fireworks.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-reward-loop/n8n-nodes-reward-loop#fine-tune';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'string',
			default: '',
			required: true,
			description: 'The account your datasets, jobs and models belong to (accounts/{account ID}/…), as the Fireworks console shows it',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.fireworks.ai',
			description: 'Fireworks\' control plane (datasets and fine-tuning jobs)',
		},
		{
			displayName: 'Inference Base URL',
			name: 'inferenceBaseUrl',
			type: 'string',
			default: 'https://api.fireworks.ai/inference/v1',
			description: 'Fireworks\' OpenAI-compatible inference: give it, with the same key, to an OpenAI-Compatible API credential so that Generate Text runs the fine-tuned model',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	// No declarative `test`: the nodes test this credential (testedBy, nodes/shared/credentialTest.ts),
	// so that a failed test names the base URL and says what to check, not only "Couldn't connect".
}
