/**
 * Fine-Tune's requests keep the provider's limits (issue 17): every bad value is refused before any
 * request leaves, naming the item, the field, the value and the limit; what the test server refuses
 * comes back in the server's own words, whatever its JSON media type.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import type { ChatBody } from '../server/mockOpenAiServer';
import { NODE_NAME, outputOf, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const NODE = 'n8n-nodes-reward-loop.fineTune';
const SCORE = 'n8n-nodes-reward-loop.scoreOutput';
const API_KEY = 'sk-ft-limits-9f8e7d6c5b';
const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({ fineTuning: { stepMs: 10_000 } });
	server.reset();
});

const credentials = () => ({ apiKey: API_KEY, baseUrl: testServer.baseUrl });
const together = () => ({ togetherAiApi: { apiKey: 'together-limits-key-1234', baseUrl: testServer.baseUrl } });
/** Requests that reached the fine-tuning or files endpoints (of either provider). */
const fineTuningRequests = () => server.received.filter((r) => /^\/(fine_tuning|fine-tunes|files)/.test(r.path));

async function uploadedFile(): Promise<string> {
	const form = new FormData();
	form.append('purpose', 'fine-tune');
	form.append('file', new Blob(['{"messages":[]}']), 't.jsonl');
	const file = (await fetch(`${testServer.baseUrl}/files`, { method: 'POST', body: form }).then((r) => r.json())) as { id: string };
	server.reset();
	return file.id;
}

const createJob = (provider: 'openai' | 'together', parameters: IDataObject, items: IDataObject[] = [{}], continueOnFail = false) =>
	runWorkflow({
		nodeType: NODE,
		parameters: { provider, operation: 'createJob', model: 'mock-small', method: 'supervised', ...parameters },
		items,
		credentials: credentials(),
		otherCredentials: together(),
		continueOnFail,
	});

