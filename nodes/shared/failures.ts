import { ModelRequestError } from '../../core/transport/scheduler';
import { redactSecrets } from '../../core/transport/secrets';

/**
 * One line that tells the user why an item failed, with no secret in it. The SDK's messages
 * already start with the HTTP status ("429 Rate limit reached ..."); network errors get their cause.
 */
export function describeFailure(error: unknown, attempts: number, secrets: string[]): string {
	// A request that failed inside a larger task (a judge, a loop round) carries its own attempts.
	if (error instanceof ModelRequestError) return describeFailure(error.cause, error.attempts, secrets);
	const err = error as { message?: unknown; status?: unknown; cause?: { code?: unknown; message?: unknown } };
	let message = typeof err?.message === 'string' && err.message ? err.message : String(error);
	if (typeof err?.status !== 'number' && err?.cause && typeof err.cause === 'object') {
		const detail = typeof err.cause.code === 'string' ? err.cause.code : err.cause.message;
		if (typeof detail === 'string' && detail && !message.includes(detail)) message = `${message} (${detail})`;
	}
	if (typeof err?.status === 'number' && !message.startsWith(String(err.status))) {
		message = `the server answered ${err.status}: ${message}`;
	}
	if (attempts > 1) message += ` (after ${attempts} attempts)`;
	return redactSecrets(message, secrets);
}
