import { OpenAiCompatibleProvider } from '../../core/finetune/providers/openaiCompatible';
import { connectionProblem, detectPlatform, resolvePlatform } from '../../core/finetune/providers/platforms';
import { UnsupportedOperationError } from '../../core/finetune/providers/types';
import { waitForJob } from '../../core/finetune/waitForJob';
import type { AuthHeader } from '../../core/transport/connection';
import { apiCallerFor, createHttpClient, HttpStatusError, type HttpClient } from '../../core/transport/http';
import { MockOpenAiServer } from '../server/mockOpenAiServer';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const TRAINING = Buffer.from(
	Array.from({ length: 10 }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: `a${i}` }] })).join('\n'),
);
const GRADER = { type: 'string_check', name: 'exact', input: '{{sample.output_text}}', reference: '{{item.answer}}', operation: 'eq' };

let server: MockOpenAiServer;
let root: string;
const clients: HttpClient[] = [];
beforeAll(async () => {
	server = new MockOpenAiServer({ apiKey: 'platform-key-0000' });
	root = (await server.start()).replace(/\/v1$/, '');
});
afterAll(async () => {
	for (const client of clients) client.close();
	await server.stop();
});
beforeEach(() => server.reset());

function providerAt(platform: 'azure' | 'bedrock', baseUrl: string, authHeader: AuthHeader, apiKey = 'platform-key-0000') {
	const http = createHttpClient({ baseUrl, apiKey, authHeader });
	clients.push(http);
	return new OpenAiCompatibleProvider(apiCallerFor(http), { platform, baseUrl, authHeader });
}

describe('the platform a base URL belongs to', () => {
	it('is read from the host, and the credential\'s setting wins over it', () => {
		expect(detectPlatform('https://contoso.openai.azure.com/openai/v1')).toBe('azure');
		expect(detectPlatform('https://contoso.cognitiveservices.azure.com/openai/v1')).toBe('azure');
		expect(detectPlatform('https://contoso.services.ai.azure.com/openai/v1')).toBe('azure');
		expect(detectPlatform('https://bedrock-mantle.us-west-2.api.aws/v1')).toBe('bedrock');
		expect(detectPlatform('https://api.openai.com/v1')).toBe('openai');
		expect(detectPlatform('')).toBe('openai');
		expect(detectPlatform('http://localhost:4000/v1')).toBe('other');
		expect(detectPlatform('https://openai.azure.com.example.org/v1')).toBe('other');
		expect(resolvePlatform('azure', 'http://127.0.0.1:1/openai/v1')).toBe('azure');
		expect(resolvePlatform('auto', 'https://bedrock-mantle.eu-west-1.api.aws/v1')).toBe('bedrock');
		expect(resolvePlatform(undefined, 'https://api.openai.com/v1')).toBe('openai');
	});

	it('says what to set when the base URL or the key header does not fit the platform', () => {
		expect(connectionProblem('azure', { baseUrl: 'https://contoso.openai.azure.com/openai?api-version=2024-10-21' })).toBe(
			"Azure OpenAI's fine-tuning API (v1) is at https://contoso.openai.azure.com/openai/v1: set the credential's Base URL to that (it is https://contoso.openai.azure.com/openai)",
		);
		expect(connectionProblem('azure', { baseUrl: 'https://contoso.openai.azure.com/openai/v1/', authHeader: 'apiKey' })).toBeUndefined();
		expect(connectionProblem('azure', { baseUrl: 'https://contoso.openai.azure.com/openai/v1', authHeader: 'bearer' })).toBeUndefined();
		expect(connectionProblem('bedrock', { baseUrl: 'https://bedrock-mantle.us-west-2.api.aws/v1', authHeader: 'apiKey' })).toMatch(/^Amazon Bedrock takes its API key as "Authorization: Bearer"/);
		expect(connectionProblem('bedrock', { baseUrl: 'https://bedrock-runtime.us-west-2.amazonaws.com', authHeader: 'bearer' })).toMatch(/bedrock-mantle\.<region>\.api\.aws\/v1/);
		expect(connectionProblem('bedrock', { baseUrl: 'https://bedrock-mantle.us-west-2.api.aws/v1', authHeader: 'bearer' })).toBeUndefined();
	});
});

