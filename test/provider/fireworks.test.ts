import { FireworksProvider } from '../../core/finetune/providers/fireworks';
import { UnsupportedOperationError } from '../../core/finetune/providers/types';
import { waitForJob } from '../../core/finetune/waitForJob';
import { apiCallerFor, createHttpClient, HttpStatusError, type HttpClient } from '../../core/transport/http';
import { MockOpenAiServer } from '../server/mockOpenAiServer';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const chat = (i: number) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: `a${i}` }] });
const pair = (i: number) => JSON.stringify({ input: { messages: [{ role: 'user', content: `q${i}` }] }, preferred_output: [{ role: 'assistant', content: 'good' }], non_preferred_output: [{ role: 'assistant', content: 'bad' }] });
const file = (rows: string[]) => Buffer.from(`${rows.join('\n')}\n`);
const SFT = file([0, 1, 2, 3].map(chat));
const DPO = file([0, 1, 2].map(pair));

let server: MockOpenAiServer;
let provider: FireworksProvider;
let http: HttpClient;
let ids = 0;
beforeAll(async () => {
	server = new MockOpenAiServer({ apiKey: 'fw-key-000000' });
	const root = (await server.start()).replace(/\/v1$/, '');
	http = createHttpClient({ baseUrl: root, apiKey: 'fw-key-000000', authHeader: 'bearer' });
	provider = new FireworksProvider(apiCallerFor(http), { account: 'mock-account', sleep, datasetPollMs: 5, unique: () => `u${++ids}` });
});
afterAll(async () => {
	http.close();
	await server.stop();
});
beforeEach(() => {
	server.configure({ apiKey: 'fw-key-000000', fireworks: { stepMs: 10 } });
	server.reset();
});

