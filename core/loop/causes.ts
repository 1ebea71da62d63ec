/**
 * What made a loop's request or candidate fail, in a few words that can be counted
 * (`401 Unauthorized`, `ECONNRESET`, `the model's answer is not valid JSON`), so that an item's
 * error says how many of each cause it met (issue 15, D5), and which failures the same request
 * would meet again: those stop the item at once instead of asking again.
 */
import { STATUS_CODES } from 'node:http';
import { ModelRequestError } from '../transport/scheduler';

/**
 * Statuses that say the request itself is refused as it stands (the key, the model, the path, the
 * body, a feature the server lacks): sending it again, or the next round's longer prompt, gets the
 * same answer. 408, 409, 429 and the other 5xx are about the moment and are retried instead.
 */
const SAME_ANSWER_AGAIN = new Set([400, 401, 403, 404, 405, 413, 422, 501]);

/** One failure of a loop's round: its full message, its cause, and whether asking again can help. */
export interface RoundFailure {
	message: string;
	cause: string;
	/** The same request would fail the same way: the item stops at once. */
	final?: boolean;
	/** The HTTP status or network code behind it, for the node's hint on what to check. */
	status?: number;
	code?: string;
}

const statusLabel = (status: number) => `${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;

function networkCode(error: unknown): string | undefined {
	for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

/** The head of a message of ours ("the model's answer is not valid JSON (…)" → its first clause). */
function headOf(message: string): string {
	const status = /^(\d{3})\b/.exec(message);
	if (status) return statusLabel(Number(status[1]));
	const head = message.split(/: | \(/)[0].trim();
	return head.length > 80 ? `${head.slice(0, 80)}…` : head || 'an error';
}

/** A failed request (or a candidate's error text) as a countable cause. */
export function failureOf(error: unknown): RoundFailure {
	const inner = error instanceof ModelRequestError ? error.cause : error;
	const message = (inner as { message?: unknown })?.message;
	const text = typeof message === 'string' && message ? message : String(inner);
	const status = (inner as { status?: unknown })?.status;
	if (typeof status === 'number' && (status < 200 || status >= 300)) {
		return { message: text, cause: statusLabel(status), status, ...(SAME_ANSWER_AGAIN.has(status) ? { final: true } : {}) };
	}
	const code = networkCode(inner);
	if (code) return { message: text.includes(code) ? text : `${text} (${code})`, cause: code, code };
	return { message: text, cause: headOf(text) };
}

/** A round's failure as given: structured, or a bare message (older callers, unit tests). */
export function asFailure(failure: RoundFailure | string): RoundFailure {
	return typeof failure === 'string' ? { message: failure, cause: headOf(failure) } : failure;
}

/** `3 × 401 Unauthorized, 1 × ECONNRESET`, in the order the causes first came. */
export function describeCounts(counts: Record<string, number>): string {
	return Object.entries(counts)
		.map(([cause, times]) => `${times} × ${cause}`)
		.join(', ');
}
