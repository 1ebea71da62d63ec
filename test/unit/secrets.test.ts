import { redactSecrets } from '../../core/transport/secrets';

describe('redactSecrets', () => {
	it('removes every occurrence of an exact secret', () => {
		expect(redactSecrets('token abcd1234 and again abcd1234!', ['abcd1234'])).toBe(
			'token [redacted] and again [redacted]!',
		);
	});

	it('trims the secret before looking for it', () => {
		expect(redactSecrets('key=hunter22;', ['  hunter22 \n'])).toBe('key=[redacted];');
	});

	it('ignores undefined, empty and very short secrets', () => {
		expect(redactSecrets('abc is fine', [undefined, '', '   ', 'abc'])).toBe('abc is fine');
	});

	it('removes several different secrets', () => {
		expect(redactSecrets('user=alice-secret pass=p4ssw0rd', ['alice-secret', 'p4ssw0rd'])).toBe(
			'user=[redacted] pass=[redacted]',
		);
	});

	it('removes anything shaped like a provider key even when not given', () => {
		expect(redactSecrets('Incorrect API key provided: sk-proj-AbC123****xyz9 please', [])).toBe(
			'Incorrect API key provided: [redacted] please',
		);
		expect(redactSecrets('rk-live_123456 and pk-test_abcdef', [])).toBe('[redacted] and [redacted]');
	});

	it('leaves words that only contain sk- in the middle, and too-short keys, alone', () => {
		expect(redactSecrets('task-1234567 and desk-abcdefgh', [])).toBe('task-1234567 and desk-abcdefgh');
		expect(redactSecrets('sk-12345 is too short', [])).toBe('sk-12345 is too short');
	});

	it('leaves text without secrets unchanged', () => {
		expect(redactSecrets('nothing to hide here', ['s3cr3t-value'])).toBe('nothing to hide here');
	});
});
