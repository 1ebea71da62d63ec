/**
 * A key's pacing state in Redis, so that every n8n process on the key (queue mode's main process
 * and workers) paces against one budget. Each operation is one Lua script, atomic in Redis and timed
 * by Redis's own clock, doing the same arithmetic as pacer.ts. If Redis stops answering, the store
 * says so once and paces in this process (the state it has learned is kept warm there) until Redis
 * answers again; no request waits on a Redis that is gone.
 */
import { readFileSync } from 'node:fs';
import type { Redis, RedisOptions } from 'ioredis';
import type { RateLimitSnapshot } from '../rateLimitHeaders';
import { BURST_SECONDS, RESERVE_SECONDS } from './pacer';
import { LocalPacingStore, type PacingStore, type StoreMark, type TakeResult } from './store';

export interface RedisSettings {
	host: string;
	port: number;
	db: number;
	username?: string;
	password?: string;
	tls: boolean;
	tlsServerName?: string;
	tlsRejectUnauthorized: boolean;
	/** Namespaces the keys (n8n's QUEUE_BULL_PREFIX), so that two n8n instances on one Redis stay apart. */
	prefix: string;
	/** Where the settings came from, for messages. */
	source: string;
}

export type LimiterLog = (level: 'warn' | 'info', message: string) => void;

/** Probes hold for at most this long: a request that never answers must not hold the key forever. */
const PROBE_HOLD_MS = 15_000;
/** After a failed call, Redis is left alone this long before it is asked again. */
const RETRY_REDIS_AFTER_MS = 5_000;
/** How long the store waits for the first connection before pacing locally. */
const FIRST_CONNECTION_MS = 2_000;

