/**
 * Standard Webhooks verification (the scheme OpenAI's webhooks use): the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, signed with HMAC-SHA256 under the secret
 * (`whsec_<base64>`), sent as one or more space-separated `v1,<base64>` signatures. Timestamps more
 * than `toleranceSeconds` (default 5 minutes) away from now are rejected, against replays.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookVerdict = { ok: true; id: string; timestamp: number; payload: unknown } | { ok: false; reason: string };

export interface WebhookInput {
	headers: Record<string, string | string[] | undefined>;
	/** The raw body, exactly as received: re-serialised JSON would not verify. */
	body: string | Buffer;
	secret: string;
	toleranceSeconds?: number;
	nowSeconds?: number;
}

const header = (headers: WebhookInput['headers'], name: string): string | undefined => {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
};

export function signatureFor(secret: string, id: string, timestamp: number | string, body: string | Buffer): string {
	const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
	return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

export function verifyWebhook(input: WebhookInput): WebhookVerdict {
	const id = header(input.headers, 'webhook-id');
	const timestampText = header(input.headers, 'webhook-timestamp');
	const signatures = header(input.headers, 'webhook-signature');
	if (!id || !timestampText || !signatures) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
	const timestamp = Number(timestampText);
	if (!Number.isInteger(timestamp)) return { ok: false, reason: 'webhook-timestamp is not a number of seconds' };
	const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
	const tolerance = input.toleranceSeconds ?? 300;
	if (Math.abs(now - timestamp) > tolerance) return { ok: false, reason: `webhook-timestamp is more than ${tolerance} s from now (stale or replayed)` };
	const expected = Buffer.from(signatureFor(input.secret, id, timestamp, input.body));
	const matches = signatures
		.split(' ')
		.map((entry) => entry.split(','))
		.some(([version, signature]) => {
			if (version !== 'v1' || !signature) return false;
			const given = Buffer.from(signature);
			return given.length === expected.length && timingSafeEqual(given, expected);
		});
	if (!matches) return { ok: false, reason: 'no valid signature: the event is forged or the secret is wrong' };
	const text = typeof input.body === 'string' ? input.body : input.body.toString('utf8');
	try {
		return { ok: true, id, timestamp, payload: JSON.parse(text) };
	} catch {
		return { ok: false, reason: 'the body is not JSON' };
	}
}
