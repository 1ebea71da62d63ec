/**
 * An OpenAI-compatible HTTP server for tests and benchmarks: scriptable answers, latency,
 * per-minute request and token limits enforced over short windows (as providers do: a request is
 * admitted on its prompt tokens, and its answer's tokens are counted once known), injected
 * faults, and counters of everything it received.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exampleForSchema } from './exampleForSchema';
import { BatchSimulator, type BatchOptions, type LineAnswer } from './batches';
import { FineTuningSimulator, type FineTuningOptions } from './fineTuning';
import { FireworksSimulator, type FireworksOptions } from './fireworks';
import { OnlineRlSimulator, type OnlineRlOptions } from './onlineRl';

export interface ChatRequestContext {
	/** 1-based number of this chat request since the server started (or was reset). */
	requestNumber: number;
	body: ChatBody;
	headers: IncomingHttpHeaders;
	/** The text of the last user message, handy for routing answers per item. */
	lastUserText: string;
}

export interface ScriptedChoice {
	content: string;
	/** A refusal: the answer's message has this `refusal` and `content: null` (content is then ignored). */
	refusal?: string;
	finishReason?: string;
	/** One logprob per token; tokens default to the content split on spaces. */
	logprobs?: number[];
	tokens?: string[];
}

export interface ScriptedAnswer {
	choices: ScriptedChoice[];
	model?: string;
	usage?: { cachedTokens?: number; reasoningTokens?: number };
}

/** `code` is the error's code where it is reported as such (a batch line's error body). */
export type Fault = 'reset' | 'hang' | { status: number; message?: string; code?: string; headers?: Record<string, string> };

/**
 * An answer sent as it is, bytes and all, for servers that misbehave: any status and body (not JSON,
 * truncated JSON, `{"choices": null}`, 10 MB), sent in chunks with a pause between them (a drip), or
 * cut off after some bytes with the socket destroyed (a reset during the body).
 */
export interface RawAnswer {
	status?: number;
	body: string | Buffer;
	/** Default `content-type: application/json`. */
	headers?: Record<string, string>;
	/** Sent in chunks of this many bytes, with `chunkDelayMs` between them. */
	chunkBytes?: number;
	chunkDelayMs?: number;
	/** Only this many bytes of the body are sent (the headers announce all of it), then the socket is destroyed. */
	cutAfterBytes?: number;
}

export interface MockServerOptions {
	latencyMs?: number;
	requestsPerMinute?: number;
	tokensPerMinute?: number;
	models?: string[];
	/** When set, requests must carry this key (Bearer or api-key); a wrong key gets a 401 that echoes it. */
	apiKey?: string;
	/** Returns a full answer, or a string for a single choice; the default echoes the prompt. */
	answer?: (context: ChatRequestContext) => ScriptedAnswer | string | undefined;
	/** Returns a fault to inject instead of answering. */
	fault?: (context: ChatRequestContext) => Fault | undefined;
	/** A chat answer sent as raw bytes instead of a completion (after the latency, like an answer). */
	raw?: (context: ChatRequestContext) => RawAnswer | undefined;
	/** An /embeddings answer sent as raw bytes, by its inputs. */
	embeddingRaw?: (inputs: string[]) => RawAnswer | undefined;
	/** Headers added to a chat answer (200), e.g. a quota that says nothing remains for an hour. */
	answerHeaders?: (context: ChatRequestContext) => Record<string, string> | undefined;
	/** The embedding of one input; the default hashes words into a 64-dimensional unit vector. */
	embed?: (text: string, model: string) => number[];
	/** A fault for an /embeddings request, by its inputs. */
	embeddingFault?: (inputs: string[]) => Fault | undefined;
	/** Fine-tuning jobs: speed, outcome, signed webhooks. */
	fineTuning?: FineTuningOptions;
	/** Fireworks AI's datasets, jobs and inference (test/server/fireworks.ts): account, speed, outcome. */
	fireworks?: FireworksOptions;
	/** The Batch API (batches.ts): speed, stalls, input limits. Lines are answered as chat requests are (answer, fault). */
	batches?: BatchOptions;
	/** W&B Serverless RL: models, training jobs and their events, checkpoints, and the checkpoints' answers. */
	onlineRl?: OnlineRlOptions;
}

