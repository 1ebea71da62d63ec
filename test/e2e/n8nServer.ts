/**
 * Real n8n in server mode (`n8n start`), as users run it: published workflows with triggers and
 * waits, the REST API the editor uses (signed in as the owner), and the executions it stored.
 */
import { spawn } from 'node:child_process';
import { parse as parseFlatted } from 'flatted';
import { freePort, type N8nInstance } from './n8n';
import { stopProcess, waitUntil, watchProcess, type WatchedProcess } from './processes';

export { waitUntil } from './processes';

export const OWNER = { email: 'owner@example.com', firstName: 'Ada', lastName: 'Owner', password: 'Reward-Loop-e2e-1' };

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
}

export interface NodeRun {
	startTime: number;
	executionTime: number;
	error?: { message: string };
	data?: { main: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown }> | null> };
}

export interface StoredExecution extends ExecutionSummary {
	runData: Record<string, NodeRun[]>;
	error?: { message: string };
}

export interface N8nServer {
	baseUrl: string;
	port: number;
	/** The `n8n-auth` cookie value of the signed-in owner. */
	authToken: string;
	/** The `n8n start` process: pass it to waits that need n8n running. */
	process: WatchedProcess;
	log(): string;
	rest: Rest;
	executions(workflowId: string): Promise<ExecutionSummary[]>;
	execution(id: string): Promise<StoredExecution>;
	/** Waits until the workflow has `count` finished executions, then returns them oldest first. */
	waitForExecutions(workflowId: string, count: number, timeoutMs: number): Promise<StoredExecution[]>;
	stop(): Promise<void>;
}

export type Rest = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** Sets up the owner of a fresh n8n, as its first visitor does (or signs in as them), and calls the editor's REST API as them. */
export async function signInOwner(baseUrl: string): Promise<{ authToken: string; rest: Rest }> {
	let setup = await fetch(`${baseUrl}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OWNER) });
	if (setup.status === 400 && (await setup.clone().text()).includes('already setup')) {
		// A second start on the same user folder: the owner exists, so sign in as them.
		setup = await fetch(`${baseUrl}/rest/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }) });
	}
	const authToken = /n8n-auth=([^;]+)/.exec(setup.headers.get('set-cookie') ?? '')?.[1];
	if (!setup.ok || !authToken) throw new Error(`owner setup failed: ${setup.status} ${await setup.text()}`);
	const rest: Rest = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
		const response = await fetch(`${baseUrl}/rest${path}`, {
			method,
			headers: { cookie: `n8n-auth=${authToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} /rest${path}: ${response.status} ${text.slice(0, 500)}`);
		return (JSON.parse(text) as { data: T }).data;
	};
	return { authToken, rest };
}

const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

export async function startN8nServer(n8n: N8nInstance, extraEnv: NodeJS.ProcessEnv = {}): Promise<N8nServer> {
	const port = await freePort();
	const baseUrl = `http://127.0.0.1:${port}`;
	const child = spawn(n8n.bin, ['start'], {
		cwd: n8n.work,
		env: {
			...n8n.env,
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			WEBHOOK_URL: `${baseUrl}/`,
			N8N_SECURE_COOKIE: 'false',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			...extraEnv,
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const process = watchProcess('n8n start', child);
	const log = () => process.output();
	const stop = () => stopProcess(process);
	try {
		await waitUntil('n8n being ready', async () => (await fetch(`${baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined))?.ok === true, {
			timeoutMs: 120_000,
			describe: () => log().slice(-3000),
			processes: [process],
		});
		const { authToken, rest } = await signInOwner(baseUrl);
		const executions = async (workflowId: string) =>
			(await rest<{ results: ExecutionSummary[] }>('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`)).results;
		const execution = async (id: string): Promise<StoredExecution> => {
			const stored = await rest<ExecutionSummary & { data: string }>('GET', `/executions/${id}`);
			// n8n keeps run data in flatted form, which keeps shared and circular references.
			const data = parseFlatted(stored.data) as { resultData: { runData: Record<string, NodeRun[]>; error?: { message: string } } };
			return { id: stored.id, workflowId: stored.workflowId, status: stored.status, mode: stored.mode, runData: data.resultData.runData, error: data.resultData.error };
		};
		const waitForExecutions = async (workflowId: string, count: number, timeoutMs: number) => {
			let finished: ExecutionSummary[] = [];
			await waitUntil(
				`${count} finished execution(s) of ${workflowId}`,
				async () => (finished = (await executions(workflowId)).filter((run) => FINISHED.has(run.status))).length >= count,
				{ timeoutMs, describe: () => log().slice(-3000), processes: [process] },
			);
			const sorted = finished.sort((a, b) => Number(a.id) - Number(b.id));
			return Promise.all(sorted.map((run) => execution(run.id)));
		};
		return { baseUrl, port, authToken, process, log, rest, executions, execution, waitForExecutions, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
