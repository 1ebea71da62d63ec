/**
 * Side by side in real n8n (2.41.1 on Node 24, the end-to-end suite's install): each contestant
 * gets the same N items and the same test server, in two conditions (no limit, and a per-minute
 * limit enforced per second with 429s and the real headers). Each run is one `n8n execute`; the
 * node's own time is read from n8n's run data (executionTime), so n8n's start-up is kept apart.
 * Runs go round-robin over the contestants, starting one further each round, and every figure is
 * the median over the runs. The server's counters are reset (and its rate-limit bucket refilled)
 * before every run.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { prepareN8n, provisionN8n } from '../test/e2e/n8n';
import { BenchServer } from './benchServer';
import { CONTESTANTS, workflowFor, type Contestant, type Target } from './contestants';
import { readExecutions, type SavedExecution } from './readExecutions';
import type { Check } from './scenarios';

const run = promisify(execFile);
/** The bench's own key for its own local test server. */
const API_KEY = 'sk-bench-local-test-server';

export interface Condition {
	id: string;
	label: string;
	/** Undefined: no limit. */
	requestsPerMinute?: number;
}

export const CONDITIONS: Condition[] = [
	{ id: 'nolimit', label: 'no limit' },
	{ id: 'rpm1200', label: '1,200 requests/min (20/s)', requestsPerMinute: 1200 },
];

export interface RunRecord {
	contestant: string;
	condition: string;
	round: number;
	status: string;
	nodeMs: number;
	succeeded: number;
	failed: number;
	requests: number;
	rateLimited: number;
	completed: number;
	maxInFlight: number;
	/** Node time before the server saw the first request (n8n's and the node's preparation). */
	beforeFirstRequestMs?: number;
	error?: string;
}

export interface SideBySideOptions {
	count: number;
	runs: number;
	latencyMs: number;
	contestants?: string[];
	log?: (line: string) => void;
}

export interface SideBySideResult {
	n8nVersion: string;
	node24Version: string;
	count: number;
	runs: number;
	latencyMs: number;
	records: RunRecord[];
	/** Mean time of a Responses request in the front beyond the server's latency (ms): what the front adds, at most. */
	frontOverheadMs: number;
}

async function installPaths(): Promise<{ node24: string; n8nBin: string }> {
	const paths = await provisionN8n();
	return { node24: paths.NODE24_BIN, n8nBin: paths.N8N_BIN };
}

/** What one saved execution says about the contestant's node. */
export function recordOf(saved: SavedExecution, contestant: Contestant, count: number): Pick<RunRecord, 'status' | 'nodeMs' | 'succeeded' | 'failed' | 'error'> {
	const task = saved.data?.resultData?.runData?.[contestant.node]?.[0];
	const output: Array<{ json: Record<string, unknown> }> = task?.data?.main?.[0] ?? [];
	const succeeded = output.filter((item) => item.json.error === undefined).length;
	const error = task?.error?.message ?? saved.data?.resultData?.error?.message;
	return {
		status: saved.status,
		nodeMs: Number(task?.executionTime ?? NaN),
		succeeded,
		failed: count - succeeded,
		error: error === undefined ? undefined : String(error).slice(0, 200),
	};
}

