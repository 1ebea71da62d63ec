import type { IAuthenticateGeneric, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class TogetherAiApi implements ICredentialType {
	name = 'togetherAiApi';

	displayName = 'Together AI API';

	icon: Icon = { light: 'file:together.svg', dark: 'file:together.dark.svg' };

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
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.together.xyz/v1',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	// No declarative `test`: the nodes test this credential (testedBy, nodes/shared/credentialTest.ts),
	// so that a failed test names the base URL and says what to check, not only "Couldn't connect".
}
