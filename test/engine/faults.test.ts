/**
 * Faults that used to make items wait in silence (issue 15, D1–D3), through n8n's engine against the
 * test server scripted to misbehave exactly that way, with Continue On Fail on and off: every item
 * ends as a result or an error naming the item and the server's words, and an hour-long reset fails
 * the items at once instead of holding the node for the hour. Then D4–D9, D11 and the llama.cpp
 * findings (below): errors that keep their item and cause, bounded error text, answers checked
 * for shape, secrets redacted from every output, judges without a message, 501s, usage counted for
 * one choice, node-wide settings. The fault matrix in `npm run bench` (bench/faults.ts) runs the same
 * faults with 200 items.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Container } from '@n8n/di';
import { Logger } from '@n8n/backend-common';
import { resetLimiters } from '../../core/transport/limits/registry';
import type { IDataObject } from 'n8n-workflow';
import { outputOf, runError, runWorkflow, taskOf } from './harness';
import { useTestServer } from './testServer';

const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };
const API_KEY = 'sk-test-faults-1b2c3d4e';

const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({});
	server.reset();
});

const items = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => ({ q: `${prefix}-${i}` }));
const generate = (prefix: string, count: number, continueOnFail: boolean, options: Record<string, unknown> = {}) =>
	runWorkflow({ parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options }, items: items(count, prefix), credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl }, continueOnFail });

/** Every item is there, in order, as an answer or as an error naming itself. */
function expectEachItemEnds(run: Awaited<ReturnType<typeof generate>>, count: number) {
	const output = outputOf(run);
	expect(output).toHaveLength(count);
	output.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		if (item.json.error !== undefined) expect(String(item.json.error)).toMatch(new RegExp(`^Item ${index}: `));
		else expect(typeof item.json.text).toBe('string');
	});
	return output.filter((item) => item.json.error !== undefined).map((item) => String(item.json.error));
}

