/**
 * The one HTTP path for every request the package sends (chat completions, embeddings, the model
 * list, files and fine-tuning, Together AI): node:http(s) with keep-alive, one way to
 * authenticate, one error shape for the retry policy. The openai SDK spent about five times the
 * CPU per chat request (README, "Departures from n8n's conventions"), and two clients meant two
 * error shapes and two retry paths.
 *
 * Proxies are honoured as n8n's own nodes honour them: HTTP_PROXY / HTTPS_PROXY / NO_PROXY (and
 * the lower-case forms), resolved by proxy-from-env, through https-proxy-agent (CONNECT) for https
 * targets and http-proxy-agent for http targets.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { authenticationHeaders, normalizeBaseUrl, type ConnectionConfig } from './connection';
import type { HeaderSource } from './rateLimitHeaders';

export interface ApiRequest {
	method: 'GET' | 'POST' | 'DELETE';
	/** Relative to the base URL, e.g. '/files'. */
	path: string;
	/** Added to the base URL's own query; undefined values are left out. */
	query?: Record<string, string | number | undefined>;
	/** Sent as JSON. */
	json?: unknown;
	/** Sent as multipart/form-data. */
	form?: FormData;
	/** `text`: the answer's body as it is (a file's content, JSONL), not parsed as JSON. Default `json`. */
	responseType?: 'json' | 'text';
}

export interface ApiResponse<T> {
	status: number;
	/** The parsed JSON answer; undefined when the body is empty. */
	data: T;
	headers: HeaderSource;
}

export interface HttpClient {
	request<T>(spec: ApiRequest, signal: AbortSignal): Promise<ApiResponse<T>>;
	/** Closes the kept-alive connections. */
	close(): void;
}

/** What a provider calls to reach its API; the caller decides what wraps it (limits, retries). */
export type ApiCaller = <T>(spec: ApiRequest, signal?: AbortSignal) => Promise<ApiResponse<T>>;

/** A response header lookup with the same shape as fetch's Headers.get. */
class ResponseHeaders implements HeaderSource {
	constructor(private readonly raw: IncomingHttpHeaders) {}

	get(name: string): string | null {
		const value = this.raw[name.toLowerCase()];
		if (value === undefined) return null;
		return Array.isArray(value) ? value.join(', ') : value;
	}
}

/** The server answered with an error status, or with a success that is not JSON. */
export class HttpStatusError extends Error {
	constructor(
		readonly status: number,
		readonly headers: HeaderSource,
		message: string,
	) {
		// A success that cannot be used (not JSON, empty) says so plainly; an error status leads with its code.
		super(status >= 200 && status < 300 ? `the server answered ${status}, but ${message}` : `${status} ${message}`);
		this.name = 'HttpStatusError';
	}
}

/** No answer in time: retried like a dropped connection. */
export class RequestTimeoutError extends Error {
	readonly code = 'ETIMEDOUT';

	constructor(timeoutMs: number) {
		super(`Request timed out after ${timeoutMs} ms`);
		this.name = 'RequestTimeoutError';
	}
}

export class RequestAbortedError extends Error {
	constructor() {
		super('Request was aborted');
		this.name = 'RequestAbortedError';
	}
}

/** The most of a server's message an error keeps: a 10 MB error body must not become a 10 MB error. */
export const MAX_SERVER_MESSAGE = 1_000;

function bounded(text: string): string {
	return text.length > MAX_SERVER_MESSAGE ? `${text.slice(0, MAX_SERVER_MESSAGE)}… (${text.length} characters in all)` : text;
}

/** application/json, application/problem+json, application/vnd.api+json, …: any JSON media type. */
export function isJsonContentType(contentType: string | null | undefined): boolean {
	const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
	return type === 'application/json' || type.endsWith('+json') || type === 'text/json';
}

const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/** Where a field error points: `loc` (FastAPI, Together), `location` (Prism), `pointer`, `path`, `field`, `param`, `name`. */
function whereOf(entry: Record<string, unknown>): string | undefined {
	for (const key of ['loc', 'location', 'pointer', 'path', 'field', 'param', 'name', 'instancePath']) {
		const value = entry[key];
		if (Array.isArray(value) && value.length) return value.join('.');
		const where = nonEmpty(value);
		if (where) return where;
	}
	return undefined;
}

