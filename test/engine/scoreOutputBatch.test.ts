/**
 * Score Output's Batch modes in n8n's engine against the test server's Batch API (issue 20): the
 * LLM judges' requests go into a batch, and Collect scores each item as the synchronous mode does.
 * Between Submit and Collect a real workflow has n8n's Wait node; here the second run is given the
 * Submit run's output items, as n8n hands them on when the Wait node resumes.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import type { ChatBody } from '../server/mockOpenAiServer';
import { NODE_NAME, outputOf, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const NODE = 'n8n-nodes-reward-loop.scoreOutput';
const testServer = useTestServer();
const { server } = testServer;
const credentials = () => ({ apiKey: 'sk-score-batch-4f1e2d', baseUrl: testServer.baseUrl });

const schemaNameOf = (body: ChatBody) => body.response_format?.json_schema?.name;
const userText = (body: ChatBody) => String(body.messages?.[1]?.content ?? '');
/** The judges answer by what they are shown, the same synchronously and in a batch. */
const judge = ({ body }: { body: ChatBody }) => {
	const user = userText(body);
	if (schemaNameOf(body) === 'label') return JSON.stringify({ steps: [{ description: 'tone', conclusion: 'read it' }], label: user.includes('please') ? 'good' : 'bad' });
	if (schemaNameOf(body) === 'best_candidate') {
		const shown = user.split('<<<END CANDIDATE>>>').slice(0, -1);
		return JSON.stringify({ steps: [{ description: 'compared', conclusion: 'best wins' }], best: shown.findIndex((s) => s.includes('best')) + 1 });
	}
	const score = user.includes('great') ? 9 : user.includes('fine') ? 6 : 2;
	return JSON.stringify({ steps: [{ description: 'rubric', conclusion: `gave ${score}` }], result: score });
};

const configure = (extra: Parameters<typeof server.configure>[0] = {}, batches: IDataObject = {}) => server.configure({ answer: judge, batches: { stepMs: 5, ...batches }, ...extra });
beforeEach(() => {
	configure();
	server.reset();
});

const quality = { name: 'quality', type: 'score_model', model: 'judge-model', rubric: 'Does it answer {{item.question}}?', rangeMin: 0, rangeMax: 10, passThreshold: 6, weight: 2 };
const tone = { name: 'tone', type: 'label_model', model: 'judge-model', rubric: 'Is it polite?', labels: 'good, bad', passingLabels: 'good' };
const short = { name: 'short', type: 'length', unit: 'words', max: 12 };
const best = { name: 'best', type: 'select_best', model: 'judge-model', criteria: 'Most helpful for {{item.question}}' };
const scorers = (...entries: IDataObject[]) => ({ scorer: entries });

const items = () => [
	{ text: 'a great answer, please read', question: 'battery life', candidates: ['a great answer, please read', 'the best one'] },
	{ text: 'a fine answer', question: 'screen size', candidates: ['the best reply', 'a fine answer'] },
	{ text: 'nope nope nope nope nope nope nope nope nope nope nope nope nope', question: 'price', candidates: ['nope'] },
];

interface Run {
	batchMode?: string;
	input: IDataObject[];
	parameters?: IDataObject;
	executionId?: string;
	continueOnFail?: boolean;
}
const score = ({ batchMode = 'sync', input, parameters = {}, executionId, continueOnFail }: Run) =>
	runWorkflow({
		nodeType: NODE,
		parameters: { mode: 'scorers', batchMode, textField: 'text', scorers: scorers(quality, tone, short), threshold: 0.5, ...parameters },
		items: input,
		credentials: credentials(),
		executionId,
		continueOnFail,
	});
const submit = async (run: Omit<Run, 'batchMode'>) => {
	const result = await score({ ...run, batchMode: 'batchSubmit' });
	return { run: result, output: outputOf(result) };
};
const collect = async (submitted: INodeExecutionData[], run: Omit<Run, 'batchMode' | 'input'> = {}) => {
	const result = await score({ ...run, batchMode: 'batchCollect', input: submitted.map((item) => item.json) });
	return { run: result, done: outputOf(result, 0), running: outputOf(result, run.parameters?.route ? 2 : 1) };
};

