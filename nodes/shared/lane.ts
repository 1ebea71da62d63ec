import type { IExecuteFunctions } from 'n8n-workflow';
import type { ConnectionConfig } from '../../core/transport/connection';
import { createLane, type RequestLane } from '../../core/transport/limits/lane';
import { limiterFor, setLimiterLog } from '../../core/transport/limits/registry';
import type { RunSettings } from './transportOptions';

/**
 * The lane a node run's requests take: its Concurrency, then the key's limiter, which every node and
 * execution of this n8n process (and, in queue mode, every worker through Redis) shares.
 */
export function openLane(ctx: IExecuteFunctions, connection: ConnectionConfig, settings: RunSettings): RequestLane {
	setLimiterLog((level, message) => ctx.logger[level](message));
	const limiter = limiterFor(connection);
	if (settings.requestsPerMinute) limiter.declare(settings.requestsPerMinute);
	return createLane(limiter, settings.concurrency);
}
