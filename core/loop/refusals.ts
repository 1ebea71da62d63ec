/**
 * The Reward Loop's memory, for one node run, of the requests the server refused in a way asking
 * again cannot change (issue 17): a request that would get the same refusal is not sent; the item
 * fails at once with the server's reason and a note saying which request met it.
 *
 * What a refusal stands for:
 * - 401: the credential. Nothing more is sent in this run.
 * - 403, 404: the credential's access to the model, or a model or path that does not exist. Nothing
 *   more is sent for that model.
 * - 400, 405, 413, 422, 501: the request's body. An identical body (the same item's other candidates,
 *   a later round that did not change the prompt) is not sent again. The same options with another
 *   prompt are refused too once two different prompts were refused with them and none was answered,
 *   since one long prompt alone (a context-length 400) says nothing about the others.
 *
 * The run's first request goes alone, and the others wait for its answer: a wrong key costs one
 * request, not one per item (and per candidate), and options the server refuses cost two. Once a
 * request is answered (or fails any other way), requests go at once, as many as the lane lets through.
 * A refusal comes back at once, an answer takes the model's time: so the others wait for the first
 * answer at most PROBE_WAIT_MS (a slow model costs the run that, not a whole generation).
 */
import { ModelRequestError } from '../transport/scheduler';
import { CancelledError } from '../transport/sleep';

type Scope = 'credential' | 'model' | 'body';

/** The longest the other requests wait for the run's first answer: refusals take far less (OpenAI's 401s, 422s: well under a second). */
export const PROBE_WAIT_MS = 1_500;

const SCOPE_OF_STATUS: Record<number, Scope> = { 401: 'credential', 403: 'model', 404: 'model', 400: 'body', 405: 'body', 413: 'body', 422: 'body', 501: 'body' };

/** A refused request's answer, and whose request met it. */
interface Refusal {
	error: unknown;
	item: number;
}

/** A request that was not sent, because the same request (or the same credential, model or options) was already refused. */
export class NotSentError extends Error {
	readonly status: number | undefined;

	constructor(
		/** The error of the request that was refused. */
		readonly refusal: unknown,
		why: string,
	) {
		super(`${messageOf(refusal)} (not sent: ${why})`);
		this.name = 'NotSentError';
		this.status = statusOf(refusal);
	}
}

function messageOf(error: unknown): string {
	const inner = error instanceof ModelRequestError ? error.cause : error;
	const message = (inner as { message?: unknown })?.message;
	return typeof message === 'string' && message ? message : String(inner);
}

/** The status of a request that failed for good, whoever wrapped it. */
function statusOf(error: unknown): number | undefined {
	const inner = error instanceof ModelRequestError ? error.cause : error;
	const status = (inner as { status?: unknown })?.status;
	return typeof status === 'number' ? status : undefined;
}

export interface GatedBody {
	model?: unknown;
	messages?: unknown;
	[key: string]: unknown;
}

interface Keys {
	model: string;
	body: string;
	options: string;
	prompt: string;
}

interface Pending {
	keys: Keys;
	item: number;
	controller: AbortController;
	/** Why the gate aborted it: a refusal that came while it waited or ran. */
	blocked?: NotSentError;
}

export class RefusalGate {
	constructor(private readonly probeWaitMs = PROBE_WAIT_MS) {}

	/** A request of this run got an answer that was not a refusal (or took longer than a refusal does): no more probing. */
	private open = false;
	private probing = false;
	private waiters: Array<() => void> = [];
	private credential: Refusal | undefined;
	private readonly models = new Map<string, Refusal>();
	private readonly bodies = new Map<string, Refusal>();
	/** Options refused with different prompts: the first refusal, and the items and prompts it met. */
	private readonly refusedOptions = new Map<string, { refusal: Refusal; items: number[]; prompts: Set<string>; blocked: boolean }>();
	/** Options a request was answered with: a refusal with them is the prompt's, never the options'. */
	private readonly answeredOptions = new Set<string>();
	private readonly pending = new Set<Pending>();