export async function runSideBySide(options: SideBySideOptions): Promise<SideBySideResult> {
	const log = options.log ?? (() => undefined);
	const contestants = CONTESTANTS.filter((c) => !options.contestants || options.contestants.includes(c.id));
	const { node24 } = await installPaths();
	const servers = new Map<string, BenchServer>();
	const n8n = await prepareN8n('reward-loop-bench-');
	const records: RunRecord[] = [];
	let frontTotal = 0;
	let frontRequests = 0;
	try {
		for (const condition of CONDITIONS) {
			const server = new BenchServer({ latencyMs: options.latencyMs, apiKey: API_KEY, requestsPerMinute: condition.requestsPerMinute });
			await server.start();
			servers.set(condition.id, server);
		}
		const targets = new Map<string, Target>();
		CONDITIONS.forEach((condition, index) => {
			const server = servers.get(condition.id) as BenchServer;
			targets.set(condition.id, {
				chat: server.url,
				responses: server.responsesUrl,
				apiKey: API_KEY,
				ours: { id: `benchCredOurs0${index}`, name: `Bench server, ${condition.label} (ours)` },
				openAi: { id: `benchCredOpenAi${index}`, name: `Bench server, ${condition.label} (n8n OpenAI)` },
			});
		});
		await n8n.importCredentials(
			[...targets.values()].flatMap((target) => [
				{ ...target.ours, type: 'openAiCompatibleApi', data: { apiKey: API_KEY, baseUrl: target.chat } },
				{ ...target.openAi, type: 'openAiApi', data: { apiKey: API_KEY, url: target.responses } },
			]),
		);
		// One import of every workflow (a folder, --separate), instead of one n8n start-up each.
		const folder = join(n8n.work, 'bench-workflows');
		mkdirSync(folder, { recursive: true });
		const workflowIds = new Map<string, string>();
		CONDITIONS.forEach((condition, c) => {
			contestants.forEach((contestant, k) => {
				const id = `benchWorkflow${c}${String(k).padStart(2, '0')}`;
				workflowIds.set(`${contestant.id}/${condition.id}`, id);
				writeFileSync(join(folder, `${id}.json`), JSON.stringify(workflowFor(contestant, id, options.count, targets.get(condition.id) as Target)));
			});
		});
		await run(n8n.bin, ['import:workflow', '--separate', `--input=${folder}`], { env: n8n.env, cwd: n8n.work });

		let lastExecution = 0;
		for (let round = 0; round < options.runs; round++) {
			for (const condition of CONDITIONS) {
				const server = servers.get(condition.id) as BenchServer;
				// Alternate: each round starts with the next contestant.
				const order = contestants.map((_, i) => contestants[(i + round) % contestants.length]);
				for (const contestant of order) {
					server.reset();
					const id = workflowIds.get(`${contestant.id}/${condition.id}`) as string;
					try {
						await run(n8n.bin, ['execute', `--id=${id}`, '--rawOutput'], { env: n8n.env, cwd: n8n.work, maxBuffer: 512 * 1024 * 1024, timeout: 600_000 });
					} catch {
						// A failed execution exits non-zero; its run data is in the database.
					}
					const saved = (await readExecutions(n8n.work, node24, lastExecution)).find((execution) => execution.workflowId === id);
					if (!saved) throw new Error(`n8n saved no execution for ${contestant.id} (${condition.id})`);
					lastExecution = saved.id;
					const seen = server.counters();
					frontTotal += seen.responsesFrontMs;
					frontRequests += seen.responsesAnswered;
					const record: RunRecord = {
						contestant: contestant.id,
						condition: condition.id,
						round,
						...recordOf(saved, contestant, options.count),
						requests: seen.chatRequests,
						rateLimited: seen.rateLimited,
						completed: seen.completed,
						maxInFlight: seen.maxInFlight,
					};
					const started = Number(saved.data?.resultData?.runData?.[contestant.node]?.[0]?.startTime);
					const { first } = server.arrivals();
					if (first !== undefined && Number.isFinite(started)) record.beforeFirstRequestMs = first - started;
					records.push(record);
					log(
						`  round ${round + 1}/${options.runs} ${condition.id.padEnd(8)} ${contestant.id.padEnd(20)} node ${(record.nodeMs / 1000).toFixed(2)} s, ${record.succeeded} ok, ${record.failed} failed, ${record.requests} requests, ${record.rateLimited} x 429${record.error ? ` (${record.error.slice(0, 80)})` : ''}`,
					);
				}
			}
		}
		const { stdout: n8nVersion } = await run(n8n.bin, ['--version'], { env: n8n.env, cwd: n8n.work });
		const { stdout: node24Version } = await run(join(node24, 'node'), ['--version']);
		return {
			n8nVersion: n8nVersion.trim().split('\n').pop() as string,
			node24Version: node24Version.trim(),
			count: options.count,
			runs: options.runs,
			latencyMs: options.latencyMs,
			records,
			frontOverheadMs: frontRequests ? frontTotal / frontRequests - options.latencyMs : 0,
		};
	} finally {
		for (const server of servers.values()) await server.stop();
		rmSync(n8n.work, { recursive: true, force: true });
	}
}

export interface SummaryRow {
	contestant: Contestant;
	condition: Condition;
	runs: number;
	nodeMs: number;
	minMs: number;
	maxMs: number;
	succeeded: number;
	failed: number;
	requests: number;
	rateLimited: number;
	beforeFirstRequestMs: number;
	failedRuns: number;
	boundMs: number;
	ratio: number;
	error?: string;
}

