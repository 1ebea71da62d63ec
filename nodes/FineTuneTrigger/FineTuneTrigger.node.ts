import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { FINAL_STATUSES } from '../../core/finetune/providers/types';
import { verifyWebhook } from '../../core/finetune/webhooks';
import { jobJson } from '../FineTune/actions/jobs';
import { providerFor, TOGETHER_CREDENTIAL, type ProviderName } from '../FineTune/provider';
import { CREDENTIAL_NAME } from '../shared/connection';

const FINAL_EVENTS = new Set(['fine_tuning.job.succeeded', 'fine_tuning.job.failed', 'fine_tuning.job.cancelled']);

/** Fires when a fine-tuning job reaches a final status: by polling the provider, or on a signed webhook. */
export class FineTuneTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Fine-Tune Trigger',
		name: 'fineTuneTrigger',
		icon: { light: 'file:fineTuneTrigger.svg', dark: 'file:fineTuneTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["mode"] === "webhook" ? "on a signed webhook" : "polling " + $parameter["provider"]}}',
		description: 'Starts the workflow when a fine-tuning job succeeds, fails or is cancelled',
		defaults: { name: 'Fine-Tune Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: CREDENTIAL_NAME, required: true, displayOptions: { show: { mode: ['poll'], provider: ['openai'] } } },
			{ name: TOGETHER_CREDENTIAL, required: true, displayOptions: { show: { mode: ['poll'], provider: ['together'] } } },
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'fine-tune',
				isFullPath: false,
				ndvHideUrl: '={{ $parameter["mode"] !== "webhook" }}',
				nodeType: 'webhook',
			},
		],
		properties: [
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Polling', value: 'poll', description: 'Ask the provider for finished jobs on the schedule below' },
					{ name: 'Webhook (Standard Webhooks)', value: 'webhook', description: 'OpenAI-style signed events to this node\'s URL' },
				],
				default: 'poll',
			},
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'options',
				options: [
					{ name: 'OpenAI-Compatible', value: 'openai' },
					{ name: 'Together AI', value: 'together' },
				],
				default: 'openai',
				displayOptions: { show: { mode: ['poll'] } },
			},
			{
				displayName: 'Signing Secret',
				name: 'secret',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				required: true,
				placeholder: 'whsec_…',
				description: 'The webhook\'s signing secret. Events without a valid signature, or older than 5 minutes, are rejected.',
				displayOptions: { show: { mode: ['webhook'] } },
			},
			{
				displayName: 'Statuses',
				name: 'statuses',
				type: 'multiOptions',
				options: [
					{ name: 'Cancelled', value: 'cancelled' },
					{ name: 'Failed', value: 'failed' },
					{ name: 'Succeeded', value: 'succeeded' },
				],
				default: ['succeeded', 'failed', 'cancelled'],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
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

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject() as unknown as { rawBody?: Buffer; body?: unknown; headers: Record<string, string | string[] | undefined> };
		const body = request.rawBody ?? Buffer.from(typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? {}));
		const verdict = verifyWebhook({ headers: request.headers, body, secret: String(this.getNodeParameter('secret', '')) });
		const response = this.getResponseObject();
		if (!verdict.ok) {
			response.status(401).json({ error: verdict.reason });
			return { noWebhookResponse: true };
		}
		const event = verdict.payload as { type?: string; data?: { id?: string }; created_at?: number };
		const statuses = new Set(this.getNodeParameter('statuses', ['succeeded', 'failed', 'cancelled']) as string[]);
		const status = String(event.type ?? '').replace('fine_tuning.job.', '');
		if (!FINAL_EVENTS.has(String(event.type)) || !statuses.has(status)) {
			response.status(200).json({ received: true, ignored: event.type });
			return { noWebhookResponse: true };
		}
		return {
			workflowData: [[{ json: { id: event.data?.id, status, event: event as IDataObject, webhookId: verdict.id, receivedAt: verdict.timestamp } }]],
		};
	}
}