describe('D1: nothing remains until an hour-long reset, and no retry-after', () => {
	const hourLongQuota = () => server.configure({ latencyMs: 10, answerHeaders: () => ({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1h' }) });

	it('with Continue On Fail: the answered items keep their answers, the others fail at once saying when the server resets', async () => {
		hourLongQuota();
		const started = Date.now();
		const run = await generate('d1', 60, true);
		expect(Date.now() - started).toBeLessThan(5_000);
		const errors = expectEachItemEnds(run, 60);
		expect(errors.length).toBeGreaterThan(0);
		expect(errors.length).toBeLessThan(60);
		for (const error of errors) {
			expect(error).toContain('x-ratelimit-remaining-requests: 0');
			expect(error).toContain('1 h 0 min');
			expect(error).toContain('Max Rate-Limit Wait');
		}
	});

	it('without Continue On Fail: the run fails at once with an error naming the item', async () => {
		hourLongQuota();
		const started = Date.now();
		const run = await generate('d1-stop', 60, false);
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(runError(run)?.message).toMatch(/^Item \d+: the server's rate limit holds every request on this key for another/);
	});

	it('a 3-minute reset fails too (over the 2-minute cap), a 90-second one is waited out only when the cap allows it', async () => {
		server.configure({ latencyMs: 10, answerHeaders: () => ({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '3m' }) });
		const run = await generate('d1-3m', 30, true);
		const errors = expectEachItemEnds(run, 30);
		expect(errors.some((error) => error.includes('3 min 0 s'))).toBe(true);
		// The cap is the node's option: at 60 s, a 90 s reset fails as well.
		server.configure({ latencyMs: 10, answerHeaders: () => ({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '90s' }) });
		server.reset();
		// The key is still closed for the 3 minutes: forget it, as a new process would.
		await resetLimiters();
		const capped = await generate('d1-90s', 30, true, { maxWait: 60 });
		const cappedErrors = expectEachItemEnds(capped, 30);
		expect(cappedErrors.some((error) => error.includes('1 min 30 s') && error.includes('1 min 0 s a request may wait'))).toBe(true);
	});
});

describe('D2: a 429 whose only hint is x-ratelimit-reset-requests: 1h', () => {
	it('fails its item at once instead of retrying with short backoff, and every other item with it', async () => {
		server.configure({ latencyMs: 10, fault: () => ({ status: 429, message: 'Quota exceeded', headers: { 'x-ratelimit-reset-requests': '1h' } }) });
		const started = Date.now();
		const run = await generate('d2', 40, true);
		expect(Date.now() - started).toBeLessThan(5_000);
		const errors = expectEachItemEnds(run, 40);
		expect(errors).toHaveLength(40);
		for (const error of errors) expect(error).toContain('1 h 0 min');
		// One request per item at most: nobody retried into the hour.
		expect(server.counters.chatRequests).toBeLessThanOrEqual(40);
		expect(errors.some((error) => error.includes('x-ratelimit-reset-requests: 1h'))).toBe(true);
	});
});

describe('D3: 429s with no headers at all, from a proxy that allows 20 requests a second', () => {
	/** The proxy's own bucket: 20 per second, one second's worth; refusals carry no header at all. */
	function bareLimit(perSecond: number) {
		let level = perSecond;
		let last = performance.now();
		let refused = 0;
		server.configure({
			latencyMs: 20,
			fault: () => {
				const now = performance.now();
				level = Math.min(perSecond, level + ((now - last) / 1000) * perSecond);
				last = now;
				if (level >= 1) {
					level -= 1;
					return undefined;
				}
				refused++;
				return { status: 429, message: 'Too Many Requests' };
			},
		});
		return () => refused;
	}

	it('slows the key down together: 200 items all succeed with the default retries, Continue On Fail off', async () => {
		const refused = bareLimit(20);
		const run = await generate('d3', 200, false);
		expect(runError(run)).toBeUndefined();
		expect(expectEachItemEnds(run, 200)).toEqual([]);
		expect(refused()).toBeGreaterThan(0);
		// Far fewer refusals than requests: the key paused as a whole instead of each item hammering on.
		expect(refused()).toBeLessThan(200);
	}, 60_000);
});

describe('waits under the cap are said in the log', () => {
	it('a 429 with retry-after: 2 says who waits, how long and why, at info level', async () => {
		let first = true;
		server.configure({
			latencyMs: 5,
			fault: () => {
				if (!first) return undefined;
				first = false;
				return { status: 429, message: 'slow down', headers: { 'retry-after': '2' } };
			},
		});
		const infos: string[] = [];
		const info = jest.spyOn(Container.get(Logger), 'info').mockImplementation((message: string) => void infos.push(message));
		try {
			const run = await generate('logged', 3, false);
			expect(runError(run)).toBeUndefined();
		} finally {
			info.mockRestore();
		}
		const line = infos.find((message) => message.startsWith('Rate limit on'));
		expect(line).toContain(new URL(testServer.baseUrl).host);
		expect(line).toContain('holds every request on the key for 2 s');
		expect(line).toContain('retry-after: 2');
		expect(line).not.toContain(API_KEY);
	}, 30_000);
});

// ---------------------------------------------------------------------------------------------
// D4–D9, D11 and the llama.cpp findings: every item ends as a result or as an error naming itself
// and the real cause, Continue On Fail on and off, on a server scripted to misbehave that way.
// ---------------------------------------------------------------------------------------------

const LOOP = 'n8n-nodes-reward-loop.rewardLoop';
const SCORE = 'n8n-nodes-reward-loop.scoreOutput';
const HEADER_SECRET = 'team-secret-5a6b7c8d';
/** n8n's own sentences for network codes: none of them may stand in for our message. */
const N8N_GENERIC = /perhaps it is offline|The connection to the server was closed unexpectedly|The service refused the connection/;

async function closedPortUrl(): Promise<string> {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as AddressInfo;
	await new Promise<void>((resolve) => probe.close(() => resolve()));
	return `http://127.0.0.1:${port}/v1`;
}

const loopParameters = (extra: IDataObject = {}, loopOptions: IDataObject = {}) => ({
	rewardSource: 'scorers',
	model: MODEL,
	promptSource: 'prompt',
	prompt: '={{ $json.q }}',
	options: { maxRetries: 0 },
	candidatesPerRound: 2,
	maxRounds: 3,
	mode: 'scorers',
	scorers: { scorer: [{ name: 'battery', type: 'contains', values: 'battery' }] },
	combine: 'weighted',
	threshold: 0.99,
	loopOptions,
	...extra,
});
const loop = (prefix: string, count: number, continueOnFail: boolean, parameters: IDataObject, credentials: IDataObject = {}) =>
	runWorkflow({ nodeType: LOOP, parameters, items: items(count, prefix), credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl, ...credentials }, continueOnFail });
const score = (rows: IDataObject[], continueOnFail: boolean, scorers: IDataObject[], options: IDataObject = {}) =>
	runWorkflow({ nodeType: SCORE, parameters: { mode: 'scorers', textField: 'text', scorers: { scorer: scorers }, threshold: 0.5, options }, items: rows, credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl }, continueOnFail });
const judge = { name: 'quality', type: 'score_model', model: 'judge', rubric: 'Rate it', rangeMin: 0, rangeMax: 1 };
const rows = (count: number, prefix = 'row') => Array.from({ length: count }, (_, i) => ({ text: `${prefix}-${i}: the battery lasts ${i} hours`, reference: 'battery life' }));
/**
 * Requests this test sent, by its items' prefix: a request that an earlier test's failed run aborted
 * may still reach the server after the counters were reset.
 */
const requestsFor = (prefix: string, path = '/chat/completions') => server.received.filter((r) => r.path === path && JSON.stringify(r.body).includes(`${prefix}-`)).length;

/** Every input item is in the output once, in order; every error names its own item and matches `cause`. */
function expectAllNamed(run: Awaited<ReturnType<typeof generate>>, count: number, cause: RegExp) {
	const output = outputOf(run);
	expect(output).toHaveLength(count);
	output.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		expect(String(item.json.error)).toMatch(new RegExp(`^Item ${index}: `));
		expect(String(item.json.error)).toMatch(cause);
	});
	return output.map((item) => String(item.json.error));
}

/** Without Continue On Fail: the run's error names an item and the cause, and is ours, not n8n's sentence. */
function expectRunErrorNamed(run: Awaited<ReturnType<typeof generate>>, cause: RegExp) {
	const message = runError(run)?.message ?? '';
	expect(message).toMatch(/^Item \d+: /);
	expect(message).toMatch(cause);
	expect(message).not.toMatch(N8N_GENERIC);
	return message;
}

describe('D4: the item and the cause survive n8n rewriting messages with network codes', () => {
	it('connection refused: each item names ECONNREFUSED, and the run error is ours, not n8n\'s sentence', async () => {
		const refused = await closedPortUrl();
		const on = await runWorkflow({ parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { maxRetries: 1 } }, items: items(5, 'd4r'), credentials: { apiKey: API_KEY, baseUrl: refused }, continueOnFail: true });
		const errors = expectAllNamed(on, 5, /connect ECONNREFUSED 127\.0\.0\.1:\d+ \(after 2 attempts\)$/);
		for (const error of errors) expect(error).not.toMatch(N8N_GENERIC);
		const off = await runWorkflow({ parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { maxRetries: 1 } }, items: items(5, 'd4r'), credentials: { apiKey: API_KEY, baseUrl: refused } });
		expectRunErrorNamed(off, /connect ECONNREFUSED 127\.0\.0\.1:\d+ \(after 2 attempts\)$/);
	});

	it('a reset before the answer: "socket hang up" carries its code, ECONNRESET', async () => {
		server.configure({ fault: () => 'reset' });
		const on = await generate('d4s', 4, true, { maxRetries: 1 });
		expectAllNamed(on, 4, /socket hang up \(ECONNRESET\) \(after 2 attempts\)$/);
		const off = await generate('d4s', 4, false, { maxRetries: 1 });
		expectRunErrorNamed(off, /socket hang up \(ECONNRESET\) \(after 2 attempts\)$/);
	});

	it('a proxy\'s 502 whose body names ECONNREFUSED keeps the status and the proxy\'s words, in all three nodes', async () => {
		const words = 'upstream connect error or disconnect/reset before headers: connect ECONNREFUSED 10.0.0.7:8080';
		server.configure({ fault: () => ({ status: 502, message: words }), embeddingFault: () => ({ status: 502, message: words }) });
		const cause = new RegExp(`502 ${words.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`);
		expectAllNamed(await generate('d4p', 3, true, { maxRetries: 0 }), 3, cause);
		expectRunErrorNamed(await generate('d4p', 3, false, { maxRetries: 0 }), cause);
		expectRunErrorNamed(await loop('d4p', 2, false, loopParameters()), cause);
		expectRunErrorNamed(await score(rows(2), false, [judge], { maxRetries: 0 }), cause);
		const scored = await score(rows(2), true, [{ name: 'close', type: 'embedding_similarity', embeddingModel: 'embed', reference: '{{item.reference}}' }], { maxRetries: 0 });
		expectAllNamed(scored, 2, cause);
	});
});