/** One entry of a list of errors: a string, or an object with its words and where they point. */
function entryText(entry: unknown): string | undefined {
	if (typeof entry === 'string') return nonEmpty(entry);
	if (!entry || typeof entry !== 'object') return undefined;
	const record = entry as Record<string, unknown>;
	const nested = record.error && typeof record.error === 'object' ? entryText(record.error) : undefined;
	const words = nonEmpty(record.message) ?? nonEmpty(record.msg) ?? nonEmpty(record.detail) ?? nonEmpty(record.title) ?? nonEmpty(record.reason) ?? nested;
	if (!words) return undefined;
	const where = whereOf(record);
	// Prism's words already name the property ("Request body property seed must be <= …").
	const named = where?.split(/[./]/).filter(Boolean).pop();
	return where && !(named && words.includes(named)) ? `${where}: ${words}` : words;
}

/** A problem's list of errors: an array (strings or objects), or a map of field → message(s). */
function errorsText(errors: unknown): string | undefined {
	const parts: string[] = [];
	if (Array.isArray(errors)) {
		for (const entry of errors) {
			const part = entryText(entry);
			if (part) parts.push(part);
		}
	} else if (errors && typeof errors === 'object') {
		for (const [field, value] of Object.entries(errors as Record<string, unknown>)) {
			const messages = (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? nonEmpty(v) : entryText(v))).filter((v): v is string => Boolean(v));
			if (messages.length) parts.push(`${field}: ${messages.join(', ')}`);
		}
	}
	return parts.length ? [...new Set(parts)].join('; ') : undefined;
}

/**
 * The server's reason from a parsed error body, in the shapes the APIs use: OpenAI and Together
 * (`{error: {message, param, code}}`), `{error: "…"}`, `{message}`, problem+json (RFC 9457:
 * `title`, `detail` and a list of `errors`; Prism calls it `validation`), FastAPI's `{detail: [{loc, msg}]}`.
 */
export function reasonFromBody(body: unknown): string | undefined {
	if (typeof body === 'string') return nonEmpty(body);
	if (Array.isArray(body)) return errorsText(body);
	if (!body || typeof body !== 'object') return undefined;
	const record = body as Record<string, unknown>;
	const error = record.error;
	if (error && typeof error === 'object' && !Array.isArray(error)) {
		const inner = error as Record<string, unknown>;
		const message = nonEmpty(inner.message) ?? nonEmpty(inner.detail) ?? nonEmpty(inner.title);
		if (message) {
			const extra = [nonEmpty(inner.param) && !message.includes(String(inner.param)) ? `param: ${String(inner.param)}` : undefined, nonEmpty(inner.code) ? `code: ${String(inner.code)}` : undefined].filter(Boolean);
			const details = errorsText(inner.errors ?? inner.details);
			return [extra.length ? `${message} (${extra.join(', ')})` : message, details].filter(Boolean).join(': ');
		}
	}
	const errorText = typeof error === 'string' ? nonEmpty(error) : Array.isArray(error) ? errorsText(error) : undefined;
	const title = nonEmpty(record.title);
	const message = nonEmpty(record.message);
	const detail = typeof record.detail === 'string' ? nonEmpty(record.detail) : undefined;
	const listed = errorsText(record.errors ?? record.validation ?? record['invalid-params'] ?? (Array.isArray(record.detail) ? record.detail : undefined));
	const head = [title, detail ?? message ?? errorText].filter((part, i, all) => part && all.indexOf(part) === i);
	// `{error: "Bad Request", message: "…"}`: the message says more than the status's name.
	if (!title && errorText && (detail ?? message) && errorText !== (detail ?? message)) head.unshift(errorText);
	const words = [head.join(': '), listed].filter(Boolean).join(': ');
	return words || undefined;
}

/**
 * The server's own words from an error body: JSON whatever its media type (and JSON sent as text,
 * which some servers do), read for its reason; other text as it is; bounded either way.
 */
