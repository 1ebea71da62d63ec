/**
 * Generate Text's Batch modes in n8n's engine against the test server's Batch API (issue 20).
 * Between Submit and Collect a real workflow has n8n's Wait node; here the second run is given the
 * Submit run's output items, as n8n hands them on when the Wait node resumes.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NODE_NAME, outputOf, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';
import type { BatchOptions } from '../server/batches';

const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };
const testServer = useTestServer();
const { server } = testServer;
const credentials = () => ({ apiKey: 'sk-batch-engine-77aa31', baseUrl: testServer.baseUrl });

const configure = (batches: BatchOptions = {}, extra: Parameters<typeof server.configure>[0] = {}) => server.configure({ batches: { stepMs: 5, ...batches }, ...extra });
beforeEach(() => {
	configure();
	server.reset();
});

const items = (count: number) => Array.from({ length: count }, (_, i) => ({ q: `question-${i}`, t: i / 10 }));
const parameters = (mode: string, options: IDataObject = {}, extra: IDataObject = {}) => ({
	mode,
	model: MODEL,
	promptSource: 'prompt',
	prompt: '={{ $json.q }}',
	systemMessage: 'Answer in one line.',
	options,
	...extra,
});

async function submit(input: IDataObject[], options: IDataObject = {}, extra: { executionId?: string; continueOnFail?: boolean; parameters?: IDataObject } = {}) {
	const run = await runWorkflow({ parameters: parameters('batchSubmit', options, extra.parameters), items: input, credentials: credentials(), executionId: extra.executionId, continueOnFail: extra.continueOnFail });
	return { run, output: outputOf(run) };
}

async function collect(submitted: INodeExecutionData[], extra: IDataObject = {}, continueOnFail = false) {
	const run = await runWorkflow({ parameters: { mode: 'batchCollect', ...extra }, items: submitted.map((item) => item.json), credentials: credentials(), continueOnFail });
	return { run, done: outputOf(run, 0), running: outputOf(run, 1) };
}

async function until(what: string, predicate: () => boolean): Promise<void> {
	for (let i = 0; i < 1000; i++) {
		if (predicate()) return;
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	throw new Error(`timed out waiting for ${what}`);
}

const batchIdsOf = (output: INodeExecutionData[]) => [...new Set(output.map((item) => (item.json.batchRequest as IDataObject | undefined)?.batchId as string).filter(Boolean))];
const batchOf = (id: string) => server.batches.batches.get(id)!;
const ended = (ids: string[]) => () => ids.every((id) => ['completed', 'failed', 'expired', 'cancelled'].includes(batchOf(id).status));
const inputLines = (id: string) => server.fineTuning.files.get(batchOf(id).input_file_id)!.content.trim().split('\n').map((line) => JSON.parse(line) as { custom_id: string; method: string; url: string; body: IDataObject });
const chatPosts = () => server.received.filter((r) => r.method === 'POST' && r.path === '/chat/completions');
/** The result without what differs between a live answer and a batch line (latency). */
const shape = (json: IDataObject) => {
	const { latencyMs: _latency, ...rest } = json;
	return rest;
};

