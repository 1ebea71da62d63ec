/**
 * CPU per chat request: the package's transport (core/transport/http.ts) against the openai SDK
 * (6.30.1, a dev dependency here), each sending the same 2,000 chat completions, 20 in flight, to
 * the test server in a process of its own (so only the client's CPU is counted). README cites it:
 * `npx tsx bench/transportCpu.ts`.
 */
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import OpenAI from 'openai';
import { createChatClient } from '../core/transport/chatClient';

const REQUESTS = 2000;
const IN_FLIGHT = 20;
const ROUNDS = 3;

async function startServer(): Promise<{ url: string; stop: () => void }> {
	const child = spawn(process.execPath, [...process.execArgv, resolve(__dirname, 'serverProcess.ts'), JSON.stringify({ latencyMs: 1 })], { stdio: ['ignore', 'pipe', 'inherit'] });
	const url = await new Promise<string>((done) => createInterface({ input: child.stdout }).once('line', done));
	return { url, stop: () => child.kill('SIGTERM') };
}

async function measure(send: (index: number) => Promise<unknown>): Promise<number> {
	let next = 0;
	const start = process.cpuUsage();
	await Promise.all(
		Array.from({ length: IN_FLIGHT }, async () => {
			while (next < REQUESTS) await send(next++);
		}),
	);
	const used = process.cpuUsage(start);
	return (used.user + used.system) / 1000 / REQUESTS;
}

async function main() {
	const server = await startServer();
	const body = (index: number) => ({ model: 'mock-small', messages: [{ role: 'user' as const, content: `question ${index}` }] });
	const ours = createChatClient({ baseUrl: server.url, apiKey: 'sk-bench-transport' });
	const sdk = new OpenAI({ baseURL: server.url, apiKey: 'sk-bench-transport', maxRetries: 0 });
	const signal = new AbortController().signal;
	// One signal for all 20 requests in flight: each adds its listener for as long as it runs.
	setMaxListeners(IN_FLIGHT + 1, signal);
	const results: Record<string, number[]> = { 'core/transport': [], 'openai SDK': [] };
	try {
		// Warm both up (JIT, keep-alive sockets), then alternate so that neither gets the quieter machine.
		await measure((i) => ours.complete(body(i), signal));
		await measure((i) => sdk.chat.completions.create(body(i)));
		for (let round = 0; round < ROUNDS; round++) {
			results['core/transport'].push(await measure((i) => ours.complete(body(i), signal)));
			results['openai SDK'].push(await measure((i) => sdk.chat.completions.create(body(i))));
		}
	} finally {
		ours.close();
		server.stop();
	}
	const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
	const oursMs = median(results['core/transport']);
	const sdkMs = median(results['openai SDK']);
	console.log(`CPU per chat request, ${REQUESTS} requests, ${IN_FLIGHT} in flight, median of ${ROUNDS}:`);
	console.log(`  core/transport  ${oursMs.toFixed(3)} ms`);
	console.log(`  openai SDK      ${sdkMs.toFixed(3)} ms   (${(sdkMs / oursMs).toFixed(1)}× ours)`);
}

void main();
