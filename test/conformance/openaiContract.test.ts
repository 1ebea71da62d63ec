/**
 * Every request the nodes send must conform to OpenAI's published API contract. The nodes run in
 * n8n's engine against Stoplight Prism serving OpenAI's OpenAPI description, which answers 422 to
 * any request that breaks it. Later nodes add their endpoints and operations here.
 */
import type { IDataObject, ILoadOptionsFunctions } from 'n8n-workflow';
import { outputOf, PACKAGE_ROOT, runError, runWorkflow } from '../engine/harness';
import { createOpenAiBatchProvider } from '../../core/batch/openaiBatches';
import { OpenAiCompatibleProvider } from '../../core/finetune/providers/openaiCompatible';
import { apiCallerFor, createHttpClient } from '../../core/transport/http';
import { conformanceSuite, CONTRACT_PATHS, startPrismPeer, type PrismPeer } from './prismPeer';

const { suite, specFile } = conformanceSuite('OpenAPI conformance suite');

const MODEL = { __rl: true, mode: 'id', value: 'gpt-4.1-mini' };
const SCHEMA = {
	type: 'object',
	properties: { verdict: { type: 'string', enum: ['pass', 'fail'] }, reasons: { type: 'array', items: { type: 'string' } } },
	required: ['verdict', 'reasons'],
	additionalProperties: false,
};

interface Case {
	name: string;
	parameters: IDataObject;
	items?: IDataObject[];
	credentials?: IDataObject;
}

const prompt = (options: IDataObject, extra: IDataObject = {}): IDataObject => ({
	model: MODEL,
	promptSource: 'prompt',
	prompt: '={{ $json.q }}',
	options,
	...extra,
});

const CASES: Case[] = [
	{ name: 'defaults: a prompt only', parameters: prompt({}) },
	{
		name: 'system message and sampling options',
		parameters: prompt(
			{ temperature: 0.7, topP: 0.9, maxCompletionTokens: 256, presencePenalty: 0.5, frequencyPenalty: -0.5 },
			{ systemMessage: 'Answer in one sentence.' },
		),
	},
	{ name: 'legacy max_tokens and one stop sequence', parameters: prompt({ maxTokens: 128, stop: 'END' }) },
	{ name: 'JSON object output', parameters: prompt({}, { responseFormat: 'json_object' }) },
	{
		name: 'JSON schema, not strict',
		parameters: prompt({}, { responseFormat: 'json_schema', schemaName: 'verdict', jsonSchema: JSON.stringify(SCHEMA), strict: false }),
	},
	{
		name: 'JSON schema with n, logprobs, stop, seed and extra body parameters together',
		parameters: prompt(
			{
				n: 3,
				logprobs: true,
				topLogprobs: 5,
				stop: '["\\n\\n", "END"]',
				seed: 7,
				temperature: 1.2,
				extraBody: '{"service_tier": "auto", "store": false, "metadata": {"run": "conformance"}, "user": "conformance-suite"}',
			},
			{ responseFormat: 'json_schema', schemaName: 'verdict', jsonSchema: JSON.stringify(SCHEMA), strict: true },
		),
	},
	{
		name: 'scheduling options (concurrency, retries, timeout, requests per minute)',
		parameters: prompt({ concurrency: 3, maxRetries: 1, timeout: 30_000, requestsPerMinute: 600 }),
		items: [{ q: 'one' }, { q: 'two' }, { q: 'three' }, { q: 'four' }],
	},
	{
		name: 'a message list with every role and content parts',
		parameters: { model: MODEL, promptSource: 'messages', messagesField: 'conversation', options: { maxCompletionTokens: 64 } },
		items: [
			{
				conversation: [
					{ role: 'developer', content: 'Follow the house style.' },
					{ role: 'system', content: [{ type: 'text', text: 'You are terse.' }] },
					{
						role: 'user',
						content: [
							{ type: 'text', text: 'What is in this picture?' },
							{ type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
						],
						name: 'alice',
					},
					{
						role: 'assistant',
						content: null,
						tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }],
					},
					{ role: 'tool', content: 'A cat on a mat.', tool_call_id: 'call_1' },
					{ role: 'assistant', content: 'A cat.' },
					{ role: 'user', content: 'Thanks.' },
				],
			},
		],
	},
	{
		name: 'organization, project and extra headers',
		parameters: prompt({}),
		credentials: { organization: 'org-conformance', project: 'proj_conformance', extraHeaders: '{"X-Title": "conformance"}' },
	},
];