describe('Azure OpenAI (v1 API) against the test server playing Azure', () => {
	beforeEach(() => server.configure({ apiKey: 'platform-key-0000', fineTuning: { stepMs: 10, platform: 'azure' } }));

	it('uploads and runs a job under /openai/v1 with the api-key header and the training tier', async () => {
		const provider = providerAt('azure', `${root}/openai/v1`, 'apiKey');
		expect(provider.name).toBe('Azure OpenAI');
		const file = await provider.uploadFile({ filename: 'train.jsonl', content: TRAINING });
		const job = await provider.createJob({ model: 'gpt-4.1-mini-2025-04-14', trainingFile: file.id, method: 'supervised', trainingTier: 'GlobalStandard', suffix: 'azure' });
		const done = await waitForJob(provider, job.id, { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 5000, sleep });
		expect(done).toMatchObject({ status: 'succeeded', fineTunedModel: `ft:gpt-4.1-mini-2025-04-14:mock:azure:${job.id.slice(-8)}` });
		const created = server.received.find((r) => r.method === 'POST' && r.path === '/fine_tuning/jobs');
		expect(created?.body).toMatchObject({ trainingType: 'GlobalStandard', method: { type: 'supervised' } });
		expect(created?.headers['api-key']).toBe('platform-key-0000');
		expect(created?.headers.authorization).toBeUndefined();
		expect((await provider.pauseJob(job.id).catch((e: unknown) => e)) as HttpStatusError).toMatchObject({ status: 400 });
	});

	it('takes a Microsoft Entra ID token as Bearer', async () => {
		const provider = providerAt('azure', `${root}/openai/v1`, 'bearer');
		await provider.listJobs({ limit: 5 });
		expect(server.received[0]).toMatchObject({ path: '/fine_tuning/jobs', headers: { authorization: 'Bearer platform-key-0000' } });
	});

	it('refuses, before sending, a base URL outside /openai/v1, python graders and Together\'s options; the server refuses the same', async () => {
		const wrongUrl = providerAt('azure', `${root}/v1`, 'apiKey');
		await expect(wrongUrl.listJobs({})).rejects.toThrow(/^Azure OpenAI's fine-tuning API \(v1\) is at http:\/\/127\.0\.0\.1:\d+\/openai\/v1: set the credential's Base URL/);
		const provider = providerAt('azure', `${root}/openai/v1`, 'apiKey');
		const python = { type: 'python', name: 'p', source: 'def grade(sample, item):\n    return 1.0' };
		expect(() => provider.checkJob({ model: 'o4-mini', trainingFile: 'file-x', method: 'reinforcement', grader: python })).toThrow('Azure OpenAI does not support python graders in reinforcement fine-tuning');
		expect(() => provider.checkJob({ model: 'm', trainingFile: 'file-x', method: 'dpo', hyperparameters: { rpoAlpha: 0.5 } })).toThrow('Azure OpenAI does not support RPO Alpha (DPO) (a Together AI option); remove it');
		expect(() => provider.checkJob({ model: 'm', trainingFile: 'file-x', method: 'supervised', fromCheckpoint: 'ft-1' })).toThrow(UnsupportedOperationError);
		expect(server.received).toEqual([]);
		// The server playing Azure refuses what the checks keep from it.
		const outside = await fetch(`${root}/v1/fine_tuning/jobs`, { headers: { 'api-key': 'platform-key-0000' } });
		expect(outside.status).toBe(404);
		const tier = await fetch(`${root}/openai/v1/fine_tuning/jobs`, { method: 'POST', headers: { 'api-key': 'platform-key-0000', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', training_file: 'f', trainingType: 'premium' }) });
		expect(tier.status).toBe(400);
	});
});

describe('Amazon Bedrock (OpenAI-compatible) against the test server playing Bedrock', () => {
	beforeEach(() => server.configure({ apiKey: 'platform-key-0000', fineTuning: { stepMs: 10, platform: 'bedrock' } }));

	it('uploads and runs supervised and reinforcement jobs with the Bedrock API key as Bearer', async () => {
		const provider = providerAt('bedrock', `${root}/v1`, 'bearer');
		expect(provider.name).toBe('Amazon Bedrock');
		const file = await provider.uploadFile({ filename: 'train.jsonl', content: TRAINING });
		const job = await provider.createJob({ model: 'openai.gpt-oss-20b', trainingFile: file.id, method: 'supervised', suffix: 'bedrock' });
		const done = await waitForJob(provider, job.id, { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 5000, sleep });
		expect(done).toMatchObject({ status: 'succeeded', fineTunedModel: `ft:openai.gpt-oss-20b:mock:bedrock:${job.id.slice(-8)}` });
		const rft = await provider.createJob({ model: 'openai.gpt-oss-20b', trainingFile: file.id, method: 'reinforcement', grader: GRADER });
		expect(server.fineTuning.jobs.get(rft.id)?.method).toMatchObject({ type: 'reinforcement', reinforcement: { grader: GRADER } });
		expect(server.received.every((r) => r.headers.authorization === 'Bearer platform-key-0000' && r.headers['api-key'] === undefined)).toBe(true);
	});

	it('says what Bedrock lacks (DPO, pause, resume, grader validation, the Azure tier) and sends nothing', async () => {
		const provider = providerAt('bedrock', `${root}/v1`, 'bearer');
		await expect(provider.pauseJob('ftjob-1')).rejects.toThrow('Amazon Bedrock does not support pausing a job');
		await expect(provider.resumeJob('ftjob-1')).rejects.toThrow('Amazon Bedrock does not support resuming a job');
		await expect(provider.validateGrader(GRADER)).rejects.toThrow('Amazon Bedrock does not support validating a grader');
		expect(() => provider.checkJob({ model: 'm', trainingFile: 'f', method: 'dpo' })).toThrow('Amazon Bedrock does not support dpo fine-tuning');
		expect(() => provider.checkJob({ model: 'm', trainingFile: 'f', method: 'supervised', trainingTier: 'Standard' })).toThrow('Amazon Bedrock does not support Training Tier (an Azure OpenAI option); remove it');
		expect(provider.operations.has('pause')).toBe(false);
		const apiKeyHeader = providerAt('bedrock', `${root}/v1`, 'apiKey');
		await expect(apiKeyHeader.listJobs({})).rejects.toThrow(/^Amazon Bedrock takes its API key as "Authorization: Bearer"/);
		expect(server.received).toEqual([]);
		// What the server playing Bedrock answers when a request gets there anyway.
		const viaApiKey = await fetch(`${root}/v1/fine_tuning/jobs`, { headers: { 'api-key': 'platform-key-0000' } });
		expect(viaApiKey.status).toBe(401);
		const paused = await fetch(`${root}/v1/fine_tuning/jobs/ftjob-1/pause`, { method: 'POST', headers: { authorization: 'Bearer platform-key-0000' } });
		expect(paused.status).toBe(404);
	});
});