describe('D5: the Reward Loop says why no candidate could be scored', () => {
	it('a 401 stops the item at once (no round 2), naming the cause and its count, with the key redacted', async () => {
		server.configure({ apiKey: 'sk-the-right-key-000' });
		const on = await loop('d5a', 4, true, loopParameters({ options: { maxRetries: 3 } }));
		const hint = 'The server at \\S+ refused the API key of the credential "Test openAiCompatibleApi": check its API Key \\(and Send Key As\\)\\. ';
		const stopped = 'stopped at the first 401 Unauthorized, which asking again cannot change \\(1 × 401 Unauthorized\\); last: 401 Incorrect API key provided: \\[redacted\\]\\.';
		const errors = expectAllNamed(on, 4, new RegExp(`^Item \\d: ${hint}${stopped}( \\(not sent: the server refused this credential for item 0's request\\))?$`));
		expect(errors.join('\n')).not.toContain(API_KEY);
		// One request for the run (issue 17): neither a retry, a second round nor another item sent it again.
		expect(requestsFor('d5a')).toBe(1);
		expect(outputOf(on)[0].json.loop).toMatchObject({ roundsUsed: 1, requests: 1, errors: 1 });
		const off = await loop('d5o', 4, false, loopParameters({ options: { maxRetries: 3 } }, { useN: false }));
		expectRunErrorNamed(off, new RegExp(`${hint}${stopped}( \\(not sent: the server refused this credential for item 0's request\\))?$`));
		expect(requestsFor('d5o')).toBe(1);
	});

	it('several causes in one item are counted, and the last one is given in full', async () => {
		// Each item's rounds: a 503, a reset, an answer without choices, then a 503 again.
		const seen = new Map<string, number>();
		const turn = (text: string) => {
			const n = (seen.get(text) ?? 0) + 1;
			seen.set(text, n);
			return n;
		};
		const script = new Map<string, number>();
		server.configure({
			fault: ({ lastUserText }) => {
				const n = turn(lastUserText);
				script.set(lastUserText, n);
				if (n === 1 || n === 4) return { status: 503, message: 'model overloaded' };
				if (n === 2) return 'reset';
				return undefined;
			},
			raw: ({ lastUserText }) => (script.get(lastUserText) === 3 ? { body: JSON.stringify({ id: 'x', object: 'chat.completion', model: 'mock-small', choices: [] }) } : undefined),
		});
		const parameters = loopParameters({ maxRounds: 4 }, { maxErrors: 10 });
		const on = await loop('d5b', 3, true, parameters);
		expectAllNamed(
			on,
			3,
			/^Item \d: no candidate could be scored: 2 × 503 Service Unavailable, 1 × ECONNRESET, 1 × the server answered without any choice; last: 503 model overloaded$/,
		);
		seen.clear();
		const off = await loop('d5b', 3, false, loopParameters({ maxRounds: 4 }, { maxErrors: 2 }));
		expectRunErrorNamed(off, /3 errors, more than the 2 tolerated \(1 × 503 Service Unavailable, 1 × ECONNRESET, 1 × the server answered without any choice\); last: the server answered without any choice$/);
	});
});

