/**
 * One KeyLimiter per endpoint and API key in the n8n process, whichever node or execution asks.
 * A limiter is found by the endpoint and a fingerprint of the credential (a SHA-256, never the key
 * itself, so the key is in no map, Redis key or log). The registry lives on globalThis so that it is
 * shared even if the package is loaded twice in one process.
 */
import { createHash } from 'node:crypto';
import { normalizeBaseUrl, type ConnectionConfig } from '../connection';
import { KeyLimiter } from './keyLimiter';
import { RedisConnection, RedisPacingStore, redisSettingsFromEnvironment, type LimiterLog, type RedisSettings } from './redisStore';
import { LocalPacingStore } from './store';

interface Registry {
	limiters: Map<string, KeyLimiter>;
	/** undefined: not decided yet; null: limits stay in this process. */
	redis?: RedisConnection | null;
	log?: LimiterLog;
	settings?: () => RedisSettings | undefined;
}

const REGISTRY = Symbol.for('n8n-nodes-reward-loop.keyLimiters');

function registry(): Registry {
	const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
	holder[REGISTRY] ??= { limiters: new Map() };
	return holder[REGISTRY] as Registry;
}

/** Identifies a key at an endpoint without revealing it. */
export function limiterId(connection: ConnectionConfig): string {
	const hash = createHash('sha256');
	for (const part of [normalizeBaseUrl(connection.baseUrl), connection.apiKey?.trim() ?? '', connection.authHeader ?? 'bearer', connection.organization?.trim() ?? '', connection.project?.trim() ?? '']) {
		hash.update(part).update('\0');
	}
	return hash.digest('hex').slice(0, 32);
}

/** Where warnings of the shared limiter go (n8n's logger, passed by the nodes). */
export function setLimiterLog(log: LimiterLog): void {
	registry().log = log;
}

function sharedRedis(): RedisConnection | null {
	const state = registry();
	if (state.redis === undefined) {
		const settings = (state.settings ?? redisSettingsFromEnvironment)();
		state.redis = settings ? new RedisConnection(settings, () => registry().log) : null;
	}
	return state.redis;
}

/** The limiter of this connection's key, created on first use. */
export function limiterFor(connection: ConnectionConfig): KeyLimiter {
	const id = limiterId(connection);
	const state = registry();
	let limiter = state.limiters.get(id);
	if (!limiter) {
		const redis = sharedRedis();
		let host = 'the endpoint';
		try {
			host = new URL(normalizeBaseUrl(connection.baseUrl)).host;
		} catch {
			// A base URL that does not parse fails its requests with a clear message; the label only names it.
		}
		limiter = new KeyLimiter(id, redis ? new RedisPacingStore(redis, id) : new LocalPacingStore(), undefined, () => registry().log, `${host} (key ${id.slice(0, 8)})`);
		state.limiters.set(id, limiter);
	}
	return limiter;
}

/**
 * For tests: forget every limiter and the Redis connection, and read the settings from `settings`
 * (or the environment) on next use.
 */
export async function resetLimiters(settings?: () => RedisSettings | undefined): Promise<void> {
	const state = registry();
	await state.redis?.close();
	state.limiters.clear();
	state.redis = undefined;
	state.settings = settings;
}
