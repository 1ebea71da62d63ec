import { TogetherProvider } from '../../core/finetune/providers/together';
import { UnsupportedOperationError } from '../../core/finetune/providers/types';
import { waitForJob } from '../../core/finetune/waitForJob';
import { MockOpenAiServer } from '../server/mockOpenAiServer';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const TRAINING = Buffer.from('{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}\n');

let server: MockOpenAiServer;
let provider: TogetherProvider;
beforeAll(async () => {
	server = new MockOpenAiServer();
	provider = new TogetherProvider('together-key-0000', await server.start());
});
afterAll(async () => server.stop());
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
		await expect(provider.getJob('ftjob-missing')).rejects.toThrow(/^404 fine-tune ftjob-missing not found/);
	});
});