async function until(what: string, predicate: () => boolean): Promise<void> {
	for (let i = 0; i < 1000; i++) {
		if (predicate()) return;
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	throw new Error(`timed out waiting for ${what}`);
}

const judgesOf = (item: INodeExecutionData) => ((item.json.batchRequest as IDataObject | undefined)?.judges ?? []) as IDataObject[];
const batchIdsOf = (output: INodeExecutionData[]) => [...new Set(output.flatMap((item) => judgesOf(item).map((judge) => judge.batchId as string)))];
const batchOf = (id: string) => server.batches.batches.get(id)!;
const ended = (ids: string[]) => () => ids.every((id) => ['completed', 'failed', 'expired', 'cancelled'].includes(batchOf(id).status));
const inputLines = (id: string) => server.fineTuning.files.get(batchOf(id).input_file_id)!.content.trim().split('\n').map((line) => JSON.parse(line) as { custom_id: string; method: string; url: string; body: ChatBody });
const chatPosts = () => server.received.filter((r) => r.method === 'POST' && r.path === '/chat/completions');
const batchPosts = () => server.received.filter((r) => r.method === 'POST' && (r.path === '/files' || r.path === '/batches'));
/** What a shuffle changes and nothing else: the order Select Best showed the candidates in. */
const withoutShownOrder = (json: IDataObject) => {
	const scores = { ...(json.scores as Record<string, IDataObject>) };
	if (scores.best) scores.best = { ...scores.best, details: { ...(scores.best.details as IDataObject), shownOrder: undefined } };
	return { ...json, scores };
};

describe('Score Output, Batch mode, in n8n\'s engine', () => {
	it('writes each judge request of each item as a batch line whose body is exactly the synchronous request\'s, named by item and judge', async () => {
		const sync = await score({ input: items() });
		expect(runError(sync)).toBeUndefined();
		const syncBodies = chatPosts().map((r) => r.body as ChatBody);
		expect(syncBodies).toHaveLength(6);

		server.reset();
		const { run, output } = await submit({ input: items(), executionId: 'exec-judge-lines' });
		expect(runError(run)).toBeUndefined();
		expect(chatPosts()).toHaveLength(0);
		const [id, ...others] = batchIdsOf(output);
		expect(others).toHaveLength(0);
		const lines = inputLines(id);
		expect(lines.map((line) => line.custom_id)).toEqual(['item-0-quality', 'item-0-tone', 'item-1-quality', 'item-1-tone', 'item-2-quality', 'item-2-tone']);
		for (const line of lines) {
			expect(line.method).toBe('POST');
			expect(line.url).toBe('/v1/chat/completions');
			const [, index, scorer] = /^item-(\d)-(\w+)$/.exec(line.custom_id)!;
			const twin = syncBodies.filter((body) => schemaNameOf(body) === (scorer === 'quality' ? 'score' : 'label') && userText(body).includes(items()[Number(index)].text));
			expect(twin).toHaveLength(1);
			expect(line.body).toEqual(twin[0]);
		}
		const created = server.received.find((r) => r.method === 'POST' && r.path === '/batches')!.body as IDataObject;
		expect(created).toMatchObject({ endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { n8n_workflow: 'engine-test', n8n_execution: 'exec-judge-lines', n8n_node: NODE_NAME, n8n_part: '1/1', n8n_requests: '6' } });
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[1].json).toMatchObject({ text: 'a fine answer', question: 'screen size' });
		expect(judgesOf(output[1]).map((judge) => [judge.scorer, judge.customId, judge.batchId, judge.line])).toEqual([
			['quality', 'item-1-quality', id, 3],
			['tone', 'item-1-tone', id, 4],
		]);
		expect(output[1].json.reward).toBeUndefined();
	});

	it('gives the synchronous rewards, reasons and breakdowns for the same judge answers, in input order with pairedItem; a collect run twice creates no batch', async () => {
		const parameters = { scorers: scorers(quality, tone, short, best) };
		const sync = outputOf(await score({ input: items(), parameters }));
		expect(sync.map((item) => item.json.reward)).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
		server.reset();
		configure({}, { stallAfter: 0 });
		const before = server.batches.created;
		const { output } = await submit({ input: items(), parameters });
		expect(server.batches.created - before).toBe(1);
		// Item 2 has one candidate: Select Best answers without asking, so the item has no line for it.
		expect(judgesOf(output[2]).map((judge) => judge.scorer)).toEqual(['quality', 'tone']);
		expect(judgesOf(output[0]).map((judge) => judge.scorer)).toEqual(['quality', 'tone', 'best']);

		const waiting = await collect(output, { parameters });
		expect(runError(waiting.run)).toBeUndefined();
		expect(waiting.done).toHaveLength(0);
		expect(waiting.running.map((item) => item.json)).toEqual(output.map((item) => item.json));
		expect(waiting.running.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);

		server.batches.release();
		await until('the batch to complete', ended(batchIdsOf(output)));
		const first = await collect(output, { parameters });
		const second = await collect(output, { parameters });
		expect(runError(first.run)).toBeUndefined();
		expect(first.running).toHaveLength(0);
		expect(first.done.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(first.done.map((item) => withoutShownOrder(item.json))).toEqual(sync.map((item) => withoutShownOrder(item.json)));
		expect(first.done[0].json.batchRequest).toBeUndefined();
		expect(second.done.map((item) => item.json)).toEqual(first.done.map((item) => item.json));
		expect(server.batches.created - before).toBe(1);
		expect(chatPosts()).toHaveLength(0);
	});

	it('routes Collect\'s items to Pass and Fail, with Still Running third', async () => {
		const parameters = { route: true };
		const { output } = await submit({ input: items(), parameters });
		await until('the batch to complete', ended(batchIdsOf(output)));
		const result = await score({ batchMode: 'batchCollect', input: output.map((item) => item.json), parameters });
		expect(runError(result)).toBeUndefined();
		expect(outputOf(result, 0).map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(outputOf(result, 1).map((item) => item.pairedItem)).toEqual([{ item: 2 }]);
		expect(outputOf(result, 2)).toHaveLength(0);
	});

	it('a plan without judges needs no batch: Submit sends nothing, Collect scores as the synchronous mode', async () => {
		const parameters = { scorers: scorers(short, { name: 'polite', type: 'contains', values: 'please' }) };
		const sync = outputOf(await score({ input: items(), parameters }));
		const { run, output } = await submit({ input: items(), parameters });
		expect(runError(run)).toBeUndefined();
		expect(batchPosts()).toHaveLength(0);
		expect(output.map((item) => judgesOf(item))).toEqual([[], [], []]);
		const { done } = await collect(output, { parameters });
		expect(done.map((item) => item.json)).toEqual(sync.map((item) => item.json));
	});

	it('makes an error-file line that item\'s error, with the provider\'s status, code and message; without Continue On Fail the run fails naming it', async () => {
		configure({ fault: ({ body }) => (schemaNameOf(body) === 'label' && userText(body).includes('fine answer') ? { status: 400, code: 'invalid_value', message: 'Invalid schema for response_format.' } : undefined) });
		const { output } = await submit({ input: items() });
		const [id] = batchIdsOf(output);
		await until('the batch to complete', ended([id]));
		expect(batchOf(id).request_counts).toEqual({ total: 6, completed: 5, failed: 1 });
		const { run, done } = await collect(output, { continueOnFail: true });
		expect(runError(run)).toBeUndefined();
		expect(done.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(done[1].json.error).toBe('Item 1: the server answered 400 in the batch: Invalid schema for response_format. (code: invalid_value)');
		expect(done[1].json.reward).toBeUndefined();
		expect(done[0].json.reward).toEqual(expect.any(Number));
		expect(done[2].json.reward).toEqual(expect.any(Number));

		const failing = await collect(output);
		expect(runError(failing.run)?.message).toBe('Item 1: the server answered 400 in the batch: Invalid schema for response_format. (code: invalid_value)');
	});

	it('delivers what an expired batch answered, and the rest as errors or sent synchronously', async () => {
		configure({}, { stallAfter: 2 });
		const sync = outputOf(await score({ input: items() }));
		server.reset();
		const { output } = await submit({ input: items() });
		const [id] = batchIdsOf(output);
		await until('two answers', () => batchOf(id).request_counts.completed === 2);
		server.batches.expire(id);
		await until('the batch to expire', ended([id]));

		const asErrors = await collect(output, { parameters: { unfinishedRequests: 'error' }, continueOnFail: true });
		expect(asErrors.done[0].json.reward).toBe(sync[0].json.reward);
		for (const item of asErrors.done.slice(1)) expect(item.json.error).toContain(`the batch ${id} was expired before this request ran (batch_expired: `);
		expect(chatPosts()).toHaveLength(0);

		const synchronously = await collect(output, { parameters: { unfinishedRequests: 'sync' } });
		expect(runError(synchronously.run)).toBeUndefined();
		expect(synchronously.done.map((item) => item.json)).toEqual(sync.map((item) => item.json));
		// Exactly the four requests the batch did not run, with the batch's own bodies.
		expect(chatPosts().map((r) => r.body)).toEqual(inputLines(id).slice(2).map((line) => line.body));
	});

	it('refuses to score with a judge that asks something else than the batch holds, or without one the batch answered', async () => {
		const { output } = await submit({ input: items() });
		await until('the batch to complete', ended(batchIdsOf(output)));
		const changed = await collect(output, { parameters: { scorers: scorers({ ...quality, rubric: 'Is it short?' }, tone, short) }, continueOnFail: true });
		for (const item of changed.done) expect(item.json.error).toMatch(/^Item \d: the judge "quality" asks something else than the request item-\d-quality in the batch: Batch: Collect scores with the Scorers of the Batch: Submit node/);
		const fewer = await collect(output, { parameters: { scorers: scorers(quality, short) } });
		expect(runError(fewer.run)?.message).toMatch(/^Item 0: the batch answered "tone", which no scorer of this node asks/);
		const unrelated = await collect([{ json: { text: 'not from Submit' } }]);
		expect(runError(unrelated.run)?.message).toContain('Item 0: has no batchRequest');
		expect(chatPosts()).toHaveLength(0);
	});

	it('finds its own batch when Submit runs again in the same execution', async () => {
		const before = server.batches.created;
		const first = await submit({ input: items(), executionId: 'exec-judge-again' });
		const again = await submit({ input: items(), executionId: 'exec-judge-again' });
		expect(server.batches.created - before).toBe(1);
		expect(batchIdsOf(again.output)).toEqual(batchIdsOf(first.output));
	});
});
