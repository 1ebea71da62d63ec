import { batchLine, partContent, splitIntoParts, type PlannedLine } from '../../../core/batch/batchFile';
import { createOpenAiBatchProvider, parseOutputFile, toBatchInfo } from '../../../core/batch/openaiBatches';
import { BatchSubmitError, submitBatches } from '../../../core/batch/submit';
import { apiCallerFor, createHttpClient, type HttpClient } from '../../../core/transport/http';
import { MockOpenAiServer } from '../../server/mockOpenAiServer';

const planned = (texts: string[]): PlannedLine[] => texts.map((text, index) => ({ index, customId: `item-${index}`, text, bytes: Buffer.byteLength(text) }));

describe('batch input files', () => {
	it('keep both limits, in order, counting bytes (not characters) and each newline', () => {
		const texts = ['aaaa', 'ééé', 'b'.repeat(20), 'c', 'd'.repeat(49), 'e'.repeat(50), 'f', 'g', 'h', 'i'];
		const { parts, tooLarge } = splitIntoParts(planned(texts), { maxRequests: 3, maxBytes: 50 });
		expect(tooLarge.map((line) => line.index)).toEqual([5]);
		for (const part of parts) {
			expect(part.lines.length).toBeLessThanOrEqual(3);
			const content = partContent(part);
			expect(content.length).toBe(part.bytes);
			expect(content.length).toBeLessThanOrEqual(50);
			expect(content.toString('utf8')).toBe(part.lines.map((line) => `${line.text}\n`).join(''));
		}
		expect(parts.map((part) => part.lines.map((line) => line.index))).toEqual([[0, 1, 2], [3], [4], [6, 7, 8], [9]]);
	});

	it('write the request-input line: custom_id, method, url, body', () => {
		expect(JSON.parse(batchLine('item-3', { model: 'm', messages: [] }))).toEqual({ custom_id: 'item-3', method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [] } });
	});

	it('an output file that cannot be mapped back is refused with its line, and a batch with an unknown status too', () => {
		expect(() => parseOutputFile('{"custom_id":"item-0","response":null,"error":null}\nnot json\n')).toThrow('line 2 of the output file is not JSON');
		expect(() => parseOutputFile('\n{"response":{"status_code":200}}')).toThrow('line 2 of the output file has no custom_id');
		expect(() => toBatchInfo({ id: 'batch_1', status: 'done' })).toThrow('the batch batch_1 has the status "done"');
		expect(toBatchInfo({ id: 'batch_1', status: 'failed', errors: { data: [{ code: 'x', message: 'y', line: 3 }] } }).errors).toEqual([{ code: 'x', message: 'y', line: 3 }]);
	});
});

describe('submitting batches to the test server', () => {
	const server = new MockOpenAiServer({ batches: { stepMs: 5 } });
	let http: HttpClient;
	beforeAll(async () => {
		await server.start();
		http = createHttpClient({ baseUrl: server.url });
	});
	afterAll(async () => {
		http.close();
		await server.stop();
	});
	const provider = () => createOpenAiBatchProvider(apiCallerFor(http));
	const bodies = (tag = 'q') => (index: number) => ({ body: { model: 'mock-small', messages: [{ role: 'user', content: `${tag}-${index}` }] } });

	it('finds the execution\'s batch on a later page of the list, after 120 newer batches', async () => {
		const context = { workflowId: 'wf', executionId: 'exec-paged', nodeName: 'Generate' };
		const first = await submitBatches(provider(), 2, bodies(), { context });
		for (let i = 0; i < 120; i++) await submitBatches(provider(), 1, bodies(`other-${i}`), { context: { ...context, executionId: `exec-${i}` } });
		const before = server.batches.created;
		const again = await submitBatches(provider(), 2, bodies(), { context });
		expect(server.batches.created).toBe(before);
		expect(again.batches).toEqual([expect.objectContaining({ reused: true, requests: 2 })]);
		expect(again.items).toEqual(first.items);
	});

	it('a part that fails to upload names the batches made so far; the run again reuses them and makes only the rest', async () => {
		let uploads = 0;
		server.configure({
			batches: { stepMs: 5 },
			fineTuning: { answer: ({ method, path }) => (method === 'POST' && path === '/files' && ++uploads === 2 ? { status: 400, body: { error: { message: 'upload refused', type: 'invalid_request_error' } } } : undefined) },
		});
		const context = { workflowId: 'wf', executionId: 'exec-partial', nodeName: 'Generate' };
		const before = server.batches.created;
		const failed = submitBatches(provider(), 4, bodies(), { context, limits: { maxRequests: 2, maxBytes: 1024 * 1024 } });
		await expect(failed).rejects.toThrow(BatchSubmitError);
		await expect(failed).rejects.toThrow(/^file 2 of 2 could not be submitted: 400 upload refused\. 1 batch had been created \(batch_\w+\); running this node again in the same execution reuses it/);
		expect(server.batches.created - before).toBe(1);
		const again = await submitBatches(provider(), 4, bodies(), { context, limits: { maxRequests: 2, maxBytes: 1024 * 1024 } });
		expect(again.batches.map((b) => b.reused)).toEqual([true, false]);
		expect(server.batches.created - before).toBe(2);
	});
});