describe('Generate Text, Batch mode, in n8n\'s engine', () => {
	it('writes each item as a batch line whose body is exactly the synchronous request\'s, with metadata naming workflow, execution and node', async () => {
		const options = { temperature: '={{ $json.t }}', n: 2, logprobs: true, topLogprobs: 1, stop: 'END', seed: 7, extraBody: '{"user": "batch-test"}' };
		const extra = { responseFormat: 'json_schema', schemaName: 'answer', jsonSchema: JSON.stringify({ type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false }) };
		const sync = await runWorkflow({ parameters: parameters('sync', options, extra), items: items(3), credentials: credentials() });
		expect(runError(sync)).toBeUndefined();
		const syncBodies = new Map(chatPosts().map((r) => [((r.body as IDataObject).messages as IDataObject[])[1].content as string, r.body]));
		expect(syncBodies.size).toBe(3);

		server.reset();
		const { run, output } = await submit(items(3), options, { executionId: 'exec-lines', parameters: extra });
		expect(runError(run)).toBeUndefined();
		expect(chatPosts()).toHaveLength(0);
		const [id] = batchIdsOf(output);
		const lines = inputLines(id);
		expect(lines.map((line) => line.custom_id)).toEqual(['item-0', 'item-1', 'item-2']);
		for (const [i, line] of lines.entries()) {
			expect(line.method).toBe('POST');
			expect(line.url).toBe('/v1/chat/completions');
			expect(line.body).toEqual(syncBodies.get(`question-${i}`));
		}
		const created = server.received.find((r) => r.method === 'POST' && r.path === '/batches')!.body as IDataObject;
		expect(created).toMatchObject({ endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { n8n_workflow: 'engine-test', n8n_execution: 'exec-lines', n8n_node: NODE_NAME, n8n_part: '1/1', n8n_requests: '3' } });
		const upload = server.fineTuning.files.get(batchOf(id).input_file_id)!;
		expect(upload.purpose).toBe('batch');
		// Each item goes on with its input and its batch reference, paired with itself.
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[1].json).toMatchObject({ q: 'question-1', batchRequest: { batchId: id, customId: 'item-1', line: 2, part: 1, parts: 1, responseFormat: { type: 'json_schema', name: 'answer' } } });
	});

	it('collects in input order with pairedItem, in the synchronous shape; Still Running until the batch ends; a collect run twice creates no batch', async () => {
		const sync = outputOf(await runWorkflow({ parameters: parameters('sync', { logprobs: true }), items: items(5), credentials: credentials() }));
		configure({ stallAfter: 0 });
		const before = server.batches.created;
		const { output } = await submit(items(5), { logprobs: true });
		expect(server.batches.created - before).toBe(1);

		const waiting = await collect(output);
		expect(runError(waiting.run)).toBeUndefined();
		expect(waiting.done).toHaveLength(0);
		// The items go on as they came (batch reference included), to loop through n8n's Wait node.
		expect(waiting.running.map((item) => item.json)).toEqual(output.map((item) => item.json));
		expect(waiting.running.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));

		server.batches.release();
		await until('the batch to complete', ended(batchIdsOf(output)));
		const first = await collect(output);
		const second = await collect(output);
		expect(runError(first.run)).toBeUndefined();
		expect(first.running).toHaveLength(0);
		expect(first.done.map((item) => item.json.text)).toEqual(items(5).map((item) => `Echo: ${item.q}`));
		expect(first.done.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		expect(first.done.map((item) => shape(item.json))).toEqual(sync.map((item) => shape(item.json)));
		expect(second.done.map((item) => item.json)).toEqual(first.done.map((item) => item.json));
		expect(server.batches.created - before).toBe(1);
		expect(chatPosts()).toHaveLength(5); // the synchronous run's own five; Collect sent none
	});

	it('splits at the request limit and at the file size, and collects across the batches in order', async () => {
		const byCount = await submit(items(5), { batchMaxRequests: 2 });
		const countIds = batchIdsOf(byCount.output);
		expect(countIds.map((id) => inputLines(id).map((line) => line.custom_id))).toEqual([['item-0', 'item-1'], ['item-2', 'item-3'], ['item-4']]);
		expect(byCount.output.map((item) => (item.json.batchRequest as IDataObject).parts)).toEqual([3, 3, 3, 3, 3]);

		const limit = 0.001; // MB: 1,048 bytes
		const long = Array.from({ length: 7 }, (_, i) => ({ q: `question-${i} ${'x'.repeat(300)}`, t: 0 }));
		const bySize = await submit(long, { batchMaxFileSize: limit });
		const sizeIds = batchIdsOf(bySize.output);
		expect(sizeIds.length).toBeGreaterThan(1);
		const contents = sizeIds.map((id) => server.fineTuning.files.get(batchOf(id).input_file_id)!);
		for (const file of contents) expect(file.bytes).toBeLessThanOrEqual(Math.floor(limit * 1024 * 1024));
		expect(sizeIds.flatMap((id) => inputLines(id).map((line) => line.custom_id))).toEqual(long.map((_, i) => `item-${i}`));

		await until('the batches to complete', ended([...countIds, ...sizeIds]));
		const { done } = await collect(bySize.output);
		expect(done.map((item) => item.json.text)).toEqual(long.map((item) => `Echo: ${item.q}`));
		expect(done.map((item) => item.pairedItem)).toEqual(long.map((_, item) => ({ item })));
	});

	it('makes an error-file line that item\'s error, with the provider\'s status, code and message; without Continue On Fail the run fails naming it', async () => {
		configure({}, { fault: (context) => (context.lastUserText === 'question-2' ? { status: 400, code: 'invalid_value', message: 'Invalid value for temperature.' } : undefined) });
		const { output } = await submit(items(4));
		const [id] = batchIdsOf(output);
		await until('the batch to complete', ended([id]));
		expect(batchOf(id).request_counts).toEqual({ total: 4, completed: 3, failed: 1 });
		const { run, done } = await collect(output, {}, true);
		expect(runError(run)).toBeUndefined();
		expect(done.map((item) => item.json.text)).toEqual(['Echo: question-0', 'Echo: question-1', undefined, 'Echo: question-3']);
		expect(done[2].json.error).toBe('Item 2: the server answered 400 in the batch: Invalid value for temperature. (code: invalid_value)');
		expect(done[2].pairedItem).toEqual({ item: 2 });

		const failing = await collect(output);
		expect(runError(failing.run)?.message).toBe('Item 2: the server answered 400 in the batch: Invalid value for temperature. (code: invalid_value)');
	});

	it.each(['expire', 'cancel'] as const)('delivers what a batch answered before the %s, and the rest as errors or sent synchronously', async (ending) => {
		configure({ stallAfter: 2 });
		const { output } = await submit(items(5));
		const [id] = batchIdsOf(output);
		await until('two answers', () => batchOf(id).request_counts.completed === 2);
		if (ending === 'expire') server.batches.expire(id);
		else {
			const response = await fetch(`${testServer.baseUrl}/batches/${id}/cancel`, { method: 'POST', headers: { authorization: 'Bearer x' } });
			expect((await response.json()).status).toBe('cancelling');
		}
		const status = ending === 'expire' ? 'expired' : 'cancelled';
		await until(`the batch to be ${status}`, ended([id]));
		expect(batchOf(id).status).toBe(status);
		const code = ending === 'expire' ? 'batch_expired' : 'batch_cancelled';

		const asErrors = await collect(output, { unfinishedRequests: 'error' }, true);
		expect(asErrors.done.map((item) => item.json.text)).toEqual(['Echo: question-0', 'Echo: question-1', undefined, undefined, undefined]);
		for (const item of asErrors.done.slice(2)) expect(item.json.error).toContain(`the batch ${id} was ${status} before this request ran (${code}: `);
		expect(chatPosts()).toHaveLength(0);

		const synchronously = await collect(output, { unfinishedRequests: 'sync' });
		expect(runError(synchronously.run)).toBeUndefined();
		expect(synchronously.done.map((item) => item.json.text)).toEqual(items(5).map((item) => `Echo: ${item.q}`));
		expect(synchronously.done.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		// Exactly the three requests the batch did not run, with the batch's own bodies.
		const lines = inputLines(id);
		expect(chatPosts().map((r) => r.body)).toEqual(lines.slice(2).map((line) => line.body));
	});

	it('finds its own batch when Submit runs again in the same execution, and creates a new one in another', async () => {
		const before = server.batches.created;
		const first = await submit(items(3), {}, { executionId: 'exec-a' });
		const again = await submit(items(3), {}, { executionId: 'exec-a' });
		expect(server.batches.created - before).toBe(1);
		expect(batchIdsOf(again.output)).toEqual(batchIdsOf(first.output));
		expect(server.received.filter((r) => r.method === 'POST' && r.path === '/files')).toHaveLength(1);

		const other = await submit(items(3), {}, { executionId: 'exec-b' });
		const changed = await submit(items(4), {}, { executionId: 'exec-a' });
		expect(server.batches.created - before).toBe(3);
		expect(batchIdsOf(other.output)).not.toEqual(batchIdsOf(first.output));
		expect(batchIdsOf(changed.output)).not.toEqual(batchIdsOf(first.output));
	});

	it('with Continue On Fail, an item that cannot be sent is that item\'s error through Submit and Collect; without, Submit fails before any upload', async () => {
		const input = [{ q: 'question-0' }, { q: '' }, { q: 'question-2' }];
		const failing = await submit(input);
		expect(runError(failing.run)?.message).toContain('Item 1: Prompt: is empty');
		expect(server.received.filter((r) => r.path === '/files' || r.path === '/batches')).toHaveLength(0);

		const { output } = await submit(input, {}, { continueOnFail: true });
		expect(output[1].json.error).toMatch(/^Item 1: Prompt: is empty/);
		expect(output[1].json.batchRequest).toBeUndefined();
		await until('the batch to complete', ended(batchIdsOf(output)));
		const { run, done } = await collect(output, {}, true);
		expect(runError(run)).toBeUndefined();
		expect(done.map((item) => item.json.text)).toEqual(['Echo: question-0', undefined, 'Echo: question-2']);
		expect(done[1].json.error).toMatch(/^Item 1: Prompt: is empty/);
		expect(done.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);

		const unrelated = await collect([{ json: { q: 'not from Submit' } }]);
		expect(runError(unrelated.run)?.message).toContain('Item 0: has no batchRequest');
	});

	it('gives every item of a batch that failed validation the batch\'s error', async () => {
		configure({ maxRequests: 2 });
		const { output } = await submit(items(3));
		const [id] = batchIdsOf(output);
		await until('the batch to fail', ended([id]));
		expect(batchOf(id).status).toBe('failed');
		const { done } = await collect(output, {}, true);
		for (const item of done) expect(item.json.error).toMatch(new RegExp(`^Item \\d: the batch ${id} failed: too_many_requests: The batch input file has 3 requests`));
	});
});