	/**
	 * Sends `work` unless the gate knows its answer; `work` gets a signal that also aborts when a
	 * refusal that concerns it comes while it waits in the lane or runs.
	 */
	async send<T>(item: number, body: GatedBody, signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
		const keys = keysOf(body);
		for (;;) {
			const known = this.check(keys, item);
			if (known) throw known;
			if (this.open || !this.probing) break;
			await this.waitForProbe(signal);
		}
		const probe = !this.open;
		let probeTimer: ReturnType<typeof setTimeout> | undefined;
		if (probe) {
			this.probing = true;
			// An answer on its way (not a refusal, which comes at once): let the others go.
			probeTimer = setTimeout(() => {
				this.open = true;
				this.wakeAll();
			}, this.probeWaitMs);
			probeTimer.unref?.();
		}
		const entry: Pending = { keys, item, controller: new AbortController() };
		this.pending.add(entry);
		try {
			const value = await work(AbortSignal.any([signal, entry.controller.signal]));
			this.open = true;
			this.answeredOptions.add(keys.options);
			return value;
		} catch (error) {
			if (entry.blocked && !signal.aborted) throw entry.blocked;
			if (!signal.aborted && !this.record(error, keys, item)) this.open = true;
			throw error;
		} finally {
			this.pending.delete(entry);
			if (probe) {
				clearTimeout(probeTimer);
				this.probing = false;
				this.wakeAll();
			}
		}
	}

	private wakeAll(): void {
		const waiters = this.waiters;
		this.waiters = [];
		for (const wake of waiters) wake();
	}

	private waitForProbe(signal: AbortSignal): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			if (signal.aborted) {
				reject(new CancelledError());
				return;
			}
			const onAbort = () => reject(new CancelledError());
			signal.addEventListener('abort', onAbort, { once: true });
			this.waiters.push(() => {
				signal.removeEventListener('abort', onAbort);
				resolve();
			});
		});
	}

	/** The refusal this request would meet, as the error to fail it with, or undefined. */
	private check(keys: Keys, item: number): NotSentError | undefined {
		if (this.credential) return new NotSentError(this.credential.error, `the server refused this credential for item ${this.credential.item}'s request`);
		const model = this.models.get(keys.model);
		if (model) return new NotSentError(model.error, `item ${model.item}'s request for the model "${keys.model}" got this answer`);
		const body = this.bodies.get(keys.body);
		if (body) return new NotSentError(body.error, body.item === item ? 'this item sent the identical request, which got this answer' : `item ${body.item} sent the identical request, which got this answer`);
		const options = this.refusedOptions.get(keys.options);
		if (options?.blocked) return new NotSentError(options.refusal.error, `items ${options.items.join(' and ')} got this answer with the same options and other prompts`);
		return undefined;
	}

	/** Remembers a refusal; true when it was one (the run stays in probing until an answer comes). */
	private record(error: unknown, keys: Keys, item: number): boolean {
		const status = statusOf(error);
		const scope = status === undefined ? undefined : SCOPE_OF_STATUS[status];
		if (!scope) return false;
		const refusal = { error, item };
		if (scope === 'credential') this.credential ??= refusal;
		else if (scope === 'model') {
			if (!this.models.has(keys.model)) this.models.set(keys.model, refusal);
		} else {
			if (!this.bodies.has(keys.body)) this.bodies.set(keys.body, refusal);
			if (!this.answeredOptions.has(keys.options)) {
				const seen = this.refusedOptions.get(keys.options) ?? { refusal, items: [], prompts: new Set<string>(), blocked: false };
				if (!seen.prompts.has(keys.prompt)) {
					seen.prompts.add(keys.prompt);
					seen.items.push(item);
				}
				seen.blocked = seen.prompts.size >= 2;
				this.refusedOptions.set(keys.options, seen);
			}
		}
		// Requests that wait in the lane (or run) and would meet the same refusal stop now.
		for (const entry of this.pending) {
			if (entry.blocked) continue;
			const known = this.check(entry.keys, entry.item);
			if (known) {
				entry.blocked = known;
				entry.controller.abort();
			}
		}
		return true;
	}
}

function keysOf(body: GatedBody): Keys {
	const { messages, ...options } = body;
	const prompt = JSON.stringify(messages ?? null);
	const optionsKey = JSON.stringify(options);
	return { model: String(body.model ?? ''), body: `${optionsKey}\u0000${prompt}`, options: optionsKey, prompt };
}
