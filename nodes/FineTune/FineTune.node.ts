import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { CREDENTIAL_NAME } from '../shared/connection';
import { describeFailure } from '../shared/failures';
import { providerFor, TOGETHER_CREDENTIAL, type ProviderName } from '../shared/fineTuneProvider';
import { FINE_TUNE_DESCRIPTION } from '../shared/fineTuneTrigger';
import { runBuildDataset, runValidate } from './actions/dataset';
import { JOB_OPERATIONS, runJobOperation } from './actions/jobs';
import { FINE_TUNE_SUBTITLE, fineTuneProperties } from './description';

export class FineTune implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Fine-Tune',
		name: 'fineTune',
		icon: { light: 'file:fineTune.svg', dark: 'file:fineTune.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: FINE_TUNE_SUBTITLE,
		description: FINE_TUNE_DESCRIPTION,
		defaults: { name: 'Fine-Tune' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: CREDENTIAL_NAME, required: true, displayOptions: { show: { provider: ['openai'], operation: JOB_OPERATIONS } } },
			{ name: TOGETHER_CREDENTIAL, required: true, displayOptions: { show: { provider: ['together'], operation: JOB_OPERATIONS } } },
		],
		properties: fineTuneProperties,
	};

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
