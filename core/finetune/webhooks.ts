/**
 * Standard Webhooks (the scheme OpenAI's webhooks use), verified by the `standardwebhooks` package:
 * the signed content is `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 under the secret
 * (`whsec_<base64>`), sent as one or more space-separated `v1,<base64>` signatures; a timestamp
 * more than 5 minutes before or after now is refused. What this module adds: a secret is refused
 * unless it decodes to at least 16 bytes, the reasons are ours, and recent webhook-ids are
 * remembered so that a replay inside those 5 minutes fires nothing.
 */
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** The library's tolerance, both ways (it is not configurable). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
export const MIN_SECRET_BYTES = 16;

export type WebhookVerdict =
	| { ok: true; id: string; timestamp: number; payload: unknown }
	/** `status`: 400 for a correctly signed body that is not JSON; otherwise the event is refused as unsigned (401). */
	| { ok: false; reason: string; status?: 400 };

export interface WebhookInput {
	headers: Record<string, string | string[] | undefined>;
	/** The raw body, exactly as received: re-serialised JSON would not verify. */
	body: string | Buffer;
	secret: string;
}

const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Why `secret` cannot sign anything worth checking, or undefined when it can. Never says what the secret is. */
export function signingSecretProblem(secret: string): string | undefined {
	const text = secret.trim();
	if (!text) return "is empty: paste the webhook's signing secret (whsec_…) from the provider's webhook settings";
	const encoded = text.startsWith('whsec_') ? text.slice('whsec_'.length) : text;
	if (!PADDED_BASE64.test(encoded)) return 'is not base64 after "whsec_" (letters, digits, + and /, padded with =)';
	const bytes = Buffer.from(encoded, 'base64').length;
	if (bytes < MIN_SECRET_BYTES) return `decodes to ${bytes} bytes; a signing secret needs at least ${MIN_SECRET_BYTES} (Standard Webhooks secrets have 24 to 64)`;
	return undefined;
}

function headersOf(headers: WebhookInput['headers']): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		const first = Array.isArray(value) ? value[0] : value;
		if (first !== undefined) out[name.toLowerCase()] = first;
	}
	return out;
}

const REASONS: Record<string, string> = {
	'Missing required headers': 'missing webhook-id, webhook-timestamp or webhook-signature header',
	'Invalid Signature Headers': 'webhook-timestamp is not a number of seconds',
	'Message timestamp too old': `webhook-timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS} s from now (stale or replayed)`,
	'Message timestamp too new': `webhook-timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS} s from now (dated in the future)`,
	'No matching signature found': 'no valid signature: the event is forged or the secret is wrong',
};

export function verifyWebhook(input: WebhookInput): WebhookVerdict {
	const problem = signingSecretProblem(input.secret);
	if (problem) return { ok: false, reason: `the signing secret ${problem}` };
	const headers = headersOf(input.headers);
	const body = typeof input.body === 'string' ? input.body : input.body.toString('utf8');
	try {
		new Webhook(input.secret.trim()).verify(body, headers, { jsonParse: false });
	} catch (error) {
		if (error instanceof WebhookVerificationError) return { ok: false, reason: REASONS[error.message] ?? error.message };
		throw error;
	}
	try {
		return { ok: true, id: headers['webhook-id'], timestamp: Number.parseInt(headers['webhook-timestamp'], 10), payload: JSON.parse(body) };
	} catch {
		return { ok: false, reason: 'the body is not JSON', status: 400 };
	}
}

/** The Standard Webhooks signature of an event (the base64 after `v1,`), as a sender computes it. */
export function signatureFor(secret: string, id: string, timestamp: number, body: string | Buffer): string {
	return new Webhook(secret).sign(id, new Date(timestamp * 1000), body).slice('v1,'.length);
}

/** What a webhook trigger keeps in n8n's static data: the webhook-ids it accepted lately, with their timestamps. */
export interface DeliveryLog {
	deliveries?: Array<{ id: string; timestamp: number }>;
}

/** At most this many webhook-ids are remembered; past it the oldest are forgotten first. */
export const MAX_REMEMBERED_DELIVERIES = 1000;

/**
 * Whether the verified event `id` was already accepted; if not, it is remembered. An id is kept as
 * long as its event could still pass the timestamp check (its timestamp plus the tolerance), so a
 * replay inside that window is caught and the log stays small.
 */
export function isReplay(log: DeliveryLog, id: string, timestamp: number, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
	const live = (log.deliveries ?? []).filter((entry) => entry.timestamp + WEBHOOK_TOLERANCE_SECONDS >= nowSeconds);
	const replay = live.some((entry) => entry.id === id);
	if (!replay) live.push({ id, timestamp });
	// A new array each time: n8n saves static data when a property is set.
	log.deliveries = live.sort((a, b) => a.timestamp - b.timestamp).slice(-MAX_REMEMBERED_DELIVERIES);
	return replay;
}
