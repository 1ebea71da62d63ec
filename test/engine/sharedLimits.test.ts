/**
 * One limit per API key across the n8n process, in n8n's engine: executions started together share
 * the key's window and pace, tokens per minute are paced as well as requests, the window grows on
 * an endpoint with no limit, a node's Concurrency caps its requests, and in queue mode the limit is
 * shared through Redis, which may go away mid-run without losing an item. Counts, never timings.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Container } from '@n8n/di';
import { Logger } from '@n8n/backend-common';
import { limiterFor, resetLimiters } from '../../core/transport/limits/registry';
import { redisSettingsFromEnvironment } from '../../core/transport/limits/redisStore';
import { arrivalTimeline, MockOpenAiServer } from '../server/mockOpenAiServer';
import { outputOf, runError, runWorkflow } from './harness';

const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };
const API_KEY = 'sk-test-shared-limits-7c1e';

let server: MockOpenAiServer;
let baseUrl: string;

beforeAll(async () => {
	server = new MockOpenAiServer();
	baseUrl = await server.start();
});
afterAll(async () => {
	await resetLimiters();
	await server.stop();
});

const generate = (items: Array<{ q: string }>, options: Record<string, unknown> = {}) =>
	runWorkflow({ parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options }, items, credentials: { apiKey: API_KEY, baseUrl }, continueOnFail: true });
const itemsNamed = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => ({ q: `${prefix}-${i}` }));
const failedItems = (run: Awaited<ReturnType<typeof generate>>) => outputOf(run).filter((item) => item.json.error !== undefined);

describe('one limit per key, in one n8n process', () => {
	it('five executions started together on one key at 20 requests/s lose nothing and meet almost no 429', async () => {
		server.configure({ latencyMs: 50, requestsPerMinute: 1200 });
		server.reset();
		const runs = await Promise.all([0, 1, 2, 3, 4].map((execution) => generate(itemsNamed(20, `execution${execution}`))));
		for (const run of runs) {
			expect(runError(run)).toBeUndefined();
			expect(failedItems(run)).toEqual([]);
			expect(outputOf(run)).toHaveLength(20);
		}
		expect(server.counters.completed).toBe(100);
		// Each execution with a gate of its own sent 20 at once: 100 against a bucket of 20.
		// Said when it fails (or with REWARD_LOOP_SHOW_ARRIVALS=1): each arrival and the bucket's level before it.
		if (server.counters.rateLimited > 2 || process.env.REWARD_LOOP_SHOW_ARRIVALS) {
			console.log(`${server.counters.rateLimited} 429s; lowest level at an arrival ${Math.min(...server.arrivals.map((a) => a.level)).toFixed(2)}; arrivals at the server:\n${arrivalTimeline(server.arrivals)}`);
		}
		expect(server.counters.rateLimited).toBeLessThanOrEqual(2);
	}, 60_000);

	it('Generate Text and Score Output\'s judge, in executions started together, share the key\'s limit', async () => {
		// A judge asked for a score answers in JSON; a generation gets plain text.
		server.configure({
			latencyMs: 50,
			requestsPerMinute: 1200,
			answer: ({ body }) => (body.response_format ? JSON.stringify({ steps: [{ description: 'read it', conclusion: 'fine' }], result: 8 }) : 'an answer'),
		});
		server.reset();
		const judge = {
			id: 'judge',
			name: 'Judge',
			type: 'n8n-nodes-reward-loop.scoreOutput',
			typeVersion: 1,
			position: [400, 0] as [number, number],
			parameters: {
				mode: 'scorers',
				textField: 'text',
				scorers: { scorer: [{ name: 'quality', type: 'score_model', model: 'judge-model', rubric: 'Is it an answer?', rangeMin: 0, rangeMax: 10, passThreshold: 6 }] },
			},
			credentials: { openAiCompatibleApi: { id: 'cred-openAiCompatibleApi', name: 'Test openAiCompatibleApi' } },
			onError: 'continueRegularOutput' as const,
		};
		const chain = (prefix: string) =>
			runWorkflow({
				parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: {} },
				items: itemsNamed(20, prefix),
				credentials: { apiKey: API_KEY, baseUrl },
				continueOnFail: true,
				extra: { nodes: [judge], connections: { 'Node Under Test': { main: [[{ node: 'Judge', type: 'main', index: 0 }]] } } },
			});
		const runs = await Promise.all(['chainA', 'chainB', 'chainC'].map(chain));
		for (const run of runs) {
			expect(runError(run)).toBeUndefined();
			const judged = run.data.resultData.runData.Judge?.[0]?.data?.main?.[0] ?? [];
			expect(judged).toHaveLength(20);
			expect(judged.filter((item) => item.json.error !== undefined)).toEqual([]);
			expect(judged.every((item) => item.json.reward === 0.8)).toBe(true);
		}
		// 60 generations and 60 judge calls through one limiter.
		expect(server.counters.completed).toBe(120);
		expect(server.counters.rateLimited).toBeLessThanOrEqual(2);
	}, 60_000);

	it('Score Output\'s Concurrency caps judge requests in flight, not items', async () => {
		server.configure({ latencyMs: 100, answer: () => JSON.stringify({ steps: [{ description: 'read it', conclusion: 'fine' }], result: 5 }) });
		server.reset();
		const judgeScorer = (name: string) => ({ name, type: 'score_model', model: 'judge-model', rubric: `Rate it (${name}).`, rangeMin: 0, rangeMax: 10, passThreshold: 6 });
		const run = await runWorkflow({
			nodeType: 'n8n-nodes-reward-loop.scoreOutput',
			parameters: { mode: 'scorers', textField: 'q', scorers: { scorer: [judgeScorer('a'), judgeScorer('b'), judgeScorer('c')] }, options: { concurrency: 4 } },
			items: itemsNamed(10, 'judged'),
			credentials: { apiKey: API_KEY, baseUrl },
		});
		expect(runError(run)).toBeUndefined();
		expect(outputOf(run)).toHaveLength(10);
		expect(server.counters.completed).toBe(30);
		// Three judges per item: with Concurrency counting items, four items would put twelve requests in flight.
		expect(server.counters.maxInFlight).toBe(4);
	}, 60_000);

	it('paces by tokens per minute as well as requests, from the limit the headers state', async () => {
		// 120,000 tokens/min = 2,000 per second; each item is about 260 tokens and answers with 1.
		server.configure({ tokensPerMinute: 120_000, latencyMs: 20, answer: () => 'ok' });
		server.reset();
		const long = 'word '.repeat(200);
		const items = Array.from({ length: 40 }, (_, i) => ({ q: `${long} ${i}` }));
		const run = await generate(items);
		expect(failedItems(run)).toEqual([]);
		expect(server.counters.completed).toBe(40);
		// Only the first window goes out before the token limit is known; after that none is refused.
		const firstWindow = 20;
		expect(server.counters.rateLimited).toBeLessThanOrEqual(firstWindow);
		const afterLearning = server.counters.chatRequests - 40;
		expect(afterLearning).toBe(server.counters.rateLimited);
	}, 60_000);

	it('with no limit, lets the window grow past its start, up to the node\'s Concurrency', async () => {
		server.configure({ latencyMs: 100 });
		server.reset();
		const run = await generate(itemsNamed(200, 'open'));
		expect(failedItems(run)).toEqual([]);
		expect(server.counters.maxInFlight).toBeGreaterThan(40);
		expect(limiterFor({ apiKey: API_KEY, baseUrl }).window.inSlowStart).toBe(true);
		await resetLimiters();
		server.reset();
		const capped = await generate(itemsNamed(200, 'capped'), { concurrency: 30 });
		expect(failedItems(capped)).toEqual([]);
		expect(server.counters.maxInFlight).toBeLessThanOrEqual(30);
		expect(server.counters.maxInFlight).toBeGreaterThan(20);
	}, 60_000);

	it('halves the window on 429s that carry no headers at all', async () => {
		// A proxy that refuses 25 requests in flight with bare 429s: the window must come down.
		server.configure({ latencyMs: 30, fault: () => (server.counters.inFlight > 12 ? { status: 429 } : undefined) });
		server.reset();
		const run = await generate(itemsNamed(100, 'bare'), { maxRetries: 10 });
		expect(failedItems(run)).toEqual([]);
		expect(server.counters.completed).toBe(100);
		// The key's window (the same object the node used: one per key in the process) came down.
		const window = limiterFor({ apiKey: API_KEY, baseUrl }).window;
		expect(window.inSlowStart).toBe(false);
		expect(window.limit).toBeLessThanOrEqual(13);
	}, 60_000);
});

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis && process.env.CI !== 'true') console.log('Redis limiter engine test skipped: redis-server is not installed.');
const redisSuite = hasRedis || process.env.CI === 'true' ? describe : describe.skip;

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolve(port));
		});
	});
}

redisSuite('the key shared through Redis (queue mode)', () => {
	let redis: ChildProcess | undefined;
	afterEach(() => redis?.kill('SIGKILL'));

	it('Redis going away mid-run loses no item and says so once', async () => {
		const port = await freePort();
		redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
		await new Promise((resolve) => setTimeout(resolve, 300));
		// As a queue-mode worker sees it: n8n's own Redis settings.
		await resetLimiters(() => redisSettingsFromEnvironment({ EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(port) }));
		const warnings: string[] = [];
		const logger = Container.get(Logger);
		const warn = jest.spyOn(logger, 'warn').mockImplementation((message: string) => void warnings.push(message));
		try {
			server.configure({ latencyMs: 20, requestsPerMinute: 1200 });
			server.reset();
			const run = generate(itemsNamed(60, 'redis'));
			// Kill Redis once the run is under way (paced at 20/s, it takes about 3 s).
			while (server.counters.completed < 20) await new Promise((resolve) => setTimeout(resolve, 20));
			redis.kill('SIGKILL');
			const finished = await run;
			expect(failedItems(finished)).toEqual([]);
			expect(outputOf(finished)).toHaveLength(60);
			expect(server.counters.completed).toBe(60);
			expect(warnings.filter((message) => message.includes("shared rate limiter's Redis"))).toHaveLength(1);
		} finally {
			warn.mockRestore();
		}
	}, 60_000);
});
