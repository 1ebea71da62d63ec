/**
 * The benchmark's server: the project's test server (Chat Completions, latency, per-second rate
 * limit with the real headers, counters), plus a front that speaks OpenAI's Responses API.
 * n8n 2.41.1's OpenAI node ("Message a Model", v2.3) and OpenAI Chat Model (v1.3) send
 * POST /responses by default; the test server only speaks Chat Completions, so the front turns
 * each Responses request into one Chat Completions request to the test server and its answer
 * (or its error, with status and rate-limit headers as they are) back into a Responses object.
 * The test server therefore counts every contestant's requests and 429s the same way.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MockOpenAiServer, type Counters, type MockServerOptions } from '../test/server/mockOpenAiServer';

interface ResponsesInputPart {
	type?: string;
	text?: string;
}

interface ResponsesInputMessage {
	type?: string;
	role?: string;
	content?: string | ResponsesInputPart[];
}

interface ResponsesBody {
	model?: string;
	input?: string | ResponsesInputMessage[];
	instructions?: string;
	stream?: boolean;
	[key: string]: unknown;
}

interface ChatAnswer {
	id: string;
	model: string;
	created: number;
	choices: Array<{ message: { content: string | null }; finish_reason: string }>;
	usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function partsText(content: string | ResponsesInputPart[] | undefined): string {
	if (typeof content === 'string') return content;
	return (content ?? []).map((part) => part.text ?? '').join('');
}

/** Responses API input to Chat Completions messages. */
export function chatMessagesOf(body: ResponsesBody): Array<{ role: string; content: string }> {
	const messages: Array<{ role: string; content: string }> = [];
	if (body.instructions) messages.push({ role: 'system', content: body.instructions });
	if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
	else {
		for (const message of body.input ?? []) {
			if (message.type && message.type !== 'message') continue;
			messages.push({ role: message.role === 'developer' ? 'system' : message.role ?? 'user', content: partsText(message.content) });
		}
	}
	return messages;
}

/** A Chat Completions answer as a Responses API object. */
export function responseOf(answer: ChatAnswer): Record<string, unknown> {
	const text = answer.choices[0]?.message.content ?? '';
	return {
		id: `resp_${answer.id}`,
		object: 'response',
		created_at: answer.created,
		status: 'completed',
		error: null,
		incomplete_details: null,
		model: answer.model,
		output: [
			{
				type: 'message',
				id: `msg_${answer.id}`,
				status: 'completed',
				role: 'assistant',
				content: [{ type: 'output_text', text, annotations: [] }],
			},
		],
		output_text: text,
		parallel_tool_calls: true,
		tool_choice: 'auto',
		tools: [],
		usage: {
			input_tokens: answer.usage.prompt_tokens,
			input_tokens_details: { cached_tokens: 0 },
			output_tokens: answer.usage.completion_tokens,
			output_tokens_details: { reasoning_tokens: 0 },
			total_tokens: answer.usage.total_tokens,
		},
	};
}

export interface BenchServerCounters extends Counters {
	/** Requests that came in through the Responses front. */
	responsesRequests: number;
	/** Those answered 200, and their total time in the front, from the request read to the answer sent, latency included (ms). */
	responsesAnswered: number;
	responsesFrontMs: number;
}

export class BenchServer {
	readonly mock: MockOpenAiServer;
	private front: Server | undefined;
	private readonly sockets = new Set<Socket>();
	private readonly agent = new Agent({ keepAlive: true, maxSockets: 1000 });
	private responsesRequests = 0;
	private responsesAnswered = 0;
	private responsesFrontMs = 0;
	/** The test server's root (Chat Completions), ending in /v1. */
	url = '';
	/** The Responses front's root, ending in /v1. */
	responsesUrl = '';

	constructor(options: MockServerOptions) {
		this.mock = new MockOpenAiServer(options);
		// Kept for arrival times (a run's requests are a few hundred; reset() empties them).
		this.mock.recordRequests = true;
	}

	async start(): Promise<void> {
		this.url = await this.mock.start();
		this.front = createServer((req, res) => void this.handle(req, res));
		this.front.keepAliveTimeout = 60_000;
		this.front.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.front!.listen(0, '127.0.0.1', resolve));
		this.responsesUrl = `http://127.0.0.1:${(this.front.address() as AddressInfo).port}/v1`;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		this.agent.destroy();
		if (this.front) await new Promise<void>((resolve) => this.front!.close(() => resolve()));
		await this.mock.stop();
	}

	/** Zero counters and refill the rate-limit bucket: each run starts from a fresh minute. */
	reset(): void {
		this.mock.reset();
		this.responsesRequests = 0;
		this.responsesAnswered = 0;
		this.responsesFrontMs = 0;
	}

	/** When the first and the last Chat Completions request of this run arrived (epoch ms). */
	arrivals(): { first?: number; last?: number } {
		const chat = this.mock.received.filter((request) => request.path === '/chat/completions');
		return { first: chat[0]?.at, last: chat[chat.length - 1]?.at };
	}

	counters(): BenchServerCounters {
		return { ...this.mock.counters, responsesRequests: this.responsesRequests, responsesAnswered: this.responsesAnswered, responsesFrontMs: this.responsesFrontMs };
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const path = (req.url ?? '/').split('?')[0];
		if (req.method !== 'POST' || path !== '/v1/responses') {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { message: `The bench front serves POST /v1/responses only, not ${req.method} ${path}`, type: 'invalid_request_error' } }));
			return;
		}
		this.responsesRequests++;
		const started = performance.now();
		res.on('finish', () => {
			if (res.statusCode !== 200) return;
			this.responsesAnswered++;
			this.responsesFrontMs += performance.now() - started;
		});
		let body: ResponsesBody;
		try {
			body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ResponsesBody;
		} catch {
			res.writeHead(400, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { message: 'invalid JSON', type: 'invalid_request_error' } }));
			return;
		}
		const chat = JSON.stringify({ model: body.model, messages: chatMessagesOf(body) });
		const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(chat)) };
		if (req.headers.authorization) headers.authorization = req.headers.authorization;
		const upstream = new URL(`${this.url}/chat/completions`);
		const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, path: upstream.pathname, method: 'POST', headers, agent: this.agent }, (answer) => {
			const parts: Buffer[] = [];
			answer.on('data', (chunk: Buffer) => parts.push(chunk));
			answer.on('end', () => {
				const text = Buffer.concat(parts).toString('utf8');
				const passed: Record<string, string> = { 'content-type': 'application/json' };
				for (const [name, value] of Object.entries(answer.headers)) {
					if ((name.startsWith('x-ratelimit-') || name.startsWith('retry-after') || name === 'x-request-id') && typeof value === 'string') passed[name] = value;
				}
				if (res.destroyed) return;
				if (answer.statusCode !== 200) {
					// OpenAI's error body is the same for both APIs.
					res.writeHead(answer.statusCode ?? 502, passed);
					res.end(text);
					return;
				}
				res.writeHead(200, passed);
				res.end(JSON.stringify(responseOf(JSON.parse(text) as ChatAnswer)));
			});
		});
		forwarded.on('error', (error) => {
			if (res.destroyed) return;
			res.writeHead(502, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { message: `bench front: ${error.message}`, type: 'server_error' } }));
		});
		forwarded.end(chat);
	}
}