export const PACER_SCRIPT = `
local key = KEYS[1]
local op = ARGV[1]
-- ARGV[2] is '' in use (Redis's own clock, one for every process); tests give a time, to compare with pacer.ts.
local now = tonumber(ARGV[2])
if not now then
  local clock = redis.call('TIME')
  now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
end
local f = redis.call('HMGET', key, 'rr', 'rc', 'rl', 'rt', 'tr', 'tc', 'tl', 'tt', 'cl', 'dc', 'ln', 'pb', 'pu', 'rn', 'tn', 'rk', 'tk', 'tkn')
local rr, rc, rl, rt = tonumber(f[1]), tonumber(f[2]) or 1, tonumber(f[3]) or 0, tonumber(f[4]) or 0
local tr, tc, tl, tt = tonumber(f[5]), tonumber(f[6]) or 1, tonumber(f[7]) or 0, tonumber(f[8]) or 0
local cl = tonumber(f[9]) or 0
local dc = f[10] == '1'
local ln = f[11] == '1'
local pb, pu = f[12], tonumber(f[13]) or 0
-- Requests and tokens let go on the scope, ever, by every process: what a take's mark counts from.
local rn, tn = tonumber(f[14]) or 0, tonumber(f[15]) or 0
-- rn when each limit was set from an answer: answers to requests let go before then set the level.
local rk, tk, tkn = tonumber(f[16]) or 0, tonumber(f[17]) or 0, tonumber(f[18]) or 0

local function num(value)
  if value == nil or value == '' then return nil end
  return tonumber(value)
end
local function refill()
  if rr then rl = math.min(rc, rl + (now - rt) * rr); rt = now end
  if tr then tl = math.min(tc, tl + (now - tt) * tr); tt = now end
end
-- since: what was let go after the answered request, and how many ms ago it was taken.
local function usable(remaining, rate, taken, ms) return remaining - rate * 1000 * ${RESERVE_SECONDS} - math.max(0, taken - rate * ms) end
local function startingLevel(capacity, rate, remaining, taken, ms)
  if not remaining then return capacity end
  return math.min(capacity, usable(remaining, rate, taken, ms))
end
local function setRequests(perMinute, remaining, taken, ms)
  rr = perMinute / 60000; rc = math.max(1, perMinute / 60 * ${BURST_SECONDS}); rl = startingLevel(rc, rr, remaining, taken or 0, ms or 0); rt = now; rk = rn
end
local function setTokens(perMinute, remaining, taken, ms)
  tr = perMinute / 60000; tc = math.max(1, perMinute / 60 * ${BURST_SECONDS}); tl = startingLevel(tc, tr, remaining, taken or 0, ms or 0); tt = now; tk = rn; tkn = tn
end
-- As pacer.ts's levelAfterAnswer(): the answers to the burst that taught the limit each set the level.
local function usableInFirstBurst(remaining, rate, taken, ms, sinceLimit) return usable(remaining, rate, taken, ms) - sinceLimit end
local function closeFor(ms)
  if ms and ms > 0 then cl = math.max(cl, now + ms) end
end
-- Lua turns numbers into text with 14 digits; 17 keep a double exact, so Redis and pacer.ts agree.
local function exact(x) return string.format('%.17g', x) end
local function save()
  local fields = { 'rc', exact(rc), 'rl', exact(rl), 'rt', exact(rt), 'tc', exact(tc), 'tl', exact(tl), 'tt', exact(tt), 'cl', exact(cl), 'dc', dc and '1' or '0', 'ln', ln and '1' or '0', 'rn', exact(rn), 'tn', exact(tn), 'rk', exact(rk), 'tk', exact(tk), 'tkn', exact(tkn) }
  if rr then fields[#fields + 1] = 'rr'; fields[#fields + 1] = exact(rr) end
  if tr then fields[#fields + 1] = 'tr'; fields[#fields + 1] = exact(tr) end
  redis.call('HSET', key, unpack(fields))
  redis.call('PEXPIRE', key, 600000)
end

if op == 'take' then
  local tokens = tonumber(ARGV[3])
  if now < cl then return { cl - now, 0 } end
  if not ln then
    -- Nothing is known about this key yet: one request finds out for every process.
    if pb and pu > now and pb ~= ARGV[4] then return { math.max(1, math.min(50, pu - now)), 0 } end
    rn = rn + 1; tn = tn + tokens
    redis.call('HSET', key, 'pb', ARGV[4], 'pu', exact(now + tonumber(ARGV[5])), 'rn', exact(rn), 'tn', exact(tn))
    redis.call('PEXPIRE', key, 600000)
    return { 0, 1, exact(rn), exact(tn), exact(now) }
  end
  refill()
  local wait = 0
  if rr and rl < 1 then wait = math.ceil((1 - rl) / rr) end
  if tr and tokens > 0 then
    local needed = math.min(tokens, tc)
    if tl < needed then wait = math.max(wait, math.ceil((needed - tl) / tr)) end
  end
  if wait > 0 then save(); return { wait, 0 } end
  if rr then rl = rl - 1 end
  if tr then tl = tl - tokens end
  rn = rn + 1; tn = tn + tokens
  save()
  -- The take's mark, as text: Redis would cut a number to an integer.
  return { 0, 0, exact(rn), exact(tn), exact(now) }
elseif op == 'observe' then
  ln = true
  redis.call('HDEL', key, 'pb', 'pu')
  refill()
  local limitRequests, remainingRequests, resetRequests = num(ARGV[3]), num(ARGV[4]), num(ARGV[5])
  local limitTokens, remainingTokens, resetTokens = num(ARGV[6]), num(ARGV[7]), num(ARGV[8])
  -- The answered request's mark (its take's counts and time), if it was taken here.
  local markRequests, markTokens, markAt = num(ARGV[9]), num(ARGV[10]), num(ARGV[11])
  local requestsTaken, tokensTaken, ms = 0, 0, 0
  local marked = markRequests and markTokens and markAt
  if marked then
    requestsTaken = math.max(0, rn - markRequests); tokensTaken = math.max(0, tn - markTokens); ms = math.max(0, now - markAt)
  end
  if limitRequests and limitRequests <= 0 then limitRequests = nil end
  if limitTokens and limitTokens <= 0 then limitTokens = nil end
  if limitRequests and not dc and rr ~= limitRequests / 60000 then
    setRequests(limitRequests, remainingRequests, requestsTaken, ms)
  elseif remainingRequests then
    if not rr then
      if remainingRequests <= 0 then closeFor(resetRequests) end
    elseif marked and (not dc) and markRequests <= rk then
      rl = math.min(rc, usableInFirstBurst(remainingRequests, rr, rk - markRequests, ms, rn - rk))
    else
      rl = math.min(rl, usable(remainingRequests, rr, requestsTaken, ms))
    end
  end
  if limitTokens and tr ~= limitTokens / 60000 then
    setTokens(limitTokens, remainingTokens, tokensTaken, ms)
  elseif remainingTokens then
    if not tr then
      if remainingTokens <= 0 then closeFor(resetTokens) end
    elseif marked and markRequests <= tk then
      tl = math.min(tc, usableInFirstBurst(remainingTokens, tr, tkn - markTokens, ms, tn - tkn))
    else
      tl = math.min(tl, usable(remainingTokens, tr, tokensTaken, ms))
    end
  end
  save()
  return { 0, 0 }
elseif op == 'close' then
  closeFor(tonumber(ARGV[3]))
  save()
  return { 0, 0 }
elseif op == 'declare' then
  local perMinute = tonumber(ARGV[3])
  if not (dc and rr == perMinute / 60000) then setRequests(perMinute, nil, 0, 0); dc = true end
  ln = true
  save()
  return { 0, 0 }
elseif op == 'unprobe' then
  if pb == ARGV[3] then redis.call('HDEL', key, 'pb', 'pu') end
  return { 0, 0 }
elseif op == 'describe' then
  return { rr and exact(rr * 60000) or '', tr and exact(tr * 60000) or '', math.max(0, cl - now) }
end
return redis.error_reply('unknown operation ' .. tostring(op))
`;

