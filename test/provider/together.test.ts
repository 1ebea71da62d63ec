import { TogetherProvider } from '../../core/finetune/providers/together';
import { apiCallerFor, createHttpClient, HttpStatusError, type HttpClient } from '../../core/transport/http';
import { UnsupportedOperationError } from '../../core/finetune/providers/types';
import { waitForJob } from '../../core/finetune/waitForJob';
import { MockOpenAiServer } from '../server/mockOpenAiServer';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const TRAINING = Buffer.from('{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}\n');

let server: MockOpenAiServer;
let provider: TogetherProvider;
let http: HttpClient;
beforeAll(async () => {
	server = new MockOpenAiServer();
	http = createHttpClient({ baseUrl: await server.start(), apiKey: 'together-key-0000', authHeader: 'bearer' });
	provider = new TogetherProvider(apiCallerFor(http));
});
afterAll(async () => {
	http.close();
	await server.stop();
});
beforeEach(() => server.configure({ fineTuning: { stepMs: 15 } }));

describe('Together AI fine-tuning provider against the test server', () => {
	it('uploads through /files/upload and runs a LoRA SFT job to its output model', async () => {
		const file = await provider.uploadFile({ filename: 'train.jsonl', content: TRAINING });
		expect(file).toMatchObject({ filename: 'train.jsonl', purpose: 'fine-tune', bytes: TRAINING.length });
		const job = await provider.createJob({ model: 'meta-llama/Llama-3.2-3B-Instruct', trainingFile: file.id, method: 'supervised', hyperparameters: { nEpochs: 2, batchSize: 'auto' }, suffix: 'support', seed: 3 });
		expect(job.status).toBe('queued');
		const uploaded = server.received.find((r) => r.path === '/files/upload');
		expect(String(uploaded?.headers['content-type'])).toMatch(/^multipart\/form-data/);
		expect(server.received.find((r) => r.path === '/fine-tunes')?.body).toEqual({
			model: 'meta-llama/Llama-3.2-3B-Instruct',
			training_file: file.id,
			training_type: { type: 'Lora' },
			training_method: { method: 'sft', train_on_inputs: 'auto' },
			n_epochs: 2,
			batch_size: 'max',
			suffix: 'support',
			random_seed: 3,
		});
		const done = await waitForJob(provider, job.id, { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 5000, sleep });
		expect(done).toMatchObject({ status: 'succeeded', fineTunedModel: `ft:meta-llama/Llama-3.2-3B-Instruct:mock:support:${job.id.slice(-8)}` });
		expect((await provider.listEvents(job.id, {})).data.map((e) => e.message)).toContain('The job has successfully completed');
		expect((await provider.listCheckpoints(job.id, {})).data[0]).toMatchObject({ step: 10 });
		expect((await provider.listJobs({ limit: 50 })).data.some((j) => j.id === job.id)).toBe(true);
	});

	it('full DPO training, cancel, and what Together does not offer', async () => {
		const file = await provider.uploadFile({ filename: 'pairs.jsonl', content: TRAINING });
		server.configure({ fineTuning: { stepMs: 10_000 } });
		const job = await provider.createJob({ model: 'm', trainingFile: file.id, method: 'dpo', trainingType: 'full', hyperparameters: { beta: 0.2 } });
		expect(server.fineTuning.jobs.get(job.id)?.method).toMatchObject({ together: { training_type: { type: 'Full' }, training_method: { method: 'dpo', dpo_beta: 0.2 } } });
		expect((await provider.cancelJob(job.id)).status).toBe('cancelled');
		await expect(provider.pauseJob()).rejects.toBeInstanceOf(UnsupportedOperationError);
		await expect(provider.createJob({ model: 'm', trainingFile: file.id, method: 'reinforcement', grader: {} })).rejects.toThrow('Together AI does not support reinforcement fine-tuning');
		const missing = await provider.getJob('ftjob-missing').catch((e: unknown) => e);
		expect(missing).toBeInstanceOf(HttpStatusError);
		expect(missing).toMatchObject({ status: 404, message: expect.stringMatching(/^404 fine-tune ftjob-missing not found/) });
		expect((missing as HttpStatusError).headers.get('content-type')).toBe('application/json');
	});

	it("sends the key as a Bearer token through the caller it was given", async () => {
		server.reset();
		await provider.listJobs({});
		expect(server.received).toHaveLength(1);
		expect(server.received[0]).toMatchObject({ method: 'GET', path: '/fine-tunes', headers: { authorization: 'Bearer together-key-0000' } });
	});

	it('refuses a learning rate multiplier, which Together would read as the learning rate itself, and sends nothing', async () => {
		const file = await provider.uploadFile({ filename: 'train.jsonl', content: TRAINING });
		server.reset();
		await expect(provider.createJob({ model: 'm', trainingFile: file.id, method: 'supervised', hyperparameters: { learningRateMultiplier: 2 } })).rejects.toThrow(
			"Learning Rate Multiplier: Together AI takes an absolute learning rate, not a multiplier, so 2 cannot be sent; set Learning Rate Multiplier to auto (or remove it) to train at Together's default learning rate of 0.00001",
		);
		expect(server.received).toEqual([]);
		await provider.createJob({ model: 'm', trainingFile: file.id, method: 'supervised', hyperparameters: { learningRateMultiplier: 'auto' } });
		expect(server.received.find((r) => r.path === '/fine-tunes')?.body).not.toHaveProperty('learning_rate');
	});
});
