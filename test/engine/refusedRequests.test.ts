/**
 * Issue 17, "Reward Loop repeats a rejected request": a request the server refused for a reason
 * asking again cannot fix (400, 401, 403, 404, 422) is never sent again within the loop, and the
 * same refusal is not fetched once per item: a wrong key costs one request for the whole run, options
 * the server refuses cost two (two different prompts), and a refusal that belongs to one prompt stops
 * only its item. Every item fails with the server's reason (Continue On Fail: carries it). The
 * requests are counted at the test server.
 */
import type { IDataObject } from 'n8n-workflow';
import { outputOf, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const LOOP = 'n8n-nodes-reward-loop.rewardLoop';
const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };
const API_KEY = 'sk-refused-3c4d5e6f';
const REASON = 'temperature: 3 is greater than the maximum of 2';

const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({});
	server.reset();
});

const items = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => ({ q: `${prefix}-${i}` }));
const chatRequests = () => server.received.filter((request) => request.path === '/chat/completions').length;
const parameters = (loopOptions: IDataObject = {}, extra: IDataObject = {}): IDataObject => ({
	rewardSource: 'scorers',
	model: MODEL,
	promptSource: 'prompt',
	prompt: '={{ $json.q }}',
	options: { maxRetries: 3, concurrency: 20 },
	candidatesPerRound: 4,
	maxRounds: 3,
	mode: 'scorers',
	scorers: { scorer: [{ name: 'battery', type: 'contains', values: 'battery' }] },
	combine: 'weighted',
	threshold: 0.99,
	// Plenty of errors tolerated: a refusal must stop the item anyway.
	loopOptions: { useN: false, maxErrors: 12, ...loopOptions },
	...extra,
});
const loop = (prefix: string, count: number, continueOnFail: boolean, params = parameters(), credentials: IDataObject = {}) =>
	runWorkflow({ nodeType: LOOP, parameters: params, items: items(prefix, count), credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl, ...credentials }, continueOnFail });

describe('a 422 is not asked again', () => {
	it('one item, four candidates a round, three rounds: one request, and the item fails with the server\'s reason', async () => {
		server.configure({ fault: () => ({ status: 422, message: REASON }) });
		const run = await loop('one', 1, true);
		expect(chatRequests()).toBe(1);
		const [item] = outputOf(run);
		expect(String(item.json.error)).toMatch(/^Item 0: stopped at the first 422 Unprocessable Entity, which asking again cannot change/);
		expect(String(item.json.error)).toContain(`422 ${REASON}`);
		expect(item.json.loop).toMatchObject({ requests: 1, errors: 1, roundsUsed: 1 });
	});

	it('20 items with options the server refuses: two requests in all (two prompts), every item carries the reason', async () => {
		server.configure({ fault: () => ({ status: 422, message: REASON }) });
		const run = await loop('opts', 20, true);
		expect(chatRequests()).toBe(2);
		const output = outputOf(run);
		expect(output).toHaveLength(20);
		output.forEach((item, index) => {
			expect(String(item.json.error)).toMatch(new RegExp(`^Item ${index}: stopped at the first 422 Unprocessable Entity`));
			expect(String(item.json.error)).toContain(`422 ${REASON}`);
		});
		// The items whose request was not sent say why.
		expect(output.filter((item) => String(item.json.error).includes('not sent:'))).toHaveLength(18);
	});

	it('without Continue On Fail the run fails with the reason, after the same two requests', async () => {
		server.configure({ fault: () => ({ status: 422, message: REASON }) });
		const run = await loop('stop', 20, false);
		expect(runError(run)?.message).toMatch(/^Item \d+: stopped at the first 422 Unprocessable Entity/);
		expect(runError(run)?.message).toContain(REASON);
		expect(chatRequests()).toBeLessThanOrEqual(2);
	});

	it('a refusal of one item\'s prompt stops that item only: the others are answered', async () => {
		server.configure({ fault: ({ lastUserText }) => (lastUserText === 'mixed-0' ? { status: 400, message: "This model's maximum context length is 8192 tokens" } : undefined), answer: () => 'the battery lasts' });
		const run = await loop('mixed', 6, true);
		const output = outputOf(run);
		expect(String(output[0].json.error)).toMatch(/^Item 0: stopped at the first 400 Bad Request.*maximum context length/);
		for (const item of output.slice(1)) expect(item.json).toMatchObject({ pass: true, text: 'the battery lasts' });
		// Item 0's identical candidates were not sent after its first was refused.
		expect(server.received.filter((request) => JSON.stringify(request.body).includes('"mixed-0"')).length).toBe(1);
	});
});

describe('a refused credential costs one request for the whole run', () => {
	it('401 for a bad key: one request, every item fails naming the 401, the key redacted', async () => {
		server.configure({ apiKey: 'sk-the-right-key-000' });
		const run = await loop('key', 10, true);
		expect(chatRequests()).toBe(1);
		const output = outputOf(run);
		expect(output).toHaveLength(10);
		for (const item of output) {
			expect(String(item.json.error)).toContain('401 Incorrect API key provided: [redacted]');
			expect(String(item.json.error)).not.toContain(API_KEY);
		}
	});

	it('404 for a model that does not exist: one request for that model', async () => {
		server.configure({ fault: () => ({ status: 404, message: 'The model `mock-nope` does not exist' }) });
		const run = await loop('model', 8, true, parameters({}, { model: { __rl: true, mode: 'id', value: 'mock-nope' } }));
		expect(chatRequests()).toBe(1);
		for (const item of outputOf(run)) expect(String(item.json.error)).toContain('The model `mock-nope` does not exist');
	});
});
