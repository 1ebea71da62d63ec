/**
 * npm run bench: Generate Text through n8n's engine against the test server in another process.
 * (a) 200 items, 100 ms latency, a 1,200 requests/min limit enforced per second: wall time, failed
 *     items and 429s, against the bound 200 / 20 per second = 10 s (pass: <= 1.15 x the bound).
 * (b) 10,000 items at zero latency: items per second and peak memory.
 * Each scenario runs in a fresh process so that its peak memory is its own.
 */
import { spawn, execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { IDataObject } from 'n8n-workflow';

const ROOT = resolve(__dirname, '..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

interface ScenarioResult {
	name: string;
	figures: Record<string, number | string>;
	pass?: boolean;
}

async function startServer(options: IDataObject): Promise<{ url: string; stop: () => void }> {
	const child = spawn(TSX, [resolve(__dirname, 'serverProcess.ts'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
	const url = await new Promise<string>((resolveUrl, reject) => {
		child.once('error', reject);
		child.stdout.once('data', (chunk: Buffer) => resolveUrl(chunk.toString().trim()));
	});
	return { url, stop: () => child.kill('SIGTERM') };
}

async function counters(url: string): Promise<IDataObject> {
	return (await (await fetch(`${url}/__counters`)).json()) as IDataObject;
}

async function runScenario(name: string): Promise<ScenarioResult> {
	const { runWorkflow, outputOf, runError, loadPackage } = await import('../test/engine/harness');
	// n8n loads packages once at start-up, not per execution: keep that out of the timings.
	await loadPackage();
	const parameters = (options: IDataObject) => ({
		model: { __rl: true, mode: 'id', value: 'mock-small' },
		promptSource: 'prompt',
		prompt: '={{ $json.q }}',
		options,
	});
	const items = (count: number) => Array.from({ length: count }, (_, i) => ({ q: `item ${i}` }));

	if (name === 'a') {
		const server = await startServer({ latencyMs: 100, requestsPerMinute: 1200 });
		try {
			const started = performance.now();
			const run = await runWorkflow({ parameters: parameters({}), items: items(200), credentials: { apiKey: 'sk-bench', baseUrl: server.url }, continueOnFail: true });
			const wallMs = performance.now() - started;
			const output = outputOf(run);
			const failed = output.filter((item) => item.json.error !== undefined).length + (runError(run) ? 200 - output.length : 0);
			const seen = await counters(server.url);
			const boundMs = (200 / (1200 / 60)) * 1000;
			return {
				name: '(a) 200 items, 100 ms latency, 1,200 requests/min (20/s), default concurrency',
				figures: {
					wall_s: +(wallMs / 1000).toFixed(2),
					bound_s: boundMs / 1000,
					ratio_to_bound: +(wallMs / boundMs).toFixed(3),
					failed_items: failed,
					http_429_seen: Number(seen.rateLimited),
					requests_sent: Number(seen.chatRequests),
				},
				pass: failed === 0 && wallMs <= 1.15 * boundMs,
			};
		} finally {
			server.stop();
		}
	}

	const concurrency = name === 'b' ? 10 : 50;
	const server = await startServer({});
	try {
		const count = 10_000;
		const started = performance.now();
		const run = await runWorkflow({ parameters: parameters({ concurrency }), items: items(count), credentials: { apiKey: 'sk-bench', baseUrl: server.url } });
		const wallMs = performance.now() - started;
		const output = outputOf(run);
		const failed = output.filter((item) => item.json.error !== undefined).length;
		return {
			name: `(b) 10,000 items, zero latency, concurrency ${concurrency}${name === 'b' ? ' (default)' : ''}`,
			figures: {
				wall_s: +(wallMs / 1000).toFixed(2),
				items_per_s: Math.round(count / (wallMs / 1000)),
				failed_items: failed + (runError(run) ? count - output.length : 0),
				peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
				heap_used_after_mb: Math.round(process.memoryUsage().heapUsed / 1024 / 1024),
			},
			pass: failed === 0 && output.length === count,
		};
	} finally {
		server.stop();
	}
}

async function main(): Promise<void> {
	const scenario = process.argv[2];
	if (scenario) {
		const result = await runScenario(scenario);
		process.stdout.write(`${JSON.stringify(result)}\n`);
		process.exit(0);
	}
	let allPass = true;
	for (const name of ['a', 'b', 'b50']) {
		const out = execFileSync(TSX, [__filename, name], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
		const result = JSON.parse(out.trim().split('\n').pop() as string) as ScenarioResult;
		allPass &&= result.pass !== false;
		console.log(result.name);
		for (const [key, value] of Object.entries(result.figures)) console.log(`  ${key.padEnd(20)} ${value}`);
		if (result.pass !== undefined) console.log(`  ${'verdict'.padEnd(20)} ${result.pass ? 'PASS' : 'FAIL'}`);
	}
	process.exitCode = allPass ? 0 : 1;
}

void main();
