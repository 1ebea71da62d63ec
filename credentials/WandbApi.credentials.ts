import type { IAuthenticateGeneric, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * W&B Training (Serverless RL on CoreWeave): an API key from wandb.ai/authorize sent as Bearer, the
 * Training API's base URL, and the entity and project the trained models are kept in
 * (https://docs.wandb.ai/serverless-training/api-reference, https://docs.wandb.ai/serverless-training/use-trained-models).
 */
export class WandbApi implements ICredentialType {
	name = 'wandbApi';

	displayName = 'W&B Training API';

	icon: Icon = { light: 'file:wandb.svg', dark: 'file:wandb.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-reward-loop/n8n-nodes-reward-loop#online-rl';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your W&B API key (wandb.ai/authorize)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.training.wandb.ai/v1',
			description: 'The W&B Training API; its /chat/completions also serves the trained checkpoints',
		},
		{
			displayName: 'Entity',
			name: 'entity',
			type: 'string',
			default: '',
			placeholder: 'my-team',
			description: 'The W&B team or user the models belong to; empty is the API key\'s own',
		},
		{
			displayName: 'Project',
			name: 'project',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'my-project',
			description: 'The W&B project the trained models and their checkpoints are kept in',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	// No declarative `test`: the Online RL node tests this credential (testedBy, nodes/shared/wandbCredentialTest.ts).
}
