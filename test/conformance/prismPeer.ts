/**
 * Stoplight Prism in mock mode with OpenAI's published OpenAPI description: a conformance peer
 * that answers 422 to any request that breaks the contract. A recording proxy in front of it keeps
 * every exchange, so a test can show Prism's own words for a rejected request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '..', '..');
const SPEC_FILE = 'openapi.prism.yaml';

/** `../shared/openai-openapi` beside the clone, or OPENAI_OPENAPI_DIR. */
export function locateSpec(): string | undefined {
	const dir = process.env.OPENAI_OPENAPI_DIR ?? resolve(ROOT, '..', 'shared', 'openai-openapi');
	const file = join(dir, SPEC_FILE);
	return existsSync(file) ? file : undefined;
}

/** The routes both conformance suites serve: chat, models, embeddings, files, fine-tuning jobs, the graders' validate, batches. */
export const CONTRACT_PATHS = [
	'/chat/completions',
	'/models',
	'/embeddings',
	'/files',
	'/fine_tuning/jobs',
	'/fine_tuning/jobs/{fine_tuning_job_id}',
	'/fine_tuning/jobs/{fine_tuning_job_id}/cancel',
	'/fine_tuning/jobs/{fine_tuning_job_id}/pause',
	'/fine_tuning/jobs/{fine_tuning_job_id}/resume',
	'/fine_tuning/jobs/{fine_tuning_job_id}/events',
	'/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints',
	'/fine_tuning/alpha/graders/validate',
	// Generate Text's Batch modes (issue 20).
	'/files/{file_id}/content',
	'/batches',
	'/batches/{batch_id}',
	'/batches/{batch_id}/cancel',
];

/**
 * A conformance suite's prelude: its describe, skipped (with a line saying so) where OpenAI's
 * document is not here, except under CI=true, where specFile() fails the suite instead.
 */
export function conformanceSuite(label: string): { suite: jest.Describe; specFile(): string } {
	const spec = locateSpec();
	const required = process.env.CI === 'true';
	if (!spec && !required) console.log(`${label} skipped: ../shared/openai-openapi/openapi.prism.yaml is not here (set OPENAI_OPENAPI_DIR).`);
	return {
		suite: spec || required ? describe : describe.skip,
		specFile() {
			if (!spec) throw new Error(`CI=true but ../shared/openai-openapi/openapi.prism.yaml is missing: the ${label} cannot run`);
			return spec;
		},
	};
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function collectRefs(node: Json, into: Set<string>): void {
	if (Array.isArray(node)) {
		for (const child of node) collectRefs(child, into);
	} else if (node && typeof node === 'object') {
		for (const [key, value] of Object.entries(node)) {
			if (key === '$ref' && typeof value === 'string') into.add(value);
			else collectRefs(value, into);
		}
	}
}

/**
 * Keeps only the given paths and the components they reach (plus the security schemes), so Prism starts in about a second
 * instead of fifteen. Nothing else in the document changes.
 */
export function cutSpec(specFile: string, paths: string[]): Record<string, Json> {
	const doc = parse(readFileSync(specFile, 'utf8'), { maxAliasCount: -1 }) as Record<string, Json>;
	const allPaths = doc.paths as Record<string, Json>;
	const missing = paths.filter((path) => !(path in allPaths));
	if (missing.length > 0) throw new Error(`The OpenAPI document has no path ${missing.join(', ')}`);
	const keptPaths = Object.fromEntries(paths.map((path) => [path, allPaths[path]]));
	const components = doc.components as Record<string, Record<string, Json>>;
	const kept: Record<string, Record<string, Json>> = {};
	const seen = new Set<string>();
	const pending = new Set<string>();
	collectRefs(keptPaths, pending);
	while (pending.size > 0) {
		const [ref] = pending;
		pending.delete(ref);
		if (seen.has(ref)) continue;
		seen.add(ref);
		const match = /^#\/components\/([^/]+)\/(.+)$/.exec(ref);
		if (!match) continue;
		const [, section, name] = match;
		const target = components[section]?.[name];
		if (target === undefined) throw new Error(`Unresolved $ref ${ref}`);
		(kept[section] ??= {})[name] = target;
		const inner = new Set<string>();
		collectRefs(target, inner);
		for (const next of inner) if (!seen.has(next)) pending.add(next);
	}
	if (components.securitySchemes) kept.securitySchemes = components.securitySchemes;
	// Webhooks and tags are left out: they refer to components that are no longer kept.
	return { openapi: doc.openapi, info: doc.info, servers: doc.servers, security: doc.security ?? [], paths: keptPaths, components: kept as Json };
}

/** Marks the proxy's own requests to Prism, which carry the headers of the request they forward. */
export const FORWARDED_HEADER = 'x-prism-peer-forwarded';

export interface Exchange {
	method: string;
	path: string;
	requestHeaders: Record<string, string | string[] | undefined>;
	requestBody: string;
	status: number;
	responseBody: string;
	/** When the request reached the proxy and when its answer was back (Date.now()). */
	receivedAt: number;
	answeredAt: number;
}

export interface PrismPeer {
	/** Base URL for the credential: Prism serves the paths at the root, without /v1. */
	baseUrl: string;
	exchanges: Exchange[];
	/** The cut-down document Prism serves. */
	document: Record<string, unknown>;
	/** Exchanges (all, or the ones given) that Prism rejected as breaking the contract, in its words. */
	violations(among?: Exchange[]): string[];
	stop(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
	await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
	return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
	const probe = createServer();
	const port = await listen(probe);
	await new Promise((resolveClose) => probe.close(resolveClose));
	return port;
}

function startPrismProcess(specPath: string, port: number): Promise<ChildProcess> {
	const bin = resolve(ROOT, 'node_modules', '.bin', 'prism');
	const child = spawn(bin, ['mock', specPath, '-h', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
	let log = '';
	return new Promise((resolveStart, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`Prism did not start within 60 s:\n${log}`));
		}, 60_000);
		const onData = (chunk: Buffer) => {
			log += chunk.toString();
			if (log.includes('Prism is listening')) {
				clearTimeout(timer);
				child.stdout?.off('data', onData);
				resolveStart(child);
			}
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`Prism exited with ${code} before listening:\n${log}`));
		});
	});
}

