import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { FINAL_STATUSES } from '../../core/finetune/providers/types';
import { credentialTestMethods } from '../shared/credentialTest';
import { jobJson } from '../shared/fineTuneJob';
import { providerFor, type ProviderName } from '../shared/fineTuneProvider';
import { FINE_TUNE_DESCRIPTION, STATUSES_PROPERTY } from '../shared/fineTuneTrigger';

/**
 * Fires when a fine-tuning job reaches a final status, by polling the provider. It has no webhook:
 * signed events have their own node, the Fine-Tune Webhook Trigger.
 */
export class FineTuneTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Fine-Tune Trigger',
		name: 'fineTuneTrigger',
		icon: { light: 'file:fineTuneTrigger.svg', dark: 'file:fineTuneTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "when a job finishes, polling " + ({ together: "Together AI", fireworks: "Fireworks AI" }[$parameter["provider"]] ?? "the OpenAI-compatible API") }}',
		// Fine-Tune's: n8n's node panel shows this for the merged Fine-Tune entry (see FINE_TUNE_DESCRIPTION).
		description: FINE_TUNE_DESCRIPTION,
		defaults: { name: 'Fine-Tune Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'openAiCompatibleApi', testedBy: 'openAiCompatibleApiTest', required: true, displayOptions: { show: { provider: ['openai'] } } },
			{ name: 'togetherAiApi', testedBy: 'togetherAiApiTest', required: true, displayOptions: { show: { provider: ['together'] } } },
			{ name: 'fireworksAiApi', testedBy: 'fireworksAiApiTest', required: true, displayOptions: { show: { provider: ['fireworks'] } } },
		],
		properties: [
			{
				displayName:
					'Starts the workflow when a fine-tuning job succeeds, fails or is cancelled, by polling the provider. Signed webhooks (OpenAI\'s fine_tuning.job events) have their own node: the Fine-Tune Webhook Trigger.',
				name: 'webhookNotice',
				type: 'notice',
				default: '',
			},
			// Workflows saved before the webhook trigger became its own node may hold mode "webhook".
			{ displayName: 'Mode', name: 'mode', type: 'hidden', default: 'poll' },
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'options',
				options: [
					{ name: 'OpenAI-Compatible', value: 'openai' },
					{ name: 'Together AI', value: 'together' },
					{ name: 'Fireworks AI', value: 'fireworks' },
				],
				default: 'openai',
			},
			STATUSES_PROPERTY,
		],
	};

	methods = credentialTestMethods;

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		if (this.getNodeParameter('mode', 'poll') === 'webhook') {
			throw new NodeOperationError(
				this.getNode(),
				'This Fine-Tune Trigger was set to Webhook mode, which is now a node of its own: replace it with a Fine-Tune Webhook Trigger (and give the provider that node\'s URL)',
			);
		}
		const statuses = new Set(this.getNodeParameter('statuses', ['succeeded', 'failed', 'cancelled']) as string[]);
		const { provider } = await providerFor(this, this.getNodeParameter('provider', 'openai') as ProviderName);
		const state = this.getWorkflowStaticData('node') as { seen?: string[]; started?: boolean };
		const jobs = (await provider.listJobs({ limit: 100 })).data.filter((job) => FINAL_STATUSES.has(job.status));
		const seen = new Set(state.seen ?? []);
		const manual = this.getMode() === 'manual';
		// The first poll only learns which jobs had already finished, so activating the workflow does not replay history.
		const fresh = state.started || manual ? jobs.filter((job) => !seen.has(job.id) && statuses.has(job.status)) : [];
		state.started = true;
		state.seen = [...new Set([...seen, ...jobs.map((job) => job.id)])].slice(-1000);
		const emitted = manual && fresh.length === 0 ? jobs.filter((job) => statuses.has(job.status)).slice(0, 1) : fresh;
		return emitted.length ? [emitted.map((job) => ({ json: jobJson(job) }))] : null;
	}
}