export function serverMessage(status: number, body: string, contentType?: string | null): string {
	const trimmed = body.trim();
	if (!trimmed) return `status code ${status} (no body)`;
	if (isJsonContentType(contentType) || /^[[{"]/.test(trimmed)) {
		try {
			const reason = reasonFromBody(JSON.parse(trimmed));
			if (reason) return bounded(reason);
		} catch {
			// Not JSON after all: the text itself says more than nothing.
		}
	}
	return bounded(trimmed);
}

/**
 * The agent for the base URL: a proxy agent when the environment names a proxy for it (NO_PROXY
 * rules included), a plain one otherwise; keep-alive either way. Decided once per client, as every
 * request of a client goes to the same host.
 */
function agentFor(target: URL): HttpAgent {
	const options = { keepAlive: true };
	const proxy = getProxyForUrl(target.href);
	if (target.protocol === 'https:') return proxy ? new HttpsProxyAgent(proxy, options) : new HttpsAgent(options);
	return proxy ? new HttpProxyAgent(proxy, options) : new HttpAgent(options);
}

/** fetch's Response serialises FormData with its boundary: no multipart library needed. */
async function encodeForm(form: FormData): Promise<{ body: Buffer; contentType: string | undefined }> {
	const encoded = new Response(form);
	return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type') ?? undefined };
}

export function createHttpClient(connection: ConnectionConfig, options: { timeoutMs?: number } = {}): HttpClient {
	const base = new URL(normalizeBaseUrl(connection.baseUrl));
	const secure = base.protocol === 'https:';
	const send = secure ? httpsRequest : httpRequest;
	const agent = agentFor(base);
	const timeoutMs = options.timeoutMs ?? 120_000;
	// Worked out once: a request only appends its path and query.
	const basePath = base.pathname.replace(/\/+$/, '');
	// A base URL may carry a query (Azure's api-version): it belongs on every request.
	const baseQuery = base.search.slice(1);
	const hostname = base.hostname.replace(/^\[(.*)\]$/, '$1');
	const port = base.port || undefined;
	const headers: Record<string, string> = { ...authenticationHeaders(connection), accept: 'application/json' };

	const pathOf = (spec: ApiRequest): string => {
		let query = baseQuery;
		if (spec.query) {
			const extra = new URLSearchParams();
			for (const [name, value] of Object.entries(spec.query)) if (value !== undefined) extra.append(name, String(value));
			const text = extra.toString();
			if (text) query = query ? `${query}&${text}` : text;
		}
		return query ? `${basePath}${spec.path}?${query}` : `${basePath}${spec.path}`;
	};

	const exchange = <T>(spec: ApiRequest, body: Buffer | undefined, contentType: string | undefined, signal: AbortSignal) =>
		new Promise<ApiResponse<T>>((resolve, reject) => {
			if (signal.aborted) {
				reject(new RequestAbortedError());
				return;
			}
			const requestHeaders: Record<string, string> = { ...headers };
			// A POST always says how long its body is (0 for cancel and the like); a GET has none.
			if (body || spec.method === 'POST') requestHeaders['content-length'] = String(body?.length ?? 0);
			if (contentType) requestHeaders['content-type'] = contentType;
			let settled = false;
			const finish = (error: Error | undefined, value?: ApiResponse<T>) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				signal.removeEventListener('abort', onAbort);
				if (error) reject(error);
				else resolve(value as ApiResponse<T>);
			};
			const requestOptions: RequestOptions = { method: spec.method, hostname, port, path: pathOf(spec), agent, headers: requestHeaders };
			const req = send(requestOptions, (res: IncomingMessage) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', (error) => finish(error));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					const responseHeaders = new ResponseHeaders(res.headers);
					const status = res.statusCode ?? 0;
					if (status < 200 || status >= 300) {
						finish(new HttpStatusError(status, responseHeaders, serverMessage(status, text, responseHeaders.get('content-type'))));
						return;
					}
					if (spec.responseType === 'text') {
						finish(undefined, { status, data: text as T, headers: responseHeaders });
						return;
					}
					if (text.trim() === '') {
						finish(undefined, { status, data: undefined as T, headers: responseHeaders });
						return;
					}
					try {
						finish(undefined, { status, data: JSON.parse(text) as T, headers: responseHeaders });
					} catch {
						finish(new HttpStatusError(status, responseHeaders, `the answer is not JSON: ${text.slice(0, 200)}${text.length > 200 ? `… (${text.length} characters in all)` : ''}`));
					}
				});
			});
			const onAbort = () => {
				req.destroy();
				finish(new RequestAbortedError());
			};
			const timer = setTimeout(() => {
				req.destroy();
				finish(new RequestTimeoutError(timeoutMs));
			}, timeoutMs);
			signal.addEventListener('abort', onAbort, { once: true });
			req.on('error', (error) => finish(error));
			req.end(body);
		});

	return {
		request<T>(spec: ApiRequest, signal: AbortSignal): Promise<ApiResponse<T>> {
			if (spec.form) return encodeForm(spec.form).then(({ body, contentType }) => exchange<T>(spec, body, contentType, signal));
			const body = spec.json === undefined ? undefined : Buffer.from(JSON.stringify(spec.json));
			return exchange<T>(spec, body, body ? 'application/json' : undefined, signal);
		},
		close: () => agent.destroy(),
	};
}

/** The client itself as a provider's caller, with no limiter or retries (the provider tests; nodes use limitedCaller). */
export function apiCallerFor(client: HttpClient): ApiCaller {
	return <T>(spec: ApiRequest, signal?: AbortSignal) => client.request<T>(spec, signal ?? new AbortController().signal);
}
