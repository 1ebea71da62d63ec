/**
 * Real traffic in real n8n (2.41.1 on Node 24, server mode, webhook-triggered, as production n8n
 * runs): several executions at once on one API key, queue mode with two workers and Redis (with
 * the shared limiter on, and off to show what it prevents), two model-calling nodes chained on one
 * key, and a tokens-per-minute limit. The test server enforces the limits per second with 429s and
 * the real headers, and counts every request. Time is measured from the moment the webhooks are
 * called to the last answer (responseMode: last node), so it includes everything n8n does.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, prepareN8n, run, type N8nInstance } from '../test/e2e/n8n';
import { startN8nServer, type N8nServer } from '../test/e2e/n8nServer';
import { stopProcess, waitUntil, watchProcess, type WatchedProcess } from '../test/e2e/processes';
import { BenchServer } from './benchServer';
import { CONTESTANTS, MODEL, type Target } from './contestants';
import type { Check } from './scenarios';

const API_KEY = 'sk-bench-traffic-local-test-server';
const at = (x: number, y = 0) => [x, y];

export interface TrafficRow {
	scenario: string;
	contestant: string;
	label: string;
	executions: number;
	itemsPerExecution: number;
	/** From calling the webhooks to the last answer. */
	wallMs: number;
	boundMs: number;
	succeeded: number;
	failed: number;
	failedExecutions: number;
	requests: number;
	rateLimited: number;
	maxInFlight: number;
	error?: string;
}

export interface TrafficResult {
	rows: TrafficRow[];
	checks: Check[];
	notes: string[];
}

interface Flow {
	id: string;
	path: string;
	/** The nodes whose items are counted (succeeded / failed). */
	counted: string[];
	workflow: Record<string, unknown>;
}

/** Webhook → Set (N prompts) → Split Out → the given nodes, answering when the last node ends. */
function webhookFlow(id: string, prompts: string[], own: { nodes: object[]; connections: Record<string, object> }, counted: string[]): Flow {
	const path = `bench-${id.toLowerCase()}`;
	return {
		id,
		path,
		counted,
		workflow: {
			id,
			name: `Bench traffic: ${id}`,
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{ id: 't1', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: at(0), webhookId: `${id}-hook`, parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} } },
				{ id: 't2', name: 'Prompts', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: at(200), parameters: { mode: 'raw', jsonOutput: JSON.stringify({ q: prompts }), options: {} } },
				{ id: 't3', name: 'One Per Item', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: at(400), parameters: { fieldToSplitOut: 'q', options: {} } },
				...own.nodes,
			],
			connections: {
				Webhook: { main: [[{ node: 'Prompts', type: 'main', index: 0 }]] },
				Prompts: { main: [[{ node: 'One Per Item', type: 'main', index: 0 }]] },
				...own.connections,
			},
		},
	};
}

const reviewPrompts = (count: number) => Array.from({ length: count }, (_, i) => `Summarise the customer review number ${i} in one sentence.`);

function contestantFlow(id: string, contestant: string, count: number, target: Target): Flow {
	const definition = CONTESTANTS.find((c) => c.id === contestant);
	if (!definition) throw new Error(`no contestant ${contestant}`);
	return webhookFlow(id, reviewPrompts(count), definition.nodes(target), [definition.node]);
}

/** Generate Text, then Score Output with an LLM judge on the same credential. */
function chainedFlow(id: string, count: number, target: Target): Flow {
	return webhookFlow(
		id,
		reviewPrompts(count),
		{
			nodes: [
				{
					id: 'k1',
					name: 'Generate Text',
					type: 'n8n-nodes-reward-loop.generateText',
					typeVersion: 1,
					position: at(600),
					parameters: { model: { __rl: true, mode: 'id', value: MODEL }, promptSource: 'prompt', prompt: '={{ $json.q }}', options: {} },
					credentials: { openAiCompatibleApi: target.ours },
				},
				{
					id: 'k2',
					name: 'Score Output',
					type: 'n8n-nodes-reward-loop.scoreOutput',
					typeVersion: 1,
					position: at(800),
					parameters: {
						mode: 'scorers',
						textField: 'text',
						scorers: { scorer: [{ name: 'helpful', type: 'score_model', model: MODEL, rubric: 'Rate how helpful the summary is, from 0 to 10.', rangeMin: 0, rangeMax: 10, passThreshold: 5 }] },
						threshold: 0.5,
						route: false,
						options: {},
					},
					credentials: { openAiCompatibleApi: target.ours },
				},
			],
			connections: {
				'One Per Item': { main: [[{ node: 'Generate Text', type: 'main', index: 0 }]] },
				'Generate Text': { main: [[{ node: 'Score Output', type: 'main', index: 0 }]] },
			},
		},
		['Generate Text', 'Score Output'],
	);
}

