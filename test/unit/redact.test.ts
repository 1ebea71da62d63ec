import { redactItems, redactOutput } from '../../nodes/shared/redact';

const KEY = 'sk-live-0123456789abcdef';
const HEADER = 'team-secret-value';

describe('redactOutput', () => {
	it('replaces every secret in every string and key, deep, and leaves other values alone', () => {
		const value = { text: `key ${KEY}`, nested: [{ reason: `${HEADER} and ${KEY}` }, 3, null, true], [`k-${KEY}`]: 1, when: new Date(0), bytes: Buffer.from(KEY) };
		const out = redactOutput(value, [KEY, HEADER]);
		expect(out.text).toBe('key [redacted]');
		expect(out.nested).toEqual([{ reason: '[redacted] and [redacted]' }, 3, null, true]);
		expect((out as Record<string, unknown>)['k-[redacted]']).toBe(1);
		expect(Object.keys(out).join(' ')).not.toContain(KEY);
		expect(out.when).toBe(value.when);
		expect(out.bytes).toBe(value.bytes);
		expect(value.text).toBe(`key ${KEY}`);
	});

	it('returns the same object when no secret occurs, and everything when there are no secrets', () => {
		const value = { text: 'nothing here', list: [{ a: 'b' }] };
		expect(redactOutput(value, [KEY])).toBe(value);
		expect(redactOutput({ text: KEY }, [])).toEqual({ text: KEY });
	});

	it('a secret spelled across logprob tokens masks every token it touches, and their top logprobs', () => {
		const pieces = ['Key: ', KEY.slice(0, 5), KEY.slice(5, 14), KEY.slice(14), ' ok'];
		const logprobs = pieces.map((token) => ({ token, logprob: -0.1, topLogprobs: [{ token, logprob: -0.1 }] }));
		const out = redactOutput({ logprobs }, [KEY]).logprobs;
		expect(out.map((t) => t.token)).toEqual(['Key: ', '[redacted]', '[redacted]', '[redacted]', ' ok']);
		expect(out[2]).toEqual({ token: '[redacted]', logprob: -0.1, topLogprobs: [{ token: '[redacted]', logprob: -0.1 }] });
		expect(out[4]).toBe(logprobs[4]);
	});

	it('the longer secret first, when one holds another', () => {
		expect(redactOutput({ t: 'abcd-efgh' }, ['abcd', 'abcd-efgh']).t).toBe('[redacted]');
	});

	it('redactItems keeps items (and pairedItem) that hold no secret', () => {
		const items = [{ json: { text: 'fine' }, pairedItem: { item: 0 } }, { json: { text: KEY }, pairedItem: { item: 1 } }];
		const out = redactItems(items, [KEY]);
		expect(out[0]).toBe(items[0]);
		expect(out[1]).toEqual({ json: { text: '[redacted]' }, pairedItem: { item: 1 } });
	});
});