export function median(values: number[]): number {
	const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The physical bound max(N/R, ⌈N/C⌉·L), in ms; R in requests per second (infinite without a limit). */
export function boundMs(count: number, concurrency: number | 'all', latencyMs: number, requestsPerMinute?: number): number {
	const byRate = requestsPerMinute ? (count / (requestsPerMinute / 60)) * 1000 : 0;
	return Math.max(byRate, Math.ceil(count / (concurrency === 'all' ? count : concurrency)) * latencyMs);
}

export function summarize(result: SideBySideResult): SummaryRow[] {
	const rows: SummaryRow[] = [];
	for (const condition of CONDITIONS) {
		for (const contestant of CONTESTANTS) {
			const runs = result.records.filter((r) => r.contestant === contestant.id && r.condition === condition.id);
			if (runs.length === 0) continue;
			const bound = boundMs(result.count, contestant.concurrency, result.latencyMs, condition.requestsPerMinute);
			const nodeMs = median(runs.map((r) => r.nodeMs));
			rows.push({
				contestant,
				condition,
				runs: runs.length,
				nodeMs,
				minMs: Math.min(...runs.map((r) => r.nodeMs)),
				maxMs: Math.max(...runs.map((r) => r.nodeMs)),
				succeeded: median(runs.map((r) => r.succeeded)),
				failed: median(runs.map((r) => r.failed)),
				requests: median(runs.map((r) => r.requests)),
				rateLimited: median(runs.map((r) => r.rateLimited)),
				beforeFirstRequestMs: median(runs.map((r) => r.beforeFirstRequestMs ?? NaN)),
				failedRuns: runs.filter((r) => r.status !== 'success').length,
				boundMs: bound,
				ratio: nodeMs / bound,
				error: runs.find((r) => r.error)?.error,
			});
		}
	}
	return rows;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The issue's acceptance for our Generate Text (default settings), from the same run. */
export function sideBySideChecks(result: SideBySideResult, rows: SummaryRow[]): Check[] {
	const row = (contestant: string, condition: string) => rows.find((r) => r.contestant.id === contestant && r.condition.id === condition);
	const checks: Check[] = [];
	const ours = result.records.filter((r) => r.contestant === 'ours');
	if (ours.length > 0) {
		const failed = ours.reduce((total, r) => total + r.failed, 0);
		checks.push({ criterion: 'Generate Text: failed items, every run, both conditions', measured: `${failed} in ${ours.length} runs`, bound: '0', pass: failed === 0 && ours.every((r) => r.status === 'success') });
	}
	const free = row('ours', 'nolimit');
	if (free) {
		checks.push({ criterion: 'No limit: Generate Text node time, default settings (the window grows from 20 in flight)', measured: seconds(free.nodeMs), bound: '<= 0.50 s', pass: free.nodeMs <= 500 });
		const everything = row('http20', 'nolimit');
		if (everything) {
			checks.push({ criterion: 'No limit: Generate Text faster than the HTTP Request node sending every item at once (same run)', measured: `${seconds(free.nodeMs)} vs ${seconds(everything.nodeMs)}`, bound: 'faster', pass: free.nodeMs < everything.nodeMs });
		}
		const openai = row('openai', 'nolimit');
		if (openai) {
			const speedup = openai.nodeMs / free.nodeMs;
			checks.push({ criterion: "No limit: n8n's OpenAI node time / Generate Text time", measured: `${seconds(openai.nodeMs)} / ${seconds(free.nodeMs)} = ${speedup.toFixed(1)}x`, bound: '>= 15x', pass: speedup >= 15 });
		}
		const chain = row('chain20', 'nolimit');
		if (chain) {
			checks.push({ criterion: 'No limit: Generate Text faster than Basic LLM Chain, batch size 20', measured: `${seconds(free.nodeMs)} vs ${seconds(chain.nodeMs)}`, bound: 'faster', pass: free.nodeMs < chain.nodeMs });
		}
	}
	const limited = row('ours', 'rpm1200');
	if (limited) {
		checks.push({ criterion: '20 requests/s: Generate Text node time / rate bound N/R, no setting tuned', measured: `${seconds(limited.nodeMs)} / ${seconds(limited.boundMs)} = ${limited.ratio.toFixed(2)}`, bound: '<= 1.05', pass: limited.ratio <= 1.05 });
	}
	return checks;
}
