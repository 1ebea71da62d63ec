/**
 * The package in real n8n (2.41.1 on Node 24): packed with npm, installed the way users install
 * community nodes (`<user folder>/.n8n/nodes/node_modules`), and run headless with `n8n execute`.
 */
import { rmSync } from 'node:fs';
import { MockOpenAiServer } from '../server/mockOpenAiServer';
import { exampleFile, judgedText, productCopyAnswer } from './examples';
import { executeWorkflow, INSTALL_TIMEOUT_MS, prepareN8n } from './n8n';

const API_KEY = 'sk-e2e-smoke-8c2d4b6f0a';
const WORKFLOW_ID = 'rewardLoopSmoke01';

function workflow() {
	return {
		id: WORKFLOW_ID,
		name: 'Reward loop smoke test',
		active: false,
		settings: { executionOrder: 'v1' },
		connections: {
			Start: { main: [[{ node: 'Topics', type: 'main', index: 0 }]] },
			Topics: { main: [[{ node: 'One Per Item', type: 'main', index: 0 }]] },
			'One Per Item': { main: [[{ node: 'Generate Text', type: 'main', index: 0 }]] },
			'Generate Text': { main: [[{ node: 'Score Output', type: 'main', index: 0 }]] },
		},
		nodes: [
			{ id: 'n1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'n2',
				name: 'Topics',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [200, 0],
				parameters: { mode: 'raw', jsonOutput: '{ "topic": ["alpha", "beta", "gamma"] }', options: {} },
			},
			{
				id: 'n3',
				name: 'One Per Item',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [400, 0],
				parameters: { fieldToSplitOut: 'topic', options: {} },
			},
			{
				id: 'n4',
				name: 'Generate Text',
				type: 'n8n-nodes-reward-loop.generateText',
				typeVersion: 1,
				position: [600, 0],
				parameters: {
					model: { __rl: true, mode: 'id', value: 'mock-small' },
					promptSource: 'prompt',
					prompt: '=Write about {{ $json.topic }}',
					systemMessage: 'Be brief.',
					options: { n: 2, logprobs: true, concurrency: 3 },
				},
				credentials: { openAiCompatibleApi: { id: 'rlSmokeCred01', name: 'Mock endpoint' } },
			},
			{
				id: 'n5',
				name: 'Score Output',
				type: 'n8n-nodes-reward-loop.scoreOutput',
				typeVersion: 1,
				position: [800, 0],
				parameters: {
					mode: 'scorers',
					textField: 'text',
					scorers: {
						scorer: [
							{ name: 'on_topic', type: 'contains', values: 'alpha\ngamma', weight: 1 },
							{ name: 'close', type: 'text_similarity', metric: 'rouge_l', reference: '={{ "Echo: Write about " + $json.topic }}', weight: 1 },
						],
					},
					threshold: 0.6,
					route: true,
				},
			},
		],
	};
}

