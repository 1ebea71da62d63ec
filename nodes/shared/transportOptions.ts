import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { ParameterError } from '../../core/parameterError';

/**
 * The most requests one node run has in flight. High, because it is a ceiling, not the pace: below
 * it the key's window (which starts at 20, grows while the endpoint keeps up and halves on 429s,
 * timeouts and 5xx) and the key's rate limit decide. 200 lets 200 items at 100 ms finish in about
 * two round trips on an endpoint with no limit.
 */
export const DEFAULT_CONCURRENCY = 200;
export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_WAIT_MS = 120_000;

/** Options every node that calls the endpoint shares: how hard and how fast it may call. */
export const transportOptions: INodeProperties[] = [
	{
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1000 },
		default: DEFAULT_CONCURRENCY,
		description:
			'The most requests this node has in flight at once (generations, judges, critiques, embeddings alike). Below it, the number adapts: it grows while the endpoint keeps up and halves on 429s, timeouts and 5xx. For a local server that runs one request at a time, set what it runs in parallel.',
	},
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 20 },
		default: DEFAULT_MAX_RETRIES,
		description:
			'How often to retry a request after a rate limit (429), a timeout, a server error (5xx) or a network error',
	},
	{
		displayName: 'Max Rate-Limit Wait (Seconds)',
		name: 'maxWait',
		type: 'number',
		typeOptions: { minValue: 0 },
		// A literal, as n8n's lint wants: DEFAULT_MAX_WAIT_MS / 1000.
		default: 120,
		description: 'The longest the server may hold a request (by retry-after, or nothing left until a reset). A longer wait, such as a daily quota, fails the item at once with what the server said, instead of waiting in silence.',
	},
	{
		displayName: 'Requests Per Minute',
		name: 'requestsPerMinute',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'Your rate limit, if you know it. 0 learns it from the server\'s x-ratelimit headers. Requests are spread over each second (1,200 per minute means 20 per second).',
	},
	{
		displayName: 'Timeout (Ms)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_TIMEOUT_MS,
		description: 'How long one request may take before it is abandoned and retried',
	},
];

/** n8n lists a collection's options alphabetically. */
export function byDisplayName(options: INodeProperties[]): INodeProperties[] {
	return [...options].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

// Core code (the scorers' parameter readers) throws it too, so it lives in core.
export { ParameterError } from '../../core/parameterError';

export function numberOption(options: IDataObject, key: string, field: string): number | undefined {
	const value = options[key];
	if (value === undefined || value === '' || value === null) return undefined;
	const number = Number(value);
	if (!Number.isFinite(number)) throw new ParameterError(field, `must be a number, got ${JSON.stringify(value)}`);
	return number;
}

export interface RunSettings {
	concurrency: number;
	maxRetries: number;
	timeoutMs: number;
	requestsPerMinute?: number;
	/** Waits the server asks for beyond this fail the item at once. */
	maxWaitMs: number;
}

/** Settings for the whole execution, read once from the Options collection: they shape the scheduler. */
export function readRunSettings(ctx: IExecuteFunctions): RunSettings {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency = numberOption(options, 'concurrency', 'Concurrency') ?? DEFAULT_CONCURRENCY;
	const maxRetries = numberOption(options, 'maxRetries', 'Max Retries') ?? DEFAULT_MAX_RETRIES;
	const timeoutMs = numberOption(options, 'timeout', 'Timeout (Ms)') ?? DEFAULT_TIMEOUT_MS;
	const requestsPerMinute = numberOption(options, 'requestsPerMinute', 'Requests Per Minute');
	const maxWaitSeconds = numberOption(options, 'maxWait', 'Max Rate-Limit Wait (Seconds)') ?? DEFAULT_MAX_WAIT_MS / 1000;
	if (maxWaitSeconds < 0) throw new ParameterError('Max Rate-Limit Wait (Seconds)', 'must be 0 or more');
	if (!Number.isInteger(concurrency) || concurrency < 1) throw new ParameterError('Concurrency', 'must be a whole number of at least 1');
	if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new ParameterError('Max Retries', 'must be a whole number of at least 0');
	if (timeoutMs <= 0) throw new ParameterError('Timeout (Ms)', 'must be positive');
	return { concurrency, maxRetries, timeoutMs, maxWaitMs: maxWaitSeconds * 1000, requestsPerMinute: requestsPerMinute && requestsPerMinute > 0 ? requestsPerMinute : undefined };
}
