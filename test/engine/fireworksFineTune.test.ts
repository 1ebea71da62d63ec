/**
 * Fine-Tune on Fireworks AI in n8n's engine (issue 19), against the test server's Fireworks routes:
 * Build Dataset → Upload File (a dataset, READY) → Create Job → Wait for Completion → Generate Text
 * with the trained model on Fireworks' OpenAI-compatible inference URL; and the errors for what
 * Fireworks lacks and for bad option values, naming the item and the field, with nothing sent.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, IDataObject, INode, INodeCredentialTestResult, INodeType } from 'n8n-workflow';
import { chain, loadPackage, NODE_NAME, outputOf, runError, runWorkflow, useTrainedModelNode, workflowNode } from './harness';
import { useTestServer } from './testServer';

const NODE = 'n8n-nodes-reward-loop.fineTune';
const KEY = 'fw-engine-key-4b3a2918';
const testServer = useTestServer({ apiKey: KEY });
const { server } = testServer;
beforeEach(() => {
	server.configure({ apiKey: KEY, fireworks: { stepMs: 10 } });
	server.reset();
});

/** Fireworks' base URL is the server's root: its routes are /v1/accounts/…, its inference /inference/v1. */
const root = () => testServer.baseUrl.replace(/\/v1$/, '');
const fireworks = () => ({ fireworksAiApi: { apiKey: KEY, accountId: 'mock-account', baseUrl: root(), inferenceBaseUrl: `${root()}/inference/v1` } });
/** Generate Text reaches Fireworks' inference through an OpenAI-Compatible API credential with the same key. */
const inference = () => ({ apiKey: KEY, baseUrl: `${root()}/inference/v1` });
const fireworksRequests = () => server.received.filter((r) => r.path.startsWith('/accounts/'));
const node = (name: string, parameters: IDataObject, position: number): INode =>
	workflowNode(name, NODE, parameters, position, { fireworksAiApi: { id: 'cred-fireworksAiApi', name: 'Test' } });
const demonstrations = Array.from({ length: 12 }, (_, i) => ({ prompt: `Question ${i}?`, response: `Answer ${i}.` }));
const prompt = [{ role: 'user', content: 'Describe the phone' }];
const pair = (chosen: string, rejected: string) => ({ input: { messages: prompt }, preferred_output: [{ role: 'assistant', content: chosen }], non_preferred_output: [{ role: 'assistant', content: rejected }] });

async function lifecycle(kind: 'supervised' | 'preference', items: IDataObject[], create: IDataObject) {
	return runWorkflow({
		nodeType: NODE,
		parameters: { provider: 'fireworks', operation: 'buildDataset', kind, format: 'openai' },
		items,
		credentials: inference(),
		otherCredentials: fireworks(),
		extra: {
			nodes: [
				node('Upload', { provider: 'fireworks', operation: 'uploadFile', binaryProperty: 'data' }, 2),
				node('Create', { provider: 'fireworks', operation: 'createJob', model: 'accounts/fireworks/models/llama-v3p1-8b-instruct', trainingFile: '={{ $json.id }}', ...create }, 3),
				node('Wait', { provider: 'fireworks', operation: 'waitForCompletion', jobId: '={{ $json.id }}', timeoutMinutes: 1, pollSeconds: 0.02 }, 4),
				useTrainedModelNode(),
			],
			connections: chain(NODE_NAME, 'Upload', 'Create', 'Wait', 'Use It'),
		},
	});
}

const createJob = (parameters: IDataObject, items: IDataObject[] = [{}], continueOnFail = false) =>
	runWorkflow({
		nodeType: NODE,
		parameters: { provider: 'fireworks', operation: 'createJob', model: 'accounts/fireworks/models/qwen3-8b', trainingFile: 'train', method: 'supervised', ...parameters },
		items,
		otherCredentials: fireworks(),
		continueOnFail,
	});