export interface ChatBody {
	model?: string;
	messages?: Array<{ role: string; content: unknown }>;
	n?: number;
	logprobs?: boolean;
	top_logprobs?: number;
	response_format?: { type: string; json_schema?: { name?: string; schema?: unknown } };
	[key: string]: unknown;
}

export interface ReceivedRequest {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	body: unknown;
	at: number;
}

export interface ServedCompletion {
	requestNumber: number;
	response: ChatCompletionBody;
}

interface ChatCompletionBody {
	id: string;
	object: 'chat.completion';
	created: number;
	model: string;
	choices: unknown[];
	usage: Record<string, unknown>;
}

export interface Counters {
	requests: number;
	chatRequests: number;
	embeddingRequests: number;
	modelsRequests: number;
	completed: number;
	rateLimited: number;
	serverErrors: number;
	resets: number;
	hangs: number;
	unauthorized: number;
	/** Requests whose client went away before the answer (e.g. a cancelled execution). */
	clientAborts: number;
	/** Answers sent raw (MockServerOptions.raw, embeddingRaw). */
	rawAnswers: number;
	inFlight: number;
	maxInFlight: number;
	/** Tokens (prompt and completion) of the answered chat requests, as the token limit counts them. */
	tokens: number;
}

const newCounters = (): Counters => ({
	requests: 0,
	chatRequests: 0,
	embeddingRequests: 0,
	modelsRequests: 0,
	completed: 0,
	rateLimited: 0,
	serverErrors: 0,
	resets: 0,
	hangs: 0,
	unauthorized: 0,
	clientAborts: 0,
	rawAnswers: 0,
	inFlight: 0,
	maxInFlight: 0,
	tokens: 0,
});

/** A token bucket holding one second's worth of a per-minute limit, refilled continuously. */
class PerSecondBucket {
	private tokens: number;
	private last = performance.now();
	readonly capacity: number;
	private readonly perMs: number;

	constructor(readonly perMinute: number) {
		this.capacity = Math.max(1, perMinute / 60);
		this.perMs = perMinute / 60_000;
		this.tokens = this.capacity;
	}

	private refill(): void {
		const now = performance.now();
		this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
		this.last = now;
	}

	take(cost: number): boolean {
		this.refill();
		if (this.tokens < Math.min(cost, this.capacity)) return false;
		this.tokens -= cost;
		return true;
	}

	/** Counts tokens used after the fact (an answer's completion tokens), even into debt. */
	charge(cost: number): void {
		this.refill();
		this.tokens -= cost;
	}

	/** The bucket's level now, unrounded (for the arrival log). */
	level(): number {
		this.refill();
		return this.tokens;
	}

	remaining(): number {
		this.refill();
		return Math.max(0, Math.floor(this.tokens));
	}

	msUntil(cost: number): number {
		this.refill();
		return Math.max(1, Math.ceil((Math.min(cost, this.capacity) - this.tokens) / this.perMs));
	}

	msUntilFull(): number {
		this.refill();
		return Math.ceil((this.capacity - this.tokens) / this.perMs);
	}
}

/** The arrival log as lines of "ms since the first arrival, level before, 429 or not". */
export function arrivalTimeline(arrivals: MockOpenAiServer['arrivals']): string {
	const start = arrivals[0]?.at ?? 0;
	return arrivals.map(({ at, level, refused }) => `${(at - start).toFixed(1).padStart(8)} ms  level ${level.toFixed(2).padStart(6)}${refused ? '  429' : ''}`).join('\n');
}