describe('Fireworks AI fine-tuning provider against the test server', () => {
	it('creates a dataset, uploads the file, waits until READY, and runs an SFT job to its output model', async () => {
		const uploaded = await provider.uploadFile({ filename: 'Train.jsonl', content: SFT });
		expect(uploaded).toEqual({ id: `accounts/mock-account/datasets/train-u${ids}`, bytes: SFT.length, filename: 'Train.jsonl', purpose: 'fine-tune' });
		// The server records paths without their /v1 (its OpenAI base); its Fireworks routes answer only under /v1/accounts.
		const calls = server.received.map((r) => `${r.method} /v1${r.path}`);
		expect(calls.slice(0, 2)).toEqual(['POST /v1/accounts/mock-account/datasets', `POST /v1/accounts/mock-account/datasets/train-u${ids}:upload`]);
		expect(calls.slice(2).every((c) => c === `GET /v1/accounts/mock-account/datasets/train-u${ids}`)).toBe(true);
		expect(server.received[0].body).toEqual({ datasetId: `train-u${ids}`, dataset: { displayName: 'Train.jsonl', exampleCount: '4', userUploaded: {} } });
		expect(String(server.received[1].headers['content-type'])).toMatch(/^multipart\/form-data/);
		expect(server.fireworks.datasets.get(uploaded.id)?.state).toBe('READY');

		server.reset();
		const job = await provider.createJob({
			model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
			trainingFile: uploaded.id,
			method: 'supervised',
			suffix: 'support-bot',
			hyperparameters: { nEpochs: 2, learningRate: 0.0002, loraRank: 16, maxContextLength: 4096, batchSize: 'auto', learningRateMultiplier: 'auto' },
		});
		expect(server.received[0]).toMatchObject({ method: 'POST', path: '/accounts/mock-account/supervisedFineTuningJobs', headers: { authorization: 'Bearer fw-key-000000' } });
		expect(server.received[0].body).toEqual({
			dataset: uploaded.id,
			baseModel: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
			outputModel: 'accounts/mock-account/models/support-bot',
			epochs: 2,
			learningRate: 0.0002,
			loraRank: 16,
			maxContextLength: 4096,
		});
		expect(job).toMatchObject({ status: 'queued', model: 'accounts/fireworks/models/llama-v3p1-8b-instruct', fineTunedModel: null });
		expect(job.id).toMatch(/^accounts\/mock-account\/supervisedFineTuningJobs\/\w+$/);
		const seen: string[] = [];
		const done = await waitForJob(provider, job.id, { initialDelayMs: 5, maxDelayMs: 10, timeoutMs: 5000, sleep, onPoll: (j) => seen.push(j.status) });
		expect(done).toMatchObject({ status: 'succeeded', fineTunedModel: 'accounts/mock-account/models/support-bot', trainedTokens: 2345, error: null });
		expect(done.finishedAt).toEqual(expect.any(Number));
		expect(seen).toContain('running');
		// A bare ID works too: looked up as an SFT job.
		expect((await provider.getJob(job.id.split('/').pop()!)).id).toBe(job.id);
		expect((await provider.listJobs({ limit: 50 })).data.map((j) => j.id)).toContain(job.id);
	});

	it('runs a DPO job with its KL beta, an SFT job with an evaluation dataset, and a failed job carries Fireworks\' message', async () => {
		const train = await provider.uploadFile({ filename: 'pairs.jsonl', content: DPO });
		const evaluation = await provider.uploadFile({ filename: 'eval.jsonl', content: SFT });
		server.reset();
		expect(() => provider.checkJob({ model: 'm', trainingFile: train.id, validationFile: evaluation.id, method: 'dpo' })).toThrow(/^Validation File ID: Fireworks AI's DPO jobs take no evaluation dataset/);
		const job = await provider.createJob({ model: 'accounts/fireworks/models/qwen3-8b', trainingFile: train.id, method: 'dpo', hyperparameters: { beta: 0.2, nEpochs: 1 } });
		expect(server.received[0].path).toBe('/accounts/mock-account/dpoJobs');
		expect(server.received[0].body).toEqual({
			dataset: train.id,
			trainingConfig: { baseModel: 'accounts/fireworks/models/qwen3-8b', epochs: 1 },
			lossConfig: { method: 'DPO', klBeta: 0.2 },
		});
		const sft = await provider.uploadFile({ filename: 'sft.jsonl', content: SFT });
		server.reset();
		await provider.createJob({ model: 'accounts/fireworks/models/qwen3-8b', trainingFile: sft.id, validationFile: evaluation.id.split('/').pop(), method: 'supervised' });
		expect(server.received[0].body).toEqual({ dataset: sft.id, baseModel: 'accounts/fireworks/models/qwen3-8b', evaluationDataset: evaluation.id });
		const done = await waitForJob(provider, job.id, { initialDelayMs: 5, maxDelayMs: 10, timeoutMs: 5000, sleep });
		expect(done.status).toBe('succeeded');
		expect(done.fineTunedModel).toMatch(/^accounts\/mock-account\/models\/ft-/);

		server.configure({ apiKey: 'fw-key-000000', fireworks: { stepMs: 10, outcome: 'failed' } });
		const failing = await provider.createJob({ model: 'accounts/fireworks/models/qwen3-8b', trainingFile: train.id, method: 'dpo' });
		const failed = await waitForJob(provider, failing.id, { initialDelayMs: 5, maxDelayMs: 10, timeoutMs: 5000, sleep });
		expect(failed).toMatchObject({ status: 'failed', fineTunedModel: null, error: 'Training failed: the dataset has fewer examples than the batch needs' });
		// :resume continues a failed job.
		server.configure({ apiKey: 'fw-key-000000', fireworks: { stepMs: 10 } });
		expect((await provider.resumeJob(failed.id)).status).toBe('running');
		expect((await waitForJob(provider, failed.id, { initialDelayMs: 5, maxDelayMs: 10, timeoutMs: 5000, sleep })).status).toBe('succeeded');
	});

	it('cancels by Delete, and says what Fireworks does not offer', async () => {
		const train = await provider.uploadFile({ filename: 'train.jsonl', content: SFT });
		server.configure({ apiKey: 'fw-key-000000', fireworks: { stepMs: 10_000 } });
		const job = await provider.createJob({ model: 'accounts/fireworks/models/qwen3-8b', trainingFile: train.id, method: 'supervised' });
		server.reset();
		const cancelled = await provider.cancelJob(job.id);
		expect(cancelled).toMatchObject({ id: job.id, status: 'cancelled', raw: { deleted: true } });
		expect(server.received.map((r) => r.method)).toEqual(['GET', 'DELETE']);
		expect(server.fireworks.jobs.get(job.id)?.state).toBe('JOB_STATE_DELETING');
		await expect(provider.pauseJob()).rejects.toBeInstanceOf(UnsupportedOperationError);
		await expect(provider.listEvents()).rejects.toThrow(/^Fireworks AI does not support listing a job's events/);
		await expect(provider.listCheckpoints()).rejects.toThrow(/^Fireworks AI does not support listing a job's checkpoints/);
		await expect(provider.createJob({ model: 'm', trainingFile: train.id, method: 'reinforcement', grader: { type: 'string_check' } })).rejects.toThrow(
			/^Fireworks AI does not support reinforcement fine-tuning from this node: its RFT jobs score the model's rollouts with an evaluator that runs on Fireworks/,
		);
	});

	it('refuses what the job API does not take before sending anything', async () => {
		server.reset();
		const base = { model: 'm', trainingFile: 'd', method: 'supervised' as const };
		expect(() => provider.checkJob({ ...base, hyperparameters: { learningRateMultiplier: 2 } })).toThrow(/^Learning Rate Multiplier: Fireworks AI takes an absolute learning rate, not a multiplier, so 2 cannot be sent/);
		expect(() => provider.checkJob({ ...base, trainingType: 'full' })).toThrow(/^Training Type: Fireworks AI's job API trains LoRA adapters/);
		expect(() => provider.checkJob({ ...base, seed: 0 })).toThrow('Seed: Fireworks AI\'s job API takes no seed; remove it');
		expect(() => provider.checkJob({ ...base, metadata: { a: 'b' } })).toThrow('Metadata (JSON): Fireworks AI takes no metadata; remove it');
		expect(() => provider.checkJob({ ...base, method: 'dpo', hyperparameters: { rpoAlpha: 0.5 } })).toThrow('Fireworks AI does not support RPO Alpha (DPO) (a Together AI option); remove it');
		expect(() => provider.checkJob({ ...base, fromCheckpoint: 'ft-1' })).toThrow('Fireworks AI does not support From Checkpoint (a Together AI option); remove it');
		expect(() => provider.checkJob({ ...base, trainingTier: 'Standard' })).toThrow('Fireworks AI does not support Training Tier (an Azure OpenAI option); remove it');
		expect(() => provider.checkJob({ ...base, hyperparameters: { loraRank: 1.5 } })).toThrow('LoRA Rank: 1.5 is not a whole number (an integer from 1 to 2147483647)');
		expect(() => provider.checkJob({ ...base, hyperparameters: { learningRate: 0 } })).toThrow('Learning Rate: 0 is outside the limit (a number above 0)');
		expect(() => provider.checkJob({ ...base, suffix: 'x'.repeat(64) })).toThrow('Suffix: 64 characters, more than the limit of 63');
		await expect(provider.uploadFile({ filename: 'tiny.jsonl', content: file([chat(0), chat(1)]) })).rejects.toThrow('tiny.jsonl has 2 examples; a Fireworks AI dataset takes from 3 to 3,000,000');
		expect(server.received).toEqual([]);
		expect(() => new FireworksProvider(apiCallerFor(http), { account: ' ' })).toThrow(/^Account ID: is empty/);
	});

	it('passes Fireworks\' errors on in its own words: a dataset not READY, an unknown job, another account', async () => {
		// The API refuses a job on a dataset still UPLOADING.
		await provider.uploadFile({ filename: 'x.jsonl', content: SFT });
		const name = 'accounts/mock-account/datasets/pending';
		server.fireworks.datasets.set(name, { name, displayName: 'p', createTime: new Date().toISOString(), state: 'UPLOADING', status: { code: 'OK', message: '' }, exampleCount: '0', userUploaded: {} });
		const pending = await provider.createJob({ model: 'accounts/fireworks/models/qwen3-8b', trainingFile: 'pending', method: 'supervised' }).catch((e: unknown) => e);
		expect(pending).toBeInstanceOf(HttpStatusError);
		expect(pending).toMatchObject({ status: 400, message: '400 dataset accounts/mock-account/datasets/pending is in state UPLOADING, not READY' });
		const missing = await provider.getJob('nope').catch((e: unknown) => e);
		expect(missing).toMatchObject({ status: 404, message: '404 job accounts/mock-account/dpoJobs/nope not found' });
		const other = new FireworksProvider(apiCallerFor(http), { account: 'someone-else' });
		await expect(other.listJobs({})).rejects.toMatchObject({ status: 403, message: '403 the API key has no access to account someone-else' });
	});
});
