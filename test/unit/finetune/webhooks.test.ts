import { isReplay, MAX_REMEMBERED_DELIVERIES, signatureFor, signingSecretProblem, verifyWebhook, type DeliveryLog } from '../../../core/finetune/webhooks';
import { signWebhook } from '../../server/fineTuning';

const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const T = 1_700_000_000;

describe('signing secrets', () => {
	it.each([
		['', /^is empty/],
		['  \n', /^is empty/],
		['whsec_', /^decodes to 0 bytes/],
		['whsec_!!!!', /^is not base64/],
		['whsec_AAAA', /^decodes to 3 bytes; a signing secret needs at least 16/],
		[`whsec_${Buffer.alloc(15).toString('base64')}`, /^decodes to 15 bytes/],
		[`whsec_${Buffer.alloc(16).toString('base64').replace(/=+$/, '')}`, /^is not base64/],
	])('refuses %j', (secret, problem) => {
		expect(signingSecretProblem(secret)).toMatch(problem);
	});

	it('accepts 16 bytes or more, with or without the whsec_ prefix, and never repeats the secret', () => {
		expect(signingSecretProblem(`whsec_${Buffer.alloc(16).toString('base64')}`)).toBeUndefined();
		expect(signingSecretProblem(Buffer.alloc(24).toString('base64'))).toBeUndefined();
		expect(signingSecretProblem(`${SECRET}\n`)).toBeUndefined();
		const short = `whsec_${Buffer.from('tiny key').toString('base64')}`;
		expect(signingSecretProblem(short)).not.toContain(short.slice(6));
	});
});

describe('verifyWebhook (standardwebhooks) at a fixed clock', () => {
	beforeEach(() => jest.useFakeTimers({ now: T * 1000 }));
	afterEach(() => jest.useRealTimers());
	const body = '{"type":"fine_tuning.job.succeeded","data":{"id":"ftjob-1"}}';
	const headers = (timestamp: number, signature = signWebhook(SECRET, 'wh_1', timestamp, body)) => ({ 'webhook-id': 'wh_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': signature });

	it('accepts an event signed by an independent implementation within 5 minutes either way', () => {
		for (const timestamp of [T, T - 300, T + 300]) {
			expect(verifyWebhook({ headers: headers(timestamp), body, secret: SECRET })).toEqual({ ok: true, id: 'wh_1', timestamp, payload: JSON.parse(body) });
		}
		expect(verifyWebhook({ headers: headers(T), body: Buffer.from(body), secret: SECRET }).ok).toBe(true);
		expect(`v1,${signatureFor(SECRET, 'wh_1', T, body)}`).toBe(signWebhook(SECRET, 'wh_1', T, body));
	});

	it('refuses stale, future-dated, forged, tampered and unsigned events', () => {
		expect(verifyWebhook({ headers: headers(T - 301), body, secret: SECRET })).toEqual({ ok: false, reason: 'webhook-timestamp is more than 300 s from now (stale or replayed)' });
		expect(verifyWebhook({ headers: headers(T + 301), body, secret: SECRET })).toEqual({ ok: false, reason: 'webhook-timestamp is more than 300 s from now (dated in the future)' });
		const forged = headers(T, signWebhook(`whsec_${Buffer.alloc(32, 2).toString('base64')}`, 'wh_1', T, body));
		expect(verifyWebhook({ headers: forged, body, secret: SECRET })).toEqual({ ok: false, reason: 'no valid signature: the event is forged or the secret is wrong' });
		expect(verifyWebhook({ headers: headers(T), body: body.replace('ftjob-1', 'ftjob-2'), secret: SECRET }).ok).toBe(false);
		expect(verifyWebhook({ headers: { ...headers(T), 'webhook-id': 'wh_2' }, body, secret: SECRET }).ok).toBe(false);
		expect(verifyWebhook({ headers: { 'webhook-id': 'wh_1' }, body, secret: SECRET })).toEqual({ ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' });
		expect(verifyWebhook({ headers: headers(T, 'v2,abc'), body, secret: SECRET }).ok).toBe(false);
	});

	it('refuses to check anything with an unusable secret, even an event signed with it', () => {
		for (const secret of ['', 'whsec_', 'whsec_!!!!']) {
			const verdict = verifyWebhook({ headers: headers(T, signWebhook(secret, 'wh_1', T, body)), body, secret });
			expect(verdict.ok).toBe(false);
			expect((verdict as { reason: string }).reason).toMatch(/^the signing secret /);
		}
	});

	it('a correctly signed body that is not JSON is a 400, not an event', () => {
		const text = 'not json';
		expect(verifyWebhook({ headers: headers(T, signWebhook(SECRET, 'wh_1', T, text)), body: text, secret: SECRET })).toEqual({ ok: false, reason: 'the body is not JSON', status: 400 });
	});
});

describe('isReplay: recent webhook-ids in static data', () => {
	it('catches a second delivery of an id while its event could still pass the timestamp check', () => {
		const log: DeliveryLog = {};
		expect(isReplay(log, 'a', T, T)).toBe(false);
		expect(isReplay(log, 'a', T, T + 300)).toBe(true);
		expect(isReplay(log, 'b', T, T)).toBe(false);
		expect(log.deliveries).toEqual([
			{ id: 'a', timestamp: T },
			{ id: 'b', timestamp: T },
		]);
	});

	it('forgets ids whose events are past the window (they would be refused as stale anyway)', () => {
		const log: DeliveryLog = {};
		isReplay(log, 'a', T, T);
		expect(isReplay(log, 'b', T + 400, T + 400)).toBe(false);
		expect(log.deliveries).toEqual([{ id: 'b', timestamp: T + 400 }]);
	});

	it(`keeps at most ${MAX_REMEMBERED_DELIVERIES} ids, the newest`, () => {
		const log: DeliveryLog = {};
		for (let i = 0; i <= MAX_REMEMBERED_DELIVERIES; i++) isReplay(log, `id-${i}`, T + (i % 100), T);
		expect(log.deliveries).toHaveLength(MAX_REMEMBERED_DELIVERIES);
		// Eleven ids have the oldest timestamp (i = 0, 100, ..., 1000): one of them went.
		expect(log.deliveries?.filter((entry) => entry.timestamp === T)).toHaveLength(10);
		expect(log.deliveries?.filter((entry) => entry.timestamp === T + 99)).toHaveLength(10);
	});

	it('an id such as __proto__ is just an id', () => {
		const log: DeliveryLog = {};
		expect(isReplay(log, '__proto__', T, T)).toBe(false);
		expect(isReplay(log, '__proto__', T, T)).toBe(true);
		expect(Object.getPrototypeOf(log)).toBe(Object.prototype);
	});
});
