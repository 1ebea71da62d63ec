/**
 * `npm start` as the README gives it: build, n8n provisioned (cached), the package installed, the
 * examples imported, a credential made from OPENAI_API_KEY / OPENAI_BASE_URL, the editor served.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockOpenAiServer } from '../server/mockOpenAiServer';
import { freePort, INSTALL_TIMEOUT_MS, ROOT } from './n8n';
import { signInOwner, waitUntil } from './n8nServer';

const API_KEY = 'sk-npm-start-9d2e6b4a1f';

describe('npm start', () => {
	let server: MockOpenAiServer;
	let child: ChildProcess | undefined;
	let output = '';
	const home = mkdtempSync(join(tmpdir(), 'reward-loop-start-'));

	beforeAll(async () => {
		server = new MockOpenAiServer({ apiKey: API_KEY });
		await server.start();
	});

	afterAll(async () => {
		if (child?.pid && child.exitCode === null) {
			const exited = new Promise((resolve) => child?.once('exit', resolve));
			process.kill(-child.pid, 'SIGTERM');
			await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
			if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
		}
		await server.stop();
		rmSync(home, { recursive: true, force: true });
	});

	it('serves the editor with the examples and a working credential from the environment', async () => {
		const port = await freePort();
		const { NODE_ENV: _nodeEnv, JEST_WORKER_ID: _worker, ...inherited } = process.env;
		child = spawn('npm', ['start'], {
			cwd: ROOT,
			detached: true,
			env: { ...inherited, REWARD_LOOP_N8N_HOME: home, N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await freePort()), OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: server.url },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const base = `http://127.0.0.1:${port}`;
		await waitUntil('the editor being served', async () => (await fetch(`${base}/healthz/readiness`).catch(() => undefined))?.ok === true, INSTALL_TIMEOUT_MS, () => output.slice(-3000));
		expect(output).toContain(`the editor is at http://127.0.0.1:${port}`);
		expect((await fetch(`${base}/`)).headers.get('content-type')).toContain('text/html');

		const { rest } = await signInOwner(base);

		const workflows = await rest<Array<{ id: string; name: string }>>('GET', '/workflows');
		const exampleIds = readdirSync(join(ROOT, 'examples')).map((file) => (JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as { id: string }).id);
		expect(workflows.map((workflow) => workflow.id).sort()).toEqual(exampleIds.sort());

		const credential = await rest<{ id: string; name: string; type: string; data: Record<string, string> }>('GET', '/credentials/rlExampleCred01?includeData=true');
		expect(credential).toMatchObject({ name: 'OpenAI-compatible endpoint', type: 'openAiCompatibleApi', data: { baseUrl: server.url } });
		const tested = await rest<{ status: string }>('POST', '/credentials/test', { credentials: { id: credential.id, name: credential.name, type: credential.type, data: credential.data } });
		expect(tested.status).toBe('OK');
		expect(server.received.find((request) => request.path === '/models')?.headers.authorization).toBe(`Bearer ${API_KEY}`);
		expect(output).not.toContain(API_KEY);
	}, INSTALL_TIMEOUT_MS + 180_000);
});
