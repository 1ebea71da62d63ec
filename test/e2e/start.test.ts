/**
 * `npm start` as the README gives it: build, n8n provisioned (cached), the package installed, the
 * examples imported, a credential made from OPENAI_API_KEY / OPENAI_BASE_URL, the editor served.
 * Without those variables the editor still comes up with the examples and one line says how to
 * point them at an endpoint.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockOpenAiServer } from '../server/mockOpenAiServer';
import { freePort, INSTALL_TIMEOUT_MS, ROOT } from './n8n';
import { signInOwner } from './n8nServer';
import { stopProcess, waitUntil, watchProcess, type WatchedProcess } from './processes';

const API_KEY = 'sk-npm-start-9d2e6b4a1f';
const exampleIds = () => readdirSync(join(ROOT, 'examples')).map((file) => (JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as { id: string }).id);

describe('npm start', () => {
	let server: MockOpenAiServer;
	const started: WatchedProcess[] = [];
	const homes: string[] = [];

	/** Runs `npm start` in a new n8n folder (or again in `reuse`) and waits for the editor, failing at once if it exits. */
	const npmStart = async (env: NodeJS.ProcessEnv, reuse?: string) => {
		const home = reuse ?? mkdtempSync(join(tmpdir(), 'reward-loop-start-'));
		if (!reuse) homes.push(home);
		const port = await freePort();
		const { NODE_ENV: _nodeEnv, JEST_WORKER_ID: _worker, OPENAI_API_KEY: _key, OPENAI_BASE_URL: _url, ...inherited } = process.env;
		const child = spawn('npm', ['start'], {
			cwd: ROOT,
			detached: true,
			env: { ...inherited, REWARD_LOOP_N8N_HOME: home, N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...env },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const npm = watchProcess('npm start', child);
		started.push(npm);
		const base = `http://127.0.0.1:${port}`;
		await waitUntil('the editor being served', async () => (await fetch(`${base}/healthz/readiness`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined))?.ok === true, {
			timeoutMs: INSTALL_TIMEOUT_MS,
			processes: [npm],
		});
		return { base, port, npm, home };
	};

	beforeAll(async () => {
		server = new MockOpenAiServer({ apiKey: API_KEY });
		await server.start();
	});

	afterAll(async () => {
		await Promise.all(started.map((npm) => stopProcess(npm, { group: true })));
		await server.stop();
		for (const home of homes) rmSync(home, { recursive: true, force: true });
	});

	it('serves the editor with the examples and a working credential from the environment', async () => {
		const { base, port, npm } = await npmStart({ OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: server.url });
		expect(npm.output()).toContain(`the editor is at http://127.0.0.1:${port}`);
		expect((await fetch(`${base}/`)).headers.get('content-type')).toContain('text/html');

		const { rest } = await signInOwner(base);

		const workflows = await rest<Array<{ id: string; name: string }>>('GET', '/workflows');
		expect(workflows.map((workflow) => workflow.id).sort()).toEqual(exampleIds().sort());

		const credential = await rest<{ id: string; name: string; type: string; data: Record<string, string> }>('GET', '/credentials/rlExampleCred01?includeData=true');
		expect(credential).toMatchObject({ name: 'OpenAI-compatible endpoint', type: 'openAiCompatibleApi', data: { baseUrl: server.url } });
		const tested = await rest<{ status: string }>('POST', '/credentials/test', { credentials: { id: credential.id, name: credential.name, type: credential.type, data: credential.data } });
		expect(tested.status).toBe('OK');
		expect(server.received.find((request) => request.path === '/models')?.headers.authorization).toBe(`Bearer ${API_KEY}`);
		expect(npm.output()).not.toContain(API_KEY);
		await stopProcess(npm, { group: true });
	}, INSTALL_TIMEOUT_MS + 180_000);

	it('without an endpoint still serves the editor with the examples, and says in one line how to point them at one', async () => {
		const { base, npm } = await npmStart({});
		const { rest } = await signInOwner(base);
		const workflows = await rest<Array<{ id: string }>>('GET', '/workflows');
		expect(workflows.map((workflow) => workflow.id).sort()).toEqual(exampleIds().sort());
		expect(await rest<unknown[]>('GET', '/credentials')).toEqual([]);

		const hint = npm.output().split('\n').filter((line) => line.startsWith('start: no endpoint given'));
		expect(hint).toHaveLength(1);
		expect(hint[0]).toContain('OPENAI_API_KEY=sk-');
		expect(hint[0]).toContain('OPENAI_BASE_URL=http://localhost:11434/v1');
		expect(hint[0]).toContain('any OpenAI-compatible');
		await stopProcess(npm, { group: true });
	}, INSTALL_TIMEOUT_MS + 180_000);

	it('a second start keeps an example the user edited: only examples n8n does not have are imported', async () => {
		const first = await npmStart({});
		const { rest } = await signInOwner(first.base);
		const id = exampleIds().sort()[0];
		const original = await rest<{ name: string; versionId: string }>('GET', `/workflows/${id}`);
		const edited = `${original.name} (edited by the user)`;
		await rest('PATCH', `/workflows/${id}`, { name: edited, versionId: original.versionId });
		expect((await rest<{ name: string }>('GET', `/workflows/${id}`)).name).toBe(edited);
		await stopProcess(first.npm, { group: true });

		const second = await npmStart({}, first.home);
		const again = await signInOwner(second.base);
		expect((await again.rest<{ name: string }>('GET', `/workflows/${id}`)).name).toBe(edited);
		expect(second.npm.output()).toContain(`imported 0 new example workflows (${exampleIds().length} already there, left as they are`);
		expect((await again.rest<Array<{ id: string }>>('GET', '/workflows')).map((workflow) => workflow.id).sort()).toEqual(exampleIds().sort());
		await stopProcess(second.npm, { group: true });
	}, 2 * INSTALL_TIMEOUT_MS + 300_000);
});
