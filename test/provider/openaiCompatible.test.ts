import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAiCompatibleProvider } from '../../core/finetune/providers/openaiCompatible';
import { waitForJob, WaitTimeoutError } from '../../core/finetune/waitForJob';
import { signatureFor, verifyWebhook } from '../../core/finetune/webhooks';
import { apiCallerFor, createHttpClient, type HttpClient } from '../../core/transport/http';
import { MockOpenAiServer } from '../server/mockOpenAiServer';

const SECRET = `whsec_${Buffer.from('reward-loop webhook secret').toString('base64')}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const TRAINING = Buffer.from(
	Array.from({ length: 10 }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: `a${i}` }] })).join('\n'),
);

let server: MockOpenAiServer;
let provider: OpenAiCompatibleProvider;
let http: HttpClient;
beforeAll(async () => {
	server = new MockOpenAiServer();
	const url = await server.start();
	http = createHttpClient({ baseUrl: url, apiKey: 'sk-ft-provider-0000' });
	provider = new OpenAiCompatibleProvider(apiCallerFor(http));
});
afterAll(async () => {
	http.close();
	await server.stop();
});
beforeEach(() => server.configure({ fineTuning: { stepMs: 15 } }));

describe('OpenAI-compatible fine-tuning provider against the test server', () => {
	it('uploads a file as multipart and runs a supervised job to its fine_tuned_model', async () => {
		const file = await provider.uploadFile({ filename: 'train.jsonl', content: TRAINING });
		expect(file).toMatchObject({ bytes: TRAINING.length, filename: 'train.jsonl', purpose: 'fine-tune' });
		expect(server.fineTuning.files.get(file.id)?.content).toBe(TRAINING.toString());
		const job = await provider.createJob({ model: 'gpt-4.1-mini', trainingFile: file.id, method: 'supervised', hyperparameters: { nEpochs: 3, batchSize: 'auto' }, suffix: 'support', seed: 7, metadata: { run: 'test' } });
		expect(job.status).toBe('validating_files');
		const seen: string[] = [];
		const done = await waitForJob(provider, job.id, { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 5000, sleep, onPoll: (j) => seen.push(j.status) });
		expect(done).toMatchObject({ status: 'succeeded', fineTunedModel: `ft:gpt-4.1-mini:mock:support:${job.id.slice(-8)}`, trainedTokens: 4321 });
		expect(seen[seen.length - 1]).toBe('succeeded');
		expect(new Set(seen).size).toBeGreaterThan(1);
		const stored = server.fineTuning.jobs.get(job.id);
		expect(stored?.method).toEqual({ type: 'supervised', supervised: { hyperparameters: { n_epochs: 3, batch_size: 'auto' } } });
		expect(stored).toMatchObject({ suffix: 'support', seed: 7, metadata: { run: 'test' } });
		const events = await provider.listEvents(job.id, { limit: 10 });
		expect(events.data.map((e) => e.message)).toContain('The job has successfully completed');
		const checkpoints = await provider.listCheckpoints(job.id, {});
		expect(checkpoints.data[0]).toMatchObject({ step: 10, model: `ft:gpt-4.1-mini:mock::${job.id.slice(-8)}:ckpt-step-10` });
		const listed = await provider.listJobs({ limit: 1 });
		expect(listed.data[0].id).toBeDefined();
	});

	it('sends DPO and reinforcement methods with their hyperparameters and the grader', async () => {
		const file = await provider.uploadFile({ filename: 'pairs.jsonl', content: TRAINING });
		const dpo = await provider.createJob({ model: 'gpt-4.1-mini', trainingFile: file.id, method: 'dpo', hyperparameters: { beta: 0.1, nEpochs: 'auto' } });
		expect(server.fineTuning.jobs.get(dpo.id)?.method).toEqual({ type: 'dpo', dpo: { hyperparameters: { n_epochs: 'auto', beta: 0.1 } } });
		const grader = { type: 'string_check', name: 'exact', input: '{{sample.output_text}}', reference: '{{item.answer}}', operation: 'eq' };
		const rft = await provider.createJob({ model: 'o4-mini', trainingFile: file.id, method: 'reinforcement', grader, hyperparameters: { reasoningEffort: 'low', evalInterval: 5 } });
		expect(server.fineTuning.jobs.get(rft.id)?.method).toEqual({ type: 'reinforcement', reinforcement: { grader, hyperparameters: { reasoning_effort: 'low', eval_interval: 5 } } });
		await expect(provider.createJob({ model: 'o4-mini', trainingFile: file.id, method: 'reinforcement' })).rejects.toThrow(/needs a grader/);
	});

	it('cancels, pauses and resumes; a failing job reports its error; waiting times out', async () => {
		const file = await provider.uploadFile({ filename: 't.jsonl', content: TRAINING });
		server.configure({ fineTuning: { stepMs: 10_000 } });
		const slow = await provider.createJob({ model: 'm', trainingFile: file.id, method: 'supervised' });
		expect((await provider.cancelJob(slow.id)).status).toBe('cancelled');
		await expect(provider.cancelJob(slow.id)).rejects.toThrow(/already cancelled/);
		const stuck = await provider.createJob({ model: 'm', trainingFile: file.id, method: 'supervised' });
		await expect(waitForJob(provider, stuck.id, { initialDelayMs: 5, timeoutMs: 40, sleep })).rejects.toBeInstanceOf(WaitTimeoutError);
		const running = server.fineTuning.jobs.get(stuck.id);
		if (running) running.status = 'running';
		expect((await provider.pauseJob(stuck.id)).status).toBe('paused');
		expect((await provider.resumeJob(stuck.id)).status).toBe('running');
		await provider.cancelJob(stuck.id);

		server.configure({ fineTuning: { stepMs: 10, outcome: 'failed' } });
		const failing = await provider.createJob({ model: 'm', trainingFile: file.id, method: 'supervised' });
		const failed = await waitForJob(provider, failing.id, { initialDelayMs: 5, timeoutMs: 5000, sleep });
		expect(failed).toMatchObject({ status: 'failed', error: 'invalid_training_file: The training file has too few examples.', fineTunedModel: null });
	});
});

describe('Standard Webhooks', () => {
	it('accepts the test server\'s signed event, and rejects forged and stale ones', async () => {
		const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
		const receiver = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
				res.end('ok');
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
		server.configure({ fineTuning: { stepMs: 10, webhook: { url, secret: SECRET } } });
		const file = await provider.uploadFile({ filename: 't.jsonl', content: TRAINING });
		const job = await provider.createJob({ model: 'm', trainingFile: file.id, method: 'supervised' });
		await waitForJob(provider, job.id, { initialDelayMs: 5, timeoutMs: 5000, sleep });
		await server.fineTuning.sendWebhook('fine_tuning.job.succeeded', job.id, 'signature');
		await server.fineTuning.sendWebhook('fine_tuning.job.succeeded', job.id, 'stale');
		receiver.close();
		expect(received).toHaveLength(3);
		const [genuine, forged, stale] = received.map((r) => verifyWebhook({ headers: r.headers, body: r.body, secret: SECRET }));
		expect(genuine).toMatchObject({ ok: true, payload: { type: 'fine_tuning.job.succeeded', data: { id: job.id } } });
		expect(forged).toEqual({ ok: false, reason: 'no valid signature: the event is forged or the secret is wrong' });
		expect(stale).toEqual({ ok: false, reason: 'webhook-timestamp is more than 300 s from now (stale or replayed)' });
	});

	it('matches the Standard Webhooks reference signature', () => {
		// The example in the Standard Webhooks specification (standard-webhooks/standard-webhooks, spec/standard-webhooks.md).
		const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
		const body = '{"test": 2432232314}';
		expect(signatureFor(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe('g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
		// The verifier (standardwebhooks) reads the clock itself: set it to 299 s after the event.
		jest.useFakeTimers({ now: (1614265330 + 299) * 1000 });
		const verdict = verifyWebhook({
			headers: { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,bad v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' },
			body,
			secret,
		});
		jest.useRealTimers();
		expect(verdict.ok).toBe(true);
		expect(verifyWebhook({ headers: { 'webhook-id': 'x' }, body, secret }).ok).toBe(false);
	});
});