export async function startPrismPeer(specFile: string, paths: string[]): Promise<PrismPeer> {
	const work = mkdtempSync(join(tmpdir(), 'reward-loop-prism-'));
	const specPath = join(work, 'openapi.json');
	const document = cutSpec(specFile, paths);
	writeFileSync(specPath, JSON.stringify(document));
	const prismPort = await freePort();
	const prism = await startPrismProcess(specPath, prismPort);

	const exchanges: Exchange[] = [];
	const proxy = createServer((req, res) => {
		const receivedAt = Date.now();
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const requestBody = Buffer.concat(chunks);
			const upstream = httpRequest(
				{ host: '127.0.0.1', port: prismPort, method: req.method, path: req.url, headers: { ...req.headers, [FORWARDED_HEADER]: '1' } },
				(answer) => {
					const answerChunks: Buffer[] = [];
					answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
					answer.on('end', () => {
						const responseBody = Buffer.concat(answerChunks);
						exchanges.push({
							method: req.method ?? '',
							path: req.url ?? '',
							requestHeaders: req.headers,
							requestBody: requestBody.toString('utf8'),
							status: answer.statusCode ?? 0,
							responseBody: responseBody.toString('utf8'),
							receivedAt,
							answeredAt: Date.now(),
						});
						res.writeHead(answer.statusCode ?? 502, answer.headers);
						res.end(responseBody);
					});
				},
			);
			upstream.on('error', (error) => {
				res.writeHead(502);
				res.end(String(error));
			});
			upstream.end(requestBody);
		});
	});
	const proxyPort = await listen(proxy);

	return {
		baseUrl: `http://127.0.0.1:${proxyPort}`,
		exchanges,
		document,
		violations: (among = exchanges) =>
			among
				.filter((e) => e.status === 422)
				.map((e) => {
					let detail = e.responseBody;
					try {
						const problem = JSON.parse(e.responseBody) as { validation?: Array<{ location: string[]; message: string }> };
						detail = (problem.validation ?? []).map((v) => `${v.location.join('.')}: ${v.message}`).join('; ');
					} catch {
						// not Prism's problem+json: show the raw body
					}
					return `${e.method} ${e.path} ${e.requestBody} -> 422 ${detail}`;
				}),
		stop: async () => {
			proxy.closeAllConnections();
			await new Promise((resolveClose) => proxy.close(resolveClose));
			prism.kill('SIGTERM');
			rmSync(work, { recursive: true, force: true });
		},
	};
}
