/**
 * The fault matrix (issue 15): the test server scripted to misbehave in one way per scenario (429
 * storms with and without headers, hour-long resets, 5xx bursts, resets before and during the body,
 * hangs, drips, truncated and malformed JSON, odd 200s, 10 MB bodies, keys echoed back, refused
 * connections, a Reward Loop on a wrong key, judges without a message, a server without
 * embeddings, llama.cpp's usage, a bad setting), each run through n8n's engine with 200 items,
 * Continue On Fail on and off. For every run: items in, out, ok, with an error, lost; whether every
 * error names its item and a cause; the requests the server saw and how often the same request was
 * sent again; and whether the API key or the credential's header secret appears anywhere in the run
 * data (outputs, errors) or in n8n's log.
 *
 * Lost: with Continue On Fail, an input item missing from the output. Without it, the run either
 * succeeds with every item, or fails with an error of ours (naming the item, or, for a node-wide
 * setting, the setting): the items it did not emit are accounted for by that error, and lost only if
 * the error is n8n's generic sentence or missing, or the run did not end within its time.
 *
 * The server runs in this process (its faults are functions); the scenario runs in a process of its
 * own, as every engine scenario does (bench/run.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, IRun } from 'n8n-workflow';
import { resetLimiters } from '../core/transport/limits/registry';
import { MockOpenAiServer, type MockServerOptions, type RawAnswer } from '../test/server/mockOpenAiServer';
import type { Check, ScenarioResult } from './scenarios';

type Harness = typeof import('../test/engine/harness');

const API_KEY = 'sk-bench-faults-9f8e7d6c5b4a';
const HEADER_SECRET = 'hdr-secret-3c2b1a0f';
const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };
const GENERATE = 'n8n-nodes-reward-loop.generateText';
const LOOP = 'n8n-nodes-reward-loop.rewardLoop';
const SCORE = 'n8n-nodes-reward-loop.scoreOutput';
/** n8n's own sentences for network codes: an error of ours must never be replaced by one. */
const N8N_GENERIC = /perhaps it is offline|The connection to the server was closed unexpectedly|The service refused the connection/;
/** A run that has not ended by then is cancelled, and its missing items count as lost. */
const RUN_DEADLINE_MS = 120_000;

interface FaultScenario {
	id: string;
	what: string;
	node: 'Generate Text' | 'Reward Loop' | 'Score Output';
	/**
	 * The server's behaviour. `nth(context)` is the number of this run's chat (or embeddings) request
	 * from 1, given its hook argument (the same object reaches `fault` and then `raw`).
	 */
	server: (nth: (request: object) => number) => MockServerOptions;
	options?: IDataObject;
	parameters?: IDataObject;
	/** The credential's base URL instead of the server's (a closed port). */
	baseUrl?: () => Promise<string>;
	/** The server expects another key: every request gets a 401 that echoes the one sent. */
	wrongKey?: boolean;
	/** The run error names no item: a node-wide setting. */
	nodeWide?: boolean;
}

const chat = (content: string) => JSON.stringify({ id: 'c', object: 'chat.completion', model: 'mock-small', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 } });
const ODD_200S: unknown[] = [
	{ model: 'm', choices: null },
	{ model: 'm', choices: [{ index: 0, message: null, finish_reason: 'stop' }] },
	{ model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 42 }, finish_reason: 'stop' }] },
	{ model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: 'ten' },
	null,
];
const TEN_MB = 'x'.repeat(10 * 1024 * 1024);

async function closedPort(): Promise<string> {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as AddressInfo;
	await new Promise<void>((resolve) => probe.close(() => resolve()));
	return `http://127.0.0.1:${port}/v1`;
}

/** A proxy's bucket of `perSecond` requests a second whose refusals carry no header at all. */
function bareBucket(perSecond: number) {
	let level = perSecond;
	let last = performance.now();
	return () => {
		const now = performance.now();
		level = Math.min(perSecond, level + ((now - last) / 1000) * perSecond);
		last = now;
		if (level >= 1) {
			level -= 1;
			return undefined;
		}
		return { status: 429, message: 'Too Many Requests' };
	};
}

const judge = { name: 'quality', type: 'score_model', model: 'judge', rubric: 'Rate it', rangeMin: 0, rangeMax: 1 };
const isJudge = (body: { response_format?: { json_schema?: { name?: string } } }) => body.response_format?.json_schema?.name === 'score';

