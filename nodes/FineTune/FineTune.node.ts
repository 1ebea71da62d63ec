import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { credentialTestMethods } from '../shared/credentialTest';
import { describeFailure } from '../shared/failures';
import { providerFor, TOGETHER_CREDENTIAL, type ProviderName } from '../shared/fineTuneProvider';
import { runBuildDataset, runValidate } from './actions/dataset';
import { JOB_OPERATIONS, runJobOperation } from './actions/jobs';
import { fineTuneProperties } from './description';

export class FineTune implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Fine-Tune',
		name: 'fineTune',
		icon: { light: 'file:fineTune.svg', dark: 'file:fineTune.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + " · " + $parameter["provider"]}}',
		description: 'Training files from items, validated; fine-tuning jobs on OpenAI-compatible APIs or Together AI; exports for self-hosted trainers',
		defaults: { name: 'Fine-Tune' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'openAiCompatibleApi', testedBy: 'openAiCompatibleApiTest', required: true, displayOptions: { show: { provider: ['openai'], operation: JOB_OPERATIONS } } },
			{ name: TOGETHER_CREDENTIAL, required: true, displayOptions: { show: { provider: ['together'], operation: JOB_OPERATIONS } } },
		],
		properties: fineTuneProperties,
	};

	methods = credentialTestMethods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as string;
		const providerName = this.getNodeParameter('provider', 0) as ProviderName;
		if (operation === 'buildDataset') return [await runBuildDataset(this)];
		// Each item on its own: with Continue On Fail a failed item carries its error and the rest go on.
		const perItem = async (secrets: string[], run: (index: number) => Promise<INodeExecutionData[]>) => {
			const output: INodeExecutionData[] = [];
			for (let index = 0; index < items.length; index++) {
				try {
					output.push(...(await run(index)));
				} catch (error) {
					const message = `Item ${index}: ${describeFailure(error, 0, secrets)}`;
					if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), message, { itemIndex: index });
					output.push({ json: { error: message }, pairedItem: { item: index } });
				}
			}
			return [output];
		};
		if (operation === 'validate') return perItem([], (index) => runValidate(this, index));
		if (providerName === 'export') {
			throw new NodeOperationError(this.getNode(), `Export Only uploads nothing and runs no job: use Build Dataset, or pick a provider for "${operation}"`);
		}
		const { provider, secrets } = await providerFor(this, providerName);
		return perItem(secrets, (index) => runJobOperation(this, operation, provider, index));
	}
}
