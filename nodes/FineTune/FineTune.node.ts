import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { credentialTestMethods } from '../shared/credentialTest';
import { itemError } from '../shared/errors';
import { describeFailure } from '../shared/failures';
import type { TogetherProvider } from '../../core/finetune/providers/together';
import { providerFor, type ProviderName } from '../shared/fineTuneProvider';
import { FINE_TUNE_DESCRIPTION } from '../shared/fineTuneTrigger';
import { runBuildDataset, runValidate } from './actions/dataset';
import { JOB_OPERATIONS, prepareJobOperation } from './actions/jobs';
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
			{ name: 'openAiCompatibleApi', testedBy: 'openAiCompatibleApiTest', required: true, displayOptions: { show: { provider: ['openai'], operation: JOB_OPERATIONS } } },
			// Validate too: its estimate can come from Together's estimate-price route (Together Training File ID).
			{ name: 'togetherAiApi', testedBy: 'togetherAiApiTest', required: true, displayOptions: { show: { provider: ['together'], operation: [...JOB_OPERATIONS, 'validate'] } } },
			{ name: 'fireworksAiApi', testedBy: 'fireworksAiApiTest', required: true, displayOptions: { show: { provider: ['fireworks'], operation: JOB_OPERATIONS } } },
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
		// Every item's parameters are read and checked first, so that a bad value in any item fails the
		// run before a single request has left (a job created for item 0 would not be undone).
		const perItem = async (secrets: string[], prepare: (index: number) => () => Promise<INodeExecutionData[]>) => {
			const failed = (index: number, error: unknown): INodeExecutionData => {
				const message = describeFailure(error, 0, secrets);
				if (!this.continueOnFail()) throw itemError(this, index, message);
				return { json: { error: `Item ${index}: ${message}` }, pairedItem: { item: index } };
			};
			const prepared = items.map((_item, index) => {
				try {
					return prepare(index);
				} catch (error) {
					return failed(index, error);
				}
			});
			const output: INodeExecutionData[] = [];
			for (let index = 0; index < items.length; index++) {
				const send = prepared[index];
				if (typeof send !== 'function') {
					output.push(send);
					continue;
				}
				try {
					output.push(...(await send()));
				} catch (error) {
					output.push(failed(index, error));
				}
			}
			return [output];
		};
		if (operation === 'validate') {
			// Together's credential only when an item asks Together for its estimate (Together Training File ID).
			const secrets: string[] = [];
			let together: Promise<TogetherProvider> | undefined;
			const togetherProvider = () =>
				(together ??= providerFor(this, 'together').then(({ provider, secrets: keys }) => {
					secrets.push(...keys);
					return provider as TogetherProvider;
				}));
			return perItem(secrets, (index) => () => runValidate(this, index, providerName === 'together' ? togetherProvider : undefined));
		}
		if (providerName === 'export') {
			throw new NodeOperationError(this.getNode(), `Export Only uploads nothing and runs no job: use Build Dataset, or pick a provider for "${operation}"`);
		}
		const { provider, secrets } = await providerFor(this, providerName);
		return perItem(secrets, (index) => prepareJobOperation(this, operation, provider, index));
	}
}
