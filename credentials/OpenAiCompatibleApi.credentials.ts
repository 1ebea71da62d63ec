import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';
import { authenticationHeaders } from '../core/transport/connection';
import { connectionFromCredentials } from '../nodes/shared/connection';

export class OpenAiCompatibleApi implements ICredentialType {
	name = 'openAiCompatibleApi';

	displayName = 'OpenAI-Compatible API';

	icon: Icon = { light: 'file:openAiCompatible.svg', dark: 'file:openAiCompatible.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-reward-loop/n8n-nodes-reward-loop#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Leave empty for local servers that need no key (Ollama, vLLM, LM Studio)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.openai.com/v1',
			placeholder: 'https://api.openai.com/v1',
			description:
				'The API root, ending before /chat/completions. Azure OpenAI: https://RESOURCE.openai.azure.com/openai/v1; Amazon Bedrock: https://bedrock-mantle.REGION.api.aws/v1; Ollama: http://localhost:11434/v1; OpenRouter: https://openrouter.ai/api/v1; Together: https://api.together.xyz/v1; vLLM: http://HOST:8000/v1.',
		},
		{
			displayName: 'Default Model',
			name: 'defaultModel',
			type: 'string',
			default: 'gpt-4.1-mini',
			placeholder: 'e.g. gpt-4.1-mini, llama3.1:8b',
			description:
				'The model a node uses where its Model (or a judge\'s model) is left empty, as in the example workflows: change it here to switch them all, e.g. to a model your Ollama or vLLM serves',
		},
		{
			displayName: 'Send Key As',
			name: 'authHeader',
			type: 'options',
			options: [
				{ name: 'Authorization: Bearer (OpenAI and Most Servers)', value: 'bearer' },
				{ name: 'Api-Key Header (Azure OpenAI)', value: 'apiKey' },
			],
			default: 'bearer',
		},
		{
			displayName: 'Fine-Tuning Platform',
			name: 'fineTunePlatform',
			type: 'options',
			options: [
				{ name: 'Detect From Base URL', value: 'auto', description: 'Azure OpenAI for *.openai.azure.com, *.cognitiveservices.azure.com and *.services.ai.azure.com; Amazon Bedrock for bedrock-mantle.REGION.api.aws; OpenAI for api.openai.com' },
				{ name: 'OpenAI', value: 'openai' },
				{ name: 'Azure OpenAI (V1 API)', value: 'azure', description: 'Base URL https://RESOURCE.openai.azure.com/openai/v1; the key as Api-Key, or a Microsoft Entra ID token as Bearer' },
				{ name: 'Amazon Bedrock (OpenAI-Compatible)', value: 'bedrock', description: 'Base URL https://bedrock-mantle.REGION.api.aws/v1; a Bedrock API key, sent as Bearer' },
				{ name: 'Other OpenAI-Compatible Server', value: 'other', description: 'A proxy such as LiteLLM: OpenAI\'s shapes, and the server says what it lacks' },
			],
			default: 'auto',
			description: 'What the Fine-Tune node checks before it sends: the base URL\'s shape, how the key is sent, and what the platform lacks (Bedrock: DPO, pause and resume)',
		},
		{
			displayName: 'Organization ID',
			name: 'organization',
			type: 'string',
			default: '',
			description: 'Optional. Sent as OpenAI-Organization.',
		},
		{
			displayName: 'Project ID',
			name: 'project',
			type: 'string',
			default: '',
			description: 'Optional. Sent as OpenAI-Project.',
		},
		{
			displayName: 'Extra Headers',
			name: 'extraHeaders',
			type: 'json',
			default: '{}',
			description:
				'Optional headers sent with every request, as a JSON object (e.g. {"HTTP-Referer": "https://example.com", "X-Title": "My App"} for OpenRouter)',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		requestOptions.headers = {
			...(requestOptions.headers ?? {}),
			...authenticationHeaders(connectionFromCredentials(credentials)),
		};
		return requestOptions;
	}

	// No declarative `test`: the nodes test this credential (testedBy, nodes/shared/credentialTest.ts),
	// so that a failed test names the base URL and says what to check, not only "Couldn't connect".
}
