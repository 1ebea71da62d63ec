/**
 * The Fine-Tune Trigger inside n8n-core's own PollContext and WebhookContext: the contexts n8n
 * builds when a polling trigger fires or a webhook arrives.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PollContext, WebhookContext } from 'n8n-core';
import { Workflow, type ICredentialDataDecryptedObject, type IDataObject, type INode, type INodeType, type IWebhookData, type IWorkflowBase } from 'n8n-workflow';
import { signatureFor } from '../../core/finetune/webhooks';
import { MockOpenAiServer } from '../server/mockOpenAiServer';
import { buildAdditionalData, loadPackage } from './harness';

const TYPE = 'n8n-nodes-reward-loop.fineTuneTrigger';
const SECRET = `whsec_${Buffer.from('trigger secret for tests').toString('base64')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: MockOpenAiServer;
let baseUrl: string;
let trigger: INodeType;
beforeAll(async () => {
	server = new MockOpenAiServer({ fineTuning: { stepMs: 10 } });
	baseUrl = await server.start();
	const loader = await loadPackage();
	trigger = loader.nodeTypes.fineTuneTrigger.type as INodeType;
});
afterAll(async () => server.stop());

function setUp(parameters: IDataObject, credentials: Record<string, ICredentialDataDecryptedObject>) {
	const node: INode = {
		id: 'trigger',
		name: 'Fine-Tune Trigger',
		type: TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		credentials: Object.fromEntries(Object.keys(credentials).map((type) => [type, { id: `cred-${type}`, name: type }])),
	};
	const nodeTypes = {
		getByName: () => trigger,
		getByNameAndVersion: () => trigger,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ id: 'trigger-test', nodes: [node], connections: {}, active: true, nodeTypes, staticData: {} });
	const workflowData = { id: 'trigger-test', name: 'trigger test', nodes: [node], connections: {}, active: true, activeVersionId: null, isArchived: false, settings: {}, createdAt: new Date(), updatedAt: new Date() } as IWorkflowBase;
	return { node, workflow, workflowData };
}

async function createJob(): Promise<string> {
	const form = new FormData();
	form.append('purpose', 'fine-tune');
	form.append('file', new Blob(['{}\n']), 'train.jsonl');
	const file = (await (await fetch(`${baseUrl}/files`, { method: 'POST', body: form })).json()) as { id: string };
	const job = (await (await fetch(`${baseUrl}/fine_tuning/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mock-small', training_file: file.id, suffix: 'trig' }) })).json()) as { id: string };
	return job.id;
}

describe('Fine-Tune Trigger', () => {
	it('polling: learns finished jobs on the first poll, then fires once for each job that finishes', async () => {
		const { node, workflow, workflowData } = setUp({ mode: 'poll', provider: 'openai' }, { openAiCompatibleApi: { apiKey: 'sk-poll-000000', baseUrl } });
		const poll = () => trigger.poll!.call(new PollContext(workflow, node, buildAdditionalData({ openAiCompatibleApi: { apiKey: 'sk-poll-000000', baseUrl } }, workflowData), 'trigger', 'activate'));
		const earlier = await createJob();
		await sleep(100);
		expect(await poll()).toBeNull();
		const fresh = await createJob();
		expect(await poll()).toBeNull();
		await sleep(100);
		const fired = await poll();
		expect(fired?.[0].map((item) => item.json)).toEqual([expect.objectContaining({ id: fresh, status: 'succeeded', fine_tuned_model: `ft:mock-small:mock:trig:${fresh.slice(-8)}` })]);
		expect(fired?.[0].some((item) => item.json.id === earlier)).toBe(false);
		expect(await poll()).toBeNull();
	});

	describe('webhook', () => {
		const deliver = async (headers: Record<string, string>, body: string) => {
			const { node, workflow, workflowData } = setUp({ mode: 'webhook', secret: SECRET, statuses: ['succeeded', 'failed'] }, {});
			let status = 200;
			let sent: unknown;
			const response = {
				status(code: number) {
					status = code;
					return response;
				},
				json(value: unknown) {
					sent = value;
					return response;
				},
			};
			const additionalData = buildAdditionalData({}, workflowData, {
				httpRequest: { headers, rawBody: Buffer.from(body), body: JSON.parse(body) } as never,
				httpResponse: response as never,
			});
			const webhookData = { httpMethod: 'POST', node: node.name, path: 'fine-tune', webhookDescription: trigger.description.webhooks![0], workflowId: 'trigger-test', workflowExecuteAdditionalData: additionalData } as IWebhookData;
			const result = await trigger.webhook!.call(new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], null));
			return { result, status, sent };
		};
		const signed = (type: string, timestamp = Math.floor(Date.now() / 1000), secret = SECRET) => {
			const body = JSON.stringify({ id: 'evt_1', object: 'event', created_at: timestamp, type, data: { id: 'ftjob-abc' } });
			return { headers: { 'webhook-id': 'wh_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signatureFor(secret, 'wh_1', timestamp, body)}` }, body };
		};

		it('fires when the test server\'s job completes and it sends its signed event', async () => {
			const fired: IDataObject[] = [];
			const receiver = createServer((req, res) => {
				const chunks: Buffer[] = [];
				req.on('data', (c: Buffer) => chunks.push(c));
				req.on('end', async () => {
					const { result } = await deliver(req.headers as Record<string, string>, Buffer.concat(chunks).toString());
					for (const item of result.workflowData?.[0] ?? []) fired.push(item.json);
					res.end('ok');
				});
			});
			await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
			server.configure({ fineTuning: { stepMs: 10, webhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, secret: SECRET } } });
			const sentBefore = server.fineTuning.webhooksSent.length;
			const id = await createJob();
			// The server records a delivery once the receiver has answered, just after the trigger fired.
			const deadline = Date.now() + 3000;
			while ((fired.length === 0 || server.fineTuning.webhooksSent.length === sentBefore) && Date.now() < deadline) await sleep(10);
			receiver.close();
			server.configure({ fineTuning: { stepMs: 10 } });
			expect(fired).toEqual([expect.objectContaining({ id, status: 'succeeded' })]);
			expect(server.fineTuning.webhooksSent.at(-1)).toMatchObject({ type: 'fine_tuning.job.succeeded', status: 200 });
		});

		it('fires on a signed final-status event', async () => {
			const { headers, body } = signed('fine_tuning.job.succeeded');
			const { result } = await deliver(headers, body);
			expect(result.workflowData?.[0][0].json).toMatchObject({ id: 'ftjob-abc', status: 'succeeded', webhookId: 'wh_1' });
		});

		it('rejects a forged event and a stale one with 401, without firing', async () => {
			const forged = signed('fine_tuning.job.succeeded', undefined, `whsec_${Buffer.from('someone else').toString('base64')}`);
			const stale = signed('fine_tuning.job.succeeded', Math.floor(Date.now() / 1000) - 3600);
			for (const [event, reason] of [
				[forged, 'no valid signature: the event is forged or the secret is wrong'],
				[stale, 'webhook-timestamp is more than 300 s from now (stale or replayed)'],
			] as const) {
				const { result, status, sent } = await deliver(event.headers, event.body);
				expect(result).toEqual({ noWebhookResponse: true });
				expect(status).toBe(401);
				expect(sent).toEqual({ error: reason });
			}
			const tampered = signed('fine_tuning.job.succeeded');
			const { status } = await deliver(tampered.headers, tampered.body.replace('ftjob-abc', 'ftjob-xyz'));
			expect(status).toBe(401);
		});

		it('acknowledges events it does not fire for', async () => {
			const { headers, body } = signed('fine_tuning.job.cancelled');
			const { result, status, sent } = await deliver(headers, body);
			expect(result).toEqual({ noWebhookResponse: true });
			expect(status).toBe(200);
			expect(sent).toEqual({ received: true, ignored: 'fine_tuning.job.cancelled' });
		});
	});
});
