import { isJsonContentType, MAX_SERVER_MESSAGE, reasonFromBody, serverMessage } from '../../core/transport/http';

describe('the server\'s reason from an error body', () => {
	it('knows JSON by any JSON media type', () => {
		for (const type of ['application/json', 'application/json; charset=utf-8', 'application/problem+json', 'APPLICATION/VND.API+JSON', 'text/json']) expect(isJsonContentType(type)).toBe(true);
		for (const type of ['text/plain', 'text/html', 'application/jsonl', undefined, null]) expect(isJsonContentType(type)).toBe(false);
	});

	it.each([
		['OpenAI', { error: { message: 'Invalid value for n_epochs', type: 'invalid_request_error', param: 'n_epochs', code: null } }, 'Invalid value for n_epochs'],
		['OpenAI with param and code', { error: { message: 'Too large', type: 'invalid_request_error', param: 'seed', code: 'integer_above_max_value' } }, 'Too large (param: seed, code: integer_above_max_value)'],
		['error text', { error: 'model not found' }, 'model not found'],
		['error name and message', { error: 'Bad Request', message: 'suffix is too long' }, 'Bad Request: suffix is too long'],
		['message', { message: 'fine-tune ft-1 not found' }, 'fine-tune ft-1 not found'],
		['problem+json', { type: 'about:blank', title: 'Unprocessable Entity', status: 422, detail: 'n_epochs must be <= 50' }, 'Unprocessable Entity: n_epochs must be <= 50'],
		['problem+json errors list', { title: 'Invalid request', errors: [{ detail: 'must be <= 50', pointer: '/hyperparameters/n_epochs' }, 'suffix is too long'] }, 'Invalid request: /hyperparameters/n_epochs: must be <= 50; suffix is too long'],
		['problem+json errors map', { title: 'Invalid', errors: { suffix: ['too long', 'bad character'], seed: 'negative' } }, 'Invalid: suffix: too long, bad character; seed: negative'],
		['Prism validation', { title: 'Invalid request', detail: 'Not valid.', validation: [{ location: ['body', 'seed'], severity: 'Error', code: 'maximum', message: 'must be <= 2147483647' }] }, 'Invalid request: Not valid.: body.seed: must be <= 2147483647'],
		[
			'Prism, whose words name the property, once per entry',
			{ title: 'Invalid request', detail: 'Not valid.', validation: [1, 2].map(() => ({ location: ['body', 'top_logprobs'], message: 'Request body property top_logprobs must be <= 20' })) },
			'Invalid request: Not valid.: Request body property top_logprobs must be <= 20',
		],
		['RFC 7807 invalid-params', { title: 'Bad params', 'invalid-params': [{ name: 'limit', reason: 'must be positive' }] }, 'Bad params: limit: must be positive'],
		['FastAPI detail text', { detail: 'Not Found' }, 'Not Found'],
		['FastAPI detail list', { detail: [{ loc: ['body', 'n_epochs'], msg: 'Input should be <= 20', type: 'less_than_equal' }] }, 'body.n_epochs: Input should be <= 20'],
		['a JSON string', 'overloaded', 'overloaded'],
	])('%s', (_name, body, reason) => {
		expect(reasonFromBody(body)).toBe(reason);
		expect(serverMessage(422, JSON.stringify(body), 'application/problem+json')).toBe(reason);
		// A JSON body sent with no media type, or as text, is read the same way.
		expect(serverMessage(422, JSON.stringify(body), 'text/plain')).toBe(reason);
	});

	it('keeps other text as it is, bounded, and says when there is no body', () => {
		expect(serverMessage(502, '<html>Bad gateway</html>', 'text/html')).toBe('<html>Bad gateway</html>');
		expect(serverMessage(500, '   ', 'application/json')).toBe('status code 500 (no body)');
		expect(serverMessage(422, '{"unknown": true}', 'application/json')).toBe('{"unknown": true}');
		expect(serverMessage(422, '{truncated', 'application/problem+json')).toBe('{truncated');
		const long = serverMessage(422, JSON.stringify({ title: 'x'.repeat(5000) }), 'application/problem+json');
		expect(long.startsWith('x'.repeat(MAX_SERVER_MESSAGE))).toBe(true);
		expect(long).toMatch(/… \(5000 characters in all\)$/);
	});
});