describe('D6: a 10 MB error body gives bounded errors and bounded run data', () => {
	const huge = 'x'.repeat(10 * 1024 * 1024);

	it.each([
		['a JSON error with a 10 MB message', () => server.configure({ fault: () => ({ status: 400, message: huge }) })],
		['a 10 MB HTML page from a proxy', () => server.configure({ raw: () => ({ status: 502, body: `<html><body>${huge}</body></html>`, headers: { 'content-type': 'text/html' } }) })],
	])('%s: Continue On Fail on and off', async (_name, configure) => {
		configure();
		const on = await generate('d6', 10, true, { maxRetries: 0 });
		const errors = expectAllNamed(on, 10, /characters in all\)/);
		for (const error of errors) expect(error.length).toBeLessThan(1_200);
		expect(JSON.stringify(on.data.resultData).length).toBeLessThan(100_000);
		const off = await generate('d6', 10, false, { maxRetries: 0 });
		expect(expectRunErrorNamed(off, /characters in all\)/).length).toBeLessThan(1_200);
		expect(JSON.stringify(off.data.resultData).length).toBeLessThan(100_000);
	}, 60_000);
});

describe('D7: every answer is checked against the shape the node reads', () => {
	const broken: Array<[string, unknown, string]> = [
		['choices: null', { model: 'm', choices: null }, 'choices: expected array, got null'],
		['message: null', { model: 'm', choices: [{ index: 0, message: null, finish_reason: 'stop' }] }, 'choices[0].message: expected object, got null'],
		['content: 42', { model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 42 }, finish_reason: 'stop' }] }, 'choices[0].message.content: expected string, got number'],
		['usage: "ten"', { model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: 'ten' }, 'usage: expected object, got string'],
		['null', null, 'expected object, got null'],
	];
	const scriptBroken = () =>
		server.configure({ raw: ({ lastUserText }) => ({ body: JSON.stringify(broken[Number(lastUserText.split('-').pop()) % broken.length][1]) }) });

	it('a 200 that breaks it is that item\'s error naming the field, and is not retried (Continue On Fail)', async () => {
		scriptBroken();
		const run = await generate('d7', 10, true);
		const errors = expectAllNamed(run, 10, /: the server answered 200: the answer is not a chat completion: /);
		errors.forEach((error, index) => expect(error).toBe(`Item ${index}: the server answered 200: the answer is not a chat completion: ${broken[index % broken.length][2]}`));
		// Default Max Retries is 5, yet one request per item: a 200 is no reason to ask again.
		expect(requestsFor('d7')).toBe(10);
	});

	it('without Continue On Fail the run stops at the item, naming the field', async () => {
		scriptBroken();
		const run = await generate('d7s', 10, false);
		expectRunErrorNamed(run, /the answer is not a chat completion: (choices|usage|expected)/);
		expect(requestsFor('d7s')).toBeLessThanOrEqual(10);
	});

	it('"JSON Object" accepts only an object: a string, a number or an array is the item\'s error', async () => {
		const answers = ['"He,"', '42', '[1, 2]', '{"ok": true}'];
		server.configure({ answer: ({ lastUserText }) => answers[Number(lastUserText.split('-').pop())] });
		const parameters = { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', responseFormat: 'json_object', options: {} };
		const run = await runWorkflow({ parameters, items: items(4, 'obj'), credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl }, continueOnFail: true });
		expect(outputOf(run).map((item) => item.json.error ?? item.json.parsed)).toEqual([
			"Item 0: the model's answer is JSON but not a JSON object (it is a string)",
			"Item 1: the model's answer is JSON but not a JSON object (it is a number)",
			"Item 2: the model's answer is JSON but not a JSON object (it is an array)",
			{ ok: true },
		]);
		const off = await runWorkflow({ parameters, items: items(1, 'obj'), credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl } });
		expect(runError(off)?.message).toBe("Item 0: the model's answer is JSON but not a JSON object (it is a string)");
	});

	it('an embeddings answer that breaks its shape fails the item naming the field', async () => {
		server.configure({ embeddingRaw: () => ({ body: JSON.stringify({ object: 'list', data: [{ index: 0, embedding: null }] }) }) });
		const scorer = { name: 'close', type: 'embedding_similarity', embeddingModel: 'embed', reference: '{{item.reference}}' };
		expectAllNamed(await score(rows(3, 'emb'), true, [scorer]), 3, /the server answered 200: the answer is not an embeddings answer: data\[0\]\.embedding: expected array, got null$/);
		expect(requestsFor('emb', '/embeddings')).toBe(3);
		expectRunErrorNamed(await score(rows(3), false, [scorer]), /data\[0\]\.embedding: expected array, got null$/);
	});
});