suite('OpenAI API contract (Stoplight Prism)', () => {
	let peer: PrismPeer;

	beforeAll(async () => {
		peer = await startPrismPeer(specFile(), CONTRACT_PATHS);
	}, 90_000);
	afterAll(async () => peer?.stop());

	const credentials = (extra: IDataObject = {}) => ({ apiKey: 'sk-conformance-0000', baseUrl: peer.baseUrl, ...extra });

	it.each(CASES.map((c) => [c.name, c] as const))('Generate Text: %s', async (_name, testCase) => {
		const before = peer.exchanges.length;
		const items = testCase.items ?? [{ q: 'Is this request valid?' }];
		const run = await runWorkflow({
			parameters: testCase.parameters,
			items,
			credentials: credentials(testCase.credentials),
			// Prism's placeholder answers ("string") are not JSON: only the requests are under test here.
			continueOnFail: true,
		});
		expect(runError(run)).toBeUndefined();
		const sent = peer.exchanges.slice(before);
		expect(peer.violations(sent)).toEqual([]);
		expect(sent.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual(items.map(() => 'POST /chat/completions 200'));
		expect(outputOf(run)).toHaveLength(items.length);
	});

	it('Generate Text: the model list (GET /models) conforms', async () => {
		// The built code, as n8n runs it.
		const { searchModels } = (await import(`${PACKAGE_ROOT}/dist/nodes/shared/modelSearch`)) as typeof import('../../nodes/shared/modelSearch');
		const context = {
			getCredentials: async () => credentials(),
			getNode: () => ({ name: 'Generate Text' }),
		} as unknown as ILoadOptionsFunctions;
		const before = peer.exchanges.length;
		const result = await searchModels.call(context);
		expect(peer.exchanges.slice(before).map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual(['GET /models 200']);
		expect(result.results.length).toBeGreaterThan(0);
	});

	const JUDGES: Array<[string, IDataObject]> = [
		['rubric judge (score_model)', { name: 'quality', type: 'score_model', model: 'gpt-4.1-mini', rubric: 'Is it accurate for {{item.topic}}?', rangeMin: 0, rangeMax: 10, passThreshold: 6 }],
		['label judge (label_model)', { name: 'tone', type: 'label_model', model: 'gpt-4.1-mini', rubric: 'Is it polite?', labels: 'polite, rude', passingLabels: 'polite' }],
		['select-best judge', { name: 'best', type: 'select_best', model: 'gpt-4.1-mini', criteria: 'Most helpful for {{item.topic}}' }],
		['embedding similarity (/embeddings)', { name: 'close', type: 'embedding_similarity', embeddingModel: 'text-embedding-3-small', reference: '{{item.reference}}' }],
	];

	it.each(JUDGES)('Score Output: %s', async (_name, scorer) => {
		const before = peer.exchanges.length;
		const run = await runWorkflow({
			nodeType: 'n8n-nodes-reward-loop.scoreOutput',
			parameters: { mode: 'scorers', textField: 'text', scorers: { scorer: [scorer] }, options: { maxRetries: 0 } },
			items: [{ text: 'The battery lasts a day.', topic: 'phones', reference: 'A full day of battery.', candidates: ['The battery lasts a day.', 'It is a phone.'] }],
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(runError(run)).toBeUndefined();
		const sent = peer.exchanges.slice(before);
		expect(peer.violations(sent)).toEqual([]);
		const path = scorer.type === 'embedding_similarity' ? '/embeddings' : '/chat/completions';
		expect(sent.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([`POST ${path} 200`]);
	});

	it('Score Output: OpenAI grader JSON with judges inside multi', async () => {
		const before = peer.exchanges.length;
		const grader = {
			type: 'multi',
			name: 'combined',
			graders: {
				score: { type: 'score_model', name: 'score', model: 'gpt-4.1-mini', input: [{ role: 'user', content: 'Rate {{sample.output_text}} for {{item.topic}}' }], range: [1, 5], sampling_params: { seed: 1, top_p: 1 } },
				label: { type: 'label_model', name: 'label', model: 'gpt-4.1-mini', input: [{ role: 'user', content: '{{sample.output_text}}' }], labels: ['ok', 'bad'], passing_labels: ['ok'] },
			},
			calculate_output: '(score + label) / 2',
		};
		const run = await runWorkflow({
			nodeType: 'n8n-nodes-reward-loop.scoreOutput',
			parameters: { mode: 'grader', textField: 'text', grader: JSON.stringify(grader), options: { maxRetries: 0 } },
			items: [{ text: 'Fine.', topic: 'phones' }],
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(runError(run)).toBeUndefined();
		const sent = peer.exchanges.slice(before);
		expect(peer.violations(sent)).toEqual([]);
		expect(sent.map((e) => e.status)).toEqual([200, 200]);
	});

	it('Reward Loop: best-of-N with n, a refine round, a critique, and N single requests', async () => {
		const before = peer.exchanges.length;
		const parameters = {
			rewardSource: 'scorers',
			model: MODEL,
			promptSource: 'prompt',
			prompt: '={{ $json.q }}',
			systemMessage: 'Be brief.',
			responseFormat: 'text',
			options: { maxRetries: 0, temperature: 0.9, seed: 3 },
			candidatesPerRound: 3,
			maxRounds: 2,
			mode: 'scorers',
			scorers: { scorer: [{ name: 'battery', type: 'contains', values: 'battery' }] },
			threshold: 0.9,
			loopOptions: { critiqueModel: 'gpt-4.1-mini' },
		};
		const withN = await runWorkflow({ nodeType: 'n8n-nodes-reward-loop.rewardLoop', parameters, items: [{ q: 'Describe the phone' }], credentials: credentials() });
		expect(runError(withN)).toBeUndefined();
		const sent = peer.exchanges.slice(before);
		expect(peer.violations(sent)).toEqual([]);
		// Round 1 (n = 3), the critique, round 2 (n = 3) carrying the best answer and the feedback.
		expect(sent.map((e) => e.status)).toEqual([200, 200, 200]);
		const bodies = sent.map((e) => JSON.parse(e.requestBody) as { n?: number; messages: Array<{ role: string }> });
		expect(bodies[0].n).toBe(3);
		expect(bodies[2].messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);

		const single = peer.exchanges.length;
		await runWorkflow({
			nodeType: 'n8n-nodes-reward-loop.rewardLoop',
			parameters: { ...parameters, maxRounds: 1, loopOptions: { useN: false } },
			items: [{ q: 'Describe the phone' }],
			credentials: credentials(),
		});
		const singles = peer.exchanges.slice(single);
		expect(peer.violations(singles)).toEqual([]);
		expect(singles.map((e) => e.status)).toEqual([200, 200, 200]);
	});

	it('Fine-tune provider: files, every job operation, the three methods and a grader', async () => {
		const before = peer.exchanges.length;
		const http = createHttpClient({ baseUrl: peer.baseUrl, apiKey: 'sk-conformance-0000' });
		const provider = new OpenAiCompatibleProvider(apiCallerFor(http));
		const content = Buffer.from('{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}\n');
		await provider.uploadFile({ filename: 'train.jsonl', content });
		const grader = { type: 'string_check', name: 'exact', input: '{{sample.output_text}}', reference: '{{item.answer}}', operation: 'eq' };
		await provider.createJob({
			model: 'gpt-4.1-mini',
			trainingFile: 'file-abc',
			validationFile: 'file-def',
			method: 'supervised',
			hyperparameters: { nEpochs: 3, batchSize: 'auto', learningRateMultiplier: 0.5 },
			suffix: 'support',
			seed: 7,
			metadata: { run: 'conformance' },
		});
		await provider.createJob({ model: 'gpt-4.1-mini', trainingFile: 'file-abc', method: 'dpo', hyperparameters: { beta: 0.1, nEpochs: 'auto' } });
		await provider.createJob({
			model: 'o4-mini',
			trainingFile: 'file-abc',
			method: 'reinforcement',
			grader,
			hyperparameters: { reasoningEffort: 'medium', computeMultiplier: 'auto', evalInterval: 5, evalSamples: 'auto' },
		});
		await provider.validateGrader(grader);
		await provider.getJob('ftjob-abc');
		await provider.listJobs({ limit: 5, after: 'ftjob-abc' });
		await provider.cancelJob('ftjob-abc');
		await provider.pauseJob('ftjob-abc');
		await provider.resumeJob('ftjob-abc');
		await provider.listEvents('ftjob-abc', { limit: 5 });
		await provider.listCheckpoints('ftjob-abc', { limit: 5 });
		const sent = peer.exchanges.slice(before);
		expect(peer.violations(sent)).toEqual([]);
		expect(sent.map((e) => `${e.method} ${e.path.split('?')[0]} ${e.status}`)).toEqual([
			'POST /files 200',
			'POST /fine_tuning/jobs 200',
			'POST /fine_tuning/jobs 200',
			'POST /fine_tuning/jobs 200',
			'POST /fine_tuning/alpha/graders/validate 200',
			'GET /fine_tuning/jobs/ftjob-abc 200',
			'GET /fine_tuning/jobs 200',
			'POST /fine_tuning/jobs/ftjob-abc/cancel 200',
			'POST /fine_tuning/jobs/ftjob-abc/pause 200',
			'POST /fine_tuning/jobs/ftjob-abc/resume 200',
			'GET /fine_tuning/jobs/ftjob-abc/events 200',
			'GET /fine_tuning/jobs/ftjob-abc/checkpoints 200',
		]);
		http.close();
	});

	it('Batch API (issue 20): Generate Text\'s Batch: Submit, and every route of the batch provider', async () => {
		const before = peer.exchanges.length;
		const run = await runWorkflow({
			parameters: { mode: 'batchSubmit', ...prompt({ temperature: 0.3, seed: 3 }, { responseFormat: 'json_schema', schemaName: 'verdict', jsonSchema: JSON.stringify(SCHEMA) }) },
			items: [{ q: 'first' }, { q: 'second' }],
			credentials: credentials(),
			executionId: 'conformance-exec',
		});
		expect(runError(run)).toBeUndefined();
		expect(outputOf(run).map((item) => (item.json.batchRequest as IDataObject).customId)).toEqual(['item-0', 'item-1']);

		const http = createHttpClient({ baseUrl: peer.baseUrl, apiKey: 'sk-conformance-0000' });
		const provider = createOpenAiBatchProvider(apiCallerFor(http));
		await provider.getBatch('batch_abc');
		await provider.listBatches({ limit: 5, after: 'batch_abc' });
		await provider.cancelBatch('batch_abc');
		await provider.downloadFile('file-abc');
		http.close();
		const sent = peer.exchanges.slice(before);
		expect(peer.violations(sent)).toEqual([]);
		// Submit looks for this execution's batches first: Prism's list says has_more with the same last id, so one page more, then no further.
		expect(sent.map((e) => `${e.method} ${e.path.split('?')[0]} ${e.status}`)).toEqual([
			'GET /batches 200',
			'GET /batches 200',
			'POST /files 200',
			'POST /batches 200',
			'GET /batches/batch_abc 200',
			'GET /batches 200',
			'POST /batches/batch_abc/cancel 200',
			'GET /files/file-abc/content 200',
		]);
	});

	it('guard: a request that breaks the contract gets 422, so validation cannot be silently skipped', async () => {
		const before = peer.exchanges.length;
		const run = await runWorkflow({
			parameters: prompt({ extraBody: '{"temperature": "hot"}' }),
			items: [{ q: 'too hot' }],
			credentials: credentials(),
			continueOnFail: true,
		});
		const [exchange] = peer.exchanges.slice(before);
		expect(exchange.status).toBe(422);
		expect(exchange.responseBody).toContain('temperature');
		expect(String(outputOf(run)[0].json.error)).toMatch(/^Item 0: 422 /);
	});

	it('the retry path: Prism\'s 429 is retried, then only that item fails', async () => {
		const before = peer.exchanges.length;
		const run = await runWorkflow({
			parameters: prompt({ maxRetries: 1 }),
			items: [{ q: 'rate limited' }],
			credentials: credentials({ extraHeaders: '{"Prefer": "code=429"}' }),
			continueOnFail: true,
		});
		const sent = peer.exchanges.slice(before);
		expect(sent.map((e) => e.status)).toEqual([429, 429]);
		expect(outputOf(run)[0].json.error).toMatch(/^Item 0: 429 .*\(after 2 attempts\)$/);
	}, 30_000);
});
