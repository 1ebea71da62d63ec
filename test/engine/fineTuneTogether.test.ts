/**
 * Fine-Tune's Together AI options in n8n's engine, against the test server's Together routes: SFT,
 * then DPO (with RPO and SimPO) from the SFT job's checkpoint, the new model in Generate Text, and
 * Together's own price estimate in Validate's report.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { chain, CODE_TYPE, NODE_NAME, runError, runWorkflow, useTrainedModelNode, workflowNode } from './harness';
import { useTestServer } from './testServer';

const NODE = 'n8n-nodes-reward-loop.fineTune';
const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({ fineTuning: { stepMs: 10 } });
	server.reset();
});

const credentials = () => ({ apiKey: 'sk-ft-engine-1234567', baseUrl: testServer.baseUrl });
const together = () => ({ togetherAiApi: { apiKey: 'together-engine-key', baseUrl: testServer.baseUrl } });
const node = (name: string, parameters: IDataObject, position: number): INode =>
	workflowNode(name, NODE, parameters, position, { togetherAiApi: { id: 'cred-togetherAiApi', name: 'Test' } });
const pair = (i: number) => ({
	preferencePairs: {
		dpo: [{ input: { messages: [{ role: 'user', content: `Question ${i}?` }] }, preferred_output: [{ role: 'assistant', content: `Answer ${i}.` }], non_preferred_output: [{ role: 'assistant', content: 'No.' }] }],
	},
});
const fineTuneBody = (jobId: string) => (server.fineTuning.jobs.get(jobId)?.method as { together: IDataObject }).together;

describe('Fine-Tune on Together AI: DPO variants, from_checkpoint and the price estimate', () => {
	it('SFT, then DPO with RPO and SimPO from its checkpoint: build → upload → create → wait, and the new model runs in Generate Text', async () => {
		const sft = await runWorkflow({
			nodeType: NODE,
			parameters: { provider: 'together', operation: 'buildDataset', kind: 'supervised', format: 'openai' },
			items: Array.from({ length: 12 }, (_, i) => ({ prompt: `Question ${i}?`, response: `Answer ${i}.` })),
			credentials: credentials(),
			otherCredentials: together(),
			extra: {
				nodes: [
					node('Upload', { provider: 'together', operation: 'uploadFile', binaryProperty: 'data' }, 2),
					node('Create', { provider: 'together', operation: 'createJob', model: 'meta-llama/Llama-3.2-3B-Instruct', trainingFile: '={{ $json.id }}', method: 'supervised', jobOptions: { suffix: 'sft' } }, 3),
					node('Wait', { provider: 'together', operation: 'waitForCompletion', jobId: '={{ $json.id }}', timeoutMinutes: 1, pollSeconds: 0.02 }, 4),
				],
				connections: chain(NODE_NAME, 'Upload', 'Create', 'Wait'),
			},
		});
		expect(runError(sft)).toBeUndefined();
		const sftJob = sft.data.resultData.runData.Wait[0].data?.main[0]?.[0].json as IDataObject;
		expect(sftJob.status).toBe('succeeded');

		const dpo = await runWorkflow({
			nodeType: NODE,
			parameters: { provider: 'together', operation: 'buildDataset', kind: 'preference', format: 'openai' },
			items: Array.from({ length: 12 }, (_, i) => pair(i)),
			credentials: credentials(),
			otherCredentials: together(),
			extra: {
				nodes: [
					node('Upload', { provider: 'together', operation: 'uploadFile', binaryProperty: 'data' }, 2),
					node(
						'Create',
						{
							provider: 'together',
							operation: 'createJob',
							model: 'meta-llama/Llama-3.2-3B-Instruct',
							trainingFile: '={{ $json.id }}',
							method: 'dpo',
							jobOptions: { suffix: 'dpo', beta: '0.2', rpoAlpha: 0.4, simpoGamma: 0.5, fromCheckpoint: `${String(sftJob.id)}:10` },
						},
						3,
					),
					node('Wait', { provider: 'together', operation: 'waitForCompletion', jobId: '={{ $json.id }}', timeoutMinutes: 1, pollSeconds: 0.02 }, 4),
					useTrainedModelNode(),
				],
				connections: chain(NODE_NAME, 'Upload', 'Create', 'Wait', 'Use It'),
			},
		});
		expect(runError(dpo)).toBeUndefined();
		const data = dpo.data.resultData.runData;
		const job = data.Wait[0].data?.main[0]?.[0].json as IDataObject;
		expect(job).toMatchObject({ status: 'succeeded' });
		expect(fineTuneBody(String(job.id))).toMatchObject({
			from_checkpoint: `${String(sftJob.id)}:10`,
			training_method: { method: 'dpo', dpo_beta: 0.2, rpo_alpha: 0.4, simpo_gamma: 0.5, dpo_reference_free: true, dpo_normalize_logratios_by_length: true },
		});
		expect((data['Use It'][0].data?.main[0]?.[0].json as IDataObject).model).toBe(job.fine_tuned_model);
	});

	it('names the item and the field when a DPO option is out of its limit or on a supervised job, before anything is sent', async () => {
		const create = (jobOptions: IDataObject, method = 'dpo') =>
			runWorkflow({ nodeType: NODE, parameters: { provider: 'together', operation: 'createJob', model: 'm', trainingFile: 'file-1', method, jobOptions }, items: [{}], credentials: credentials(), otherCredentials: together() });
		expect(runError(await create({ rpoAlpha: -1 }))?.message).toBe('Item 0: RPO Alpha (DPO): -1 is outside the limit (a number at least 0)');
		expect(runError(await create({ simpoGamma: 0.5 }, 'supervised'))?.message).toBe("Item 0: SimPO Gamma (DPO): is for preference (DPO) jobs only; this job's Method is supervised");
		expect(runError(await create({ fromCheckpoint: 'ft-1:0' }))?.message).toMatch(/^Item 0: From Checkpoint: the step in "ft-1:0" is not a whole number above 0/);
		const openai = await runWorkflow({ nodeType: NODE, parameters: { provider: 'openai', operation: 'createJob', model: 'm', trainingFile: 'file-1', method: 'dpo', jobOptions: { rpoAlpha: 0.5 } }, items: [{}], credentials: credentials() });
		expect(runError(openai)?.message).toBe('Item 0: OpenAI-compatible does not support RPO Alpha (DPO) (a Together AI option); remove it');
		expect(server.received).toEqual([]);
	});

	it("Validate's report carries Together's own estimate for the uploaded file, beside the one from the price given", async () => {
		const rows = Array.from({ length: 12 }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: `a${i}` }] })).join('\n');
		// The same file uploaded to Together first (Upload File's output carries no binary for Validate to read).
		const form = new FormData();
		form.append('purpose', 'fine-tune');
		form.append('file', new Blob([rows]), 'train.jsonl');
		const uploaded = (await fetch(`${testServer.baseUrl}/files/upload`, { method: 'POST', body: form }).then((r) => r.json())) as { id: string };
		server.reset();
		const run = await runWorkflow({
			nodeType: CODE_TYPE,
			parameters: { jsCode: `return [{ $binary: { data: { data: ${JSON.stringify(rows)}, fileName: 'train.jsonl' } } }];` },
			items: [{}],
			credentials: credentials(),
			otherCredentials: together(),
			extra: {
				nodes: [
					node(
						'Validate',
						{
							provider: 'together',
							operation: 'validate',
							binaryProperty: 'data',
							validateOptions: { epochs: '2', pricePerMillionTokens: 3, togetherFileId: uploaded.id, togetherModel: 'meta-llama/Llama-3.2-3B-Instruct' },
						},
						2,
					),
				],
				connections: chain(NODE_NAME, 'Validate'),
			},
		});
		expect(runError(run)).toBeUndefined();
		const report = run.data.resultData.runData.Validate?.[0].data?.main[0]?.[0].json as IDataObject | undefined;
		expect(report).toBeDefined();
		const estimate = report!.estimate as IDataObject;
		const file = server.fineTuning.files.get(uploaded.id)!;
		const tokens = Math.ceil(file.bytes / 4) * 2;
		expect(estimate.together).toEqual({ source: 'together', estimatedTotalPrice: (tokens / 1_000_000) * 0.48, allowedToProceed: true, userLimit: 100, estimatedTrainTokens: tokens, estimatedEvalTokens: 0 });
		expect(estimate).toMatchObject({ epochs: 2, pricePerMillionTokens: 3, costFrom: 'pricePerMillionTokens × trainedTokens (counted here)' });
		expect(Number(estimate.cost)).toBeCloseTo((Number(estimate.trainedTokens) / 1_000_000) * 3, 10);
		expect(server.received.find((r) => r.path === '/fine-tunes/estimate-price')?.body).toMatchObject({ training_file: file.id, n_epochs: 2, model: 'meta-llama/Llama-3.2-3B-Instruct', training_method: { method: 'sft' } });
	});
});
