import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

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

	test: ICredentialTestRequest = {
		request: { baseURL: '={{String($credentials.baseUrl || "https://api.together.xyz/v1").replace(/\\/+$/, "")}}', url: '/models', method: 'GET' },
	};
}
