import { authenticationHeaders, DEFAULT_BASE_URL, normalizeBaseUrl } from '../../core/transport/connection';

describe('authenticationHeaders', () => {
	const baseUrl = 'https://example.test/v1';

	it('sends a bearer token by default', () => {
		expect(authenticationHeaders({ baseUrl, apiKey: 'sk-abc' })).toEqual({ Authorization: 'Bearer sk-abc' });
		expect(authenticationHeaders({ baseUrl, apiKey: 'sk-abc', authHeader: 'bearer' })).toEqual({
			Authorization: 'Bearer sk-abc',
		});
	});

	it('trims the key', () => {
		expect(authenticationHeaders({ baseUrl, apiKey: '  sk-abc \n' })).toEqual({ Authorization: 'Bearer sk-abc' });
	});

	it('sends api-key (Azure OpenAI) and no Authorization in apiKey mode', () => {
		const headers = authenticationHeaders({ baseUrl, apiKey: 'azure-key', authHeader: 'apiKey' });
		expect(headers).toEqual({ 'api-key': 'azure-key' });
		expect(headers.Authorization).toBeUndefined();
	});

	it('sends no credential without a key', () => {
		expect(authenticationHeaders({ baseUrl })).toEqual({});
		expect(authenticationHeaders({ baseUrl, apiKey: '   ' })).toEqual({});
		expect(authenticationHeaders({ baseUrl, apiKey: '', authHeader: 'apiKey' })).toEqual({});
	});

	it('adds organization and project, trimmed, and skips blank ones', () => {
		expect(authenticationHeaders({ baseUrl, apiKey: 'k1', organization: ' org-1 ', project: 'proj_2' })).toEqual({
			Authorization: 'Bearer k1',
			'OpenAI-Organization': 'org-1',
			'OpenAI-Project': 'proj_2',
		});
		expect(authenticationHeaders({ baseUrl, organization: '  ', project: '' })).toEqual({});
	});

	it('includes extra headers, which cannot override the credentials', () => {
		const headers = authenticationHeaders({
			baseUrl,
			apiKey: 'real',
			organization: 'org-real',
			headers: { 'X-Custom': 'yes', Authorization: 'Bearer fake', 'OpenAI-Organization': 'org-fake' },
		});
		expect(headers).toEqual({ 'X-Custom': 'yes', Authorization: 'Bearer real', 'OpenAI-Organization': 'org-real' });
	});

	it('keeps an extra Authorization header when there is no key', () => {
		expect(authenticationHeaders({ baseUrl, headers: { Authorization: 'Basic abc' } })).toEqual({
			Authorization: 'Basic abc',
		});
	});
});

describe('normalizeBaseUrl', () => {
	it('strips trailing slashes and whitespace', () => {
		expect(normalizeBaseUrl('https://example.test/v1/')).toBe('https://example.test/v1');
		expect(normalizeBaseUrl('https://example.test/v1///')).toBe('https://example.test/v1');
		expect(normalizeBaseUrl('  http://localhost:11434/v1/  ')).toBe('http://localhost:11434/v1');
	});

	it('leaves a clean URL unchanged', () => {
		expect(normalizeBaseUrl('https://example.test/openai/v1')).toBe('https://example.test/openai/v1');
	});

	it('falls back to the OpenAI URL when empty', () => {
		expect(DEFAULT_BASE_URL).toBe('https://api.openai.com/v1');
		expect(normalizeBaseUrl('')).toBe('https://api.openai.com/v1');
		expect(normalizeBaseUrl('   ')).toBe('https://api.openai.com/v1');
		expect(normalizeBaseUrl(undefined)).toBe('https://api.openai.com/v1');
	});
});
