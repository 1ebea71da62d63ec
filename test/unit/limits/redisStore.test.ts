/**
 * The shared limiter's Redis side, against a real redis-server (Debian's; .ci/run installs it):
 * the Lua script does pacer.ts's arithmetic exactly, two processes' limiters share one budget and
 * one probe, and a Redis that goes away leaves the limiter pacing locally after one warning.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { KeyLimiter, NO_DEMAND } from '../../../core/transport/limits/keyLimiter';
import { closeFor, declareRequestLimit, markOf, newPacerState, observe, take, type PacerState, type TakeMark } from '../../../core/transport/limits/pacer';
import { PACER_SCRIPT, RedisConnection, RedisPacingStore, redisSettingsFromEnvironment, type RedisSettings } from '../../../core/transport/limits/redisStore';
import type { RateLimitSnapshot } from '../../../core/transport/rateLimitHeaders';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis && process.env.CI !== 'true') console.log('Redis limiter tests skipped: redis-server is not installed (Debian: apt-get install redis-server).');
const suite = hasRedis || process.env.CI === 'true' ? describe : describe.skip;

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

async function startRedis(port: number): Promise<ChildProcess> {
	const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
	for (let i = 0; i < 100; i++) {
		const client = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
		try {
			await client.connect();
			await client.ping();
			client.disconnect();
			return child;
		} catch {
			client.disconnect();
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	}
	throw new Error('redis-server did not start');
}

const settingsFor = (port: number): RedisSettings => ({ host: '127.0.0.1', port, db: 0, tls: false, tlsRejectUnauthorized: true, prefix: 'test:n8n-nodes-reward-loop', source: 'the test' });

suite('the Redis pacing store', () => {
	let port: number;
	let redis: ChildProcess;
	let client: Redis;

	beforeAll(async () => {
		port = await freePort();
		redis = await startRedis(port);
		client = new Redis({ port });
		client.defineCommand('pace', { numberOfKeys: 1, lua: PACER_SCRIPT });
	});

	afterAll(async () => {
		client?.disconnect();
		redis?.kill('SIGKILL');
	});

	const pace = (key: string, ...args: Array<string | number>) => (client as unknown as { pace: (...a: unknown[]) => Promise<[number, number]> }).pace(key, ...args);
	const field = (value: number | undefined) => (value === undefined ? '' : String(value));

	it('does the same arithmetic as pacer.ts, operation by operation, on the same clock', async () => {
		const state: PacerState = newPacerState();
		state.learned = true;
		const key = 'parity';
		await pace(key, 'observe', 1_000, '', '', '', '', '', '');
		let now = 1_000;
		const steps: Array<() => Promise<[number, number] | number | void>> = [];
		const expected: number[] = [];
		const actual: number[] = [];
		// Each take's mark, from pacer.ts and from the script: they must agree too.
		const marks: TakeMark[] = [];
		const scriptMarks: TakeMark[] = [];
		const doTake = (tokens: number) => async () => {
			const waitMs = take(state, tokens, now);
			expected.push(waitMs);
			if (waitMs === 0) marks.push(markOf(state, now));
			const answer = (await pace(key, 'take', now, tokens, 'p', 15_000)) as unknown as [number, number, string?, string?, string?];
			actual.push(Number(answer[0]));
			if (answer[2] !== undefined) scriptMarks.push({ requests: Number(answer[2]), tokens: Number(answer[3]), at: Number(answer[4]) });
		};
		/** `markOfTake`: the answered request is the nth take let go (0-based). */
		const doObserve = (snapshot: RateLimitSnapshot, markOfTake?: number) => async () => {
			const mark = markOfTake === undefined ? undefined : marks[markOfTake];
			observe(state, snapshot, now, mark);
			await pace(
				key,
				'observe',
				now,
				field(snapshot.limitRequests),
				field(snapshot.remainingRequests),
				field(snapshot.resetRequestsMs),
				field(snapshot.limitTokens),
				field(snapshot.remainingTokens),
				field(snapshot.resetTokensMs),
				field(mark?.requests),
				field(mark?.tokens),
				field(mark?.at),
			);
		};
		const advance = (ms: number) => async () => {
			now += ms;
		};
		steps.push(doTake(10), doObserve({ remainingRequests: 0, resetRequestsMs: 700 }), doTake(10), advance(700), doTake(10));
		// Limits first learned from the answer to the second take, while three requests and 300 tokens let go
		// after it are still on their way (10 ms later: less than one request's refill): both buckets start lower.
		steps.push(doTake(100), advance(5), doTake(100), doTake(100), advance(5));
		steps.push(doObserve({ limitRequests: 600, remainingRequests: 3, limitTokens: 6_000, remainingTokens: 250 }, 1));
		for (let i = 0; i < 6; i++) steps.push(doTake(60), advance(17));
		// Later answers, read against what was let go after their requests (and what refilled since).
		steps.push(doObserve({ remainingTokens: 20 }, 6), doObserve({ remainingRequests: 2 }, 7), doTake(30), advance(500), doTake(500), doTake(1), advance(4_000), doTake(1));
		steps.push(async () => {
			closeFor(state, 1_500, now);
			await pace(key, 'close', now, 1_500);
		}, doTake(1), advance(1_499), doTake(1), advance(1), doTake(1));
		steps.push(async () => {
			declareRequestLimit(state, 60, now);
			await pace(key, 'declare', now, 60);
		}, doObserve({ limitRequests: 6_000 }), doTake(0), doTake(0), advance(999), doTake(0), advance(1), doTake(0));
		for (const step of steps) await step();
		expect(actual).toEqual(expected);
		expect(scriptMarks).toEqual(marks);
		expect(marks.length).toBeGreaterThan(8);
		// The script saw waits, takes and a closure: the sequence is not trivially all zeros.
		expect(expected.filter((wait) => wait > 0).length).toBeGreaterThan(5);
	});

	it('two processes on one key share one probe, then one budget', async () => {
		const connectionA = new RedisConnection(settingsFor(port), () => undefined);
		const connectionB = new RedisConnection(settingsFor(port), () => undefined);
		try {
			const a = new KeyLimiter('shared-key', new RedisPacingStore(connectionA, 'shared-key'));
			const b = new KeyLimiter('shared-key', new RedisPacingStore(connectionB, 'shared-key'));
			const signal = new AbortController().signal;
			// Nothing is known: A's first request probes; B's waits for what it learns.
			const probe = await a.acquire(NO_DEMAND, signal);
			let bAdmitted = false;
			const bWaits = b.acquire(NO_DEMAND, signal).then((permit) => {
				bAdmitted = true;
				return permit;
			});
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(bAdmitted).toBe(false);
			// The probe's answer: 600/min, 4 left, of which 2 (a fifth of a second) stay as the server's reserve.
			a.observe({ limitRequests: 600, remainingRequests: 4 });
			probe.release('ok', 10);
			(await bWaits).release('ok', 10);
			expect(bAdmitted).toBe(true);
			// B took one of the two; A gets the other at once, and the next in either process waits ~100 ms.
			const started = Date.now();
			(await a.acquire(NO_DEMAND, signal)).release('ok');
			const quick = Date.now() - started;
			(await b.acquire(NO_DEMAND, signal)).release('ok');
			expect(quick).toBeLessThan(60);
			expect((await b.describe()).requestsPerMinute).toBeCloseTo(600, 6);
		} finally {
			await connectionA.close();
			await connectionB.close();
		}
	});

	it('a probe that got no answer lets the next request probe', async () => {
		const connection = new RedisConnection(settingsFor(port), () => undefined);
		try {
			const limiter = new KeyLimiter('lost-probe', new RedisPacingStore(connection, 'lost-probe'));
			const signal = new AbortController().signal;
			const first = await limiter.acquire(NO_DEMAND, signal);
			first.release('congestion');
			await new Promise((resolve) => setTimeout(resolve, 50));
			const second = await Promise.race([limiter.acquire(NO_DEMAND, signal).then(() => 'admitted'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1_000))]);
			expect(second).toBe('admitted');
		} finally {
			await connection.close();
		}
	});

	it('when Redis goes away, says so once and paces in the process with what it had learned', async () => {
		const ownPort = await freePort();
		const own = await startRedis(ownPort);
		const warnings: string[] = [];
		const connection = new RedisConnection(settingsFor(ownPort), () => (level, message) => warnings.push(`${level}: ${message}`));
		try {
			const limiter = new KeyLimiter('going-away', new RedisPacingStore(connection, 'going-away'));
			const signal = new AbortController().signal;
			(await limiter.acquire(NO_DEMAND, signal)).release('ok');
			limiter.observe({ limitRequests: 60_000 });
			await new Promise((resolve) => setTimeout(resolve, 100));
			own.kill('SIGKILL');
			await new Promise((resolve) => setTimeout(resolve, 300));
			for (let i = 0; i < 20; i++) (await limiter.acquire(NO_DEMAND, signal)).release('ok');
			expect(warnings).toHaveLength(1);
			expect(warnings[0]).toMatch(/^warn: Reward Loop: the shared rate limiter's Redis \(127\.0\.0\.1:\d+, from the test\) does not answer/);
			// The local state kept what was learned while Redis answered.
			expect((await limiter.describe()).requestsPerMinute).toBeCloseTo(60_000, 6);
		} finally {
			await connection.close();
			own.kill('SIGKILL');
		}
	});
});