describe('D8: the credential\'s secrets are redacted from everything the node outputs', () => {
	const secretCredentials = { extraHeaders: JSON.stringify({ 'X-Team-Secret': HEADER_SECRET }) };
	/** The server echoes the Authorization header and the team header into the text, the model name and the tokens. */
	const echo = () =>
		server.configure({
			answer: ({ headers }) => {
				const leak = `${headers.authorization} ${headers['x-team-secret']}`;
				const text = `Your key: ${leak} and the battery`;
				// A tokenizer splits a key into several tokens: the logprobs must not spell it either.
				const tokens = [...text.match(/.{1,3}/gs)!];
				return { model: `echo-${leak}`, choices: [{ content: text, tokens }, { content: `again ${leak}`, tokens: [...`again ${leak}`.match(/.{1,5}/gs)!] }] };
			},
		});
	const expectNoSecret = (value: unknown) => {
		const text = JSON.stringify(value);
		expect(text).not.toContain(API_KEY);
		expect(text).not.toContain(HEADER_SECRET);
		expect(text).toContain('[redacted]');
	};

	it('Generate Text: text, model, candidates and logprob tokens', async () => {
		echo();
		const parameters = { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { n: 2, logprobs: true } };
		const run = await runWorkflow({ parameters, items: items(3, 'd8'), credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl, ...secretCredentials } });
		const output = outputOf(run);
		expect(output).toHaveLength(3);
		expectNoSecret(run.data.resultData);
		expect(output[0].json.text).toBe('Your key: Bearer [redacted] [redacted] and the battery');
		expect(output[0].json.model).toBe('echo-Bearer [redacted] [redacted]');
		const tokens = (output[0].json.logprobs as Array<{ token: string }>).map((t) => t.token);
		expect(tokens).toContain('[redacted]');
		expect(tokens.join('')).not.toContain(API_KEY.slice(0, 12));
	});

	it('Reward Loop: text, history, feedback and preference pairs; and in external mode the items sent out', async () => {
		echo();
		const run = await loop('d8', 2, false, loopParameters({ candidatesPerRound: 2, maxRounds: 2, scorers: { scorer: [{ name: 'battery', type: 'contains', values: 'battery' }, { name: 'hours', type: 'contains', values: 'hours' }] } }), secretCredentials);
		expect(runError(run)).toBeUndefined();
		const output = outputOf(run);
		expect(output).toHaveLength(2);
		expect((output[0].json.history as unknown[]).length).toBe(4);
		expect((output[0].json.preferencePairs as { dpo: unknown[] }).dpo.length).toBeGreaterThan(0);
		expectNoSecret(run.data.resultData);
		const external = await runWorkflow({
			nodeType: LOOP,
			parameters: { rewardSource: 'external', model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: {}, candidatesPerRound: 2, maxRounds: 1, rewardField: 'reward', externalThreshold: 0.9, loopOptions: {} },
			items: items(1, 'd8x'),
			credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl, ...secretCredentials },
		});
		expect(outputOf(external, 1)).toHaveLength(2);
		expectNoSecret(external.data.resultData);
	});

	it('Score Output: a judge\'s reasons and steps', async () => {
		server.configure({
			answer: ({ headers }) => JSON.stringify({ steps: [{ description: 'checked', conclusion: `fine, says ${headers.authorization}` }], result: 1 }),
		});
		const run = await score(rows(2), false, [judge]);
		expect(runError(run)).toBeUndefined();
		expect(String(outputOf(run)[0].json.reason)).toBeDefined();
		expect(String((outputOf(run)[0].json.scores as Record<string, IDataObject>).quality.reason)).toBe('judge gave 1 on [0, 1]: fine, says Bearer [redacted]');
		expectNoSecret(run.data.resultData);
	});
});

