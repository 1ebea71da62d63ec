/**
 * Real n8n for end-to-end tests: Node 24 and n8n 2.41.1 from the npm registry (cached by
 * install-n8n.sh), a fresh user folder, and the packed package installed the way users install it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const ROOT = resolve(__dirname, '..', '..');
export const INSTALL_TIMEOUT_MS = 20 * 60_000;

/**
 * Runs an imported workflow headless (`n8n execute --rawOutput`) and returns its run JSON and everything
 * printed. The JSON starts at the first line that opens an object (n8n logs its start-up before it).
 */
export async function executeWorkflow(
	instance: { bin: string; env: NodeJS.ProcessEnv; work: string },
	workflowId: string,
	timeoutMs: number,
): Promise<{ result: any; printed: string }> {
	let stdout: string;
	let stderr: string;
	try {
		({ stdout, stderr } = await run(instance.bin, ['execute', `--id=${workflowId}`, '--rawOutput'], {
			env: instance.env,
			cwd: instance.work,
			maxBuffer: 64 * 1024 * 1024,
			timeout: timeoutMs,
		}));
	} catch (error) {
		const failed = error as { stdout?: string; stderr?: string; message: string };
		throw new Error(`n8n execute failed: ${failed.message}\n${failed.stdout}\n${failed.stderr}`);
	}
	const jsonStart = stdout.split('\n').findIndex((line) => line.startsWith('{'));
	if (jsonStart < 0) throw new Error(`n8n printed no run JSON:\n${stdout}\n${stderr}`);
	// n8n's JS task runner registers itself asynchronously and may print its line after the run JSON when
	// it starts late (seen with two n8n processes at once): that line is n8n's, not the run's, so it is left out.
	const printedJson = stdout
		.split('\n')
		.slice(jsonStart)
		.filter((line) => !/^Registered runner "[^"]*" \([^)]*\)\s*$/.test(line))
		.join('\n');
	try {
		return { result: JSON.parse(printedJson), printed: stdout + stderr };
	} catch (error) {
		// Something wrote to stdout after the run JSON (a log line at the wrong level, say): show it.
		const end = Number(/position (\d+)/.exec(String(error))?.[1] ?? 0);
		throw new Error(`n8n's run JSON is followed by other output: ${JSON.stringify(printedJson.slice(Math.max(0, end - 80), end + 400))}`);
	}
}

export async function freePort(): Promise<number> {
	return new Promise((resolvePort, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolvePort(port));
		});
	});
}

export interface N8nInstance {
	work: string;
	env: NodeJS.ProcessEnv;
	bin: string;
	importCredentials(credentials: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>): Promise<void>;
	importWorkflow(definition: { id: string }): Promise<void>;
}

/**
 * Node 24 and n8n, installed and proved to work by install-n8n.sh (cached; the first run takes
 * minutes). A failed install fails here with the script's own account of what went wrong.
 */
export async function provisionN8n(env: NodeJS.ProcessEnv = process.env): Promise<{ NODE24_BIN: string; N8N_BIN: string }> {
	let stdout: string;
	try {
		({ stdout } = await run('bash', [join(ROOT, 'test/e2e/install-n8n.sh')], { cwd: ROOT, env, maxBuffer: 256 * 1024 * 1024, timeout: INSTALL_TIMEOUT_MS }));
	} catch (error) {
		const { stderr = '', code, signal } = error as { stderr?: string; code?: number; signal?: string };
		const said = stderr.split('\n').filter((line) => line.startsWith('install-n8n:'));
		throw new Error(`test/e2e/install-n8n.sh failed (${signal ?? `exit code ${code}`}):\n${said.join('\n')}\n--- last output ---\n${stderr.slice(-2000)}`);
	}
	const paths = Object.fromEntries(
		stdout
			.trim()
			.split('\n')
			.map((line) => line.split('=', 2) as [string, string]),
	);
	if (!paths.NODE24_BIN || !paths.N8N_BIN) throw new Error(`test/e2e/install-n8n.sh printed no paths: ${stdout.slice(0, 500)}`);
	return paths as { NODE24_BIN: string; N8N_BIN: string };
}

export async function prepareN8n(prefix: string): Promise<N8nInstance> {
	const work = mkdtempSync(join(tmpdir(), prefix));
	const paths = await provisionN8n();
	// Jest sets NODE_ENV=test, under which n8n prints no run output.
	const { NODE_ENV: _nodeEnv, JEST_WORKER_ID: _worker, ...inherited } = process.env;
	const env: NodeJS.ProcessEnv = {
		...inherited,
		PATH: `${paths.NODE24_BIN}:${process.env.PATH}`,
		N8N_USER_FOLDER: work,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		N8N_ENCRYPTION_KEY: 'reward-loop-e2e-encryption-key',
	};
	const bin = paths.N8N_BIN;
	const { stdout: packed } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
	const tarball = join(work, JSON.parse(packed)[0].filename as string);
	const nodesDir = join(work, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
	await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: nodesDir, env });
	return {
		work,
		env,
		bin,
		async importCredentials(credentials) {
			const file = join(work, 'creds.json');
			writeFileSync(file, JSON.stringify(credentials));
			await run(bin, ['import:credentials', `--input=${file}`], { env, cwd: work });
		},
		async importWorkflow(definition) {
			const file = join(work, `${definition.id}.json`);
			writeFileSync(file, JSON.stringify(definition));
			await run(bin, ['import:workflow', `--input=${file}`], { env, cwd: work });
		},
	};
}
