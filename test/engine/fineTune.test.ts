import type { IBinaryData, IDataObject, INode } from 'n8n-workflow';
import { chain, CODE_TYPE, NODE_NAME, outputOf, runError, runWorkflow, useTrainedModelNode, workflowNode } from './harness';
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
const fileText = (binary: IBinaryData | undefined) => Buffer.from(binary?.data ?? '', 'base64').toString('utf8');
const lines = (binary: IBinaryData | undefined) => fileText(binary).trim().split('\n').map((line) => JSON.parse(line));
const node = (name: string, parameters: IDataObject, position: number, extra: Partial<INode> = {}): INode =>
	workflowNode(name, NODE, parameters, position, {
		openAiCompatibleApi: { id: 'cred-openAiCompatibleApi', name: 'Test' },
		togetherAiApi: { id: 'cred-togetherAiApi', name: 'Test' },
	}, extra);

const demonstrations = Array.from({ length: 12 }, (_, i) => ({ prompt: `Question ${i}?`, response: `Answer ${i}.` }));

describe('Fine-Tune in n8n\'s engine', () => {
	it('builds supervised rows in each format, exactly', async () => {
		const expectations: Record<string, unknown> = {
			openai: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Question 0?' }, { role: 'assistant', content: 'Answer 0.' }] },
			trl: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Question 0?' }, { role: 'assistant', content: 'Answer 0.' }] },
			sharegpt: { conversations: [{ from: 'system', value: 'Be brief.' }, { from: 'human', value: 'Question 0?' }, { from: 'gpt', value: 'Answer 0.' }] },
			alpaca: { instruction: 'Question 0?', input: '', output: 'Answer 0.', system: 'Be brief.' },
		};
		for (const [format, first] of Object.entries(expectations)) {
			const run = await runWorkflow({
				nodeType: NODE,
				parameters: { provider: 'export', operation: 'buildDataset', kind: 'supervised', format, datasetFields: { systemMessage: 'Be brief.' } },
				items: [...demonstrations, demonstrations[0]],
			});
			expect(runError(run)).toBeUndefined();
			const [out] = outputOf(run);
			expect(out.json).toMatchObject({ items: 13, examples: 13, rows: 13, duplicates: 1, train: 12, validation: 0 });
			const rows = lines(out.binary?.data);
			expect(rows).toHaveLength(12);
			expect(rows[0]).toEqual(first);
			expect(out.binary?.data.fileName).toBe('training.jsonl');
		}
	});

	it('builds preference rows from the Reward Loop\'s pairs, and splits a validation file with a seed', async () => {
		const prompt = [{ role: 'user', content: 'Describe the phone' }];
		const pair = (chosen: string, rejected: string) => ({ input: { messages: prompt }, preferred_output: [{ role: 'assistant', content: chosen }], non_preferred_output: [{ role: 'assistant', content: rejected }] });
		const items = [{ preferencePairs: { dpo: [pair('battery lasts', 'meh'), pair('battery lasts', 'no')] } }];
		const run = await runWorkflow({ nodeType: NODE, parameters: { provider: 'export', operation: 'buildDataset', kind: 'preference', format: 'trl' }, items });
		expect(lines(outputOf(run)[0].binary?.data)).toEqual([
			{ prompt, chosen: [{ role: 'assistant', content: 'battery lasts' }], rejected: [{ role: 'assistant', content: 'meh' }] },
			{ prompt, chosen: [{ role: 'assistant', content: 'battery lasts' }], rejected: [{ role: 'assistant', content: 'no' }] },
		]);
		const split = async (seed: number) => {
			const out = outputOf(
				await runWorkflow({
					nodeType: NODE,
					parameters: { provider: 'export', operation: 'buildDataset', kind: 'supervised', format: 'openai', datasetOptions: { validationFraction: 0.3, seed } },
					items: Array.from({ length: 60 }, (_, i) => ({ prompt: `q${i}`, response: `a${i}` })),
				}),
			)[0];
			return { train: fileText(out.binary?.data), validation: fileText(out.binary?.validation), counts: out.json };
		};
		const [a, b, c] = [await split(1), await split(1), await split(2)];
		expect(a).toEqual(b);
		expect(a.validation).not.toEqual(c.validation);
		expect(Number(a.counts.validation)).toBeGreaterThan(5);
		expect(Number(a.counts.train) + Number(a.counts.validation)).toBe(60);
	});

	it('an item that cannot become an example names the item and the field (or is listed with Continue On Fail)', async () => {
		const items = [{ prompt: 'q', response: 'a' }, { prompt: 'q only' }];
		const stopped = await runWorkflow({ nodeType: NODE, parameters: { provider: 'export', operation: 'buildDataset', kind: 'supervised', format: 'openai' }, items });
		expect(runError(stopped)?.message).toMatch(/^Item 1: .*response/);
		const tolerant = await runWorkflow({ nodeType: NODE, parameters: { provider: 'export', operation: 'buildDataset', kind: 'supervised', format: 'openai' }, items, continueOnFail: true });
		expect(outputOf(tolerant)[0].json).toMatchObject({ train: 1, failedItems: 1 });
		expect(String((outputOf(tolerant)[0].json.problems as string[])[0])).toMatch(/^Item 1: /);
	});

	it('validation reports each defect with its line, token counts and an estimate', async () => {
		const good = (i: number) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: `a${i}` }] });
		const fileLines = [
			...Array.from({ length: 10 }, (_, i) => good(i)),
			JSON.stringify({ messages: [{ role: 'user', content: 'no answer' }] }),
			JSON.stringify({ messages: [{ role: 'robot', content: 'x' }, { role: 'assistant', content: 'y' }] }),
			'{not json',
			JSON.stringify({ messages: [{ role: 'user', content: 'q', colour: 'red' }, { role: 'assistant', content: 'a' }] }),
			JSON.stringify({ messages: [{ role: 'user', content: '   ' }, { role: 'assistant', content: 'a' }] }),
			JSON.stringify({ prompt: 'not a chat' }),
			JSON.stringify({ messages: [{ content: 'who am I' }, { role: 'assistant', content: 'a' }] }),
		];
		const run = await runWorkflow({
			nodeType: CODE_TYPE,
			parameters: { jsCode: `return [{ $binary: { data: { data: ${JSON.stringify(fileLines.join('\n'))}, fileName: 'train.jsonl' } } }];` },
			items: [{}],
			extra: {
				nodes: [node('Validate', { provider: 'export', operation: 'validate', binaryProperty: 'data', validateOptions: { pricePerMillionTokens: 25 } }, 2)],
				connections: chain(NODE_NAME, 'Validate'),
			},
		});
		expect(runError(run)).toBeUndefined();
		const report = run.data.resultData.runData.Validate[0].data?.main[0]?.[0].json as IDataObject;
		expect(report.ok).toBe(false);
		expect((report.errors as IDataObject[]).map((e) => [e.line, e.code])).toEqual([
			[11, 'example_missing_assistant_message'],
			[12, 'unrecognized_role'],
			[13, 'invalid_json'],
			[14, 'message_unrecognized_key'],
			[15, 'empty_content'],
			[16, 'unrecognized_key'],
			[16, 'missing_messages_list'],
			[17, 'message_missing_key'],
		]);
		expect(report.examples).toBe(17);
		expect((report.estimate as IDataObject).epochs).toBe(10);
		expect((report.estimate as IDataObject).cost).toBeGreaterThan(0);
	});

	for (const provider of ['openai', 'together'] as const) {
		it(`${provider}: build → upload → create → wait, and the fine_tuned_model runs in Generate Text`, async () => {
			const creds = provider === 'together' ? { credentials: credentials(), otherCredentials: together() } : { credentials: credentials() };
			const run = await runWorkflow({
				nodeType: NODE,
				parameters: { provider, operation: 'buildDataset', kind: 'supervised', format: 'openai' },
				items: demonstrations,
				...creds,
				extra: {
					nodes: [
						node('Upload', { provider, operation: 'uploadFile', binaryProperty: 'data' }, 2),
						node('Create', { provider, operation: 'createJob', model: 'mock-small', trainingFile: '={{ $json.id }}', method: 'supervised', jobOptions: { suffix: 'support', nEpochs: '2' } }, 3),
						node('Wait', { provider, operation: 'waitForCompletion', jobId: '={{ $json.id }}', timeoutMinutes: 1, pollSeconds: 0.02 }, 4),
						useTrainedModelNode(),
					],
					connections: chain(NODE_NAME, 'Upload', 'Create', 'Wait', 'Use It'),
				},
			});
			expect(runError(run)).toBeUndefined();
			const data = run.data.resultData.runData;
			const job = data.Wait[0].data?.main[0]?.[0].json as IDataObject;
			expect(job).toMatchObject({ status: 'succeeded' });
			expect(String(job.fine_tuned_model)).toMatch(/^ft:mock-small:mock:support:/);
			const used = data['Use It'][0].data?.main[0]?.[0].json as IDataObject;
			expect(used.model).toBe(job.fine_tuned_model);
			const stored = [...server.fineTuning.files.values()][0];
			expect(stored.content.trim().split('\n')).toHaveLength(12);
		});
	}

	it('cancels a running job, and says what a provider lacks', async () => {
		server.configure({ fineTuning: { stepMs: 10_000 } });
		const file = await fetch(`${testServer.baseUrl}/files`, { method: 'POST', body: (() => { const f = new FormData(); f.append('purpose', 'fine-tune'); f.append('file', new Blob(['{}']), 't.jsonl'); return f; })() }).then((r) => r.json() as Promise<{ id: string }>);
		const created = await runWorkflow({ nodeType: NODE, parameters: { provider: 'openai', operation: 'createJob', model: 'm', trainingFile: file.id, method: 'supervised' }, items: [{}], credentials: credentials() });
		const id = String(outputOf(created)[0].json.id);
		const cancelled = await runWorkflow({ nodeType: NODE, parameters: { provider: 'openai', operation: 'cancelJob', jobId: id }, items: [{}], credentials: credentials() });
		expect(outputOf(cancelled)[0].json).toMatchObject({ id, status: 'cancelled' });
		const paused = await runWorkflow({ nodeType: NODE, parameters: { provider: 'together', operation: 'pauseJob', jobId: id }, items: [{}], credentials: credentials(), otherCredentials: together() });
		expect(runError(paused)?.message).toBe('Item 0: Together AI does not support pausing a job');
		const rft = await runWorkflow({ nodeType: NODE, parameters: { provider: 'together', operation: 'createJob', model: 'm', trainingFile: file.id, method: 'reinforcement', grader: '{}' }, items: [{}], credentials: credentials(), otherCredentials: together() });
		expect(runError(rft)?.message).toBe('Item 0: Together AI does not support reinforcement fine-tuning');
	});
});
