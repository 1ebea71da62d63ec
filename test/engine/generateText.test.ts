import type { IDataObject } from 'n8n-workflow';
import { outputOf, runError, runWorkflow, startWorkflow, taskOf } from './harness';
import { useTestServer } from './testServer';

const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };
const API_KEY = 'sk-test-engine-4f1c9a7e2b';

const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({});
	server.reset();
});

const credentials = (extra: IDataObject = {}) => ({ apiKey: API_KEY, baseUrl: testServer.baseUrl, ...extra });
const promptParameters = (options: IDataObject = {}, extra: IDataObject = {}) => ({
	model: MODEL,
	promptSource: 'prompt',
	prompt: '={{ $json.q }}',
	options,
	...extra,
});
const itemsNamed = (count: number, prefix = 'item') => Array.from({ length: count }, (_, i) => ({ q: `${prefix}-${i}` }));

describe('Generate Text in n8n\'s engine', () => {
	it('runs expressions per item and keeps order and pairedItem', async () => {
		const run = await runWorkflow({
			parameters: promptParameters(
				{ temperature: '={{ $json.t }}' },
				{ systemMessage: '=You answer {{ $json.style }}.' },
			),
			items: [
				{ q: 'first', style: 'briefly', t: 0.2 },
				{ q: 'second', style: 'at length', t: 0.9 },
			],
			credentials: credentials(),
		});
		expect(runError(run)).toBeUndefined();
		const output = outputOf(run);
		expect(output.map((item) => item.json.text)).toEqual(['Echo: first', 'Echo: second']);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const bodies = server.received.map((r) => r.body as IDataObject).sort((a, b) => Number(a.temperature) - Number(b.temperature));
		expect(bodies[0]).toMatchObject({
			model: 'mock-small',
			temperature: 0.2,
			messages: [
				{ role: 'system', content: 'You answer briefly.' },
				{ role: 'user', content: 'first' },
			],
		});
		expect(bodies[1]).toMatchObject({ temperature: 0.9, messages: [{ content: 'You answer at length.' }, { content: 'second' }] });
		expect(server.received[0].headers.authorization).toBe(`Bearer ${API_KEY}`);

		const kept = await runWorkflow({ parameters: promptParameters({ includeInput: true }), items: [{ q: 'keep', sku: 'A-1' }], credentials: credentials() });
		expect(outputOf(kept)[0].json).toMatchObject({ q: 'keep', sku: 'A-1', text: 'Echo: keep' });
		expect(outputOf(kept)[0].json).not.toHaveProperty('error');
	});

	it('reports usage per item and to n8n, with model, finish reason and latency', async () => {
		server.configure({ answer: () => ({ choices: [{ content: 'a b c' }], usage: { cachedTokens: 3, reasoningTokens: 2 } }) });
		const run = await runWorkflow({ parameters: promptParameters(), items: itemsNamed(3), credentials: credentials() });
		const output = outputOf(run);
		expect(output).toHaveLength(3);
		for (const item of output) {
			expect(item.json).toMatchObject({
				text: 'a b c',
				model: 'mock-small',
				finishReason: 'stop',
				attempts: 1,
				usage: { promptTokens: 2, completionTokens: 3, totalTokens: 5, cachedTokens: 3, reasoningTokens: 2 },
			});
			expect(typeof item.json.latencyMs).toBe('number');
		}
		expect(taskOf(run)?.metadata?.tokenUsage).toEqual({ inputTokens: 6, outputTokens: 9 });
	});

	it('sends 200 items through a rate-limited server: all succeed, in order, 429s retried', async () => {
		// The limiter paces to the stated limit, so the server's own bucket refuses (almost) nothing; a proxy
		// in front of it also refuses every 15th request with a 429 and a short retry-after.
		let refused = 0;
		server.configure({
			requestsPerMinute: 3000,
			latencyMs: 20,
			fault: ({ requestNumber }) => {
				if (requestNumber % 15 !== 0) return undefined;
				refused++;
				return { status: 429, message: 'Too many requests at the proxy', headers: { 'retry-after-ms': '30' } };
			},
		});
		const run = await runWorkflow({
			parameters: promptParameters({ concurrency: 100, maxRetries: 8 }),
			items: itemsNamed(200),
			credentials: credentials(),
		});
		expect(runError(run)).toBeUndefined();
		const output = outputOf(run);
		expect(output).toHaveLength(200);
		output.forEach((item, i) => {
			expect(item.json.error).toBeUndefined();
			expect(item.json.text).toBe(`Echo: item-${i}`);
			expect(item.pairedItem).toEqual({ item: i });
		});
		expect(refused).toBeGreaterThan(10);
		expect(server.counters.completed).toBe(200);
		expect(server.counters.chatRequests).toBe(200 + refused + server.counters.rateLimited);
		const retried = output.filter((item) => Number(item.json.attempts) > 1).length;
		expect(retried).toBeGreaterThan(0);
		expect(output.reduce((sum, item) => sum + Number(item.json.attempts) - 1, 0)).toBe(refused + server.counters.rateLimited);
	});

	it('retries 500s and connection resets; past the retries only the failing items error', async () => {
		const attemptsByPrompt = new Map<string, number>();
		server.configure({
			fault: ({ lastUserText }) => {
				const attempt = (attemptsByPrompt.get(lastUserText) ?? 0) + 1;
				attemptsByPrompt.set(lastUserText, attempt);
				if (lastUserText.startsWith('flaky')) return attempt === 1 ? { status: 500 } : attempt === 2 ? 'reset' : undefined;
				if (lastUserText.startsWith('broken')) return { status: 503, message: 'model overloaded' };
				return undefined;
			},
		});
		const items = [{ q: 'fine-0' }, { q: 'flaky-1' }, { q: 'broken-2' }, { q: 'fine-3' }, { q: 'flaky-4' }, { q: 'broken-5' }];
		const run = await runWorkflow({
			parameters: promptParameters({ maxRetries: 2 }),
			items,
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(runError(run)).toBeUndefined();
		const output = outputOf(run);
		expect(output.map((item) => item.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));
		expect(output[0].json).toMatchObject({ text: 'Echo: fine-0', attempts: 1 });
		expect(output[1].json).toMatchObject({ text: 'Echo: flaky-1', attempts: 3 });
		expect(output[3].json).toMatchObject({ text: 'Echo: fine-3', attempts: 1 });
		expect(output[4].json).toMatchObject({ text: 'Echo: flaky-4', attempts: 3 });
		for (const i of [2, 5]) {
			expect(output[i].json.text).toBeUndefined();
			expect(output[i].json.error).toBe(`Item ${i}: 503 model overloaded (after 3 attempts)`);
		}
		expect(server.counters.resets).toBe(2);
		expect(server.counters.serverErrors).toBe(2 + 2 * 3);
	});

	it('without Continue On Fail, a failing item stops the node with an error naming it', async () => {
		server.configure({ fault: ({ lastUserText }) => (lastUserText === 'item-2' ? { status: 400, message: 'bad request' } : undefined) });
		const run = await runWorkflow({ parameters: promptParameters(), items: itemsNamed(4), credentials: credentials() });
		const error = runError(run);
		expect(error?.message).toBe('Item 2: 400 bad request');
		expect(server.counters.chatRequests).toBeLessThanOrEqual(4);
	});

	it('cancelling the execution aborts in-flight requests at once and sends no more', async () => {
		server.configure({ fault: () => 'hang' });
		// Counted by prompt, so that a straggler from an earlier test cannot blur the figures.
		const sent = () => server.received.filter((r) => JSON.stringify(r.body).includes('cancel-')).length;
		const execution = await startWorkflow({
			parameters: promptParameters({ concurrency: 5, timeout: 60_000 }),
			items: itemsNamed(50, 'cancel'),
			credentials: credentials(),
		});
		await waitFor(() => sent() === 5 && server.counters.inFlight >= 5, 5000);
		execution.cancel();
		await waitFor(() => server.counters.clientAborts >= 5, 1000);
		const run = await execution.result;
		expect(run.status).toBe('canceled');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(sent()).toBe(5);
		expect(server.counters.inFlight).toBe(0);
	});

	it('an invalid message list fails with the item index and the problem', async () => {
		const items = [
			{ messages: [{ role: 'user', content: 'hello' }] },
			{ messages: [{ role: 'user', content: 'ok' }, { role: 'usr', content: 'typo' }] },
		];
		const parameters = { model: MODEL, promptSource: 'messages', messagesField: 'messages', options: {} };
		const failed = await runWorkflow({ parameters, items, credentials: credentials() });
		expect(runError(failed)?.message).toBe(
			'Item 1: Messages: messages[1].role: must be one of system, developer, user, assistant, tool, got "usr"',
		);
		// Items are read as the workers reach them, so item 0's request may have left (and been
		// aborted) before item 1 was read, as in any node that works item by item; item 1's never does.
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(server.counters.chatRequests).toBeLessThanOrEqual(1);
		expect(JSON.stringify(server.received.map((request) => request.body))).not.toContain('typo');

		server.reset();
		const tolerant = await runWorkflow({ parameters, items, credentials: credentials(), continueOnFail: true });
		const output = outputOf(tolerant);
		expect(output[0].json.text).toBe('Echo: hello');
		expect(output[1].json.error).toMatch(/^Item 1: Messages: messages\[1\]\.role/);
		expect(output[1].pairedItem).toEqual({ item: 1 });
		expect(server.counters.chatRequests).toBe(1);
	});

	it('names the field when a message lacks what its role needs', async () => {
		const items = [{ chat: { history: [{ role: 'tool', content: 'result' }] } }];
		const run = await runWorkflow({
			parameters: { model: MODEL, promptSource: 'messages', messagesField: 'chat.history', options: {} },
			items,
			credentials: credentials(),
		});
		expect(runError(run)?.message).toBe('Item 0: Messages: chat.history[0].tool_call_id: Required');
	});

	it('JSON schema output gives the parsed object; output that breaks the schema is that item\'s error', async () => {
		const schema = {
			type: 'object',
			properties: { answer: { type: 'string' }, confidence: { type: 'number', minimum: 0, maximum: 1 } },
			required: ['answer', 'confidence'],
			additionalProperties: false,
		};
		server.configure({
			answer: ({ lastUserText }) =>
				lastUserText === 'bad' ? JSON.stringify({ answer: 42, confidence: 3 }) : undefined,
		});
		const run = await runWorkflow({
			parameters: promptParameters({}, { responseFormat: 'json_schema', schemaName: 'verdict', jsonSchema: JSON.stringify(schema), strict: true }),
			items: [{ q: 'good' }, { q: 'bad' }],
			credentials: credentials(),
			continueOnFail: true,
		});
		const output = outputOf(run);
		expect(output[0].json.parsed).toEqual({ answer: 'good', confidence: 0 });
		expect(output[1].json.error).toBe(
			'Item 1: the model\'s answer does not match the JSON schema "verdict": $.answer expected string, got integer; $.confidence must be <= 1',
		);
		expect(server.received[0].body).toMatchObject({
			response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema, strict: true } },
		});
	});

	it('n = 3 with logprobs gives three candidates whose perplexity is exp(-mean logprob) of what was served', async () => {
		const run = await runWorkflow({
			parameters: promptParameters({ n: 3, logprobs: true, topLogprobs: 2 }),
			items: [{ q: 'tell me a story' }],
			credentials: credentials(),
		});
		const [item] = outputOf(run);
		const candidates = item.json.candidates as IDataObject[];
		expect(candidates).toHaveLength(3);
		const served = server.served[0].response.choices as Array<{ logprobs: { content: Array<{ logprob: number }> } }>;
		candidates.forEach((candidate, i) => {
			const logprobs = served[i].logprobs.content.map((t) => t.logprob);
			const mean = logprobs.reduce((a, b) => a + b, 0) / logprobs.length;
			expect(candidate.meanLogprob).toBeCloseTo(mean, 12);
			expect(candidate.perplexity).toBeCloseTo(Math.exp(-mean), 12);
			expect(candidate.text).toBe(`Echo: tell me a story #${i + 1}`);
		});
		expect(new Set(candidates.map((c) => c.perplexity)).size).toBe(3);
		expect(item.json.perplexity).toBe(candidates[0].perplexity);
		expect(server.received[0].body).toMatchObject({ n: 3, logprobs: true, top_logprobs: 2 });
	});

	it('sends every option the user sets, with extra body parameters passed through', async () => {
		const run = await runWorkflow({
			parameters: promptParameters(
				{
					temperature: 0.3,
					topP: 0.9,
					maxCompletionTokens: 200,
					maxTokens: 150,
					stop: 'END\n###',
					seed: 42,
					presencePenalty: 0.5,
					frequencyPenalty: -0.5,
					n: 2,
					logprobs: true,
					topLogprobs: 3,
					extraBody: '{"use_beam_search": true, "options": {"num_ctx": 8192}}',
				},
				{ responseFormat: 'json_object' },
			),
			items: [{ q: 'all options' }],
			credentials: credentials(),
		});
		expect(runError(run)).toBeUndefined();
		expect(server.received[0].body).toEqual({
			model: 'mock-small',
			messages: [{ role: 'user', content: 'all options' }],
			temperature: 0.3,
			top_p: 0.9,
			max_completion_tokens: 200,
			max_tokens: 150,
			stop: ['END', '###'],
			seed: 42,
			presence_penalty: 0.5,
			frequency_penalty: -0.5,
			n: 2,
			logprobs: true,
			top_logprobs: 3,
			response_format: { type: 'json_object' },
			use_beam_search: true,
			options: { num_ctx: 8192 },
		});
		expect(outputOf(run)[0].json.parsed).toEqual({ echo: 'all options #1' });
	});

	it('bad parameters are a clear error naming the item and the field', async () => {
		const run = await runWorkflow({
			parameters: promptParameters({ extraBody: '={{ $json.extra }}' }),
			items: [{ q: 'a', extra: '{}' }, { q: 'b', extra: '{not json' }],
			credentials: credentials(),
		});
		expect(runError(run)?.message).toMatch(/^Item 1: Extra Body Parameters: is not valid JSON/);
		expect(server.counters.chatRequests).toBe(0);
	});

	it('never shows the API key: not in outputs, not in errors, even when the server echoes it', async () => {
		server.configure({ apiKey: 'sk-the-right-key-000000' });
		const wrongKey = 'sk-wrong-key-7d3e9f1a5c';
		const failed = await runWorkflow({
			parameters: promptParameters(),
			items: itemsNamed(2),
			credentials: credentials({ apiKey: wrongKey }),
			continueOnFail: true,
		});
		const serverMessages = server.counters.unauthorized;
		expect(serverMessages).toBe(2);
		const text = JSON.stringify(outputOf(failed));
		expect(text).toContain('401 Incorrect API key provided');
		expect(text).not.toContain(wrongKey);
		expect(text).not.toContain('wrong-key');

		const stopped = await runWorkflow({ parameters: promptParameters(), items: itemsNamed(1), credentials: credentials({ apiKey: wrongKey }) });
		const error = runError(stopped);
		expect(error?.message).toMatch(/^Item 0: The server at \S+ refused the API key of the credential "Test openAiCompatibleApi": check its API Key \(and Send Key As\)\. 401 Incorrect API key provided: \[redacted\]/);
		expect(JSON.stringify(stopped.data.resultData)).not.toContain(wrongKey);

		server.configure({ apiKey: API_KEY });
		const ok = await runWorkflow({ parameters: promptParameters(), items: itemsNamed(2), credentials: credentials() });
		expect(outputOf(ok)).toHaveLength(2);
		expect(JSON.stringify(ok.data.resultData)).not.toContain(API_KEY);
	});

	it('sends the key as api-key for Azure OpenAI, with organization, project and extra headers', async () => {
		server.configure({ apiKey: API_KEY });
		const run = await runWorkflow({
			parameters: promptParameters(),
			items: itemsNamed(1),
			credentials: credentials({
				authHeader: 'apiKey',
				organization: 'org-1',
				project: 'proj-1',
				extraHeaders: '{"X-Title": "reward-loop tests"}',
			}),
		});
		expect(runError(run)).toBeUndefined();
		const headers = server.received[0].headers;
		expect(headers['api-key']).toBe(API_KEY);
		expect(headers.authorization).toBeUndefined();
		expect(headers['openai-organization']).toBe('org-1');
		expect(headers['openai-project']).toBe('proj-1');
		expect(headers['x-title']).toBe('reward-loop tests');
	});

	it('sends no Authorization header when a local server needs no key', async () => {
		const run = await runWorkflow({ parameters: promptParameters(), items: itemsNamed(1), credentials: { baseUrl: testServer.baseUrl, apiKey: '' } });
		expect(outputOf(run)[0].json.text).toBe('Echo: item-0');
		expect(server.received[0].headers.authorization).toBeUndefined();
	});

	it('a Prompt or System Message that gives an object or a list is the item\'s error naming the field, not "[object Object]" sent to the model', async () => {
		const run = await runWorkflow({
			parameters: promptParameters({}, { systemMessage: '={{ $json.system }}' }),
			items: [{ q: 'fine', system: 'Be brief.' }, { q: 'object', system: { tone: 'brief' } }],
			credentials: credentials(),
			continueOnFail: true,
		});
		const output = outputOf(run);
		expect(output[0].json.text).toBe('Echo: fine');
		expect(output[1].json.error).toBe('Item 1: System Message: is an object ({"tone":"brief"}), not text');
		expect(server.received.filter((r) => r.path === '/chat/completions').map((r) => JSON.stringify(r.body))).not.toContainEqual(expect.stringContaining('[object Object]'));
	});
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
