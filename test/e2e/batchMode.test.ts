/**
 * Issue 20's acceptance in real n8n (`n8n start`): the Batch mode example submits 1,000 products
 * as one batch; n8n's Wait node stores the execution as a waiting one; n8n is stopped while the batch
 * runs and started again; the resumed execution collects every item's answer (or its error line) in
 * its place, with pairedItem, and the test server saw exactly one batch created.
 */
import { rmSync } from 'node:fs';
import { MockOpenAiServer } from '../server/mockOpenAiServer';
import { exampleFile } from './examples';
import { INSTALL_TIMEOUT_MS, prepareN8n, run, type N8nInstance } from './n8n';
import { startN8nServer, waitUntil, type N8nServer } from './n8nServer';

const API_KEY = 'sk-batch-mode-e2e-93b1d7';
const CREDENTIAL = { id: 'rlExampleCred01', name: 'OpenAI-compatible endpoint', type: 'openAiCompatibleApi' };
const WORKFLOW = 'rlBatchCopy01';
const COUNT = 1_000;
/** The example's failing product: its error line must come out in its place. */
const FAILING = 417;

describe('real n8n: Batch mode across a restart', () => {
	let server: MockOpenAiServer;
	let n8n: N8nInstance;
	let n8nServer: N8nServer | undefined;

	beforeAll(async () => {
		server = new MockOpenAiServer({
			apiKey: API_KEY,
			// The batch answers nothing until released: it is still running when n8n stops.
			batches: { stepMs: 50, stallAfter: 0 },
			fault: ({ lastUserText }) => (lastUserText.includes(`Product ${FAILING}.`) ? { status: 400, code: 'content_policy_violation', message: 'The prompt was flagged.' } : undefined),
		});
		await server.start();
		n8n = await prepareN8n('reward-loop-batch-');
		await n8n.importCredentials([{ ...CREDENTIAL, data: { apiKey: API_KEY, baseUrl: server.url } }]);
		const workflow = exampleFile('batch-product-copy.json');
		// At 65 s or more n8n's Wait node stores the execution instead of sleeping in memory: the
		// shortest wait that is the real thing (the example waits 5 minutes).
		workflow.nodes.find((node: { name: string }) => node.name === 'Wait').parameters = { amount: 66, unit: 'seconds' };
		await n8n.importWorkflow(workflow);
		await run(n8n.bin, ['publish:workflow', `--id=${WORKFLOW}`], { env: n8n.env, cwd: n8n.work });
		n8nServer = await startN8nServer(n8n);
	}, INSTALL_TIMEOUT_MS + 240_000);

	afterAll(async () => {
		await n8nServer?.stop();
		await server?.stop();
		if (n8n) rmSync(n8n.work, { recursive: true, force: true });
	});

	it('submits 1,000 items as one batch, survives a stop and a start of n8n, and delivers every item in its place', async () => {
		const products = Array.from({ length: COUNT }, (_, i) => ({ name: `Product ${i}.`, features: `feature ${i}` }));
		const post = () => fetch(`${n8nServer!.baseUrl}/webhook/batch-product-copy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ products }) });
		// n8n can be ready a moment before it has registered the published workflow's webhook (a 404, seen once under load).
		let started = await post();
		for (const since = Date.now(); started.status === 404 && Date.now() - since < 30_000; started = await post()) {
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		if (started.status !== 200) throw new Error(`the webhook answered ${started.status}: ${await started.text()}\n${n8nServer!.log().slice(-4000)}`);
		const first = n8nServer!;
		await waitUntil('the execution waiting in n8n\'s database', async () => (await first.executions(WORKFLOW)).some((execution) => execution.status === 'waiting'), {
			timeoutMs: 60_000,
			describe: () => first.log().slice(-3000),
			processes: [first.process],
		});
		expect(server.batches.created).toBe(1);
		const [batch] = server.batches.batches.values();
		expect(batch.status).toBe('in_progress');
		expect(batch.request_counts.total).toBe(COUNT);

		// n8n goes away while the batch runs; the batch ends meanwhile.
		await first.stop();
		n8nServer = undefined;
		server.batches.release();
		await waitUntil('the batch to complete', () => batch.status === 'completed', { timeoutMs: 30_000 });

		n8nServer = await startN8nServer(n8n);
		const [execution] = await n8nServer.waitForExecutions(WORKFLOW, 1, 180_000);
		expect(execution.status).toBe('success');
		const collects = execution.runData['Collect Batch'];
		expect(collects).toHaveLength(1);
		const done = collects[0].data?.main[0] ?? [];
		expect(done).toHaveLength(COUNT);
		for (const [i, item] of done.entries()) {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.name).toBe(`Product ${i}.`);
			if (i === FAILING) {
				expect(item.json.error).toBe(`Item ${i}: the server answered 400 in the batch: The prompt was flagged. (code: content_policy_violation)`);
				expect(item.json.text).toBeUndefined();
			} else {
				expect(item.json.text).toBe(`Echo: Write a two-sentence product description of the Product ${i}.. Its features: feature ${i}.`);
				expect(item.json).not.toHaveProperty('error');
				expect(item.json).not.toHaveProperty('batchRequest');
			}
		}
		expect(execution.runData.Descriptions[0].data?.main[0]).toHaveLength(COUNT);
		expect(server.batches.created).toBe(1);
		expect(server.received.filter((request) => request.path === '/chat/completions')).toHaveLength(0);
		expect(n8nServer.log()).not.toContain(API_KEY);
	}, 420_000);
});