/** Runs one operation of the script: (key, operation, now or '', arguments…). */
type PacerCommand = (key: string, ...args: Array<string | number>) => Promise<unknown>;

/** n8n's queue-mode Redis settings, as n8n reads them (a `_FILE` variant holds a secret in a file). */
export function redisSettingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): RedisSettings | undefined {
	const read = (name: string): string | undefined => {
		const file = env[`${name}_FILE`];
		if (file) return readFileSync(file, 'utf8').trim();
		const value = env[name];
		return value === undefined || value === '' ? undefined : value;
	};
	const mode = (read('REWARD_LOOP_LIMITER') ?? 'auto').toLowerCase();
	if (mode === 'process' || mode === 'off') return undefined;
	const url = read('REWARD_LOOP_REDIS_URL');
	const prefix = `${read('QUEUE_BULL_PREFIX') ?? 'bull'}:n8n-nodes-reward-loop`;
	if (url) {
		const parsed = new URL(url);
		return {
			host: parsed.hostname || 'localhost',
			port: Number(parsed.port || 6379),
			db: Number(parsed.pathname.replace(/^\//, '') || 0),
			username: decodeURIComponent(parsed.username) || undefined,
			password: decodeURIComponent(parsed.password) || undefined,
			tls: parsed.protocol === 'rediss:',
			tlsRejectUnauthorized: true,
			prefix,
			source: 'REWARD_LOOP_REDIS_URL',
		};
	}
	if (mode !== 'redis' && read('EXECUTIONS_MODE') !== 'queue') return undefined;
	return {
		host: read('QUEUE_BULL_REDIS_HOST') ?? 'localhost',
		port: Number(read('QUEUE_BULL_REDIS_PORT') ?? 6379),
		db: Number(read('QUEUE_BULL_REDIS_DB') ?? 0),
		username: read('QUEUE_BULL_REDIS_USERNAME'),
		password: read('QUEUE_BULL_REDIS_PASSWORD'),
		tls: read('QUEUE_BULL_REDIS_TLS') === 'true',
		tlsServerName: read('QUEUE_BULL_REDIS_TLS_SERVERNAME'),
		tlsRejectUnauthorized: read('QUEUE_BULL_REDIS_TLS_VALIDATE_CERTIFICATE') !== 'false',
		prefix,
		source: "n8n's queue-mode Redis (QUEUE_BULL_REDIS_*)",
	};
}

/** One connection per process, shared by every key's store. */
export class RedisConnection {
	readonly client: Redis;
	readonly pace: PacerCommand;
	private readonly ready: Promise<boolean>;
	private downUntil = 0;
	private warned = false;

	constructor(
		readonly settings: RedisSettings,
		private readonly log: () => LimiterLog | undefined,
	) {
		// Loaded only when a shared limiter is configured: most installations never need it.
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
		const options: RedisOptions = {
			host: settings.host,
			port: settings.port,
			db: settings.db,
			username: settings.username,
			password: settings.password,
			tls: settings.tls ? { servername: settings.tlsServerName, rejectUnauthorized: settings.tlsRejectUnauthorized } : undefined,
			// A request must never queue behind a Redis that is away: fail at once and pace locally.
			enableOfflineQueue: false,
			maxRetriesPerRequest: 0,
			connectTimeout: FIRST_CONNECTION_MS,
			commandTimeout: 500,
			retryStrategy: (times) => Math.min(times * 250, RETRY_REDIS_AFTER_MS),
			lazyConnect: false,
		};
		this.client = new RedisClient(options);
		// ioredis reports connection errors as events; without a listener they would crash the process.
		this.client.on('error', (error: Error) => this.down(error));
		this.client.on('ready', () => {
			if (this.downUntil > 0) this.log()?.('info', `Reward Loop: the shared rate limiter's Redis (${this.where()}) answers again; limits are shared again`);
			this.downUntil = 0;
		});
		this.client.defineCommand('rewardLoopPace', { numberOfKeys: 1, lua: PACER_SCRIPT });
		this.pace = (this.client as unknown as { rewardLoopPace: PacerCommand }).rewardLoopPace.bind(this.client);
		this.ready = new Promise<boolean>((resolve) => {
			const timer = setTimeout(() => resolve(false), FIRST_CONNECTION_MS);
			timer.unref?.();
			this.client.once('ready', () => {
				clearTimeout(timer);
				resolve(true);
			});
		});
	}

	private where(): string {
		return `${this.settings.host}:${this.settings.port}, from ${this.settings.source}`;
	}

	/** Whether to ask Redis now (false while it is known to be away). */
	async usable(): Promise<boolean> {
		await this.ready;
		return Date.now() >= this.downUntil && this.client.status === 'ready';
	}

	down(error: unknown): void {
		this.downUntil = Date.now() + RETRY_REDIS_AFTER_MS;
		if (this.warned) return;
		this.warned = true;
		const reason = (error as { code?: string; message?: string })?.code ?? (error as Error)?.message ?? String(error);
		this.log()?.(
			'warn',
			`Reward Loop: the shared rate limiter's Redis (${this.where()}) does not answer (${reason}); each n8n process paces its own requests until it does`,
		);
	}

	async close(): Promise<void> {
		this.client.disconnect();
	}
}

const field = (value: number | undefined) => (value === undefined ? '' : String(value));

export class RedisPacingStore implements PacingStore {
	/** What this process learned, kept warm for when Redis is away. */
	private readonly local = new LocalPacingStore();

	constructor(
		private readonly redis: RedisConnection,
		private readonly keyId: string,
	) {}

	private key(scope: string): string {
		// The braces keep one key's scopes in one Redis Cluster slot.
		return `${this.redis.settings.prefix}:limit:{${this.keyId}}:${scope}`;
	}

	private send(scope: string, ...args: Array<string | number>): void {
		void this.redis.usable().then((usable) => {
			if (usable) void this.redis.pace(this.key(scope), args[0], '', ...args.slice(1)).catch((error: unknown) => this.redis.down(error));
		});
	}

	async take(scope: string, tokens: number, probeToken: string): Promise<TakeResult> {
		if (await this.redis.usable()) {
			try {
				const [waitMs, probe, requests, taken, at] = (await this.redis.pace(this.key(scope), 'take', '', tokens, probeToken, PROBE_HOLD_MS)) as [number, number, string?, string?, string?];
				const mark: StoreMark | undefined = requests === undefined ? undefined : { requests: Number(requests), tokens: Number(taken), at: Number(at), shared: true };
				return { waitMs: Number(waitMs), probe: Number(probe) === 1, mark };
			} catch (error) {
				this.redis.down(error);
			}
		}
		return this.local.takeNow(scope, tokens);
	}

	observe(scope: string, snapshot: RateLimitSnapshot, mark?: StoreMark): void {
		this.local.observe(scope, snapshot, mark);
		// A mark of the local fallback's counts means nothing to Redis's.
		const shared = mark?.shared ? mark : undefined;
		this.send(
			scope,
			'observe',
			field(snapshot.limitRequests),
			field(snapshot.remainingRequests),
			field(snapshot.resetRequestsMs),
			field(snapshot.limitTokens),
			field(snapshot.remainingTokens),
			field(snapshot.resetTokensMs),
			field(shared?.requests),
			field(shared?.tokens),
			field(shared?.at),
		);
	}

	closeFor(scope: string, ms: number): void {
		this.local.closeFor(scope, ms);
		if (ms > 0) this.send(scope, 'close', ms);
	}

	declare(scope: string, requestsPerMinute: number): void {
		this.local.declare(scope, requestsPerMinute);
		this.send(scope, 'declare', requestsPerMinute);
	}

	unprobe(scope: string, probeToken: string): void {
		this.send(scope, 'unprobe', probeToken);
	}

	async describe(scope: string): Promise<{ requestsPerMinute?: number; tokensPerMinute?: number; closedForMs: number }> {
		if (!(await this.redis.usable())) return this.local.describe(scope);
		const [requests, tokens, closed] = (await this.redis.pace(this.key(scope), 'describe', '')) as [string, string, number];
		return { requestsPerMinute: requests ? Number(requests) : undefined, tokensPerMinute: tokens ? Number(tokens) : undefined, closedForMs: Number(closed) };
	}
}