function formatDuration(ms: number): string {
	return ms < 1000 ? `${Math.max(0, Math.round(ms))}ms` : `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		return content.map((part) => (part && typeof part === 'object' && 'text' in part ? String(part.text) : '')).join(' ');
	}
	return '';
}

/** A stable pseudo-logprob in (-2, 0) for a token, so tests can recompute what was served. */
function tokenLogprob(token: string, salt: number): number {
	let hash = 2166136261 ^ salt;
	for (const char of token) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
	return -(((hash >>> 0) % 1000) / 500 + 0.001);
}

/** Words hashed into 64 dimensions and normalised: texts that share words point the same way. */
export function hashedEmbedding(text: string): number[] {
	const vector = new Array<number>(64).fill(0);
	for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
		let hash = 2166136261;
		for (const char of word) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
		vector[(hash >>> 0) % 64] += 1;
	}
	const norm = Math.hypot(...vector) || 1;
	return vector.map((v) => v / norm);
}

export function estimateTokens(text: string): number {
	return Math.max(1, Math.ceil(text.length / 4));
}

export class MockOpenAiServer {
	private server: Server | undefined;
	private readonly sockets = new Set<Socket>();
	private requestBucket: PerSecondBucket | undefined;
	private tokenBucket: PerSecondBucket | undefined;
	counters: Counters = newCounters();
	received: ReceivedRequest[] = [];
	served: ServedCompletion[] = [];
	/** Files and fine-tuning jobs, kept across configure() and reset(). */
	readonly fineTuning = new FineTuningSimulator();
	/** Fireworks AI's datasets, jobs and trained models, kept across configure() and reset(). */
	readonly fireworks = new FireworksSimulator();
	/** Batches over the same files; `batches.created` counts the batches created. */
	readonly batches = new BatchSimulator(this.fineTuning.files, (endpoint, body) => this.answerBatchLine(endpoint, body));
	/** W&B Serverless RL's models, jobs and checkpoints, kept across configure() and reset() (clear() forgets them). */
	readonly onlineRl = new OnlineRlSimulator();
	/**
	 * Each chat request's arrival under a request limit: when (performance.now()), the bucket's level
	 * before it, and whether it was refused. A rate-limit test prints it when it fails, to tell a
	 * bunched arrival from a client that sent faster than the limit.
	 */
	arrivals: Array<{ at: number; level: number; refused: boolean }> = [];
	/** Set to false for long benchmarks, where keeping every body would cost memory. */
	recordRequests = true;
	url = '';

	constructor(private options: MockServerOptions = {}) {
		this.applyLimits();
		this.fineTuning.configure(options.fineTuning ?? {});
		this.fireworks.configure(options.fireworks ?? {});
		this.batches.configure(options.batches ?? {});
		this.onlineRl.configure(options.onlineRl ?? {});
	}

	private applyLimits(): void {
		this.requestBucket = this.options.requestsPerMinute ? new PerSecondBucket(this.options.requestsPerMinute) : undefined;
		this.tokenBucket = this.options.tokensPerMinute ? new PerSecondBucket(this.options.tokensPerMinute) : undefined;
	}

	/** Replaces the options (and refills the rate-limit buckets); counters are kept. */
	configure(options: MockServerOptions): void {
		this.options = options;
		this.fineTuning.configure(options.fineTuning ?? {});
		this.fireworks.configure(options.fireworks ?? {});
		this.batches.configure(options.batches ?? {});
		this.onlineRl.configure(options.onlineRl ?? {});
		this.applyLimits();
	}

	reset(): void {
		this.counters = newCounters();
		this.arrivals = [];
		this.received = [];
		this.served = [];
		this.applyLimits();
	}

	async start(): Promise<string> {
		this.server = createServer((req, res) => void this.handle(req, res));
		this.server.keepAliveTimeout = 60_000;
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		const { port } = this.server.address() as AddressInfo;
		this.url = `http://127.0.0.1:${port}/v1`;
		return this.url;
	}

	async stop(): Promise<void> {
		this.fineTuning.stop();
		this.fireworks.stop();
		this.batches.stop();
		for (const socket of this.sockets) socket.destroy();
		if (!this.server) return;
		await new Promise<void>((resolve) => this.server!.close(() => resolve()));
		this.server = undefined;
	}

	private rateLimitHeaders(): Record<string, string> {
		const headers: Record<string, string> = {};
		if (this.requestBucket) {
			headers['x-ratelimit-limit-requests'] = String(this.requestBucket.perMinute);
			headers['x-ratelimit-remaining-requests'] = String(this.requestBucket.remaining());
			headers['x-ratelimit-reset-requests'] = formatDuration(this.requestBucket.msUntilFull());
		}
		if (this.tokenBucket) {
			headers['x-ratelimit-limit-tokens'] = String(this.tokenBucket.perMinute);
			headers['x-ratelimit-remaining-tokens'] = String(this.tokenBucket.remaining());
			headers['x-ratelimit-reset-tokens'] = formatDuration(this.tokenBucket.msUntilFull());
		}
		return headers;
	}

	private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
		if (res.destroyed) return;
		res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${this.counters.requests}`, ...headers });
		res.end(JSON.stringify(body));
	}

	private async sendRaw(res: ServerResponse, raw: RawAnswer): Promise<void> {
		if (res.destroyed) return;
		this.counters.rawAnswers++;
		const body = typeof raw.body === 'string' ? Buffer.from(raw.body) : raw.body;
		res.writeHead(raw.status ?? 200, { 'content-type': 'application/json', 'content-length': String(body.length), 'x-request-id': `req_${this.counters.requests}`, ...(raw.headers ?? {}) });
		const sent = raw.cutAfterBytes === undefined ? body : body.subarray(0, raw.cutAfterBytes);
		const step = raw.chunkBytes ?? sent.length;
		for (let at = 0; at < sent.length; at += Math.max(1, step)) {
			if (res.destroyed) return;
			res.write(sent.subarray(at, at + Math.max(1, step)));
			if (raw.chunkDelayMs) await new Promise((resolve) => setTimeout(resolve, raw.chunkDelayMs));
		}
		if (raw.cutAfterBytes !== undefined) {
			// Let the bytes leave before the socket goes, as a server that dies mid-answer.
			await new Promise((resolve) => setTimeout(resolve, 5));
			res.socket?.destroy();
			return;
		}
		res.end();
	}

	private sendError(res: ServerResponse, status: number, message: string, type: string, headers: Record<string, string> = {}): void {
		this.send(res, status, { error: { message, type, param: null, code: null } }, headers);
	}

	private async readBody(req: IncomingMessage): Promise<{ raw: Buffer; body: unknown }> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const raw = Buffer.concat(chunks);
		const text = raw.toString('utf8');
		if (!text) return { raw, body: undefined };
		try {
			return { raw, body: JSON.parse(text) };
		} catch {
			return { raw, body: text };
		}
	}

	private checkKey(req: IncomingMessage): string | undefined {
		const expected = this.options.apiKey;
		if (!expected) return undefined;
		const bearer = /^Bearer (.*)$/.exec(req.headers.authorization ?? '')?.[1];
		const given = bearer ?? (req.headers['api-key'] as string | undefined) ?? '';
		// OpenAI echoes (part of) a wrong key in its 401; echoing all of it makes redaction testable.
		return given === expected ? undefined : `Incorrect API key provided: ${given || '(none)'}.`;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const counters = this.counters;
		counters.requests++;
		counters.inFlight++;
		counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
		let finished = false;
		const done = () => {
			if (finished) return;
			finished = true;
			counters.inFlight--;
		};
		res.on('close', () => {
			if (!res.writableFinished) counters.clientAborts++;
			done();
		});
		try {
			const { raw, body } = await this.readBody(req);
			const [rawPath, queryString] = (req.url ?? '/').split('?');
			// Azure OpenAI's v1 API lives under /openai/v1, the others under /v1: both reach the same routes,
			// and the fine-tuning side, when it plays one platform, checks the mount (fineTuning.ts).
			const mount = /^\/openai\/v1(?=\/)/.test(rawPath) ? 'openai/v1' : /^\/v1(?=\/)/.test(rawPath) ? 'v1' : '';
			const path = rawPath.replace(/^\/(openai\/)?v1(?=\/)/, '');
			if (this.recordRequests) {
				this.received.push({ method: req.method ?? 'GET', path, headers: req.headers, body, at: Date.now() });
			}
			const keyProblem = this.checkKey(req);
			if (keyProblem) {
				counters.unauthorized++;
				this.sendError(res, 401, keyProblem, 'invalid_request_error');
				return;
			}
			if (req.method === 'GET' && path === '/__counters') {
				// For benchmarks that run the server in another process.
				this.send(res, 200, { ...counters, requests: counters.requests - 1, inFlight: counters.inFlight - 1, batchesCreated: this.batches.created });
				return;
			}
			if (req.method === 'GET' && path === '/models') {
				counters.modelsRequests++;
				const models = this.options.models ?? ['mock-small', 'mock-large'];
				this.send(res, 200, {
					object: 'list',
					data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'mock' })),
				});
				return;
			}
			if (req.method === 'POST' && path === '/embeddings') {
				await this.embeddings(req, res, body as { model?: string; input?: unknown });
				return;
			}
			if (req.method === 'POST' && path === '/chat/completions') {
				await this.chat(req, res, body as ChatBody);
				return;
			}
			// Fireworks' inference: the OpenAI-compatible chat, for its own models and the trained ones.
			if (req.method === 'POST' && rawPath === '/inference/v1/chat/completions') {
				const problem = this.fireworks.inferenceProblem((body as ChatBody | undefined)?.model);
				if (problem) {
					this.send(res, 404, { error: { object: 'error', type: 'invalid_request_error', code: 'NOT_FOUND', message: problem } });
					return;
				}
				await this.chat(req, res, body as ChatBody);
				return;
			}
			const fireworks = this.fireworks.handle(req.method ?? 'GET', rawPath, new URLSearchParams(queryString ?? ''), req.headers, raw);
			if (fireworks) {
				this.send(res, fireworks.status, fireworks.body, fireworks.headers);
				return;
			}
			const batch = this.batches.handle(req.method ?? 'GET', path, new URLSearchParams(queryString ?? ''), raw);
			if (batch) {
				if (typeof batch.body === 'string') {
					res.writeHead(batch.status, { 'x-request-id': `req_${counters.requests}`, ...batch.headers });
					res.end(batch.body);
				} else this.send(res, batch.status, batch.body, batch.headers);
				return;
			}
			const onlineRl = this.onlineRl.handle(req.method ?? 'GET', path, new URLSearchParams(queryString ?? ''), body);
			if (onlineRl) {
				this.send(res, onlineRl.status, onlineRl.body, onlineRl.headers);
				return;
			}
			const fineTuning = this.fineTuning.handle(req.method ?? 'GET', path, new URLSearchParams(queryString ?? ''), req.headers, raw, mount);
			if (fineTuning) {
				if (typeof fineTuning.body === 'string' && fineTuning.headers?.['content-type']) {
					res.writeHead(fineTuning.status, { 'x-request-id': `req_${counters.requests}`, ...fineTuning.headers });
					res.end(fineTuning.body);
				} else this.send(res, fineTuning.status, fineTuning.body, fineTuning.headers);
				return;
			}
			this.sendError(res, 404, `Unknown path ${req.method} ${path}`, 'invalid_request_error');
		} finally {
			if (res.writableFinished) done();
		}
	}

	private async chat(req: IncomingMessage, res: ServerResponse, body: ChatBody): Promise<void> {
		const counters = this.counters;
		const requestNumber = ++counters.chatRequests;
		if (!body || !Array.isArray(body.messages) || typeof body.model !== 'string') {
			this.sendError(res, 400, 'model and messages are required', 'invalid_request_error');
			return;
		}
		const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
		const context: ChatRequestContext = { requestNumber, body, headers: req.headers, lastUserText: textOf(lastUser?.content) };
		const promptTokens = estimateTokens(body.messages.map((m) => textOf(m.content)).join('\n'));

		if (this.requestBucket) {
			const level = this.requestBucket.level();
			const taken = this.requestBucket.take(1);
			if (this.recordRequests) this.arrivals.push({ at: performance.now(), level, refused: !taken });
			if (!taken) return this.rateLimited(res, 'requests', this.requestBucket.msUntil(1));
		}
		if (this.tokenBucket && !this.tokenBucket.take(promptTokens)) {
			return this.rateLimited(res, 'tokens', this.tokenBucket.msUntil(promptTokens));
		}

		const fault = this.options.fault?.(context);
		if (fault === 'reset') {
			counters.resets++;
			req.socket.destroy();
			return;
		}
		if (fault === 'hang') {
			counters.hangs++;
			return;
		}
		if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
		if (res.destroyed) return;
		if (fault) {
			if (fault.status >= 500) counters.serverErrors++;
			this.sendError(res, fault.status, fault.message ?? `Injected error ${fault.status}`, 'server_error', fault.headers);
			return;
		}
		const raw = this.options.raw?.(context);
		if (raw) return this.sendRaw(res, raw);
		// A W&B base model or checkpoint answers as the online-RL simulator's policy (unless a test scripts the answer).
		const policy = this.options.answer ? undefined : this.onlineRl.answer(body.model, body.n ?? 1, context.lastUserText);
		if (policy && 'notFound' in policy) {
			this.sendError(res, 404, policy.notFound, 'invalid_request_error');
			return;
		}
		const response = this.completion(context, promptTokens, policy);
		// Like providers, the token limit counts the answer too, once it is known.
		this.tokenBucket?.charge(Number(response.usage.completion_tokens ?? 0));
		counters.tokens += Number(response.usage.total_tokens ?? 0);
		if (this.recordRequests) this.served.push({ requestNumber, response });
		counters.completed++;
		this.send(res, 200, response, { ...this.rateLimitHeaders(), ...(this.options.answerHeaders?.(context) ?? {}) });
	}

	/**
	 * One line of a batch, answered as the endpoint would answer it now (no latency, no rate limit:
	 * a batch has its own pool): the script's answer, or a fault's status and message as the line's
	 * error (a reset or a hang is a 500).
	 */
	private answerBatchLine(endpoint: string, body: Record<string, unknown>): LineAnswer {
		const chat = body as ChatBody;
		if (endpoint !== '/v1/chat/completions') return { status: 400, body: { error: { message: `the test server answers only chat completions in a batch, not ${endpoint}`, type: 'invalid_request_error', param: null, code: null } } };
		if (!Array.isArray(chat.messages) || typeof chat.model !== 'string') {
			return { status: 400, body: { error: { message: 'model and messages are required', type: 'invalid_request_error', param: null, code: null } } };
		}
		const requestNumber = ++this.counters.chatRequests;
		const lastUser = [...chat.messages].reverse().find((m) => m.role === 'user');
		const context: ChatRequestContext = { requestNumber, body: chat, headers: {}, lastUserText: textOf(lastUser?.content) };
		const fault = this.options.fault?.(context);
		if (fault) {
			const status = typeof fault === 'object' ? fault.status : 500;
			const message = typeof fault === 'object' ? fault.message ?? `Injected error ${status}` : 'The server had an error while processing your request.';
			return { status, body: { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: (typeof fault === 'object' ? fault.code : undefined) ?? (status >= 500 ? 'server_error' : null) } } };
		}
		const promptTokens = estimateTokens(chat.messages.map((m) => textOf(m.content)).join('\n'));
		const response = this.completion(context, promptTokens);
		this.counters.tokens += Number(response.usage.total_tokens ?? 0);
		if (this.recordRequests) this.served.push({ requestNumber, response });
		this.counters.completed++;
		return { status: 200, body: response };
	}

	private async embeddings(req: IncomingMessage, res: ServerResponse, body: { model?: string; input?: unknown }): Promise<void> {
		this.counters.embeddingRequests++;
		const inputs = typeof body?.input === 'string' ? [body.input] : body?.input;
		if (typeof body?.model !== 'string' || !Array.isArray(inputs) || !inputs.every((i) => typeof i === 'string')) {
			this.sendError(res, 400, 'model and input (a string or an array of strings) are required', 'invalid_request_error');
			return;
		}
		if (this.requestBucket && !this.requestBucket.take(1)) {
			return this.rateLimited(res, 'requests', this.requestBucket.msUntil(1));
		}
		const fault = this.options.embeddingFault?.(inputs);
		if (fault === 'reset') {
			this.counters.resets++;
			req.socket.destroy();
			return;
		}
		if (fault === 'hang') {
			this.counters.hangs++;
			return;
		}
		if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
		if (fault) {
			if (fault.status >= 500) this.counters.serverErrors++;
			this.sendError(res, fault.status, fault.message ?? `Injected error ${fault.status}`, 'server_error', fault.headers);
			return;
		}
		const raw = this.options.embeddingRaw?.(inputs);
		if (raw) return this.sendRaw(res, raw);
		const embed = this.options.embed ?? hashedEmbedding;
		const tokens = inputs.reduce((sum, text) => sum + estimateTokens(text), 0);
		this.counters.completed++;
		this.send(
			res,
			200,
			{
				object: 'list',
				model: body.model,
				data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: embed(text, body.model as string) })),
				usage: { prompt_tokens: tokens, total_tokens: tokens },
			},
			this.rateLimitHeaders(),
		);
	}

	private rateLimited(res: ServerResponse, kind: 'requests' | 'tokens', waitMs: number): void {
		this.counters.rateLimited++;
		this.sendError(res, 429, `Rate limit reached for ${kind} per min. Please try again in ${formatDuration(waitMs)}.`, kind, {
			...this.rateLimitHeaders(),
			'retry-after-ms': String(waitMs),
			'retry-after': String(Math.ceil(waitMs / 1000)),
		});
	}

	private defaultAnswer(context: ChatRequestContext): ScriptedAnswer {
		const n = context.body.n ?? 1;
		const format = context.body.response_format;
		return {
			choices: Array.from({ length: n }, (_, i) => {
				const suffix = n > 1 ? ` #${i + 1}` : '';
				if (format?.type === 'json_schema') {
					return { content: JSON.stringify(exampleForSchema(format.json_schema?.schema, context.lastUserText + suffix)) };
				}
				if (format?.type === 'json_object') return { content: JSON.stringify({ echo: context.lastUserText + suffix }) };
				return { content: `Echo: ${context.lastUserText}${suffix}` };
			}),
		};
	}

	private completion(context: ChatRequestContext, promptTokens: number, policy?: ScriptedAnswer): ChatCompletionBody {
		const scripted = this.options.answer?.(context) ?? policy;
		const answer: ScriptedAnswer =
			typeof scripted === 'string' ? { choices: [{ content: scripted }] } : scripted ?? this.defaultAnswer(context);
		let completionTokens = 0;
		const choices = answer.choices.map((choice, index) => {
			const text = choice.refusal ?? choice.content;
			const tokens = choice.tokens ?? text.split(/(?<= )/).filter(Boolean);
			// Words are tokens, but no real tokenizer makes one token of a long run without spaces (JSON):
			// at least one token per 8 characters, as core/generate/result.ts (checkUsage) expects of a server.
			// Scripted `tokens` are counted as given, so a test can make the count too low on purpose.
			completionTokens += choice.tokens ? tokens.length : Math.max(tokens.length, Math.ceil(text.length / 8));
			const logprobs = context.body.logprobs
				? {
						content: tokens.map((token, t) => ({
							token,
							logprob: choice.logprobs?.[t] ?? tokenLogprob(token, index * 7919 + t),
							bytes: [...Buffer.from(token)],
							top_logprobs: Array.from({ length: context.body.top_logprobs ?? 0 }, (_, k) => ({
								token: k === 0 ? token : `${token}~${k}`,
								logprob: (choice.logprobs?.[t] ?? tokenLogprob(token, index * 7919 + t)) - k,
								bytes: null,
							})),
						})),
						refusal: null,
					}
				: null;
			return {
				index,
				message: { role: 'assistant', content: choice.refusal === undefined ? choice.content : null, refusal: choice.refusal ?? null },
				logprobs,
				finish_reason: choice.finishReason ?? 'stop',
			};
		});
		return {
			id: `chatcmpl-${context.requestNumber}`,
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: answer.model ?? context.body.model ?? 'mock',
			choices,
			usage: {
				prompt_tokens: promptTokens,
				completion_tokens: completionTokens,
				total_tokens: promptTokens + completionTokens,
				prompt_tokens_details: { cached_tokens: answer.usage?.cachedTokens ?? 0 },
				completion_tokens_details: { reasoning_tokens: answer.usage?.reasoningTokens ?? 0 },
			},
		};
	}
}
