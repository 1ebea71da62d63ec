/**
 * The examples that need n8n running as a server (`n8n start`), as users run it: the Fine-Tune
 * Trigger example polling a provider, the human-in-the-loop example waiting for a reviewer, and the
 * credential test n8n's editor runs when a user saves the credential.
 */
import { createServer, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import { MockOpenAiServer } from '../server/mockOpenAiServer';
import { exampleFile } from './examples';
import { INSTALL_TIMEOUT_MS, prepareN8n, run, type N8nInstance } from './n8n';
import { startN8nServer, waitUntil, type N8nServer } from './n8nServer';

const API_KEY = 'sk-server-mode-5e8a1c3f7b';
const CREDENTIAL = { id: 'rlExampleCred01', name: 'OpenAI-compatible endpoint', type: 'openAiCompatibleApi' };

/** Where the human-review example posts its drafts: a stand-in for a chat webhook. */
class ReviewerInbox {
	readonly messages: Array<{ text: string; draft: string; resumeUrl: string }> = [];
	private server?: Server;
	url = '';

	async start(): Promise<void> {
		this.server = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString()));
			req.on('end', () => {
				this.messages.push(JSON.parse(body));
				res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
			});
		});
		await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/slack-webhook`;
	}

	async stop(): Promise<void> {
		await new Promise((resolve) => this.server?.close(resolve));
	}
}

describe('real n8n in server mode', () => {
	let server: MockOpenAiServer;
	let n8n: N8nInstance;
	let n8nServer: N8nServer;
	const inbox = new ReviewerInbox();

	beforeAll(async () => {
		server = new MockOpenAiServer({
			apiKey: API_KEY,
			fineTuning: { stepMs: 20 },
			answer: ({ body, lastUserText }) => {
				if (lastUserText.includes('Trail phone')) return 'The Trail phone is a phone. It is very good.';
				if ((body.messages ?? []).some((message) => message.role === 'assistant')) {
					return 'The Trail phone has a two-day battery. Its rugged case is made for long hikes.';
				}
				return undefined;
			},
		});
		await server.start();
		await inbox.start();
		n8n = await prepareN8n('reward-loop-server-');
		await n8n.importCredentials([{ ...CREDENTIAL, data: { apiKey: API_KEY, baseUrl: server.url } }]);
		const review = exampleFile('human-review-loop.json');
		review.nodes.find((node: { name: string }) => node.name === 'Ask a Reviewer').parameters.url = inbox.url;
		for (const workflow of [exampleFile('fine-tune-trigger.json'), review]) {
			await n8n.importWorkflow(workflow);
			await run(n8n.bin, ['publish:workflow', `--id=${workflow.id}`], { env: n8n.env, cwd: n8n.work });
		}
		n8nServer = await startN8nServer(n8n);
	}, INSTALL_TIMEOUT_MS + 240_000);

	afterAll(async () => {
		await n8nServer?.stop();
		await inbox.stop();
		await server?.stop();
		if (n8n) rmSync(n8n.work, { recursive: true, force: true });
	});

	it("n8n's own credential test reaches the endpoint through the credential's test request", async () => {
		// What the editor does: read the stored credential (secrets blanked), send it back to be tested.
		const stored = await n8nServer.rest<{ data: Record<string, string> }>('GET', `/credentials/${CREDENTIAL.id}?includeData=true`);
		expect(stored.data.apiKey).not.toBe(API_KEY);
		const before = server.received.length;
		const passed = await n8nServer.rest<{ status: string; message: string }>('POST', '/credentials/test', { credentials: { ...CREDENTIAL, data: stored.data } });
		expect(passed).toEqual({ status: 'OK', message: 'Connection successful!' });
		// The trigger's polls may come in between: pick the test request out.
		const probes = server.received.slice(before).filter((request) => request.path === '/models');
		expect(probes).toHaveLength(1);
		const [probe] = probes;
		expect(probe.method).toBe('GET');
		expect(probe.headers.authorization).toBe(`Bearer ${API_KEY}`);

		const wrongKey = 'sk-wrong-key-0000';
		const failed = await n8nServer.rest<{ status: string; message: string }>('POST', '/credentials/test', { credentials: { ...CREDENTIAL, data: { ...stored.data, apiKey: wrongKey } } });
		expect(failed.status).toBe('Error');
		expect(failed.message).toMatch(/unauthorized|401|invalid/i);
		expect(JSON.stringify(failed)).not.toContain(wrongKey);
	}, 60_000);

	it('example: the Fine-Tune Trigger fires once when a job finishes, and the new model answers', async () => {
		// n8n polled once when it activated the workflow, which learned the jobs that had already finished.
		const polls = () => server.received.filter((request) => request.method === 'GET' && request.path === '/fine_tuning/jobs').length;
		expect(polls()).toBeGreaterThanOrEqual(1);
		const form = new FormData();
		form.append('purpose', 'fine-tune');
		form.append('file', new Blob(['{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}\n']), 'train.jsonl');
		const auth = { authorization: `Bearer ${API_KEY}` };
		const file = (await (await fetch(`${server.url}/files`, { method: 'POST', headers: auth, body: form })).json()) as { id: string };
		const created = await fetch(`${server.url}/fine_tuning/jobs`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...auth },
			body: JSON.stringify({ model: 'gpt-4.1-mini-2025-04-14', training_file: file.id, suffix: 'battery' }),
		});
		const job = (await created.json()) as { id: string };
		expect(job.id).toMatch(/^ftjob-/);
		const before = server.received.length;

		// The example polls every minute.
		const [execution] = await n8nServer.waitForExecutions('rlFineTuneTrig01', 1, 90_000);
		expect(execution.status).toBe('success');
		expect(execution.mode).toBe('trigger');
		const [fired] = execution.runData['Fine-Tune Trigger'][0].data?.main[0] ?? [];
		expect(fired.json).toMatchObject({ id: job.id, status: 'succeeded', fine_tuned_model: expect.stringMatching(/^ft:gpt-4\.1-mini-2025-04-14:mock:battery:/) });
		const [answer] = execution.runData['Try the New Model'][0].data?.main[0] ?? [];
		expect(answer.json).toMatchObject({ model: fired.json.fine_tuned_model, text: 'Echo: How long does the battery last?', finishReason: 'stop' });
		const asked = server.received.slice(before).filter((request) => request.path === '/chat/completions').map((request) => (request.body as { model: string }).model);
		expect(asked).toEqual([fired.json.fine_tuned_model]);
		// Later polls see the same job again and fire nothing more.
		const seenBy = polls();
		await waitUntil('one more poll', () => polls() > seenBy, { timeoutMs: 75_000, processes: [n8nServer.process] });
		await new Promise((resolve) => setTimeout(resolve, 2_000));
		expect(await n8nServer.executions('rlFineTuneTrig01')).toHaveLength(1);
	}, 240_000);

	it('example: a human reviewer scores each draft through a Wait, and the loop ends on Done with their feedback used', async () => {
		const started = await fetch(`${n8nServer.baseUrl}/webhook/product-copy-review`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ product: 'Trail phone', features: 'two-day battery, rugged case' }),
		});
		expect(started.status).toBe(200);

		const review = async (round: number, score: number, feedback: string) => {
			await waitUntil(`draft ${round} reaching the reviewer`, () => inbox.messages.length >= round, { timeoutMs: 60_000, describe: () => n8nServer.log().slice(-3000), processes: [n8nServer.process] });
			const message = inbox.messages[round - 1];
			expect(message.text).toContain(message.draft);
			expect(message.text).toContain(message.resumeUrl);
			// The message leaves before the Wait node has put the execution to wait; until it has, n8n
			// answers the resume URL with 409 (a person is never that fast, a test can be).
			const resume = () => fetch(message.resumeUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ score, feedback }) });
			let resumed = await resume();
			for (const started = Date.now(); resumed.status === 409 && Date.now() - started < 30_000; resumed = await resume()) {
				await new Promise((resolve) => setTimeout(resolve, 250));
			}
			expect(resumed.status).toBe(200);
			return message;
		};
		const first = await review(1, 4, 'Say how long the battery lasts.');
		expect(first.draft).toBe('The Trail phone is a phone. It is very good.');
		const second = await review(2, 9, 'Good.');
		expect(second.draft).toBe('The Trail phone has a two-day battery. Its rugged case is made for long hikes.');

		const [execution] = await n8nServer.waitForExecutions('rlHumanReview01', 1, 60_000);
		expect(execution.status).toBe('success');
		const [approved] = execution.runData['Approved Copy'][0].data?.main[0] ?? [];
		expect(approved.json).toMatchObject({ text: second.draft, reward: 0.9, pass: true, roundsUsed: 2, candidatesTried: 2, stopReason: 'threshold' });
		expect(approved.json.feedback).toEqual([expect.stringContaining('Say how long the battery lasts.')]);
		expect((approved.json.preferencePairs as { dpo: unknown[] }).dpo).toEqual([
			expect.objectContaining({ preferred_output: [{ role: 'assistant', content: second.draft }], non_preferred_output: [{ role: 'assistant', content: first.draft }] }),
		]);
		expect(execution.runData['Wait for the Review']).toHaveLength(2);
		// Round 2 was written from the draft and the reviewer's words.
		const rounds = server.received
			.filter((request) => request.path === '/chat/completions')
			.map((request) => request.body as { messages: Array<{ role: string; content: string }> })
			.filter((body) => JSON.stringify(body.messages).includes('Trail phone'));
		expect(rounds).toHaveLength(2);
		expect(rounds[1].messages.slice(-2)).toEqual([
			{ role: 'assistant', content: first.draft },
			{ role: 'user', content: expect.stringContaining('Say how long the battery lasts.') },
		]);
		expect(n8nServer.log()).not.toContain(API_KEY);
	}, 180_000);
});
