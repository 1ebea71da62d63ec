/**
 * Queue mode, as users scale n8n out: Redis (Debian's redis-server), a main process that takes the
 * webhook and queues the execution, and a worker process that runs it. The nodes keep no state in
 * memory across executions, so the worker's run must give the same answer.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { MockOpenAiServer } from '../server/mockOpenAiServer';
import { freePort, INSTALL_TIMEOUT_MS, prepareN8n, run, type N8nInstance } from './n8n';
import { startN8nServer, type N8nServer } from './n8nServer';
import { stopProcess, waitUntil, watchProcess, type WatchedProcess } from './processes';

const API_KEY = 'sk-queue-mode-4b1d9e7c2a';
const WORKFLOW = {
	id: 'rlQueueMode00001',
	name: 'Queue mode: webhook → Generate Text → Score Output',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: 'q1',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '6a0f0e55-5d7e-4c8e-9f27-5a1d2f3e4b01',
			parameters: { httpMethod: 'POST', path: 'reward-loop-queue', responseMode: 'lastNode', options: {} },
		},
		{
			id: 'q2',
			name: 'Generate Text',
			type: 'n8n-nodes-reward-loop.generateText',
			typeVersion: 1,
			position: [200, 0],
			parameters: { model: { __rl: true, mode: 'id', value: 'mock-small' }, promptSource: 'prompt', prompt: '={{ $json.body.topic }}', options: {} },
			credentials: { openAiCompatibleApi: { id: 'rlQueueCred0001', name: 'Mock endpoint' } },
		},
		{
			id: 'q3',
			name: 'Score Output',
			type: 'n8n-nodes-reward-loop.scoreOutput',
			typeVersion: 1,
			position: [400, 0],
			parameters: { mode: 'scorers', textField: 'text', scorers: { scorer: [{ name: 'battery', type: 'contains', values: 'battery' }] }, threshold: 0.5, route: false, options: { includeInput: false } },
		},
	],
	connections: {
		Webhook: { main: [[{ node: 'Generate Text', type: 'main', index: 0 }]] },
		'Generate Text': { main: [[{ node: 'Score Output', type: 'main', index: 0 }]] },
	},
};

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis && process.env.CI !== 'true') {
	console.log('Queue-mode test skipped: redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it).');
}
const suite = hasRedis || process.env.CI === 'true' ? describe : describe.skip;

suite('n8n queue mode', () => {
	let server: MockOpenAiServer;
	let n8n: N8nInstance;
	let main: N8nServer | undefined;
	const processes: Record<string, WatchedProcess> = {};
	const describeLogs = () => `--- main ---\n${main?.log().slice(-3000)}\n--- worker ---\n${processes.worker?.output().slice(-3000)}`;

	const start = (name: string, command: string, args: string[], env: NodeJS.ProcessEnv) => {
		processes[name] = watchProcess(name, spawn(command, args, { env, cwd: n8n?.work, stdio: ['ignore', 'pipe', 'pipe'] }));
		return processes[name];
	};

	beforeAll(async () => {
		server = new MockOpenAiServer({ apiKey: API_KEY, answer: ({ lastUserText }) => `The ${lastUserText} has a two-day battery.` });
		await server.start();
		n8n = await prepareN8n('reward-loop-queue-');
		await n8n.importCredentials([{ id: 'rlQueueCred0001', name: 'Mock endpoint', type: 'openAiCompatibleApi', data: { apiKey: API_KEY, baseUrl: server.url } }]);
		await n8n.importWorkflow(WORKFLOW);
		await run(n8n.bin, ['publish:workflow', `--id=${WORKFLOW.id}`], { env: n8n.env, cwd: n8n.work });
	}, INSTALL_TIMEOUT_MS + 180_000);

	afterAll(async () => {
		await main?.stop();
		await Promise.all(Object.values(processes).map((process) => stopProcess(process, { graceMs: 5_000 })));
		await server?.stop();
		if (n8n) rmSync(n8n.work, { recursive: true, force: true });
	});

	it('a worker runs the nodes for an execution the main process queued', async () => {
		const redisPort = await freePort();
		const redis = start('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], process.env);
		const queueEnv = { EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(redisPort) };
		const worker = start('worker', n8n.bin, ['worker', '--concurrency=5'], { ...n8n.env, ...queueEnv, N8N_RUNNERS_BROKER_PORT: String(await freePort()), QUEUE_HEALTH_CHECK_PORT: String(await freePort()) });
		main = await startN8nServer(n8n, queueEnv);
		const everyone = [redis, worker, main.process];
		await waitUntil('the worker being ready', () => worker.output().includes('n8n worker is now ready'), { timeoutMs: 90_000, describe: describeLogs, processes: everyone });

		const post = (topic: string) =>
			fetch(`${main?.baseUrl}/webhook/reward-loop-queue`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ topic }),
				signal: AbortSignal.timeout(60_000),
			});
		// The main process registers the published workflow's webhook shortly after it reports ready;
		// until then the path is 404 and no execution is created.
		let first: Response | undefined;
		await waitUntil('the webhook being registered', async () => (first = await post('trail phone')).status !== 404, { timeoutMs: 60_000, describe: describeLogs, processes: everyone });
		const answers = [];
		for (const response of [first as Response, await post('city phone')]) {
			expect(response.status).toBe(200);
			answers.push(await response.json());
		}
		expect(answers).toEqual([
			expect.objectContaining({ reward: 1, pass: true, scores: expect.objectContaining({ battery: expect.objectContaining({ score: 1 }) }) }),
			expect.objectContaining({ reward: 1, pass: true }),
		]);
		expect(server.counters.completed).toBe(2);
		expect(worker.output().match(/Worker started execution \d+/g)).toHaveLength(2);
		expect(worker.output().match(/Worker finished execution \d+/g)).toHaveLength(2);
		expect(main.log() + worker.output()).not.toContain(API_KEY);
	}, 240_000);
});