describe('Fine-Tune checks every value against the provider\'s limits before sending', () => {
	const long = (n: number) => 'x'.repeat(n);
	const many = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'])));
	it.each([
		['openai', { jobOptions: { nEpochs: '51' } }, 'Epochs: 51 is outside the limit (an integer from 1 to 50)'],
		['openai', { jobOptions: { nEpochs: '2.5' } }, 'Epochs: 2.5 is not a whole number (an integer from 1 to 50)'],
		['openai', { jobOptions: { nEpochs: 'many' } }, 'Epochs: "many" is not a number or auto (an integer from 1 to 50, or auto)'],
		['openai', { jobOptions: { batchSize: '257' } }, 'Batch Size: 257 is outside the limit (an integer from 1 to 256)'],
		['openai', { jobOptions: { batchSize: '0' } }, 'Batch Size: 0 is outside the limit (an integer from 1 to 256)'],
		['openai', { jobOptions: { learningRateMultiplier: '0' } }, 'Learning Rate Multiplier: 0 is outside the limit (a number above 0)'],
		['openai', { method: 'dpo', jobOptions: { beta: '0' } }, 'Beta (DPO): 0 is outside the limit (a number above 0 and at most 2)'],
		['openai', { method: 'dpo', jobOptions: { beta: '2.5' } }, 'Beta (DPO): 2.5 is outside the limit (a number above 0 and at most 2)'],
		['openai', { jobOptions: { seed: 2147483648 } }, 'Seed: 2147483648 is outside the limit (an integer from 0 to 2147483647)'],
		['openai', { jobOptions: { seed: -1 } }, 'Seed: -1 is outside the limit (an integer from 0 to 2147483647)'],
		['openai', { jobOptions: { seed: 1.5 } }, 'Seed: 1.5 is not a whole number (an integer from 0 to 2147483647)'],
		['openai', { jobOptions: { seed: '={{ "7" }}' } }, 'Seed: "7" is not a number (an integer from 0 to 2147483647)'],
		['openai', { jobOptions: { suffix: long(65) } }, 'Suffix: 65 characters, more than the limit of 64'],
		['openai', { jobOptions: { metadata: many(17) } }, 'Metadata (JSON): 17 keys, more than the limit of 16'],
		['openai', { jobOptions: { metadata: JSON.stringify({ [long(65)]: 'v' }) } }, `Metadata (JSON): the key "${long(65)}" has 65 characters, more than the limit of 64`],
		['openai', { jobOptions: { metadata: JSON.stringify({ run: long(513) }) } }, 'Metadata (JSON): the value of "run" has 513 characters, more than the limit of 512'],
		['openai', { jobOptions: { metadata: JSON.stringify({ run: 7 }) } }, 'Metadata (JSON): the value of "run" is 7, not text (metadata values are strings of at most 512 characters)'],
		['openai', { jobOptions: { metadata: '["a"]' } }, 'Metadata (JSON): must be a JSON object'],
		['together', { jobOptions: { nEpochs: '21' } }, 'Epochs: 21 is outside the limit (an integer from 1 to 20)'],
		['together', { jobOptions: { suffix: long(41) } }, 'Suffix: 41 characters, more than the limit of 40'],
		['together', { method: 'dpo', jobOptions: { beta: '-0.1' } }, 'Beta (DPO): -0.1 is outside the limit (a number above 0)'],
		['together', { jobOptions: { metadata: '{"run":"a"}' } }, 'Metadata (JSON): Together AI takes no metadata; remove it'],
	] as const)('%s %j: refused, nothing sent', async (provider, parameters, problem) => {
		const trainingFile = await uploadedFile();
		const run = await createJob(provider, { trainingFile, ...parameters });
		expect(runError(run)?.message).toBe(`Item 0: ${problem}`);
		expect(fineTuningRequests()).toEqual([]);
	});

	it('a list limit that is not a whole number of at least 1 is refused before the request', async () => {
		for (const [operation, limit] of [['listJobs', 0], ['listEvents', 1.5], ['listCheckpoints', -3]] as const) {
			const run = await runWorkflow({ nodeType: NODE, parameters: { provider: 'openai', operation, jobId: 'ftjob-1', limit }, items: [{}], credentials: credentials() });
			expect(runError(run)?.message).toBe(`Item 0: Limit: ${limit} is outside the limit (an integer at least 1)`.replace('1.5 is outside the limit', '1.5 is not a whole number'));
		}
		expect(fineTuningRequests()).toEqual([]);
	});

	it('a bad value in a later item fails the run before the first item\'s job is created; with Continue On Fail the others go on', async () => {
		const trainingFile = await uploadedFile();
		const items = [{ epochs: 3 }, { epochs: 99 }, { epochs: 4 }];
		const parameters = { trainingFile, jobOptions: { nEpochs: '={{ $json.epochs }}' } };
		const stopped = await createJob('openai', parameters, items);
		expect(runError(stopped)?.message).toBe('Item 1: Epochs: 99 is outside the limit (an integer from 1 to 50)');
		expect(fineTuningRequests()).toEqual([]);
		const tolerant = await createJob('openai', parameters, items, true);
		const out = outputOf(tolerant);
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[1].json).toEqual({ error: 'Item 1: Epochs: 99 is outside the limit (an integer from 1 to 50)' });
		expect(fineTuningRequests().map((r) => (r.body as { method: { supervised: { hyperparameters: IDataObject } } }).method.supervised.hyperparameters.n_epochs)).toEqual([3, 4]);
	});

	it('a Training File ID expression that finds nothing names the item and the field; "undefined" is never sent', async () => {
		const trainingFile = await uploadedFile();
		const run = await createJob('openai', { trainingFile: '={{ $json.id }}' }, [{ id: trainingFile }, { name: 'no id here' }]);
		expect(runError(run)?.message).toBe('Item 1: Training File ID: is empty (its expression {{ $json.id }} found nothing in this item)');
		expect(fineTuningRequests()).toEqual([]);
	});

	it('seed 0 is sent, and metadata of text values within the limits', async () => {
		const trainingFile = await uploadedFile();
		const run = await createJob('openai', { trainingFile, jobOptions: { seed: 0, metadata: '{"run":"nightly","owner":"docs"}' } });
		expect(runError(run)).toBeUndefined();
		const [sent] = fineTuningRequests();
		expect(sent.body).toMatchObject({ seed: 0, metadata: { run: 'nightly', owner: 'docs' } });
		expect(outputOf(run)[0].json.raw).toMatchObject({ seed: 0 });
		const onTogether = await createJob('together', { trainingFile, jobOptions: { seed: 0 } });
		expect(runError(onTogether)).toBeUndefined();
		expect(fineTuningRequests()[1].body).toMatchObject({ random_seed: 0 });
	});
});

