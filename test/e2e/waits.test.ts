/**
 * End-to-end waits fail as soon as the process they wait for has exited, with its last output,
 * instead of waiting out their timeout (20 minutes for the editor of `npm start`).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { rmSync } from 'node:fs';
import { INSTALL_TIMEOUT_MS, prepareN8n, type N8nInstance } from './n8n';
import { startN8nServer } from './n8nServer';
import { waitUntil, watchProcess } from './processes';

describe('waits on a process that exits', () => {
	it('fail with its exit and last output, not after the timeout', async () => {
		const child = spawn(process.execPath, ['-e', "console.log('starting'); setTimeout(() => { console.error('fatal: no database'); process.exit(3); }, 300)"], { stdio: ['ignore', 'pipe', 'pipe'] });
		const watched = watchProcess('the fake server', child);
		const failure = await waitUntil('the fake server being ready', () => false, { timeoutMs: 20 * 60_000, processes: [watched] }).catch((error: Error) => error);
		expect(failure).toBeInstanceOf(Error);
		expect((failure as Error).message).toMatch(/^the fake server being ready: cannot happen, the fake server ended \(exit code 3\) after \d+\.\d s of waiting\. Its last output:\nstarting\nfatal: no database\n$/);
	}, 30_000);

	it('fail when a check that calls the process fails because it is gone', async () => {
		const child = spawn(process.execPath, ['-e', 'process.exit(1)'], { stdio: ['ignore', 'pipe', 'pipe'] });
		const watched = watchProcess('the fake server', child);
		await new Promise((resolve) => child.once('exit', resolve));
		const failure = await waitUntil('an answer', () => Promise.reject(new Error('ECONNREFUSED')), { timeoutMs: 20 * 60_000, processes: [watched] }).catch((error: Error) => error);
		expect((failure as Error).message).toContain('an answer: cannot happen, the fake server ended (exit code 1)');
	}, 30_000);

	describe('real n8n', () => {
		let n8n: N8nInstance;
		let blocker: Server;

		beforeAll(async () => {
			n8n = await prepareN8n('reward-loop-waits-');
			blocker = createServer();
			await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
		}, INSTALL_TIMEOUT_MS + 60_000);

		afterAll(async () => {
			await new Promise((resolve) => blocker?.close(resolve));
			if (n8n) rmSync(n8n.work, { recursive: true, force: true });
		});

		it('n8n exiting at start (its port is taken) fails the readiness wait at once with n8n\'s own words', async () => {
			const taken = (blocker.address() as { port: number }).port;
			const failure = await startN8nServer(n8n, { N8N_PORT: String(taken) }).catch((error: Error) => error);
			expect(failure).toBeInstanceOf(Error);
			const message = (failure as Error).message;
			// The readiness wait allows 120 s; what ended it was n8n's exit.
			expect(message).toMatch(/^n8n being ready: cannot happen, n8n start ended \(exit code 1\) after \d+\.\d s of waiting/);
			expect(message).toContain(`port ${taken} is already in use`);
			const seconds = Number(/after (\d+\.\d) s/.exec(message)?.[1]);
			console.log(`n8n exited after ${seconds} s of the 120 s readiness wait`);
			expect(seconds).toBeLessThan(120);
		}, 120_000);
	});
});