describe('Fine-Tune on Fireworks AI in n8n\'s engine', () => {
	it('build → upload → create (SFT, LoRA) → wait, and the trained model answers on Fireworks\' inference in Generate Text', async () => {
		const run = await lifecycle('supervised', demonstrations, { method: 'supervised', jobOptions: { suffix: 'support-bot', nEpochs: '2', loraRank: '16', learningRate: '0.0002', maxContextLength: '4096' } });
		expect(runError(run)).toBeUndefined();
		const data = run.data.resultData.runData;
		const uploaded = data.Upload[0].data?.main[0]?.[0].json as IDataObject;
		expect(uploaded).toMatchObject({ id: expect.stringMatching(/^accounts\/mock-account\/datasets\/training-\w+$/), filename: 'training.jsonl', purpose: 'fine-tune' });
		const dataset = server.fireworks.datasets.get(String(uploaded.id));
		expect(dataset).toMatchObject({ state: 'READY', exampleCount: '12', kind: 'chat' });
		expect(dataset?.content?.trim().split('\n').map((line) => JSON.parse(line).messages[1].content)).toEqual(demonstrations.map((d) => d.response));
		const created = server.received.find((r) => r.method === 'POST' && r.path.endsWith('/supervisedFineTuningJobs'));
		expect(created?.body).toEqual({
			dataset: uploaded.id,
			baseModel: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
			outputModel: 'accounts/mock-account/models/support-bot',
			epochs: 2,
			learningRate: 0.0002,
			loraRank: 16,
			maxContextLength: 4096,
		});
		const job = data.Wait[0].data?.main[0]?.[0].json as IDataObject;
		expect(job).toMatchObject({ status: 'succeeded', fine_tuned_model: 'accounts/mock-account/models/support-bot', model: 'accounts/fireworks/models/llama-v3p1-8b-instruct' });
		const used = data['Use It'][0].data?.main[0]?.[0].json as IDataObject;
		expect(used.model).toBe('accounts/mock-account/models/support-bot');
		const asked = server.received.filter((r) => r.path === '/inference/v1/chat/completions');
		expect(asked).toHaveLength(1);
		expect(asked[0]).toMatchObject({ headers: { authorization: `Bearer ${KEY}` }, body: { model: 'accounts/mock-account/models/support-bot' } });
		// No secret in any output.
		expect(JSON.stringify(run.data.resultData.runData)).not.toContain(KEY);
	});

	it('build → upload → create (DPO from the Reward Loop\'s pairs) → wait → Generate Text', async () => {
		const items = [{ preferencePairs: { dpo: [pair('battery lasts', 'meh'), pair('battery lasts two days', 'no'), pair('bright screen', 'fine')] } }];
		const run = await lifecycle('preference', items, { method: 'dpo', jobOptions: { beta: '0.1' } });
		expect(runError(run)).toBeUndefined();
		const created = server.received.find((r) => r.method === 'POST' && r.path.endsWith('/dpoJobs'));
		expect(created?.body).toMatchObject({ trainingConfig: { baseModel: 'accounts/fireworks/models/llama-v3p1-8b-instruct' }, lossConfig: { method: 'DPO', klBeta: 0.1 } });
		const job = run.data.resultData.runData.Wait[0].data?.main[0]?.[0].json as IDataObject;
		expect(job.status).toBe('succeeded');
		expect(String(job.id)).toMatch(/^accounts\/mock-account\/dpoJobs\//);
		expect((run.data.resultData.runData['Use It'][0].data?.main[0]?.[0].json as IDataObject).model).toBe(job.fine_tuned_model);
	});

	it('a model that did not train is refused by Fireworks\' inference in its own words', async () => {
		const run = await runWorkflow({
			nodeType: 'n8n-nodes-reward-loop.generateText',
			parameters: { model: { __rl: true, mode: 'id', value: 'accounts/mock-account/models/never-trained' }, promptSource: 'prompt', prompt: 'Hello', options: {} },
			items: [{}],
			credentials: inference(),
		});
		expect(runError(run)?.message).toMatch(/Model not found, inaccessible, and\/or not deployed: accounts\/mock-account\/models\/never-trained/);
	});

	it('says what Fireworks lacks, naming the item', async () => {
		const cases: Array<[IDataObject, string]> = [
			[{ operation: 'pauseJob', jobId: 'job-1' }, 'Item 0: Fireworks AI does not support pausing a job (its API has resume, for a failed or cancelled job, but no pause)'],
			[{ operation: 'listEvents', jobId: 'job-1' }, 'Item 0: Fireworks AI does not support listing a job\'s events (its API publishes no events route; the job\'s state and status message are in Get Job)'],
			[{ operation: 'listCheckpoints', jobId: 'job-1' }, 'Item 0: Fireworks AI does not support listing a job\'s checkpoints (its API publishes no checkpoints route; the trained model is the job\'s outputModel)'],
		];
		for (const [parameters, message] of cases) expect(runError(await createJob(parameters))?.message).toBe(message);
		const rft = await createJob({ method: 'reinforcement', grader: '{"type":"string_check","name":"s","input":"{{sample.output_text}}","reference":"x","operation":"eq"}' });
		expect(runError(rft)?.message).toMatch(
			/^Item 0: Fireworks AI does not support reinforcement fine-tuning from this node: its RFT jobs score the model's rollouts with an evaluator that runs on Fireworks \(Python code uploaded as an evaluator resource\), and neither the workflow's rewards nor Score Output's grader JSON can be sent as one; use Preference \(DPO\)/,
		);
		expect(fireworksRequests()).toEqual([]);
	});

	it('a credential without an Account ID is a node-wide error naming the field, before any request', async () => {
		const run = await runWorkflow({
			nodeType: NODE,
			parameters: { provider: 'fireworks', operation: 'listJobs', limit: 5 },
			items: [{}],
			otherCredentials: { fireworksAiApi: { ...fireworks().fireworksAiApi, accountId: '  ' } },
		});
		expect(runError(run)?.message).toBe('Account ID: is empty; Fireworks AI names every dataset and job under an account (the ID in accounts/{account ID}/…, as the Fireworks console shows it)');
		expect(server.received).toEqual([]);
	});

	it.each([
		[{ jobOptions: { loraRank: 'eight' } }, 'LoRA Rank: "eight" is not a number or auto (an integer from 1 to 2147483647, or auto)'],
		[{ jobOptions: { learningRate: '0' } }, 'Learning Rate: 0 is outside the limit (a number above 0)'],
		[{ jobOptions: { maxContextLength: '2.5' } }, 'Max Context Length: 2.5 is not a whole number (an integer from 1 to 2147483647)'],
		[{ jobOptions: { nEpochs: '0' } }, 'Epochs: 0 is outside the limit (an integer from 1 to 2147483647)'],
		[{ jobOptions: { learningRateMultiplier: '2' } }, 'Learning Rate Multiplier: Fireworks AI takes an absolute learning rate, not a multiplier, so 2 cannot be sent; set Learning Rate instead (Fireworks\' default is 0.0001) and leave Learning Rate Multiplier at auto'],
		[{ jobOptions: { trainingType: 'full' } }, 'Training Type: Fireworks AI\'s job API trains LoRA adapters (LoRA Rank); full training is not an option it takes'],
		[{ jobOptions: { seed: 7 } }, 'Seed: Fireworks AI\'s job API takes no seed; remove it'],
		[{ jobOptions: { suffix: 'x'.repeat(64) } }, 'Suffix: 64 characters, more than the limit of 63'],
		[{ method: 'dpo', jobOptions: { beta: '0' } }, 'Beta (DPO): 0 is outside the limit (a number above 0)'],
	] as const)('%j: refused naming the item and the field, nothing sent', async (parameters, problem) => {
		expect(runError(await createJob(parameters))?.message).toBe(`Item 0: ${problem}`);
		expect(fireworksRequests()).toEqual([]);
	});

	it('a bad value in a later item fails the run before any job is created; with Continue On Fail the others go on', async () => {
		const form = new FormData();
		form.append('file', new Blob([`${demonstrations.slice(0, 3).map((d) => JSON.stringify({ messages: [{ role: 'user', content: d.prompt }, { role: 'assistant', content: d.response }] })).join('\n')}\n`]), 't.jsonl');
		await fetch(`${root()}/v1/accounts/mock-account/datasets`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ datasetId: 'train', dataset: {} }) });
		await fetch(`${root()}/v1/accounts/mock-account/datasets/train:upload`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: form });
		while (server.fireworks.datasets.get('accounts/mock-account/datasets/train')?.state !== 'READY') await new Promise((resolve) => setTimeout(resolve, 5));
		server.reset();
		const items = [{ rank: 8 }, { rank: 'big' }, { rank: 32 }];
		const parameters = { jobOptions: { loraRank: '={{ $json.rank }}' } };
		expect(runError(await createJob(parameters, items))?.message).toBe('Item 1: LoRA Rank: "big" is not a number or auto (an integer from 1 to 2147483647, or auto)');
		expect(fireworksRequests()).toEqual([]);
		const out = outputOf(await createJob(parameters, items, true));
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[1].json).toEqual({ error: 'Item 1: LoRA Rank: "big" is not a number or auto (an integer from 1 to 2147483647, or auto)' });
		expect(fireworksRequests().map((r) => (r.body as IDataObject).loraRank)).toEqual([8, 32]);
	});

	it('Fireworks-only options are shown for Fireworks alone: on another provider n8n drops a saved value and none is sent', async () => {
		const form = new FormData();
		form.append('purpose', 'fine-tune');
		form.append('file', new Blob(['{"messages":[]}']), 't.jsonl');
		const file = (await fetch(`${testServer.baseUrl}/files`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: form }).then((r) => r.json())) as { id: string };
		const run = await runWorkflow({
			nodeType: NODE,
			parameters: { provider: 'openai', operation: 'createJob', model: 'mock-small', trainingFile: file.id, method: 'supervised', jobOptions: { loraRank: '8', learningRate: '0.1', maxContextLength: '99', nEpochs: '2' } },
			items: [{}],
			credentials: { apiKey: KEY, baseUrl: testServer.baseUrl },
		});
		expect(runError(run)).toBeUndefined();
		const sent = server.received.find((r) => r.method === 'POST' && r.path === '/fine_tuning/jobs');
		expect(sent?.body).toEqual({ model: 'mock-small', training_file: file.id, method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 2 } } } });
	});

	it('cancels a running job (Fireworks\' Delete) and the job comes out cancelled', async () => {
		server.configure({ apiKey: KEY, fireworks: { stepMs: 10_000 } });
		const form = new FormData();
		form.append('file', new Blob([`${[0, 1, 2].map((i) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: 'a' }] })).join('\n')}\n`]), 't.jsonl');
		await fetch(`${root()}/v1/accounts/mock-account/datasets`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ datasetId: 'cancel-me', dataset: {} }) });
		await fetch(`${root()}/v1/accounts/mock-account/datasets/cancel-me:upload`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: form });
		server.fireworks.datasets.get('accounts/mock-account/datasets/cancel-me')!.state = 'READY';
		const created = await createJob({ trainingFile: 'cancel-me' });
		expect(runError(created)).toBeUndefined();
		const id = String(outputOf(created)[0].json.id);
		const cancelled = await createJob({ operation: 'cancelJob', jobId: id });
		expect(outputOf(cancelled)[0].json).toMatchObject({ id, status: 'cancelled', raw: { deleted: true } });
		expect(server.received.at(-1)).toMatchObject({ method: 'DELETE', path: id.replace(/^accounts/, '/accounts') });
	});
});