/** Long prompts (about 1,000 tokens each), for the tokens-per-minute limit. */
function tokenFlow(id: string, count: number, target: Target): Flow {
	const filler = 'The battery of this phone lasts a whole day with heavy use, and it charges fast. '.repeat(48);
	const prompts = Array.from({ length: count }, (_, i) => `Review ${i}: ${filler}Summarise it in one word.`);
	const generate = CONTESTANTS.find((c) => c.id === 'ours') as (typeof CONTESTANTS)[number];
	return webhookFlow(id, prompts, generate.nodes(target), ['Generate Text']);
}

interface Fired {
	wallMs: number;
	statuses: number[];
}

/**
 * Waits until n8n has registered the flow's production webhook (published workflows are activated
 * a while after the editor is up). A GET to a POST webhook fires nothing: n8n answers "not
 * registered for GET requests. Did you mean to make a POST request?" once the webhook exists, and
 * "The requested webhook … is not registered" before.
 */
async function webhookRegistered(n8nServer: N8nServer, flow: Flow): Promise<void> {
	await waitUntil(
		`the webhook /webhook/${flow.path} being registered`,
		async () => {
			const response = await fetch(`${n8nServer.baseUrl}/webhook/${flow.path}`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
			return (await response?.text())?.includes('Did you mean to make a POST request') === true;
		},
		{ timeoutMs: 60_000, processes: [n8nServer.process] },
	);
}

async function fire(n8nServer: N8nServer, flow: Flow, executions: number): Promise<Fired> {
	await webhookRegistered(n8nServer, flow);
	const started = performance.now();
	const statuses = await Promise.all(
		Array.from({ length: executions }, () =>
			fetch(`${n8nServer.baseUrl}/webhook/${flow.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(600_000) }).then(async (response) => {
				await response.arrayBuffer();
				return response.status;
			}),
		),
	);
	return { wallMs: performance.now() - started, statuses };
}

/** Items that came out of the counted nodes without an error, over the flow's executions. */
async function countItems(n8nServer: N8nServer, flow: Flow, executions: number, itemsPerExecution: number): Promise<Pick<TrafficRow, 'succeeded' | 'failed' | 'failedExecutions' | 'error'>> {
	const stored = await n8nServer.waitForExecutions(flow.id, executions, 120_000);
	let succeeded = 0;
	let error: string | undefined;
	for (const execution of stored) {
		// An item counts as done when every counted node produced it without an error.
		const perNode = flow.counted.map((node) => {
			const task = n8nServer && execution.runData[node]?.[0];
			if (task?.error) error ??= task.error.message;
			return (task?.data?.main?.[0] ?? []).filter((item) => item.json.error === undefined).length;
		});
		succeeded += Math.min(...perNode);
		error ??= execution.error?.message;
	}
	const total = executions * itemsPerExecution;
	return { succeeded, failed: total - succeeded, failedExecutions: stored.filter((e) => e.status !== 'success').length, error: error?.slice(0, 160) };
}

export interface TrafficOptions {
	quick: boolean;
	log?: (line: string) => void;
}

async function startWorkers(n8n: N8nInstance, env: NodeJS.ProcessEnv, count: number): Promise<WatchedProcess[]> {
	const workers: WatchedProcess[] = [];
	for (let i = 0; i < count; i++) {
		const child = spawn(n8n.bin, ['worker', '--concurrency=10'], {
			cwd: n8n.work,
			env: { ...n8n.env, ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()), QUEUE_HEALTH_CHECK_PORT: String(await freePort()) },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		workers.push(watchProcess(`worker ${i + 1}`, child));
	}
	for (const worker of workers) {
		await waitUntil(`${worker.name} being ready`, () => worker.output().includes('n8n worker is now ready'), { timeoutMs: 120_000, processes: [worker] });
	}
	return workers;
}

export async function runTraffic(options: TrafficOptions): Promise<TrafficResult> {
	const log = options.log ?? (() => undefined);
	const quick = options.quick;
	const rows: TrafficRow[] = [];
	const notes: string[] = [];
	const limited = new BenchServer({ latencyMs: 100, apiKey: API_KEY, requestsPerMinute: 1200 });
	const tokenServer = new BenchServer({ latencyMs: 100, apiKey: API_KEY, tokensPerMinute: 100_000, answer: () => 'Battery.' });
	await limited.start();
	await tokenServer.start();
	const target = (server: BenchServer, index: number): Target => ({
		chat: server.url,
		responses: server.responsesUrl,
		apiKey: API_KEY,
		ours: { id: `benchTraffic0${index}`, name: `Bench traffic server ${index} (ours)` },
		openAi: { id: `benchTrafficAi${index}`, name: `Bench traffic server ${index} (n8n OpenAI)` },
	});
	const limitedTarget = target(limited, 1);
	const tokenTarget = target(tokenServer, 2);

	const executions = quick ? 2 : 5;
	const items = quick ? 20 : 100;
	const queueExecutions = quick ? 2 : 4;
	const chainedItems = quick ? 20 : 200;
	const tokenItems = quick ? 20 : 200;
	const flows = {
		ours: contestantFlow('TrafficOurs01', 'ours', items, limitedTarget),
		http: contestantFlow('TrafficHttp01', 'http20-interval1000', items, limitedTarget),
		queueOn: contestantFlow('TrafficQueueOn1', 'ours', items, limitedTarget),
		queueOff: contestantFlow('TrafficQueueOff', 'ours', items, limitedTarget),
		chained: chainedFlow('TrafficChained1', chainedItems, limitedTarget),
		tokens: tokenFlow('TrafficTokens01', tokenItems, tokenTarget),
	};

	const n8n = await prepareN8n('reward-loop-traffic-');
	const processes: WatchedProcess[] = [];
	let n8nServer: N8nServer | undefined;
	try {
		await n8n.importCredentials(
			[limitedTarget, tokenTarget].map((t) => ({ ...t.ours, type: 'openAiCompatibleApi', data: { apiKey: API_KEY, baseUrl: t.chat } })),
		);
		for (const flow of Object.values(flows)) {
			await n8n.importWorkflow(flow.workflow as { id: string });
			await run(n8n.bin, ['publish:workflow', `--id=${flow.id}`], { env: n8n.env, cwd: n8n.work });
		}

		const measure = async (scenario: string, contestant: string, label: string, flow: Flow, server: BenchServer, count: number, perExecution: number, boundOf: (seen: ReturnType<BenchServer['counters']>) => number) => {
			server.reset();
			const fired = await fire(n8nServer as N8nServer, flow, count);
			const seen = server.counters();
			const boundMs = boundOf(seen);
			const row: TrafficRow = {
				scenario,
				contestant,
				label,
				executions: count,
				itemsPerExecution: perExecution,
				wallMs: fired.wallMs,
				boundMs,
				...(await countItems(n8nServer as N8nServer, flow, count, perExecution)),
				requests: seen.chatRequests,
				rateLimited: seen.rateLimited,
				maxInFlight: seen.maxInFlight,
			};
			rows.push(row);
			log(`  ${scenario.padEnd(10)} ${contestant.padEnd(22)} ${(row.wallMs / 1000).toFixed(2)} s (bound ${(boundMs / 1000).toFixed(2)} s), ${row.succeeded} ok, ${row.failed} failed, ${row.requests} requests, ${row.rateLimited} x 429${row.error ? ` (${row.error.slice(0, 80)})` : ''}`);
		};
		const rateBound = (requests: number) => () => (requests / 20) * 1000;

		// 1. Executions at once, in one n8n process (server mode).
		n8nServer = await startN8nServer(n8n);
		await measure('executions', 'ours', `Generate Text, ${executions} executions at once`, flows.ours, limited, executions, items, rateBound(executions * items));
		await measure('executions', 'http20-interval1000', `HTTP Request node, batch 20, 1 s interval (passes alone at 20/s), ${executions} executions at once`, flows.http, limited, executions, items, rateBound(executions * items));
		// 2. Two nodes on one key.
		await measure('chained', 'ours', `Generate Text → Score Output with an LLM judge, one key, ${chainedItems} items`, flows.chained, limited, 1, chainedItems, rateBound(2 * chainedItems));
		// 3. Tokens per minute: the bound is the tokens the server counted over its rate.
		await measure('tokens', 'ours', `Generate Text, ${tokenItems} prompts of about 1,000 tokens, 100,000 tokens/min, no request limit`, flows.tokens, tokenServer, 1, tokenItems, (seen) => (seen.tokens / (100_000 / 60)) * 1000);
		await n8nServer.stop();
		n8nServer = undefined;

		// 4. Queue mode: main + 2 workers + Redis, with the shared limiter on, then off.
		const redisPort = await freePort();
		const redis = watchProcess('redis', spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] }));
		processes.push(redis);
		const queueEnv = { EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(redisPort) };
		n8nServer = await startN8nServer(n8n, queueEnv);
		for (const [flow, limiter] of [
			[flows.queueOn, 'redis'],
			[flows.queueOff, 'process'],
		] as const) {
			const workers = await startWorkers(n8n, { ...queueEnv, REWARD_LOOP_LIMITER: limiter === 'redis' ? 'auto' : 'process' }, 2);
			processes.push(...workers);
			const label = limiter === 'redis' ? 'shared limiter through Redis (default in queue mode)' : 'limiter per worker (REWARD_LOOP_LIMITER=process)';
			await measure('queue', `ours-${limiter}`, `Generate Text, ${queueExecutions} executions at once on 2 workers, ${label}`, flow, limited, queueExecutions, items, rateBound(queueExecutions * items));
			for (const worker of workers) await stopProcess(worker);
		}
		notes.push(
			'Queue mode: the main process takes the webhooks and queues the executions in Redis; two `n8n worker` processes run them. With the shared limiter the workers pace against one budget kept in Redis (one Lua script per request); per worker, each paces alone.',
		);
	} finally {
		await n8nServer?.stop();
		for (const process of processes) await stopProcess(process, { graceMs: 5_000 });
		await limited.stop();
		await tokenServer.stop();
		rmSync(join(n8n.work), { recursive: true, force: true });
	}
	return { rows, checks: trafficChecks(rows), notes };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const share = (row: TrafficRow) => (row.requests ? row.rateLimited / row.requests : 0);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

export function trafficChecks(rows: TrafficRow[]): Check[] {
	const checks: Check[] = [];
	const find = (scenario: string, contestant: string) => rows.find((r) => r.scenario === scenario && r.contestant === contestant);
	const standard = (row: TrafficRow | undefined, what: string, timeFactor?: number) => {
		if (!row) return;
		checks.push({ criterion: `${what}: failed items`, measured: String(row.failed), bound: '0', pass: row.failed === 0 && row.failedExecutions === 0 });
		checks.push({ criterion: `${what}: 429s / requests`, measured: `${row.rateLimited} / ${row.requests} = ${percent(share(row))}`, bound: '<= 2%', pass: share(row) <= 0.02 });
		if (timeFactor) checks.push({ criterion: `${what}: time to the last answer / bound`, measured: `${seconds(row.wallMs)} / ${seconds(row.boundMs)} = ${(row.wallMs / row.boundMs).toFixed(2)}`, bound: `<= ${timeFactor}`, pass: row.wallMs <= timeFactor * row.boundMs });
	};
	standard(find('executions', 'ours'), 'Executions at once (one process, 20/s)', 1.1);
	standard(find('queue', 'ours-redis'), 'Queue mode, 2 workers, shared limiter (20/s)', 1.1);
	standard(find('chained', 'ours'), 'Generate Text → Score Output judge on one key (20/s)');
	const tokens = find('tokens', 'ours');
	if (tokens) {
		checks.push({ criterion: 'Tokens per minute: failed items', measured: String(tokens.failed), bound: '0', pass: tokens.failed === 0 && tokens.failedExecutions === 0 });
		checks.push({ criterion: 'Tokens per minute: time / token bound (tokens counted / rate)', measured: `${seconds(tokens.wallMs)} / ${seconds(tokens.boundMs)} = ${(tokens.wallMs / tokens.boundMs).toFixed(2)}`, bound: '<= 1.1', pass: tokens.wallMs <= 1.1 * tokens.boundMs });
	}
	return checks;
}