describe('D9: a judge that answers 200 without a usable message fails the item like a failed request', () => {
	it.each([
		['no choices', { model: 'judge', choices: [] }, 'choices: expected at least one choice, got none'],
		['null content', { model: 'judge', choices: [{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'stop' }] }, 'choices[0].message.content: expected string, got null'],
	])('%s: no reward 0, the item\'s error instead', async (_name, body, problem) => {
		server.configure({ raw: () => ({ body: JSON.stringify(body) }) });
		const cause = `the server answered 200: model "judge" answered without a usable message: ${problem}`;
		const on = await score(rows(4), true, [judge]);
		expectAllNamed(on, 4, new RegExp(`${cause.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
		for (const item of outputOf(on)) expect(item.json).not.toHaveProperty('reward');
		expectRunErrorNamed(await score(rows(4), false, [judge]), new RegExp(`${problem.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
		// In the loop too: the round's candidates cannot be scored, so the item fails.
		server.configure({ raw: ({ body: request }) => (request.response_format?.json_schema?.name === 'score' ? { body: JSON.stringify(body) } : undefined) });
		const looped = await loop('d9', 2, true, loopParameters({ scorers: { scorer: [judge] } }));
		expectAllNamed(looped, 2, new RegExp(`${problem.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
	});
});

describe('llama.cpp: 501 and "not supported" are not retried', () => {
	it.each([
		['501', { status: 501, message: 'This server does not support embeddings. Start it with `--embeddings`' }],
		['500 saying "not implemented"', { status: 500, message: 'Embeddings are not implemented for this model' }],
	])('%s: one request per item and a clear message at once', async (_name, fault) => {
		server.configure({ embeddingFault: () => fault });
		const scorer = { name: 'close', type: 'embedding_similarity', embeddingModel: 'embed', reference: '{{item.reference}}' };
		const started = Date.now();
		const on = await score(rows(5, 'e501'), true, [scorer]);
		expect(Date.now() - started).toBeLessThan(3_000);
		expectAllNamed(on, 5, new RegExp(`: ${fault.status} ${fault.message.split('.')[0]}`));
		// Max Retries is 5 by default: one request per item all the same.
		expect(requestsFor('e501', '/embeddings')).toBe(5);
		expectRunErrorNamed(await score(rows(5), false, [scorer]), new RegExp(`${fault.status} `));
	});
});

describe('llama.cpp: usage counted for one choice when n > 1', () => {
	/** Four choices of about 100 characters, the usage counting the first one only (as llama.cpp does). */
	const countOne = () =>
		server.configure({
			answer: ({ body }) => ({
				choices: Array.from({ length: body.n ?? 1 }, (_, i) => ({
					content: `Candidate ${i}: the battery of this phone lasts a whole day and charges quickly, the screen is bright outdoors.`,
					tokens: i === 0 ? undefined : [],
				})),
			}),
		});

	it('Generate Text flags it in usageNote and gives n8n the estimate', async () => {
		countOne();
		const parameters = { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { n: 4 } };
		const run = await runWorkflow({ parameters, items: items(2, 'u'), credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl } });
		const [first] = outputOf(run);
		expect(first.json.usage).toMatchObject({ completionTokens: 19 });
		expect(String(first.json.usageNote)).toMatch(/^the server counted 19 completion tokens for 4 choices whose text alone is at least 56 tokens/);
		const estimated = first.json.estimatedUsage as { completionTokens: number };
		expect(estimated.completionTokens).toBe(108);
		expect(taskOf(run)?.metadata?.tokenUsage?.outputTokens).toBe(2 * estimated.completionTokens);
	});

	it('an honest count is not flagged', async () => {
		const parameters = { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { n: 4 } };
		const run = await runWorkflow({ parameters, items: items(2, 'honest'), credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl } });
		expect(outputOf(run)[0].json).not.toHaveProperty('usageNote');
	});

	it('the Reward Loop\'s token budget uses the estimate', async () => {
		countOne();
		// 19 completion tokens a round by the server's count (5 rounds stay under 100), 108 by the estimate.
		const hours = { scorer: [{ name: 'hours', type: 'contains', values: 'hours' }] };
		const run = await loop('u', 2, false, loopParameters({ candidatesPerRound: 4, maxRounds: 5, scorers: hours }, { maxTokens: 100 }));
		expect(runError(run)).toBeUndefined();
		for (const item of outputOf(run)) {
			expect(item.json).toMatchObject({ stopReason: 'tokens', roundsUsed: 1 });
			expect(String(item.json.usageNote)).toMatch(/^the server counted 19 completion tokens for 4 choices/);
		}
	});
});

describe('D11: node-wide settings are checked once, before any request, and blame no item', () => {
	const cases: Array<[string, IDataObject, string]> = [
		['negative Concurrency', { concurrency: -1 }, 'Concurrency: must be a whole number of at least 1'],
		['negative Max Retries', { maxRetries: -2 }, 'Max Retries: must be a whole number of at least 0'],
	];
	it.each(cases)('%s, in all three nodes', async (_name, options, message) => {
		const runs = (continueOnFail: boolean) => [
			runWorkflow({ parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options }, items: items(5, 'd11'), credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl }, continueOnFail }),
			loop('d11', 5, continueOnFail, loopParameters({ options })),
			score(rows(5), continueOnFail, [judge], options),
		];
		for (const run of await Promise.all(runs(false))) {
			expect(runError(run)?.message).toBe(message);
			expect(outputOf(run)).toEqual([]);
		}
		for (const run of await Promise.all(runs(true))) {
			const output = outputOf(run);
			expect(output).toHaveLength(5);
			output.forEach((item, index) => {
				expect(item.pairedItem).toEqual({ item: index });
				expect(item.json.error).toBe(message);
			});
		}
		expect(server.counters.requests).toBe(0);
	});
});
