/**
 * Fine-Tune on the platforms behind the OpenAI-Compatible API credential that differ from OpenAI:
 * Azure OpenAI (v1 API, api-key header, /openai/v1) and Amazon Bedrock (OpenAI-compatible, Bearer
 * API key, /v1), each played by the test server (test/server/fineTuning.ts, `platform`), through
 * n8n's engine: the full lifecycle, and a clear error for what a platform lacks.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { chain, NODE_NAME, runError, runWorkflow, useTrainedModelNode, workflowNode } from './harness';
import { useTestServer } from './testServer';

const NODE = 'n8n-nodes-reward-loop.fineTune';
const KEY = 'platform-engine-key-1234';
const testServer = useTestServer({ apiKey: KEY });
const { server } = testServer;
const root = () => testServer.baseUrl.replace(/\/v1$/, '');

const PLATFORMS = {
	azure: { credential: () => ({ apiKey: KEY, baseUrl: `${root()}/openai/v1`, authHeader: 'apiKey', fineTunePlatform: 'azure' }), model: 'gpt-4.1-mini-2025-04-14', header: 'api-key' },
	bedrock: { credential: () => ({ apiKey: KEY, baseUrl: `${root()}/v1`, authHeader: 'bearer', fineTunePlatform: 'bedrock' }), model: 'openai.gpt-oss-20b', header: 'authorization' },
} as const;

const demonstrations = Array.from({ length: 12 }, (_, i) => ({ prompt: `Question ${i}?`, response: `Answer ${i}.` }));
const node = (name: string, parameters: IDataObject, position: number): INode =>
	workflowNode(name, NODE, parameters, position, { openAiCompatibleApi: { id: 'cred-openAiCompatibleApi', name: 'Test' } });

describe('Fine-Tune on Azure OpenAI and Amazon Bedrock, in n8n\'s engine', () => {
	for (const [platform, setup] of Object.entries(PLATFORMS)) {
		it(`${platform}: build → upload → create → wait, and the fine_tuned_model runs in Generate Text`, async () => {
			server.configure({ apiKey: KEY, fineTuning: { stepMs: 10, platform: platform as 'azure' | 'bedrock' } });
			server.reset();
			const jobOptions = platform === 'azure' ? { suffix: 'support', nEpochs: '2', trainingTier: 'developerTier' } : { suffix: 'support', nEpochs: '2' };
			const run = await runWorkflow({
				nodeType: NODE,
				parameters: { provider: 'openai', operation: 'buildDataset', kind: 'supervised', format: 'openai' },
				items: demonstrations,
				credentials: setup.credential(),
				extra: {
					nodes: [
						node('Upload', { provider: 'openai', operation: 'uploadFile', binaryProperty: 'data' }, 2),
						node('Create', { provider: 'openai', operation: 'createJob', model: setup.model, trainingFile: '={{ $json.id }}', method: 'supervised', jobOptions }, 3),
						node('Wait', { provider: 'openai', operation: 'waitForCompletion', jobId: '={{ $json.id }}', timeoutMinutes: 1, pollSeconds: 0.02 }, 4),
						useTrainedModelNode(),
					],
					connections: chain(NODE_NAME, 'Upload', 'Create', 'Wait', 'Use It'),
				},
			});
			expect(runError(run)).toBeUndefined();
			const data = run.data.resultData.runData;
			const job = data.Wait[0].data?.main[0]?.[0].json as IDataObject;
			expect(job).toMatchObject({ status: 'succeeded' });
			expect(String(job.fine_tuned_model)).toMatch(new RegExp(`^ft:${setup.model.replace('.', '\\.')}:mock:support:`));
			const used = data['Use It'][0].data?.main[0]?.[0].json as IDataObject;
			expect(used.model).toBe(job.fine_tuned_model);
			// Every request went to the platform's mount with its key header, and nothing was refused.
			const fineTuning = server.received.filter((r) => r.path.startsWith('/files') || r.path.startsWith('/fine_tuning'));
			expect(fineTuning.length).toBeGreaterThanOrEqual(3);
			for (const request of fineTuning) expect(request.headers[setup.header]).toBe(setup.header === 'authorization' ? `Bearer ${KEY}` : KEY);
			const created = server.received.find((r) => r.method === 'POST' && r.path === '/fine_tuning/jobs')?.body as IDataObject;
			expect(created).toMatchObject({ model: setup.model, suffix: 'support', method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 2 } } } });
			if (platform === 'azure') expect(created.trainingType).toBe('developerTier');
			else expect(created).not.toHaveProperty('trainingType');
			expect(server.counters.unauthorized).toBe(0);
			expect([...server.fineTuning.files.values()][0].content.trim().split('\n')).toHaveLength(12);
		});
	}

	it('says what a platform lacks, naming it, before anything is sent', async () => {
		server.configure({ apiKey: KEY, fineTuning: { stepMs: 10_000, platform: 'bedrock' } });
		server.reset();
		const bedrock = PLATFORMS.bedrock.credential();
		const paused = await runWorkflow({ nodeType: NODE, parameters: { provider: 'openai', operation: 'pauseJob', jobId: 'ftjob-1' }, items: [{}], credentials: bedrock });
		expect(runError(paused)?.message).toBe('Item 0: Amazon Bedrock does not support pausing a job');
		const dpo = await runWorkflow({ nodeType: NODE, parameters: { provider: 'openai', operation: 'createJob', model: 'm', trainingFile: 'file-1', method: 'dpo' }, items: [{}], credentials: bedrock });
		expect(runError(dpo)?.message).toBe('Item 0: Amazon Bedrock does not support dpo fine-tuning');
		const tier = await runWorkflow({
			nodeType: NODE,
			parameters: { provider: 'openai', operation: 'createJob', model: 'm', trainingFile: 'file-1', method: 'supervised', jobOptions: { trainingTier: 'GlobalStandard' } },
			items: [{}],
			credentials: bedrock,
		});
		expect(runError(tier)?.message).toBe('Item 0: Amazon Bedrock does not support Training Tier (an Azure OpenAI option); remove it');
		const viaApiKey = await runWorkflow({ nodeType: NODE, parameters: { provider: 'openai', operation: 'listJobs', limit: 5 }, items: [{}], credentials: { ...bedrock, authHeader: 'apiKey' } });
		expect(runError(viaApiKey)?.message).toMatch(/^Item 0: Amazon Bedrock takes its API key as "Authorization: Bearer"/);
		server.configure({ apiKey: KEY, fineTuning: { stepMs: 10_000, platform: 'azure' } });
		const azureRoot = await runWorkflow({ nodeType: NODE, parameters: { provider: 'openai', operation: 'listJobs', limit: 5 }, items: [{}], credentials: { ...PLATFORMS.azure.credential(), baseUrl: root() } });
		expect(runError(azureRoot)?.message).toMatch(/^Item 0: Azure OpenAI's fine-tuning API \(v1\) is at http:\/\/127\.0\.0\.1:\d+\/openai\/v1: set the credential's Base URL to that/);
		expect(server.received.filter((r) => r.path.startsWith('/fine_tuning'))).toEqual([]);
	});
});