describe('real n8n', () => {
	let server: MockOpenAiServer;
	let work: string;
	let env: NodeJS.ProcessEnv;
	let n8n: string;
	let importWorkflow: (definition: { id: string }) => Promise<void>;

	beforeAll(async () => {
		server = new MockOpenAiServer({ apiKey: API_KEY });
		await server.start();
		const instance = await prepareN8n('reward-loop-e2e-');
		({ work, env, bin: n8n } = instance);
		importWorkflow = instance.importWorkflow;
		await instance.importCredentials(
			['rlSmokeCred01', 'rlExampleCred01'].map((id) => ({ id, name: `Mock endpoint ${id}`, type: 'openAiCompatibleApi', data: { apiKey: API_KEY, baseUrl: server.url } })),
		);
	}, INSTALL_TIMEOUT_MS + 180_000);

	afterAll(async () => {
		await server.stop();
		rmSync(work, { recursive: true, force: true });
	});
	beforeEach(() => server.reset());

	/** Imports a workflow and runs it with `n8n execute`; returns the run JSON and everything printed. */
	async function execute(definition: { id: string; [key: string]: unknown }): Promise<{ result: any; printed: string }> {
		await importWorkflow(definition);
		return executeWorkflow({ bin: n8n, env, work }, definition.id, 120_000);
	}

	it('loads the installed package and runs generateText, then scoreOutput with Pass / Fail routing', async () => {
		const { result, printed } = await execute(workflow());
		const runData = result.data.resultData.runData;
		expect(result.data.resultData.error).toBeUndefined();
		const output = runData['Generate Text'][0].data.main[0];
		expect(output).toHaveLength(3);
		['alpha', 'beta', 'gamma'].forEach((topic, i) => {
			expect(output[i].json.text).toBe(`Echo: Write about ${topic} #1`);
			expect(output[i].json.candidates).toHaveLength(2);
			expect(output[i].json.perplexity).toBeCloseTo(Math.exp(-output[i].json.meanLogprob), 12);
			expect(output[i].json.usage.totalTokens).toBeGreaterThan(0);
			expect(output[i].pairedItem).toEqual({ item: i });
		});
		expect(runData['Generate Text'][0].metadata?.tokenUsage?.inputTokens).toBeGreaterThan(0);
		// Score Output routes alpha and gamma to Pass, beta to Fail.
		const [passed, failed] = runData['Score Output'][0].data.main;
		expect(passed.map((item: { json: { text: string } }) => item.json.text)).toEqual(['Echo: Write about alpha #1', 'Echo: Write about gamma #1']);
		expect(failed.map((item: { pairedItem: unknown }) => item.pairedItem)).toEqual([{ item: 1 }]);
		expect(passed[0].json.scores.on_topic.score).toBe(1);
		expect(passed[0].json.reward).toBeGreaterThan(0.6);
		expect(server.counters.completed).toBe(3);
		expect(server.received.every((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
		expect(printed).not.toContain(API_KEY);
	}, 180_000);

	it('builds and validates a training file with Fine-Tune (binary data in real n8n)', async () => {
		const demonstrations = Array.from({ length: 12 }, (_, i) => ({ prompt: `Question ${i}?`, response: `Answer ${i}.` }));
		const { result } = await execute({
			id: 'rewardLoopFtBuild1',
			name: 'Fine-Tune build and validate',
			active: false,
			settings: { executionOrder: 'v1' },
			connections: {
				Start: { main: [[{ node: 'Examples', type: 'main', index: 0 }]] },
				Examples: { main: [[{ node: 'One Per Item', type: 'main', index: 0 }]] },
				'One Per Item': { main: [[{ node: 'Build', type: 'main', index: 0 }]] },
				Build: { main: [[{ node: 'Validate', type: 'main', index: 0 }]] },
			},
			nodes: [
				{ id: 'f1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: 'f2', name: 'Examples', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [200, 0], parameters: { mode: 'raw', jsonOutput: JSON.stringify({ rows: demonstrations }), options: {} } },
				{ id: 'f3', name: 'One Per Item', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [400, 0], parameters: { fieldToSplitOut: 'rows', options: {} } },
				{
					id: 'f4',
					name: 'Build',
					type: 'n8n-nodes-reward-loop.fineTune',
					typeVersion: 1,
					position: [600, 0],
					parameters: { provider: 'export', operation: 'buildDataset', kind: 'supervised', format: 'openai', datasetFields: { systemMessage: 'Be brief.' } },
				},
				{
					id: 'f5',
					name: 'Validate',
					type: 'n8n-nodes-reward-loop.fineTune',
					typeVersion: 1,
					position: [800, 0],
					parameters: { provider: 'export', operation: 'validate', binaryProperty: 'data', validateOptions: { model: 'gpt-4.1-mini' } },
				},
			],
		});
		expect(result.data.resultData.error).toBeUndefined();
		const built = result.data.resultData.runData.Build[0].data.main[0][0];
		expect(built.json).toMatchObject({ items: 12, train: 12, duplicates: 0 });
		expect(built.binary.data).toMatchObject({ fileName: 'training.jsonl', mimeType: 'application/jsonl' });
		const report = result.data.resultData.runData.Validate[0].data.main[0][0].json;
		expect(report).toMatchObject({ ok: true, examples: 12, kind: 'supervised', encoding: 'o200k_base' });
		expect(report.estimate.epochs).toBe(8);
	}, 180_000);


	it('example: product copy with guardrails routes clean copy to Publish and advertising to Review', async () => {
		server.configure({ apiKey: API_KEY, answer: productCopyAnswer });
		const { result } = await execute(exampleFile('product-copy-guardrails.json'));
		expect(result.data.resultData.error).toBeUndefined();
		const runData = result.data.resultData.runData;
		const published = runData.Publish[0].data.main[0];
		const review = runData.Review[0].data.main[0];
		expect(published.map((item: { json: { name: string } }) => item.json.name)).toEqual(['Trail phone']);
		expect(published[0].json).toMatchObject({ pass: true, scores: { no_ads: { pass: true }, features: { score: 0.9 }, length: { pass: true } } });
		expect(review.map((item: { json: { name: string } }) => item.json.name)).toEqual(['City phone']);
		expect(review[0].json).toMatchObject({ pass: false, reward: 0 });
		expect(review[0].json.reason).toMatch(/^must pass: no_ads failed \(/);
	}, 180_000);

	it('example: best-of-N plus refine reaches the threshold in round 2, with preference pairs', async () => {
		server.configure({
			apiKey: API_KEY,
			answer: ({ body }) => {
				const judge = judgedText(body);
				if (judge !== undefined) return JSON.stringify({ steps: [], result: judge.includes('charge capacity') ? 9 : 4 });
				const refining = (body.messages ?? []).some((m) => m.role === 'assistant');
				return { choices: Array.from({ length: body.n ?? 1 }, (_, i) => ({ content: refining ? `mAh is the charge capacity: how much current for how long (${i}).` : `It is a number on the box (${i}).` })) };
			},
		});
		const { result } = await execute(exampleFile('best-of-n-refine.json'));
		expect(result.data.resultData.error).toBeUndefined();
		const [done] = result.data.resultData.runData['Reward Loop'][0].data.main[0];
		expect(done.json).toMatchObject({ text: 'mAh is the charge capacity: how much current for how long (0).', pass: true, roundsUsed: 2, candidatesTried: 6, stopReason: 'threshold' });
		expect(done.json.reward).toBeCloseTo((1 + 2 * 0.9) / 3, 10);
		expect(done.json.preferencePairs.dpo).toHaveLength(3);
		expect(done.json.feedback[0]).toContain('mentions_capacity: does not contain any of');
	}, 180_000);

	it('example: the closed loop, from preference pairs to a DPO job to the new model, scored against the base model, and a Reward Report on a held-out set', async () => {
		server.configure({
			apiKey: API_KEY,
			fineTuning: { stepMs: 20 },
			answer: ({ body }) => {
				if (String(body.model).startsWith('ft:')) return 'The battery lasts two days.';
				// Asked alone, the base model rambles: the comparison at the end must see the difference.
				if (!body.n) return 'It lasts long, honestly, more than you would ever need in a single day of heavy use and then some more.';
				const texts = ['The battery lasts two days.', 'It lasts long, honestly, more than you would ever need in a single day of heavy use and then some more.', 'Two days.'];
				return { choices: texts.slice(0, body.n ?? 1).map((content) => ({ content })) };
			},
		});
		// The example waits 30 s between polls for real providers; the test server finishes a job in 0.1 s.
		const example = exampleFile('closed-loop.json');
		example.nodes.find((node: { name: string }) => node.name === 'Wait for the Model').parameters.pollSeconds = 0.05;
		const { result } = await execute(example);
		expect(result.data.resultData.error).toBeUndefined();
		const runData = result.data.resultData.runData;
		const build = runData['Build DPO File'][0].data.main[0][0].json;
		expect(build).toMatchObject({ kind: 'preference', items: 2, examples: 4, duplicates: 0, train: 4 });
		const job = runData['Wait for the Model'][0].data.main[0][0].json;
		expect(job).toMatchObject({ status: 'succeeded', fine_tuned_model: expect.stringMatching(/^ft:gpt-4.1-mini-2025-04-14:mock:battery:/) });
		const stored = server.fineTuning.jobs.get(job.id);
		expect(stored?.method).toEqual({ type: 'dpo', dpo: { hyperparameters: { beta: 0.1 } } });
		const trainingRows = [...server.fineTuning.files.values()][0].content.trim().split('\n').map((line: string) => JSON.parse(line));
		expect(trainingRows[0]).toEqual({
			input: { messages: [{ role: 'user', content: 'What does mAh mean?' }] },
			preferred_output: [{ role: 'assistant', content: 'The battery lasts two days.' }],
			non_preferred_output: [{ role: 'assistant', content: 'It lasts long, honestly, more than you would ever need in a single day of heavy use and then some more.' }],
		});
		expect(trainingRows[1].non_preferred_output[0].content).toBe('Two days.');
		const [base, tuned] = runData['Score Both'][0].data.main[0].map((item: { json: Record<string, unknown> }) => item.json);
		expect(base).toMatchObject({ label: 'base', model: 'gpt-4.1-mini-2025-04-14', reward: 0.5, pass: false });
		expect(tuned).toMatchObject({ label: 'fine-tuned', model: job.fine_tuned_model, text: 'The battery lasts two days.', reward: 1, pass: true });
		expect(runData['Compare Rewards'][0].data.main[0].map((item: { json: unknown }) => item.json)).toEqual([
			{ baseReward: 0.5, fineTunedReward: 1, gain: 0.5, fineTunedModel: job.fine_tuned_model },
		]);
		// The held-out set: six questions, both models each; the report pairs them by id.
		const heldOut = runData['Score Held-Out'][0].data.main[0].map((item: { json: Record<string, unknown> }) => item.json);
		expect(heldOut).toHaveLength(12);
		const [report] = runData['Held-Out Report'][0].data.main[0];
		const { summary } = report.json;
		expect(summary.n).toBe(12);
		for (const variant of summary.variants) {
			const rewards = heldOut.filter((item: Record<string, unknown>) => item.label === variant.variant).map((item: Record<string, unknown>) => item.reward as number);
			expect(variant.n).toBe(6);
			expect(variant.meanReward).toBeCloseTo(rewards.reduce((a: number, b: number) => a + b, 0) / rewards.length, 12);
		}
		expect(summary.variants.map((v: { variant: string; meanReward: number }) => [v.variant, v.meanReward])).toEqual([
			['base', 0.5],
			['fine-tuned', 1],
		]);
		expect(summary.comparisons[0]).toMatchObject({ baseline: 'base', variant: 'fine-tuned', pairs: 6, wins: 6, ties: 0, losses: 0, fixedCount: 6, pValueTest: 'wilcoxon signed-rank (normal)' });
		expect(summary.comparisons[0].meanDifference).toBeCloseTo(0.5, 12);
		expect(report.binary.report.mimeType).toBe('text/html');
	}, 180_000);

	it('example: best-of-1 against best-of-4 ends with a Reward Report whose summary matches the loop\'s items', async () => {
		// Round 1: candidates 0 and 1 are poor, 2 and 3 good; a refine round helps only battery questions.
		server.configure({
			apiKey: API_KEY,
			answer: ({ body }) => {
				const refining = (body.messages ?? []).some((m) => m.role === 'assistant');
				const question = String(body.messages?.[0]?.content ?? '');
				if (refining) return question.includes('battery') ? 'The battery charge lasts longer.' : 'Hard to say really.';
				return { choices: Array.from({ length: body.n ?? 1 }, (_, i) => ({ content: i < 2 ? 'It depends.' : 'The battery capacity is what matters here.' })) };
			},
		});
		const { result } = await execute(exampleFile('best-of-n-report.json'));
		expect(result.data.resultData.error).toBeUndefined();
		const runData = result.data.resultData.runData;
		const looped = runData['Reward Loop'][0].data.main[0].map((item: { json: Record<string, unknown> }) => item.json);
		expect(looped).toHaveLength(16);
		const [report] = runData['Reward Report'][0].data.main[0];
		const { summary } = report.json;
		expect(summary.n).toBe(16);
		for (const variant of summary.variants) {
			const rewards = looped.filter((item: Record<string, unknown>) => item.variant === variant.variant).map((item: Record<string, unknown>) => item.reward as number);
			expect(variant.n).toBe(rewards.length);
			expect(variant.meanReward).toBeCloseTo(rewards.reduce((a: number, b: number) => a + b, 0) / rewards.length, 12);
		}
		expect(summary.comparisons[0]).toMatchObject({ baseline: 'best-of-1', variant: 'best-of-4', pairs: 8, wins: 2, ties: 6, losses: 0, fixed: ['q3', 'q4'] });
		expect(report.binary.report).toMatchObject({ mimeType: 'text/html', fileName: 'best-of-1-against-best-of-4.html' });
		expect(report.binary.chart).toMatchObject({ mimeType: 'image/svg+xml' });
	}, 180_000);

	it('runs the external-reward example: Reward Loop through a real Code node until the reward is reached', async () => {
		// Round 1 never mentions the battery; a refine round (carrying the feedback) does.
		server.configure({
			apiKey: API_KEY,
			answer: ({ body }) => {
				const refining = (body.messages ?? []).some((m) => m.role === 'assistant');
				return { choices: Array.from({ length: body.n ?? 1 }, (_, i) => ({ content: refining ? `Battery for two days, option ${i}.` : `A nice phone, option ${i}.` })) };
			},
		});
		const { result } = await execute(exampleFile('external-reward-loop.json'));
		expect(result.data.resultData.error).toBeUndefined();
		const runs = result.data.resultData.runData['Reward Loop'];
		const done = runs.flatMap((task: { data: { main: unknown[][] } }) => task.data.main[0] ?? []);
		expect(done).toHaveLength(1);
		expect(done[0].json).toMatchObject({ text: 'Battery for two days, option 0.', reward: 1, pass: true, roundsUsed: 2, candidatesTried: 4, stopReason: 'threshold' });
		expect(runs).toHaveLength(3);
		const refine = server.received[1].body as { messages: Array<{ role: string; content: string }> };
		expect(refine.messages[2].content).toContain('mention the battery');
	}, 180_000);
});