describe('Graders exported by Score Output into reinforcement jobs', () => {
	const scoreThenTrain = async (scorer: IDataObject, trainingFile: string) => {
		const train: INode = {
			id: 'train',
			name: 'Train',
			type: NODE,
			typeVersion: 1,
			position: [400, 0],
			parameters: { provider: 'openai', operation: 'createJob', model: 'o4-mini', trainingFile, method: 'reinforcement', grader: '={{ JSON.stringify($json.grader) }}' },
			credentials: { openAiCompatibleApi: { id: 'cred-openAiCompatibleApi', name: 'Test' } },
		};
		return runWorkflow({
			nodeType: SCORE,
			parameters: { mode: 'scorers', textField: 'text', scorers: { scorer: [scorer] }, options: { includeGrader: true } },
			items: [{ text: 'a' }],
			credentials: credentials(),
			extra: { nodes: [train], connections: { [NODE_NAME]: { main: [[{ node: 'Train', type: 'main', index: 0 }]] } } },
		});
	};
	const trainError = (run: Awaited<ReturnType<typeof runWorkflow>>) => (run.data.resultData.runData.Train?.[0]?.error ?? run.data.resultData.error)?.message;

	it('"no equivalent" is never sent as a grader: the error names the scorer', async () => {
		const trainingFile = await uploadedFile();
		const run = await scoreThenTrain({ name: 'rx', type: 'regex', pattern: 'a' }, trainingFile);
		expect(trainError(run)).toBe('Item 0: Grader JSON: Score Output found no grader equivalent for its configuration: rx: OpenAI has no grader for "regex"; reinforcement fine-tuning needs a grader');
		expect(fineTuningRequests()).toEqual([]);
	});

	it('label_model is not exported for reinforcement, and a label_model grader is refused', async () => {
		server.configure({ fineTuning: { stepMs: 10_000 }, answer: () => JSON.stringify({ steps: [], label: 'good' }) });
		const trainingFile = await uploadedFile();
		const run = await scoreThenTrain({ name: 'tone', type: 'label_model', model: 'judge', rubric: 'Is it polite?', labels: 'good, bad', passingLabels: 'good' }, trainingFile);
		const scored = run.data.resultData.runData[NODE_NAME][0].data?.main[0]?.[0].json as IDataObject;
		expect(scored.grader).toEqual({ none: 'tone: reinforcement fine-tuning takes no label_model grader (use a score_model judge to export it)' });
		expect(trainError(run)).toMatch(/^Item 0: Grader JSON: Score Output found no grader equivalent for its configuration: tone: reinforcement fine-tuning takes no label_model grader/);
		const label = { type: 'label_model', name: 'tone', model: 'judge', input: [{ role: 'user', content: '{{sample.output_text}}' }], labels: ['good', 'bad'], passing_labels: ['good'] };
		for (const grader of [label, { type: 'multi', name: 'reward', graders: { tone: label }, calculate_output: 'tone' }]) {
			const direct = await createJob('openai', { trainingFile, method: 'reinforcement', grader: JSON.stringify(grader) });
			expect(runError(direct)?.message).toMatch(/^Item 0: Grader JSON: (the grader|graders\.tone) \("tone"\) is a label_model grader, which reinforcement fine-tuning does not take/);
		}
		expect(fineTuningRequests()).toEqual([]);
	});

	it('a grader whose fields the API would refuse is refused before the job, alone or inside multi (found by the property suite)', async () => {
		const trainingFile = await uploadedFile();
		const check = { type: 'string_check', name: 'a', input: '{{sample.output_text}}', reference: '{{item.label}}', operation: 'eq' };
		const cases: Array<[IDataObject, RegExp]> = [
			[{ ...check, operation: 'bogus' }, /^Item 0: Grader JSON: the grader \("a"\): operation: /],
			[{ type: 'score_model', name: 'b', model: 'judge', input: [], range: [0, 1] }, /^Item 0: Grader JSON: the grader \("b"\): input: /],
			[{ type: 'python', name: 'p', source: '' }, /^Item 0: Grader JSON: the grader \("p"\): source: /],
			[
				{ type: 'multi', name: 'combined', graders: { a: check, c: { type: 'text_similarity', name: 'c', input: 'x', reference: 'y', evaluation_metric: 'bogus' } }, calculate_output: 'a' },
				/^Item 0: Grader JSON: graders\.c \("c"\): evaluation_metric "bogus" is not one of cosine, fuzzy_match, bleu, gleu, meteor, rouge_1/,
			],
		];
		for (const [grader, message] of cases) {
			const run = await createJob('openai', { trainingFile, method: 'reinforcement', grader: JSON.stringify(grader) });
			expect(runError(run)?.message).toMatch(message);
		}
		expect(fineTuningRequests()).toEqual([]);
		// A metric the API takes but that does not run here (meteor) is still sent.
		const meteor = await createJob('openai', { trainingFile, method: 'reinforcement', grader: JSON.stringify({ type: 'text_similarity', name: 'm', input: 'x', reference: 'y', evaluation_metric: 'meteor' }) });
		expect(runError(meteor)).toBeUndefined();
	});

	it('a model grader\'s sampling_params the API would refuse are refused before the job, alone or inside multi (found by the property suite, seed 2098498576)', async () => {
		const trainingFile = await uploadedFile();
		const judge = (sampling_params: IDataObject): IDataObject => ({ type: 'score_model', name: 's', model: 'judge', input: [{ role: 'user', content: 'Rate {{sample.output_text}}' }], range: [0, 1], sampling_params });
		const cases: Array<[IDataObject, string]> = [
			[judge({ reasoning_effort: 'bogus' }), 'Item 0: Grader JSON: the grader ("s"): sampling_params.reasoning_effort: "bogus" is not one of none, minimal, low, medium, high, xhigh, max'],
			[judge({ seed: 1.5 }), 'Item 0: Grader JSON: the grader ("s"): sampling_params.seed: 1.5 is not a whole number (an integer from -9007199254740991 to 9007199254740991)'],
			[judge({ max_completions_tokens: 0 }), 'Item 0: Grader JSON: the grader ("s"): sampling_params.max_completions_tokens: 0 is outside the limit (an integer at least 1)'],
			[
				{ type: 'multi', name: 'combined', graders: { s: judge({ temperature: 2.5 }) }, calculate_output: 's' },
				'Item 0: Grader JSON: graders.s ("s"): sampling_params.temperature: 2.5 is outside the limit (a number from 0 to 2)',
			],
		];
		for (const [grader, message] of cases) {
			const run = await createJob('openai', { trainingFile, method: 'reinforcement', grader: JSON.stringify(grader) });
			expect(runError(run)?.message).toBe(message);
		}
		expect(fineTuningRequests()).toEqual([]);
		// Values the API takes are sent as they are (null is the server's default).
		const fine = await createJob('openai', { trainingFile, method: 'reinforcement', grader: JSON.stringify(judge({ reasoning_effort: 'low', seed: 7, max_completions_tokens: 16, temperature: null })) });
		expect(runError(fine)).toBeUndefined();
		expect((fineTuningRequests()[0] as { body: { method: { reinforcement: { grader: IDataObject } } } }).body.method.reinforcement.grader.sampling_params).toEqual({ reasoning_effort: 'low', seed: 7, max_completions_tokens: 16, temperature: null });
	});

	it('a multi grader keeps its name → grader map in the job', async () => {
		const trainingFile = await uploadedFile();
		const grader = {
			type: 'multi',
			name: 'reward',
			graders: { exact: { type: 'string_check', name: 'exact', input: '{{sample.output_text}}', reference: '{{item.answer}}', operation: 'eq' } },
			calculate_output: 'exact',
		};
		const run = await createJob('openai', { model: 'o4-mini', trainingFile, method: 'reinforcement', grader: JSON.stringify(grader) });
		expect(runError(run)).toBeUndefined();
		expect(fineTuningRequests()[0].body).toMatchObject({ method: { type: 'reinforcement', reinforcement: { grader } } });
	});

	it('a grader\'s sampling_params reach the judge under chat\'s names (max_completion_tokens), never the grader\'s', async () => {
		server.configure({ answer: () => JSON.stringify({ steps: [], result: 4 }) });
		const grader = {
			type: 'score_model',
			name: 'quality',
			model: 'judge',
			input: [{ role: 'user', content: 'Rate {{sample.output_text}}' }],
			range: [1, 5],
			sampling_params: { max_completions_tokens: 300, seed: 3, temperature: 0.2, top_p: null },
		};
		const run = await runWorkflow({ nodeType: SCORE, parameters: { mode: 'grader', textField: 'text', grader: JSON.stringify(grader) }, items: [{ text: 'fine' }], credentials: credentials() });
		expect(runError(run)).toBeUndefined();
		const judged = server.received.find((r) => r.path === '/chat/completions')?.body as ChatBody;
		expect(judged).toMatchObject({ max_completion_tokens: 300, seed: 3, temperature: 0.2 });
		expect(judged).not.toHaveProperty('max_completions_tokens');
		expect(judged).not.toHaveProperty('top_p');
	});
});

