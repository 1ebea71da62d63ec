import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { isReplay, signingSecretProblem, verifyWebhook, type DeliveryLog } from '../../core/finetune/webhooks';
import { STATUSES_PROPERTY } from '../shared/fineTuneTrigger';

const FINAL_EVENTS = new Set(['fine_tuning.job.succeeded', 'fine_tuning.job.failed', 'fine_tuning.job.cancelled']);

const secretOf = (ctx: IHookFunctions | IWebhookFunctions) => String(ctx.getNodeParameter('secret', '') ?? '');

/**
 * OpenAI's webhooks are set up in its dashboard (no API registers them), so there is nothing to
 * create or delete at the provider. Activation still goes through here: a signing secret that
 * cannot sign anything worth checking (empty, not base64, under 16 bytes) stops it with a clear error.
 */
function refuseUnusableSecret(ctx: IHookFunctions): void {
	const problem = signingSecretProblem(secretOf(ctx));
	if (problem) throw new NodeOperationError(ctx.getNode(), `Signing Secret: ${problem}`);
}

/** Fires when the provider sends a signed (Standard Webhooks) event that a fine-tuning job reached a final status. */
export class FineTuneWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Fine-Tune Webhook Trigger',
		name: 'fineTuneWebhookTrigger',
		icon: { light: 'file:fineTuneWebhookTrigger.svg', dark: 'file:fineTuneWebhookTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'on a signed webhook',
		description: 'Starts the workflow when the provider sends a signed event that a fine-tuning job succeeded, failed or was cancelled',
		defaults: { name: 'Fine-Tune Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'fine-tune',
			},
		],
		properties: [
			{
				displayName:
					'Give the provider this node\'s Production URL (OpenAI: Settings → Webhooks, events fine_tuning.job.*) and paste the signing secret it shows below',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Signing Secret',
				name: 'secret',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				required: true,
				placeholder: 'whsec_…',
				description:
					'The webhook\'s signing secret (whsec_ and base64, at least 16 bytes). Events without a valid signature, or more than 5 minutes old or ahead, are refused; a repeated event is acknowledged without firing again.',
			},
			STATUSES_PROPERTY,
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				refuseUnusableSecret(this);
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				refuseUnusableSecret(this);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject() as unknown as { rawBody?: Buffer; body?: unknown; headers: Record<string, string | string[] | undefined> };
		const response = this.getResponseObject();
		const answer = (status: number, body: IDataObject): IWebhookResponseData => {
			response.status(status).json(body);
			return { noWebhookResponse: true };
		};
		const secret = secretOf(this);
		// Activation refuses such a secret; this guards a workflow activated before that check existed.
		if (signingSecretProblem(secret)) return answer(500, { error: 'the trigger\'s signing secret is not usable: fix it in the node and activate again' });
		const body = request.rawBody ?? Buffer.from(typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? {}));
		const verdict = verifyWebhook({ headers: request.headers, body, secret });
		if (!verdict.ok) return answer(verdict.status ?? 401, { error: verdict.reason });
		if (isReplay(this.getWorkflowStaticData('node') as DeliveryLog, verdict.id, verdict.timestamp)) {
			return answer(200, { received: true, duplicate: verdict.id });
		}
		const event = verdict.payload as { type?: string; data?: { id?: string } };
		const statuses = new Set(this.getNodeParameter('statuses', ['succeeded', 'failed', 'cancelled']) as string[]);
		const status = String(event.type ?? '').replace('fine_tuning.job.', '');
		if (!FINAL_EVENTS.has(String(event.type)) || !statuses.has(status)) return answer(200, { received: true, ignored: event.type ?? null });
		return {
			workflowData: [[{ json: { id: event.data?.id, status, event: event as IDataObject, webhookId: verdict.id, receivedAt: verdict.timestamp } }]],
		};
	}
}
