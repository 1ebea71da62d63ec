/**
 * The Fine-Tune triggers inside n8n-core's own PollContext, WebhookContext and HookContext: the
 * contexts n8n builds when a polling trigger fires, when a webhook arrives, and when a workflow
 * with a webhook is activated (checkExists / create).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HookContext, PollContext, WebhookContext } from 'n8n-core';
import { Workflow, type ICredentialDataDecryptedObject, type IDataObject, type INode, type INodeType, type IWebhookData, type IWorkflowBase } from 'n8n-workflow';
import { signWebhook } from '../server/fineTuning';
import { MockOpenAiServer } from '../server/mockOpenAiServer';
import { buildAdditionalData, loadPackage } from './harness';

const PACKAGE = 'n8n-nodes-reward-loop';
const SECRET = `whsec_${Buffer.from('trigger secret for tests').toString('base64')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: MockOpenAiServer;
let baseUrl: string;
let polling: INodeType;
let webhooks: INodeType;
beforeAll(async () => {
	server = new MockOpenAiServer({ fineTuning: { stepMs: 10 } });
	baseUrl = await server.start();
	const loader = await loadPackage();
	polling = loader.nodeTypes.fineTuneTrigger.type as INodeType;
	webhooks = loader.nodeTypes.fineTuneWebhookTrigger.type as INodeType;
});
afterAll(async () => server.stop());

/** A one-node active workflow around `type`, with the static data n8n would have saved for it. */
function setUp(type: INodeType, parameters: IDataObject, credentials: Record<string, ICredentialDataDecryptedObject> = {}, staticData: IDataObject = {}) {
	const node: INode = {
		id: 'trigger',
		name: type.description.displayName,
		type: `${PACKAGE}.${type.description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		credentials: Object.fromEntries(Object.keys(credentials).map((name) => [name, { id: `cred-${name}`, name }])),
	};
	const nodeTypes = { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) };
	const workflow = new Workflow({ id: 'trigger-test', nodes: [node], connections: {}, active: true, nodeTypes, staticData });
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

describe('Fine-Tune Trigger (polling)', () => {
	// Read when a test runs: the test server's URL is known only after beforeAll.
	const credentials = () => ({ openAiCompatibleApi: { apiKey: 'sk-poll-000000', baseUrl } });
	const pollOnce = (parameters: IDataObject) => {
		const { node, workflow, workflowData } = setUp(polling, parameters, credentials());
		return () => polling.poll!.call(new PollContext(workflow, node, buildAdditionalData(credentials(), workflowData), 'trigger', 'activate'));
	};

	it('learns finished jobs on the first poll, then fires once for each job that finishes', async () => {
		const poll = pollOnce({ provider: 'openai' });
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

	it('polls Fireworks AI the same way: its jobs, fired once when one completes', async () => {
		server.configure({ fineTuning: { stepMs: 10 }, fireworks: { stepMs: 10 } });
		const root = baseUrl.replace(/\/v1$/, '');
		const fireworks = { fireworksAiApi: { apiKey: 'fw-poll-000000', accountId: 'mock-account', baseUrl: root } };
		const api = (path: string, init: { body: string | FormData; json?: boolean }) =>
			fetch(`${root}/v1/accounts/mock-account${path}`, { method: 'POST', headers: init.json ? { 'content-type': 'application/json' } : {}, body: init.body }).then((r) => r.json() as Promise<IDataObject>);
		await api('/datasets', { body: JSON.stringify({ datasetId: 'poll-data', dataset: {} }), json: true });
		const form = new FormData();
		form.append('file', new Blob([[0, 1, 2].map((i) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: 'a' }] })).join('\n')]), 'poll.jsonl');
		await api('/datasets/poll-data:upload', { body: form });
		await sleep(50);
		const { node, workflow, workflowData } = setUp(polling, { provider: 'fireworks' }, fireworks);
		const poll = () => polling.poll!.call(new PollContext(workflow, node, buildAdditionalData(fireworks, workflowData), 'trigger', 'activate'));
		expect(await poll()).toBeNull();
		const job = await api('/supervisedFineTuningJobs', { body: JSON.stringify({ dataset: 'accounts/mock-account/datasets/poll-data', baseModel: 'accounts/fireworks/models/qwen3-8b', outputModel: 'accounts/mock-account/models/polled' }), json: true });
		expect(await poll()).toBeNull();
		await sleep(150);
		const fired = await poll();
		expect(fired?.[0].map((item) => item.json)).toEqual([expect.objectContaining({ id: job.name, status: 'succeeded', fine_tuned_model: 'accounts/mock-account/models/polled' })]);
		expect(await poll()).toBeNull();
	});

	it('has no webhook: n8n registers none for it, so no call, however it is signed, can fire it', () => {
		// n8n registers a node's webhooks from description.webhooks and calls webhook() on them.
		expect(polling.description.webhooks).toBeUndefined();
		expect(polling.webhook).toBeUndefined();
		expect(polling.webhookMethods).toBeUndefined();
		const { workflow } = setUp(polling, { provider: 'openai' }, credentials());
		expect(workflow.getPollNodes().map((node) => node.type)).toEqual([`${PACKAGE}.fineTuneTrigger`]);
	});

	it('a workflow saved in the old Webhook mode fails at activation, saying which node to use, and calls no provider', async () => {
		const before = server.received.length;
		await expect(pollOnce({ mode: 'webhook', secret: SECRET })()).rejects.toThrow(
			'This Fine-Tune Trigger was set to Webhook mode, which is now a node of its own: replace it with a Fine-Tune Webhook Trigger',
		);
		expect(server.received.length).toBe(before);
	});
});

describe('Fine-Tune Webhook Trigger', () => {
	/** What n8n keeps between two calls: the workflow's static data, saved after each. */
	let saved: IDataObject;
	beforeEach(() => {
		saved = {};
	});

	const deliver = async (headers: Record<string, string>, body: string, parameters: IDataObject = { secret: SECRET, statuses: ['succeeded', 'failed'] }) => {
		const { node, workflow, workflowData } = setUp(webhooks, parameters, {}, JSON.parse(JSON.stringify(saved)) as IDataObject);
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
		const webhookData = { httpMethod: 'POST', node: node.name, path: 'fine-tune', webhookDescription: webhooks.description.webhooks![0], workflowId: 'trigger-test', workflowExecuteAdditionalData: additionalData } as IWebhookData;
		const result = await webhooks.webhook!.call(new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], null));
		saved = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
		return { result, status, sent, fired: result.workflowData?.[0] ?? [] };
	};
	const now = () => Math.floor(Date.now() / 1000);
	/** An event signed the way the test server (and OpenAI) sign it, with its own HMAC code. */
	const signed = (type: string, { id = 'wh_1', timestamp = now(), secret = SECRET } = {}) => {
		const body = JSON.stringify({ id: 'evt_1', object: 'event', created_at: timestamp, type, data: { id: 'ftjob-abc' } });
		return { headers: { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, id, timestamp, body) }, body };
	};

	it('fires when the test server\'s job completes and it sends its signed event', async () => {
		const fired: IDataObject[] = [];
		const receiver = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', async () => {
				const delivery = await deliver(req.headers as Record<string, string>, Buffer.concat(chunks).toString());
				for (const item of delivery.fired) fired.push(item.json);
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

	it('fires once on a correctly signed event; its replay is acknowledged (200) and fires nothing', async () => {
		const event = signed('fine_tuning.job.succeeded');
		const first = await deliver(event.headers, event.body);
		expect(first.fired.map((item) => item.json)).toEqual([expect.objectContaining({ id: 'ftjob-abc', status: 'succeeded', webhookId: 'wh_1' })]);
		const replay = await deliver(event.headers, event.body);
		expect(replay).toMatchObject({ result: { noWebhookResponse: true }, status: 200, sent: { received: true, duplicate: 'wh_1' }, fired: [] });
		// A replay signed again with a fresh timestamp is the same event (same webhook-id): still nothing.
		const resigned = signed('fine_tuning.job.succeeded', { timestamp: now() - 1 });
		expect((await deliver(resigned.headers, resigned.body)).fired).toEqual([]);
		// Another event fires.
		const other = signed('fine_tuning.job.failed', { id: 'wh_2' });
		expect((await deliver(other.headers, other.body)).fired.map((item) => item.json.status)).toEqual(['failed']);
	});

	it('answers 401 to a forged, tampered, stale or future-dated event, fires nothing and remembers nothing', async () => {
		const forged = signed('fine_tuning.job.succeeded', { id: 'wh_forged', secret: `whsec_${Buffer.from('someone else entirely').toString('base64')}` });
		const stale = signed('fine_tuning.job.succeeded', { id: 'wh_stale', timestamp: now() - 3600 });
		const future = signed('fine_tuning.job.succeeded', { id: 'wh_future', timestamp: now() + 3600 });
		const genuine = signed('fine_tuning.job.succeeded', { id: 'wh_tampered' });
		const tampered = { headers: genuine.headers, body: genuine.body.replace('ftjob-abc', 'ftjob-xyz') };
		const unsigned = { headers: { 'webhook-id': 'wh_unsigned', 'webhook-timestamp': String(now()) }, body: genuine.body };
		const emptyKey = signed('fine_tuning.job.succeeded', { id: 'wh_empty', secret: 'whsec_' });
		for (const [event, reason] of [
			[forged, 'no valid signature: the event is forged or the secret is wrong'],
			[tampered, 'no valid signature: the event is forged or the secret is wrong'],
			[emptyKey, 'no valid signature: the event is forged or the secret is wrong'],
			[stale, 'webhook-timestamp is more than 300 s from now (stale or replayed)'],
			[future, 'webhook-timestamp is more than 300 s from now (dated in the future)'],
			[unsigned, 'missing webhook-id, webhook-timestamp or webhook-signature header'],
		] as const) {
			const delivery = await deliver(event.headers as Record<string, string>, event.body);
			expect({ reason, result: delivery.result, status: delivery.status, sent: delivery.sent }).toEqual({ reason, result: { noWebhookResponse: true }, status: 401, sent: { error: reason } });
		}
		expect(saved).toEqual({});
		// The genuine event behind the tampered one still fires: the refusals did not mark its id.
		expect((await deliver(genuine.headers, genuine.body)).fired).toHaveLength(1);
	});

	it('acknowledges events it does not fire for', async () => {
		const { headers, body } = signed('fine_tuning.job.cancelled');
		const { result, status, sent } = await deliver(headers, body);
		expect(result).toEqual({ noWebhookResponse: true });
		expect(status).toBe(200);
		expect(sent).toEqual({ received: true, ignored: 'fine_tuning.job.cancelled' });
	});

	describe('activation (checkExists / create, as n8n runs them when the workflow is activated or listens for a test event)', () => {
		const activate = async (secret: string) => {
			const { node, workflow, workflowData } = setUp(webhooks, { secret });
			const additionalData = buildAdditionalData({}, workflowData);
			const webhookData = { httpMethod: 'POST', node: node.name, path: 'fine-tune', webhookDescription: webhooks.description.webhooks![0], workflowId: 'trigger-test', workflowExecuteAdditionalData: additionalData } as IWebhookData;
			const context = () => new HookContext(workflow, node, additionalData, 'trigger', 'activate', webhookData);
			const methods = webhooks.webhookMethods!.default!;
			return { checkExists: () => methods.checkExists.call(context()), create: () => methods.create!.call(context()) };
		};

		it.each([
			['empty', '', "Signing Secret: is empty: paste the webhook's signing secret (whsec_…) from the provider's webhook settings"],
			['blank', '   ', "Signing Secret: is empty: paste the webhook's signing secret (whsec_…) from the provider's webhook settings"],
			['only the prefix', 'whsec_', 'Signing Secret: decodes to 0 bytes; a signing secret needs at least 16 (Standard Webhooks secrets have 24 to 64)'],
			['not base64', 'whsec_!!!!', 'Signing Secret: is not base64 after "whsec_" (letters, digits, + and /, padded with =)'],
			['15 bytes', `whsec_${Buffer.alloc(15, 7).toString('base64')}`, 'Signing Secret: decodes to 15 bytes; a signing secret needs at least 16 (Standard Webhooks secrets have 24 to 64)'],
		])('refuses a secret that is %s, with a clear message', async (_label, secret, message) => {
			const { checkExists, create } = await activate(secret);
			await expect(checkExists()).rejects.toThrow(message);
			await expect(create()).rejects.toThrow(message);
		});

		it('accepts a secret of 16 bytes or more, and never polls', async () => {
			const { checkExists, create } = await activate(`whsec_${Buffer.alloc(16, 7).toString('base64')}`);
			expect(await checkExists()).toBe(false);
			expect(await create()).toBe(true);
			// n8n starts polling for a node type that has poll(); this one has only its webhook.
			expect(webhooks.poll).toBeUndefined();
			expect(webhooks.description.polling).toBeUndefined();
			const { workflow } = setUp(webhooks, { secret: SECRET });
			expect(workflow.getPollNodes()).toEqual([]);
			expect(webhooks.description.webhooks?.map((w) => [w.httpMethod, w.path])).toEqual([['POST', 'fine-tune']]);
		});

		it('a workflow activated with an unusable secret before this check existed fires nothing', async () => {
			const event = signed('fine_tuning.job.succeeded', { secret: 'whsec_' });
			const delivery = await deliver(event.headers, event.body, { secret: '' });
			expect(delivery).toMatchObject({ status: 500, fired: [], sent: { error: "the trigger's signing secret is not usable: fix it in the node and activate again" } });
		});
	});
});