describe('the Fireworks AI credential', () => {
	const closedPortUrl = async () => {
		const probe = createServer();
		await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
		const { port } = probe.address() as AddressInfo;
		await new Promise<void>((resolve) => probe.close(() => resolve()));
		return `http://127.0.0.1:${port}`;
	};

	it('is tested by the nodes that use it: the key and the account, naming the URL and the credential, never the key', async () => {
		const loader = await loadPackage();
		const type = (name: string) => loader.nodeTypes[name].type as INodeType;
		const test = type('fineTune').methods?.credentialTest?.fireworksAiApiTest as (this: unknown, credential: ICredentialsDecrypted) => Promise<INodeCredentialTestResult>;
		expect(test).toBeDefined();
		for (const name of ['fineTune', 'fineTuneTrigger']) expect(type(name).description.credentials?.find((c) => c.name === 'fireworksAiApi')?.testedBy).toBe('fireworksAiApiTest');
		const credential = (data: ICredentialDataDecryptedObject): ICredentialsDecrypted => ({ id: 'c3', name: 'My Fireworks Key', type: 'fireworksAiApi', data });
		const url = await closedPortUrl();
		const refused = await test.call({}, credential({ apiKey: KEY, accountId: 'mock-account', baseUrl: url }));
		expect(refused.status).toBe('Error');
		expect(refused.message).toContain(`GET ${url}/v1/accounts/mock-account/datasets failed`);
		expect(refused.message).toContain('check the Base URL of the credential "My Fireworks Key"');
		expect(refused.message).not.toContain(KEY);
		const wrong = await test.call({}, credential({ apiKey: 'fw-wrong-key-5e6f7a8b', accountId: 'mock-account', baseUrl: root() }));
		expect(wrong.message).toContain('refused the API key of the credential "My Fireworks Key"');
		expect(wrong.message).not.toContain('fw-wrong-key');
		const otherAccount = await test.call({}, credential({ apiKey: KEY, accountId: 'someone-else', baseUrl: root() }));
		expect(otherAccount.status).toBe('Error');
		expect(otherAccount.message).toContain('no access to account someone-else');
		expect(await test.call({}, credential({ apiKey: KEY, accountId: '', baseUrl: root() }))).toEqual({
			status: 'Error',
			message: 'The credential "My Fireworks Key": Account ID is empty; Fireworks names every dataset and job under an account',
		});
		server.reset();
		expect(await test.call({}, credential({ apiKey: KEY, accountId: 'mock-account', baseUrl: root() }))).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /accounts/mock-account/datasets']);
	});
});