describe('where the shared limiter finds Redis', () => {
	it("uses n8n's queue-mode settings in queue mode, with secrets from _FILE variables", () => {
		const folder = mkdtempSync(join(tmpdir(), 'reward-loop-redis-'));
		try {
			writeFileSync(join(folder, 'password'), 's3cret\n');
			const settings = redisSettingsFromEnvironment({
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: 'redis.internal',
				QUEUE_BULL_REDIS_PORT: '6380',
				QUEUE_BULL_REDIS_DB: '2',
				QUEUE_BULL_REDIS_USERNAME: 'n8n',
				QUEUE_BULL_REDIS_PASSWORD_FILE: join(folder, 'password'),
				QUEUE_BULL_REDIS_TLS: 'true',
				QUEUE_BULL_PREFIX: 'prod',
			});
			expect(settings).toMatchObject({ host: 'redis.internal', port: 6380, db: 2, username: 'n8n', password: 's3cret', tls: true, prefix: 'prod:n8n-nodes-reward-loop' });
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	});

	it('keeps limits in the process outside queue mode, or when told to', () => {
		expect(redisSettingsFromEnvironment({})).toBeUndefined();
		expect(redisSettingsFromEnvironment({ EXECUTIONS_MODE: 'regular' })).toBeUndefined();
		expect(redisSettingsFromEnvironment({ EXECUTIONS_MODE: 'queue', REWARD_LOOP_LIMITER: 'process' })).toBeUndefined();
	});

	it('takes REWARD_LOOP_REDIS_URL in any mode, for several n8n instances on one key', () => {
		expect(redisSettingsFromEnvironment({ REWARD_LOOP_REDIS_URL: 'rediss://user:p%40ss@cache.example:6390/3' })).toMatchObject({
			host: 'cache.example',
			port: 6390,
			db: 3,
			username: 'user',
			password: 'p@ss',
			tls: true,
			prefix: 'bull:n8n-nodes-reward-loop',
		});
	});
});