describe('The server\'s reason, whatever its JSON media type', () => {
	const problem = {
		type: 'https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY',
		title: 'Invalid request',
		status: 422,
		detail: 'Your request is not valid and no HTTP validation response was found in the spec, so Prism is generating this error for you.',
		validation: [{ location: ['body', 'hyperparameters', 'n_epochs'], severity: 'Error', code: 'maximum', message: 'must be <= 50' }],
	};

	it('OpenAI: a problem+json 422 on job creation reads as its title, detail and errors', async () => {
		server.configure({
			fineTuning: {
				answer: ({ method, path }) =>
					method === 'POST' && path === '/fine_tuning/jobs' ? { status: 422, body: JSON.stringify(problem), headers: { 'content-type': 'application/problem+json' } } : undefined,
			},
		});
		const trainingFile = await uploadedFile();
		const run = await createJob('openai', { trainingFile });
		expect(runError(run)?.message).toBe(`Item 0: 422 Invalid request: ${problem.detail}: body.hyperparameters.n_epochs: must be <= 50`);
	});

	it.each([
		['problem+json with an errors map', 'application/problem+json; charset=utf-8', { title: 'Unprocessable', detail: 'The body is not valid', errors: { suffix: ['is too long'] } }, '422 Unprocessable: The body is not valid: suffix: is too long'],
		['OpenAI\'s error object with its param and code', 'application/json', { error: { message: 'Value above the maximum', type: 'invalid_request_error', param: 'random_seed', code: 'integer_above_max_value' } }, '422 Value above the maximum (param: random_seed, code: integer_above_max_value)'],
		['FastAPI detail list under a vendor +json type', 'application/vnd.together.error+json', { detail: [{ loc: ['body', 'n_epochs'], msg: 'Input should be less than or equal to 20', type: 'less_than_equal' }] }, '422 body.n_epochs: Input should be less than or equal to 20'],
	])('Together, every endpoint: %s', async (_name, contentType, body, reason) => {
		server.configure({
			fineTuning: { answer: ({ path }) => (path.startsWith('/fine-tunes') ? { status: 422, body: JSON.stringify(body), headers: { 'content-type': contentType } } : undefined) },
		});
		const trainingFile = await uploadedFile();
		const created = await createJob('together', { trainingFile });
		expect(runError(created)?.message).toBe(`Item 0: ${reason}`);
		for (const operation of ['getJob', 'listJobs', 'cancelJob', 'listEvents', 'listCheckpoints']) {
			const run = await runWorkflow({ nodeType: NODE, parameters: { provider: 'together', operation, jobId: 'ft-1' }, items: [{}], credentials: credentials(), otherCredentials: together() });
			expect(runError(run)?.message).toBe(`Item 0: ${reason}`);
		}
	});

	it('a reason that echoes the key is shown without it', async () => {
		server.configure({
			fineTuning: {
				answer: () => ({ status: 401, body: JSON.stringify({ title: 'Unauthorized', detail: `Incorrect API key provided: ${API_KEY}` }), headers: { 'content-type': 'application/problem+json' } }),
			},
		});
		const run = await runWorkflow({ nodeType: NODE, parameters: { provider: 'openai', operation: 'getJob', jobId: 'ftjob-1' }, items: [{}], credentials: credentials() });
		expect(runError(run)?.message).toBe('Item 0: 401 Unauthorized: Incorrect API key provided: [redacted]');
	});
});