export const FAULT_SCENARIOS: FaultScenario[] = [
	{
		id: '429-retry-after',
		what: '429 storm with retry-after: 1 for the first second',
		node: 'Generate Text',
		server: () => {
			const until = performance.now() + 1000;
			return { latencyMs: 20, fault: () => (performance.now() < until ? { status: 429, message: 'Rate limit reached', headers: { 'retry-after': '1' } } : undefined) };
		},
	},
	{ id: '429-no-headers', what: '429s with no headers from a proxy allowing 20 requests/s', node: 'Generate Text', server: () => ({ latencyMs: 20, fault: bareBucket(20) }) },
	{
		id: 'quota-1h',
		what: 'x-ratelimit-remaining-requests: 0 with a reset of 1 h, no retry-after',
		node: 'Generate Text',
		server: () => ({ latencyMs: 10, answerHeaders: () => ({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1h' }) }),
	},
	{ id: '429-reset-1h', what: '429 whose only hint is x-ratelimit-reset-requests: 1h', node: 'Generate Text', server: () => ({ latencyMs: 10, fault: () => ({ status: 429, message: 'Quota exceeded', headers: { 'x-ratelimit-reset-requests': '1h' } }) }) },
	{ id: '5xx-burst', what: 'the first 60 requests answer 503', node: 'Generate Text', server: (nth) => ({ latencyMs: 20, fault: (request) => (nth(request) <= 60 ? { status: 503, message: 'model overloaded' } : undefined) }) },
	{ id: 'reset-before-body', what: 'every 5th request: the socket is destroyed before any answer', node: 'Generate Text', server: (nth) => ({ latencyMs: 10, fault: (request) => (nth(request) % 5 === 0 ? 'reset' : undefined) }) },
	{
		id: 'reset-mid-body',
		what: 'every 5th answer: cut after 40 bytes of its body, socket destroyed',
		node: 'Generate Text',
		server: (nth) => ({ latencyMs: 10, raw: (request) => (nth(request) % 5 === 0 ? { body: chat('an answer that never arrives in full'), cutAfterBytes: 40 } : undefined) }),
	},
	{ id: 'hang', what: 'every 10th request never answers (Timeout 1,000 ms)', node: 'Generate Text', options: { timeout: 1000 }, server: (nth) => ({ latencyMs: 10, fault: (request) => (nth(request) % 10 === 0 ? 'hang' : undefined) }) },
	{
		id: 'drip',
		what: 'every 4th answer dripped 16 bytes every 25 ms (about 0.5 s)',
		node: 'Generate Text',
		server: (nth) => ({ latencyMs: 10, raw: (request): RawAnswer | undefined => (nth(request) % 4 === 0 ? { body: chat(`Echo: ${request.lastUserText}`), chunkBytes: 16, chunkDelayMs: 25 } : undefined) }),
	},
	{
		id: 'drip-past-timeout',
		what: 'every 4th answer dripped for about 3 s (Timeout 1,000 ms)',
		node: 'Generate Text',
		options: { timeout: 1000 },
		server: (nth) => ({ latencyMs: 10, raw: (request): RawAnswer | undefined => (nth(request) % 4 === 0 ? { body: chat(`Echo: ${request.lastUserText}`), chunkBytes: 4, chunkDelayMs: 50 } : undefined) }),
	},
	{ id: 'truncated-json', what: 'every 4th answer: a 200 whose JSON stops halfway', node: 'Generate Text', server: (nth) => ({ latencyMs: 10, raw: (request) => (nth(request) % 4 === 0 ? { body: chat('cut short').slice(0, 60) } : undefined) }) },
	{ id: 'malformed-json', what: 'every 4th answer: a 200 that is not JSON', node: 'Generate Text', server: (nth) => ({ latencyMs: 10, raw: (request) => (nth(request) % 4 === 0 ? { body: '{choices: [oops' } : undefined) }) },
	{
		id: 'odd-200s',
		what: 'every 4th answer: choices null, message null, content 42, usage "ten" or null',
		node: 'Generate Text',
		server: (nth) => ({
			latencyMs: 10,
			raw: (request) => {
				const n = nth(request);
				return n % 4 === 0 ? { body: JSON.stringify(ODD_200S[(n / 4) % ODD_200S.length]) } : undefined;
			},
		}),
	},
	{ id: '10mb-error', what: 'every 20th request: a 400 with a 10 MB message', node: 'Generate Text', server: (nth) => ({ latencyMs: 10, fault: (request) => (nth(request) % 20 === 0 ? { status: 400, message: TEN_MB } : undefined) }) },
	{
		id: '10mb-html-502',
		what: 'every 20th request: a proxy\'s 502 with a 10 MB HTML page (Max Retries 0)',
		node: 'Generate Text',
		options: { maxRetries: 0 },
		server: (nth) => ({ latencyMs: 10, raw: (request) => (nth(request) % 20 === 0 ? { status: 502, body: `<html>${TEN_MB}</html>`, headers: { 'content-type': 'text/html' } } : undefined) }),
	},
	{
		id: 'key-echo-200',
		what: 'every answer echoes the Authorization and secret headers in its text, model and tokens',
		node: 'Generate Text',
		options: { n: 2, logprobs: true },
		server: () => ({
			latencyMs: 10,
			answer: ({ headers }) => {
				const leak = `${headers.authorization} ${headers['x-team-secret']}`;
				const text = `Your key is ${leak}.`;
				return { model: `echo ${leak}`, choices: [{ content: text, tokens: text.match(/.{1,3}/gs) ?? [] }, { content: `again ${leak}` }] };
			},
		}),
	},
	{ id: 'key-echo-401', what: 'a 401 that echoes the key sent', node: 'Generate Text', wrongKey: true, server: () => ({ latencyMs: 10 }) },
	{ id: 'connection-refused', what: 'nothing listens on the base URL\'s port (Max Retries 3)', node: 'Generate Text', options: { maxRetries: 3 }, baseUrl: closedPort, server: () => ({}) },
	{
		id: 'proxy-502-econnrefused',
		what: 'a proxy\'s 502 whose body names ECONNREFUSED (Max Retries 2)',
		node: 'Generate Text',
		options: { maxRetries: 2 },
		server: () => ({ latencyMs: 5, fault: () => ({ status: 502, message: 'upstream connect error: connect ECONNREFUSED 10.0.0.7:8080' }) }),
	},
	{
		id: 'loop-401',
		what: 'Reward Loop (2 candidates, 3 rounds) on a key the server refuses',
		node: 'Reward Loop',
		wrongKey: true,
		server: () => ({ latencyMs: 10 }),
	},
	{
		id: 'loop-mixed',
		what: 'Reward Loop: every 3rd request 503, every 7th reset, every 5th answer without choices (Max Retries 2)',
		node: 'Reward Loop',
		options: { maxRetries: 2 },
		server: (nth) => ({
			latencyMs: 10,
			fault: (request) => (nth(request) % 3 === 0 ? { status: 503, message: 'model overloaded' } : nth(request) % 7 === 0 ? 'reset' : undefined),
			raw: (request) => (nth(request) % 5 === 0 ? { body: JSON.stringify({ model: 'm', choices: [] }) } : undefined),
		}),
	},
	{
		id: 'judge-no-choices',
		what: 'Score Output: the judge answers 200 with no choices',
		node: 'Score Output',
		server: () => ({ latencyMs: 10, raw: ({ body }) => (isJudge(body) ? { body: JSON.stringify({ model: 'judge', choices: [] }) } : undefined) }),
	},
	{
		id: 'judge-null-content',
		what: 'Reward Loop: the judge answers 200 with content null',
		node: 'Reward Loop',
		parameters: { scorers: { scorer: [judge] } },
		server: () => ({ latencyMs: 10, raw: ({ body }) => (isJudge(body) ? { body: JSON.stringify({ model: 'judge', choices: [{ index: 0, message: { role: 'assistant', content: null } }] }) } : undefined) }),
	},
	{
		id: 'embeddings-501',
		what: 'Score Output, embedding similarity: /embeddings answers 501 (llama.cpp without --embeddings)',
		node: 'Score Output',
		parameters: { scorers: { scorer: [{ name: 'close', type: 'embedding_similarity', embeddingModel: 'embed', reference: '{{item.reference}}' }] } },
		server: () => ({ latencyMs: 10, embeddingFault: () => ({ status: 501, message: 'This server does not support embeddings. Start it with `--embeddings`' }) }),
	},
	{
		id: 'usage-one-choice',
		what: 'n = 4, usage counting one choice (llama.cpp)',
		node: 'Generate Text',
		options: { n: 4 },
		server: () => ({
			latencyMs: 10,
			answer: ({ body }) => ({
				choices: Array.from({ length: body.n ?? 1 }, (_, i) => ({ content: `Candidate ${i}: the battery lasts a whole day and the screen stays bright outdoors.`, tokens: i === 0 ? undefined : [] })),
			}),
		}),
	},
	{ id: 'bad-setting', what: 'Concurrency -1 (a node-wide setting)', node: 'Generate Text', options: { concurrency: -1 }, nodeWide: true, server: () => ({}) },
];

export interface FaultRow {
	scenario: string;
	what: string;
	node: string;
	continueOnFail: boolean;
	itemsIn: number;
	itemsOut: number;
	ok: number;
	errors: number;
	lost: number;
	/** Errors (items' and the run's) that name their item and a cause, or the setting for a node-wide one. */
	errorsNamed: number;
	requests: number;
	/** The same request body sent again, per item: retries, and rounds that asked the same thing again. */
	repeatsPerItem: number;
	wallMs: number;
	keyLeaked: boolean;
	/** Items with usageNote (llama.cpp's usage). */
	usageNotes: number;
	/** The longest error message, in characters. */
	longestError: number;
	runError?: string;
}

function nodeRun(harness: Harness, scenario: FaultScenario, prefix: string, count: number, continueOnFail: boolean, baseUrl: string, extraHeaders: string) {
	const credentials = { apiKey: API_KEY, baseUrl, extraHeaders };
	if (scenario.node === 'Score Output') {
		const items = Array.from({ length: count }, (_, i) => ({ text: `${prefix}-${i}: the battery lasts ${i} hours`, reference: 'battery life' }));
		const parameters = { mode: 'scorers', textField: 'text', scorers: { scorer: [judge] }, threshold: 0.5, options: { ...(scenario.options ?? {}) }, ...(scenario.parameters ?? {}) };
		return harness.startWorkflow({ nodeType: SCORE, parameters, items, credentials, continueOnFail });
	}
	const items = Array.from({ length: count }, (_, i) => ({ q: `${prefix}-${i}` }));
	if (scenario.node === 'Reward Loop') {
		const parameters = {
			rewardSource: 'scorers',
			model: MODEL,
			promptSource: 'prompt',
			prompt: '={{ $json.q }}',
			options: { ...(scenario.options ?? {}) },
			candidatesPerRound: 2,
			maxRounds: 3,
			mode: 'scorers',
			scorers: { scorer: [{ name: 'hours', type: 'contains', values: 'hours' }] },
			combine: 'weighted',
			threshold: 0.99,
			loopOptions: { maxErrors: 4, includeHistory: true },
			...(scenario.parameters ?? {}),
		};
		return harness.startWorkflow({ nodeType: LOOP, parameters, items, credentials, continueOnFail });
	}
	const parameters = { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { ...(scenario.options ?? {}) }, ...(scenario.parameters ?? {}) };
	return harness.startWorkflow({ nodeType: GENERATE, parameters, items, credentials, continueOnFail });
}

async function runOne(harness: Harness, server: MockOpenAiServer, logged: string[], scenario: FaultScenario, count: number, continueOnFail: boolean): Promise<FaultRow> {
	const prefix = `${scenario.id}-${continueOnFail ? 'on' : 'off'}`;
	// Numbers this run's requests only (a request an earlier run aborted may still come in), as the
	// fault hook sees them; the raw hook gets the same object, so it reads the same number.
	let n = 0;
	const numbers = new WeakMap<object, number>();
	const mine = (text: string) => text.includes(`${prefix}-`);
	const number = (request: object, text: string) => {
		if (!numbers.has(request)) numbers.set(request, mine(text) ? ++n : 0);
		return numbers.get(request) as number;
	};
	const options = scenario.server((request) => numbers.get(request) ?? 0);
	const fault = options.fault;
	const embeddingFault = options.embeddingFault;
	server.configure({
		...options,
		fault: (context) => {
			number(context, JSON.stringify(context.body.messages ?? []));
			return fault?.(context);
		},
		embeddingFault: (inputs) => {
			number(inputs, inputs.join(' '));
			return embeddingFault?.(inputs);
		},
		...(scenario.wrongKey ? { apiKey: 'sk-the-key-the-server-wants' } : {}),
	});
	server.reset();
	logged.length = 0;
	await resetLimiters();
	const baseUrl = scenario.baseUrl ? await scenario.baseUrl() : server.url;
	const started = performance.now();
	const execution = await nodeRun(harness, scenario, prefix, count, continueOnFail, baseUrl, JSON.stringify({ 'X-Team-Secret': HEADER_SECRET }));
	let timer: NodeJS.Timeout | undefined;
	const run = await Promise.race([
		execution.result,
		new Promise<IRun | undefined>((resolve) => {
			timer = setTimeout(() => {
				execution.cancel();
				resolve(undefined);
			}, RUN_DEADLINE_MS);
		}),
	]);
	clearTimeout(timer);
	const wallMs = performance.now() - started;
	const output = run ? harness.outputOf(run) : [];
	const error = run ? harness.runError(run) : undefined;
	const errors = output.filter((item) => item.json.error !== undefined);
	const cause = (text: string) => text.replace(/^Item \d+: /, '').trim().length > 10;
	// An item's error names that item (its input position, which pairedItem points at too) and a cause.
	let errorsNamed = output.filter((item, position) => {
		if (item.json.error === undefined) return false;
		const text = String(item.json.error);
		const paired = (item.pairedItem as { item: number }).item === position;
		return paired && !N8N_GENERIC.test(text) && (scenario.nodeWide ? text.length > 10 && !/^Item /.test(text) : text.startsWith(`Item ${position}: `) && cause(text));
	}).length;
	const runErrorOurs = error !== undefined && !N8N_GENERIC.test(error.message) && (scenario.nodeWide ? !/^Item /.test(error.message) : /^Item \d+: /.test(error.message) && cause(error.message));
	if (runErrorOurs) errorsNamed++;
	const explained = run !== undefined && (continueOnFail ? 0 : runErrorOurs ? count - output.length : 0);
	const lost = count - output.length - Number(explained);
	const bodies = server.received.filter((r) => mine(JSON.stringify(r.body))).map((r) => JSON.stringify(r.body));
	const requests = bodies.length;
	const everything = `${run ? JSON.stringify(run.data) : ''}\n${logged.join('\n')}`;
	const messages = [...errors.map((item) => String(item.json.error)), ...(error ? [error.message] : [])];
	return {
		scenario: scenario.id,
		what: scenario.what,
		node: scenario.node,
		continueOnFail,
		itemsIn: count,
		itemsOut: output.length,
		ok: output.length - errors.length,
		errors: errors.length + (error ? 1 : 0),
		lost,
		errorsNamed,
		requests,
		repeatsPerItem: +((requests - new Set(bodies).size) / count).toFixed(2),
		wallMs,
		keyLeaked: everything.includes(API_KEY) || everything.includes(HEADER_SECRET),
		usageNotes: output.filter((item) => item.json.usageNote !== undefined).length,
		longestError: Math.max(0, ...messages.map((m) => m.length)),
		...(error ? { runError: error.message.length > 160 ? `${error.message.slice(0, 160)}…` : error.message } : run ? {} : { runError: `did not end within ${RUN_DEADLINE_MS / 1000} s` }),
	};
}

export async function faultMatrixScenario(harness: Harness, quick: boolean): Promise<ScenarioResult> {
	const count = quick ? 40 : 200;
	const server = new MockOpenAiServer();
	await server.start();
	// n8n's log, searched for the key like every output and error.
	const logged: string[] = [];
	const { Container } = await import('@n8n/di');
	const { Logger } = await import('@n8n/backend-common');
	// Every level n8n logs at goes through Logger.log (the levels below n8n's are no-ops): kept, not printed.
	const logger = Container.get(Logger) as unknown as { log: (level: string, message: string, meta?: unknown) => void };
	logger.log = (level, message, meta) => void logged.push(`${level} ${message} ${meta ? JSON.stringify(meta) : ''}`);
	const rows: FaultRow[] = [];
	const only = process.env.BENCH_FAULTS?.split(',');
	const scenarios = FAULT_SCENARIOS.filter((s) => !only || only.includes(s.id));
	try {
		for (const scenario of scenarios) {
			for (const continueOnFail of [true, false]) {
				const row = await runOne(harness, server, logged, scenario, count, continueOnFail);
				rows.push(row);
				process.stderr.write(`  ${scenario.id} ${continueOnFail ? 'COF on ' : 'COF off'} in ${row.itemsIn} out ${row.itemsOut} ok ${row.ok} err ${row.errors} lost ${row.lost} named ${row.errorsNamed} req ${row.requests} ${(row.wallMs / 1000).toFixed(1)} s leaked ${row.keyLeaked}\n`);
			}
		}
	} finally {
		await server.stop();
	}
	const lost = rows.reduce((sum, r) => sum + r.lost, 0);
	const leaked = rows.filter((r) => r.keyLeaked).length;
	const unnamed = rows.reduce((sum, r) => sum + (r.errors - r.errorsNamed), 0);
	const errorsInAll = rows.reduce((sum, r) => sum + r.errors, 0);
	const longest = Math.max(...rows.map((r) => r.longestError));
	const checks: Check[] = [
		{ criterion: `Fault matrix: items lost over ${rows.length} runs (${scenarios.length} scenarios × Continue On Fail on and off, ${count} items each)`, measured: `${lost} lost`, bound: '0 lost in every row', pass: lost === 0 },
		{ criterion: 'Fault matrix: runs whose outputs, errors or n8n log contain the API key or the header secret', measured: `${leaked} of ${rows.length}`, bound: '0 leaked in every row', pass: leaked === 0 },
		{ criterion: 'Fault matrix: errors that name their item and a cause (a node-wide setting names the setting)', measured: `${errorsInAll - unnamed} of ${errorsInAll}`, bound: 'all', pass: unnamed === 0 },
		{ criterion: 'Fault matrix: the longest error message (10 MB error bodies included)', measured: `${longest.toLocaleString('en-US')} characters`, bound: '<= 1,200', pass: longest <= 1_200 },
	];
	const s = (ms: number) => (ms / 1000).toFixed(1);
	return {
		id: 'faults',
		section: 'faults',
		name: `Fault matrix: ${scenarios.length} ways a server misbehaves, ${count} items each, through n8n's engine with Continue On Fail on and off`,
		figures: { scenarios: scenarios.length, runs: rows.length, items_per_run: count, items_lost: lost, runs_with_key_leaked: leaked, errors: errorsInAll, errors_not_naming_item_and_cause: unnamed, longest_error_chars: longest, items_with_usage_note: rows.reduce((sum, r) => sum + r.usageNotes, 0) },
		table: {
			header: ['Scenario', 'What the server does', 'Node', 'Continue On Fail', 'Items in', 'Out', 'OK', 'Errors', 'Lost', 'Errors naming item and cause', 'Requests', 'Retries per item', 'Time (s)', 'Key leaked', 'Run error'],
			rows: rows.map((r) => [
				r.scenario,
				r.what,
				r.node,
				r.continueOnFail ? 'on' : 'off',
				r.itemsIn,
				r.itemsOut,
				r.ok,
				r.errors,
				r.lost,
				`${r.errorsNamed} of ${r.errors}`,
				r.requests,
				r.repeatsPerItem,
				s(r.wallMs),
				r.keyLeaked ? 'yes' : 'no',
				r.runError ?? '',
			]),
		},
		checks,
		notes: [
			'Items in / out: the node\'s input and output items. OK: output items without `error`; Errors: output items with `error`, plus 1 for the run\'s error when it failed (Continue On Fail off stops at the first item that fails for good).',
			'Lost: with Continue On Fail, input items missing from the output; without it, items missing from the output that no error of ours accounts for (an n8n sentence instead of our message, no error, or a run that did not end within 120 s). A node-wide setting fails the run before any request, naming the setting and no item.',
			'Requests: what the server received for this run. Retries per item: the same request body sent again (retries, and loop rounds that asked the same thing again), over the items in.',
			'Key leaked: the API key or the credential\'s Extra Headers secret found anywhere in the run data (every output item, every error) or in n8n\'s log (error, warn, info, debug).',
			'The server runs in the scenario\'s process; `npx tsx bench/run.ts faults` runs the matrix alone (BENCH_QUICK=1 for 40 items, BENCH_FAULTS=a,b for some scenarios).',
		],
	};
}
