import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createChatClient, HttpStatusError, RequestAbortedError, RequestTimeoutError } from '../../core/transport/chatClient';
import { classifyFailure } from '../../core/transport/retryPolicy';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

describe('createChatClient', () => {
	let server: Server;
	let base = '';
	let handler: Handler = () => undefined;
	const seen: Array<{ url: string; headers: IncomingMessage['headers']; body: string }> = [];

	beforeAll(async () => {
		server = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString()));
			req.on('end', () => {
				seen.push({ url: req.url ?? '', headers: req.headers, body });
				handler(req, body, res);
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
	});
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});
	beforeEach(() => (seen.length = 0));

	const body = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
	const signal = () => new AbortController().signal;

	it("posts to <base>/chat/completions keeping the base URL's query (Azure's api-version), with api-key auth and extra headers", async () => {
		handler = (_req, _body, res) => res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-limit-requests': '600' }).end(JSON.stringify({ id: 'c1', choices: [] }));
		const client = createChatClient({ baseUrl: `${base}/openai/deployments/gpt/?api-version=2024-10-21`, apiKey: 'azure-key', authHeader: 'apiKey', headers: { 'x-team': 'docs' } });
		const { data, headers } = await client.complete(body, signal());
		client.close();
		expect(data).toEqual({ id: 'c1', choices: [] });
		expect(headers.get('X-RateLimit-Limit-Requests')).toBe('600');
		expect(seen[0].url).toBe('/openai/deployments/gpt/chat/completions?api-version=2024-10-21');
		expect(seen[0].headers).toMatchObject({ 'api-key': 'azure-key', 'x-team': 'docs', 'content-type': 'application/json' });
		expect(seen[0].headers.authorization).toBeUndefined();
		expect(JSON.parse(seen[0].body)).toEqual(body);
	});

	it('sends a Bearer key, organization and project the way the SDK does', async () => {
		handler = (_req, _body, res) => res.writeHead(200).end('{}');
		const client = createChatClient({ baseUrl: `${base}/v1/`, apiKey: 'sk-1', organization: 'org-1', project: 'proj-1' });
		await client.complete(body, signal());
		client.close();
		expect(seen[0].url).toBe('/v1/chat/completions');
		expect(seen[0].headers).toMatchObject({ authorization: 'Bearer sk-1', 'openai-organization': 'org-1', 'openai-project': 'proj-1' });
	});

	it('turns an error status into an error with status, headers and the server message, as the retry policy reads them', async () => {
		handler = (_req, _body, res) => res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '250' }).end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests' } }));
		const client = createChatClient({ baseUrl: base });
		const error = await client.complete(body, signal()).catch((e: unknown) => e);
		client.close();
		expect(error).toBeInstanceOf(HttpStatusError);
		expect(error).toMatchObject({ status: 429, message: '429 Rate limit reached' });
		expect(classifyFailure(error)).toMatchObject({ retryable: true, status: 429, retryAfterMs: 250 });
	});

	it('keeps a non-JSON error body as the message, and an empty one says so', async () => {
		const client = createChatClient({ baseUrl: base });
		handler = (_req, _body, res) => res.writeHead(502).end('Bad gateway from the proxy');
		await expect(client.complete(body, signal())).rejects.toMatchObject({ status: 502, message: '502 Bad gateway from the proxy' });
		handler = (_req, _body, res) => res.writeHead(500).end();
		await expect(client.complete(body, signal())).rejects.toMatchObject({ status: 500, message: '500 status code 500 (no body)' });
		handler = (_req, _body, res) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'model not found' }));
		await expect(client.complete(body, signal())).rejects.toMatchObject({ status: 400, message: '400 model not found' });
		client.close();
	});

	it('gives up after the timeout with a retryable ETIMEDOUT, and stops at once on abort', async () => {
		handler = () => undefined;
		const slow = createChatClient({ baseUrl: base }, { timeoutMs: 50 });
		const timedOut = await slow.complete(body, signal()).catch((e: unknown) => e);
		expect(timedOut).toBeInstanceOf(RequestTimeoutError);
		expect(classifyFailure(timedOut).retryable).toBe(true);
		const controller = new AbortController();
		const pending = slow.complete(body, controller.signal);
		controller.abort();
		await expect(pending).rejects.toBeInstanceOf(RequestAbortedError);
		await expect(slow.complete(body, controller.signal)).rejects.toBeInstanceOf(RequestAbortedError);
		slow.close();
	});

	it('reports a refused connection with its network code, which the retry policy retries', async () => {
		const client = createChatClient({ baseUrl: 'http://127.0.0.1:1' });
		const error = await client.complete(body, signal()).catch((e: unknown) => e);
		client.close();
		expect(error).toMatchObject({ code: 'ECONNREFUSED' });
		expect(classifyFailure(error).retryable).toBe(true);
	});
});
