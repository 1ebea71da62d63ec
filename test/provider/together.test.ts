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

describe('Together AI: DPO variants, from_checkpoint and the price estimate', () => {
	it('sends RPO, SimPO (reference-free and length-normalised with it) and the other DPO options in training_method', async () => {
		const file = await provider.uploadFile({ filename: 'pairs.jsonl', content: TRAINING });
		server.configure({ fineTuning: { stepMs: 10_000 } });
		const rpo = await provider.createJob({ model: 'm', trainingFile: file.id, method: 'dpo', hyperparameters: { beta: 0.3, rpoAlpha: 0.5, normalizeByLength: true } });
		expect((server.fineTuning.jobs.get(rpo.id)?.method as { together: Record<string, unknown> }).together.training_method).toEqual({
			method: 'dpo',
			dpo_beta: 0.3,
			rpo_alpha: 0.5,
			dpo_normalize_logratios_by_length: true,
		});
		const simpo = await provider.createJob({ model: 'm', trainingFile: file.id, method: 'dpo', hyperparameters: { simpoGamma: 1.5 } });
		expect((server.fineTuning.jobs.get(simpo.id)?.method as { together: Record<string, unknown> }).together.training_method).toEqual({
			method: 'dpo',
			simpo_gamma: 1.5,
			dpo_reference_free: true,
			dpo_normalize_logratios_by_length: true,
		});
		const free = await provider.createJob({ model: 'm', trainingFile: file.id, method: 'dpo', hyperparameters: { referenceFree: true } });
		expect((server.fineTuning.jobs.get(free.id)?.method as { together: Record<string, unknown> }).together.training_method).toEqual({ method: 'dpo', dpo_reference_free: true });
	});

	it('refuses, before sending, DPO options on a supervised job, negative RPO and SimPO values, SimPO without reference-free, and a step of 0', async () => {
		server.reset();
		const base = { model: 'm', trainingFile: 'file-1' };
		expect(() => provider.checkJob({ ...base, method: 'supervised', hyperparameters: { rpoAlpha: 0.5 } })).toThrow("RPO Alpha (DPO): is for preference (DPO) jobs only; this job's Method is supervised");
		expect(() => provider.checkJob({ ...base, method: 'supervised', hyperparameters: { referenceFree: true } })).toThrow('Reference-Free (DPO): is for preference (DPO) jobs only');
		expect(() => provider.checkJob({ ...base, method: 'dpo', hyperparameters: { rpoAlpha: -0.1 } })).toThrow('RPO Alpha (DPO): -0.1 is outside the limit (a number at least 0)');
		expect(() => provider.checkJob({ ...base, method: 'dpo', hyperparameters: { simpoGamma: -1 } })).toThrow('SimPO Gamma (DPO): -1 is outside the limit (a number at least 0)');
		expect(() => provider.checkJob({ ...base, method: 'dpo', hyperparameters: { simpoGamma: 1, referenceFree: false } })).toThrow(/^SimPO Gamma \(DPO\): SimPO trains without the reference model/);
		expect(() => provider.checkJob({ ...base, method: 'supervised', fromCheckpoint: 'ft-1:0' })).toThrow(/^From Checkpoint: the step in "ft-1:0" is not a whole number above 0/);
		expect(() => provider.checkJob({ ...base, method: 'supervised', fromCheckpoint: 'ft 1' })).toThrow(/^From Checkpoint: "ft 1" is not a job ID or output model name/);
		expect(() => provider.checkJob({ ...base, method: 'supervised', trainingTier: 'GlobalStandard' })).toThrow('Together AI does not support Training Tier (an Azure OpenAI option); remove it');
		expect(server.received).toEqual([]);
	});

	it('continues from a finished job\'s checkpoint (from_checkpoint), and the server refuses an unknown one', async () => {
		const file = await provider.uploadFile({ filename: 'train.jsonl', content: TRAINING });
		const sft = await provider.createJob({ model: 'm', trainingFile: file.id, method: 'supervised' });
		await waitForJob(provider, sft.id, { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 5000, sleep });
		const dpo = await provider.createJob({ model: 'm', trainingFile: file.id, method: 'dpo', fromCheckpoint: `${sft.id}:10` });
		expect((server.fineTuning.jobs.get(dpo.id)?.method as { together: Record<string, unknown> }).together.from_checkpoint).toBe(`${sft.id}:10`);
		await expect(provider.createJob({ model: 'm', trainingFile: file.id, method: 'dpo', fromCheckpoint: `${sft.id}:99` })).rejects.toThrow(`400 from_checkpoint: job ${sft.id} has no checkpoint at step 99`);
	});

	it("asks Together's estimate-price route and reads its answer", async () => {
		const file = await provider.uploadFile({ filename: 'train.jsonl', content: TRAINING });
		server.reset();
		const estimate = await provider.estimatePrice({ model: 'meta-llama/Llama-3.2-3B-Instruct', trainingFile: file.id, method: 'dpo', hyperparameters: { nEpochs: 3 } });
		const tokens = Math.ceil(TRAINING.length / 4) * 3;
		expect(estimate).toEqual({ source: 'together', estimatedTotalPrice: (tokens / 1_000_000) * 0.48 * 2, allowedToProceed: true, userLimit: 100, estimatedTrainTokens: tokens, estimatedEvalTokens: 0 });
		expect(server.received[0]).toMatchObject({
			method: 'POST',
			path: '/fine-tunes/estimate-price',
			body: { training_file: file.id, model: 'meta-llama/Llama-3.2-3B-Instruct', n_epochs: 3, training_method: { method: 'dpo' }, training_type: { type: 'Lora' } },
		});
		await expect(provider.estimatePrice({ model: 'm', trainingFile: 'file-missing', method: 'supervised' })).rejects.toThrow('400 training_file: an uploaded file ID is required');
		await expect(provider.estimatePrice({ model: 'm', trainingFile: ' ', method: 'supervised' })).rejects.toThrow(/^Training File ID: is empty/);
	});
});
