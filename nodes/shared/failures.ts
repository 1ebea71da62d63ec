import { ModelRequestError } from '../../core/transport/scheduler';
import { redactSecrets } from '../../core/transport/secrets';

/**
 * One line that tells the user why an item failed, with no secret in it. The SDK's messages
 * already start with the HTTP status ("429 Rate limit reached ..."); network errors get their cause.
 */
export function describeFailure(error: unknown, attempts: number, secrets: string[]): string {
	// A request that failed inside a larger task (a judge, a loop round) carries its own attempts.
	if (error instanceof ModelRequestError) return describeFailure(error.cause, error.attempts, secrets);
	const err = error as { message?: unknown; status?: unknown; code?: unknown; cause?: { code?: unknown; message?: unknown } };
	let message = typeof err?.message === 'string' && err.message ? err.message : String(error);
	if (typeof err?.status !== 'number') {
		// A socket error says "socket hang up"; its code (ECONNRESET) is the cause worth naming.
		const own = typeof err?.code === 'string' ? err.code : undefined;
		const cause = err?.cause && typeof err.cause === 'object' ? (typeof err.cause.code === 'string' ? err.cause.code : err.cause.message) : undefined;
		for (const detail of [own, cause]) {
			if (typeof detail === 'string' && detail && !message.includes(detail)) message = `${message} (${detail})`;
		}
	}
	if (typeof err?.status === 'number' && !message.startsWith(String(err.status)) && !message.startsWith('the server answered')) {
		message = `the server answered ${err.status}: ${message}`;
	}
	if (attempts > 1) message += ` (after ${attempts} attempts)`;
	return redactSecrets(message, secrets);
}
