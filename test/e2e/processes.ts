/**
 * Processes the end-to-end tests start (n8n, its worker, Redis, `npm start`) and the waits on them.
 * A wait fails as soon as a process it depends on has exited, with that process's last output,
 * instead of waiting out its timeout for something that can no longer happen.
 */
import type { ChildProcess } from 'node:child_process';

export interface WatchedProcess {
	readonly name: string;
	readonly child: ChildProcess;
	output(): string;
	/** How it ended (`exit code 1`, `signal SIGKILL`), or undefined while it runs. */
	ended(): string | undefined;
}

export function watchProcess(name: string, child: ChildProcess): WatchedProcess {
	let output = '';
	let ended: string | undefined;
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.once('exit', (code, signal) => (ended = code !== null ? `exit code ${code}` : `signal ${signal}`));
	child.once('error', (error) => (ended = `start failure: ${error.message}`));
	return { name, child, output: () => output, ended: () => ended };
}

export interface WaitOptions {
	timeoutMs: number;
	/** Extra context for the timeout's message (a log's tail, say). */
	describe?: () => string;
	/** The processes that must keep running for the wait to succeed. */
	processes?: WatchedProcess[];
}

const TAIL = 3000;

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, options: WaitOptions): Promise<void> {
	const started = Date.now();
	const deadline = started + options.timeoutMs;
	const endedProcess = () => {
		const gone = options.processes?.find((process) => process.ended() !== undefined);
		if (!gone) return undefined;
		const seconds = ((Date.now() - started) / 1000).toFixed(1);
		return new Error(`${what}: cannot happen, ${gone.name} ended (${gone.ended()}) after ${seconds} s of waiting. Its last output:\n${gone.output().slice(-TAIL)}`);
	};
	for (;;) {
		let done: boolean;
		try {
			done = await check();
		} catch (error) {
			// A request to a process that has just exited fails; say why rather than how.
			throw endedProcess() ?? error;
		}
		if (done) return;
		const gone = endedProcess();
		if (gone) throw gone;
		if (Date.now() > deadline) throw new Error(`${what} did not happen within ${options.timeoutMs / 1000} s\n${options.describe?.() ?? ''}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** Stops a process: SIGTERM, then SIGKILL after `graceMs`. With `group`, the whole process group. */
export async function stopProcess(process: WatchedProcess, { graceMs = 10_000, group = false } = {}): Promise<void> {
	const { child } = process;
	if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	const signal = (name: NodeJS.Signals) => {
		try {
			if (group) globalThis.process.kill(-(child.pid as number), name);
			else child.kill(name);
		} catch {
			// Already gone.
		}
	};
	signal('SIGTERM');
	await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, graceMs))]);
	if (child.exitCode === null && child.signalCode === null) signal('SIGKILL');
}
