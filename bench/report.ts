/**
 * bench/RESULTS.md, written from the measurements alone: nothing in it is typed by hand.
 */
import type { Check, ScenarioResult } from './scenarios';
import type { RunRecord } from './sideBySide';
import type { TrafficResult } from './traffic';

export interface SideBySideRow {
	contestant: string;
	label: string;
	informative: boolean;
	concurrency: number | 'all';
	condition: string;
	conditionLabel: string;
	/** The condition's limit; undefined without one. */
	requestsPerMinute?: number;
	runs: number;
	nodeMs: number;
	minMs: number;
	maxMs: number;
	succeeded: number;
	failed: number;
	requests: number;
	rateLimited: number;
	beforeFirstRequestMs: number;
	failedRuns: number;
	boundMs: number;
	ratio: number;
	error?: string;
}

export interface BenchDocument {
	mode: 'full' | 'quick';
	date: string;
	command: string;
	wallSeconds: { total: number; sideBySide: number; traffic?: number; engine: number };
	machine: { cpus: number; cpuModel: string; memoryGb: number; os: string; benchNode: string; /** 1-minute load average at the start (absent in older results). */ loadAverage?: number };
	versions: { package: string; commit: string; n8n: string; n8nNode: string };
	sideBySide?: {
		count: number;
		runs: number;
		latencyMs: number;
		frontOverheadMs: number;
		rows: SideBySideRow[];
		records: RunRecord[];
		checks: Check[];
	};
	traffic?: TrafficResult;
	scenarios: ScenarioResult[];
	/**
	 * Parts not run this time but carried over from the previous RESULTS.json by `--update`, with the
	 * run that measured them, so a rerun of one part neither drops the others nor passes them off as new.
	 */
	carried?: Partial<Record<BenchPart, { date: string; commit: string }>>;
}

export type BenchPart = 'sideBySide' | 'traffic' | 'scenarios';

/** The line under a section heading when that section was carried over from an earlier run. */
function carriedLine(document: BenchDocument, part: BenchPart): string[] {
	const from = document.carried?.[part];
	return from ? [`*Carried over from the run of ${from.date} (commit ${from.commit}); not measured again in this run.*`, ''] : [];
}

const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '–');
/** Tiny values (differences of rounding) in exponent form, so they do not print as 0. */
const number = (value: number) => (value !== 0 && Math.abs(value) < 1e-4 ? value.toExponential(2) : value.toLocaleString('en-US', { maximumFractionDigits: 4 }));
const cell = (value: unknown) => String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(header: string[], rows: unknown[][]): string {
	return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}

export function allChecks(document: BenchDocument): Check[] {
	return [...(document.sideBySide?.checks ?? []), ...(document.traffic?.checks ?? []), ...document.scenarios.flatMap((scenario) => scenario.checks)];
}

export function renderResults(document: BenchDocument): string {
	const out: string[] = [];
	const checks = allChecks(document);
	out.push('# Benchmark results');
	out.push('');
	out.push(
		`Written by \`${document.command}\` (bench/run.ts) on ${document.date}; every figure below is measured in that run` +
			(Object.keys(document.carried ?? {}).length > 0 || document.scenarios.some((scenario) => scenario.carriedFrom) ? ' or, where its section says so, in the earlier run it was carried over from' : '') +
			', nothing is typed by hand.' +
			(document.mode === 'quick' ? ' **Quick mode**: small counts and one run each, a smoke test of the suite; its timings say nothing and its verdicts on timings do not count.' : ''),
	);
	out.push('');
	out.push('## Machine and versions');
	out.push('');
	out.push(
		table(
			['What', 'Value'],
			[
				['n8n-nodes-reward-loop', `${document.versions.package} (commit ${document.versions.commit})`],
				['n8n', document.sideBySide ? `${document.versions.n8n} on Node ${document.versions.n8nNode}` : 'not run (BENCH_SKIP_N8N=1)'],
				['Engine scenarios', `n8n-core in Node ${document.machine.benchNode}`],
				['CPU', `${document.machine.cpus} × ${document.machine.cpuModel}`],
				...(document.machine.loadAverage === undefined ? [] : [['Load average (1 min) at the start', String(document.machine.loadAverage)]]),
				['Memory', `${document.machine.memoryGb} GB`],
				['OS', document.machine.os],
				['Wall time of this run', `${document.wallSeconds.total.toFixed(0)} s (real n8n side by side ${document.wallSeconds.sideBySide.toFixed(0)} s, real traffic ${(document.wallSeconds.traffic ?? 0).toFixed(0)} s, engine scenarios ${document.wallSeconds.engine.toFixed(0)} s)`],
			],
		),
	);
	out.push('');
	out.push(`## Verdicts: ${checks.filter((c) => c.pass).length} of ${checks.length} pass`);
	out.push('');
	out.push(table(['Criterion', 'Measured', 'Bound', 'Verdict'], checks.map((c) => [c.criterion, c.measured, c.bound, verdict(c.pass)])));
	out.push('');

	const side = document.sideBySide;
	if (side) {
		out.push('## 1. Side by side in real n8n');
		out.push('');
		out.push(...carriedLine(document, 'sideBySide'));
		out.push(
			`${side.count} items (Manual Trigger → Set → Split Out → the contestant), the test server answering after ${side.latencyMs} ms, one \`n8n execute\` per run. ` +
				`Node time is the contestant node's own \`executionTime\` from n8n's run data (read from n8n's database, so failed executions count too); ` +
				`each figure is the median of ${side.runs} run${side.runs > 1 ? 's' : ''}, the runs taken round-robin over the contestants. Requests and 429s are the server's own counts, reset before every run. ` +
				'Bound = max(N/R, ⌈N/C⌉·L), with C the requests the contestant keeps in flight (1 for one item at a time, the batch size for batches, N for every item at once) and R = ∞ without a limit. ' +
				'"Before 1st request" is the node time that passed before the server saw the first request.',
		);
		out.push('');
		for (const condition of [...new Set(side.rows.map((r) => r.condition))]) {
			const rows = side.rows.filter((r) => r.condition === condition);
			out.push(`### ${rows[0].conditionLabel}`);
			out.push('');
			out.push(
				table(
					['Contestant', 'C', 'Node time (s)', 'Min–max (s)', 'Succeeded', 'Failed', 'Requests', '429s', 'Before 1st request (s)', 'Bound (s)', 'Ratio to bound', 'Failed runs', 'Error'],
					rows.map((r) => [
						r.label,
						r.concurrency,
						s(r.nodeMs),
						`${s(r.minMs)}–${s(r.maxMs)}`,
						r.succeeded,
						r.failed,
						r.requests,
						r.rateLimited,
						s(r.beforeFirstRequestMs),
						s(r.boundMs),
						Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '–',
						`${r.failedRuns} of ${r.runs}`,
						r.error ?? '',
					]),
				),
			);
			out.push('');
		}
		const ours = side.rows.find((r) => r.contestant === 'ours' && r.condition === 'nolimit');
		if (ours && Number.isFinite(ours.beforeFirstRequestMs)) {
			const sending = ours.nodeMs - ours.beforeFirstRequestMs;
			out.push(
				`Generate Text without a limit: ${s(ours.beforeFirstRequestMs)} s of its ${s(ours.nodeMs)} s pass before the server sees the first request (n8n's first evaluation of the prompt expression, the first connection); the node reads later items' parameters while earlier requests are in flight; ` +
					`from the first request to the end it takes ${s(sending)} s, ${(sending / ours.boundMs).toFixed(2)} × the bound of ${s(ours.boundMs)} s.`,
			);
			out.push('');
		}
		const limited = side.rows.find((r) => r.requestsPerMinute !== undefined);
		if (limited?.requestsPerMinute) {
			const perSecond = limited.requestsPerMinute / 60;
			const least = ((side.count - perSecond) / perSecond) * 1000 + side.latencyMs;
			out.push(
				`Under ${perSecond} requests/s the server's bucket starts full (one second's worth, ${perSecond} requests) and refills at ${perSecond}/s, so the least possible time is (N − ${perSecond}) / ${perSecond} s + L = ${s(least)} s, a little under the bound N/R = ${s((side.count / perSecond) * 1000)} s; a ratio below 1 there is not an error.`,
			);
			out.push('');
		}
		out.push(
			`n8n 2.41.1's OpenAI node (v2.3) and OpenAI Chat Model (v1.3) call the Responses API by default; the test server speaks Chat Completions, so their requests go through a front (bench/benchServer.ts) that turns each one into one Chat Completions request and passes the answer, or the 429 with its headers, back. ` +
				`A Responses request spent ${side.frontOverheadMs.toFixed(1)} ms on average in the front beyond the server's ${side.latencyMs} ms latency (an upper bound on what the front adds; the other contestants talk to the server directly).`,
		);
		out.push('');
	}

	const traffic = document.traffic;
	if (traffic) {
		out.push('## 1b. Real traffic in real n8n');
		out.push('');
		out.push(...carriedLine(document, 'traffic'));
		out.push(
			'n8n in server mode (and in queue mode with two workers and Redis), each workflow Webhook → Set → Split Out → the nodes, answering when the last node ends; the executions are started together by calling their webhooks at once, ' +
				'and the time runs from those calls to the last answer. The test server enforces its limit per second with 429s and the real headers (1,200 requests/min = 20/s, or 100,000 tokens/min = 1,667 tokens/s with no request limit) and counts every request. ' +
				'Bound: requests / 20 per second; for the token limit, the tokens the server counted (prompts and answers) over 1,667 per second.',
		);
		out.push('');
		out.push(
			table(
				['Scenario', 'Contestant', 'Executions × items', 'Time to last answer (s)', 'Bound (s)', 'Ratio', 'Succeeded', 'Failed', 'Failed executions', 'Requests', '429s', '429 share', 'Max in flight', 'Error'],
				traffic.rows.map((r) => [
					r.scenario,
					r.label,
					`${r.executions} × ${r.itemsPerExecution}`,
					s(r.wallMs),
					s(r.boundMs),
					r.boundMs ? (r.wallMs / r.boundMs).toFixed(2) : '–',
					r.succeeded,
					r.failed,
					r.failedExecutions,
					r.requests,
					r.rateLimited,
					r.requests ? `${((r.rateLimited / r.requests) * 100).toFixed(1)}%` : '–',
					r.maxInFlight,
					r.error ?? '',
				]),
			),
		);
		out.push('');
		for (const note of traffic.notes) out.push(`- ${note}`);
		if (traffic.notes.length) out.push('');
	}

	const sections: Array<[ScenarioResult['section'], string]> = [
		['loop', '2. Reward Loop efficiency (n8n engine)'],
		['score', '3. Score Output throughput (n8n engine)'],
		['library', '3b. ROUGE against a maintained JS library'],
		['finetune', '4. Fine-tune dataset building and validation'],
		['engine', '5. Generate Text throughput (n8n engine, zero latency)'],
		['faults', '6. Fault matrix (n8n engine)'],
		['report', '7. Reward Report (n8n engine; interval coverage by simulation)'],
	];
	for (const [section, title] of sections) {
		const scenarios = document.scenarios.filter((scenario) => scenario.section === section);
		if (scenarios.length === 0) continue;
		out.push(`## ${title}`);
		out.push('');
		for (const scenario of scenarios) {
			out.push(`**${scenario.name}**`);
			out.push('');
			if (scenario.carriedFrom) {
				out.push(`*Carried over from the run of ${scenario.carriedFrom.date} (commit ${scenario.carriedFrom.commit}); not measured again in this run.*`, '');
			}
			out.push(table(['Figure', 'Value'], Object.entries(scenario.figures).map(([key, value]) => [key, typeof value === 'number' ? number(value) : value])));
			out.push('');
			if (scenario.table) {
				out.push(table(scenario.table.header, scenario.table.rows));
				out.push('');
			}
			for (const note of scenario.notes ?? []) out.push(`- ${note}`);
			if (scenario.notes?.length) out.push('');
		}
		if (section === 'library') {
			out.push('BLEU: no maintained BLEU library is on the npm registry (bleu-score has a single release and about 8,000 downloads a month), so BLEU is not compared here; test/unit/metrics checks ours against reference values from NLTK.');
			out.push('');
		}
	}

	if (side) {
		out.push('## Every run in real n8n');
		out.push('');
		out.push(
			table(
				['Round', 'Condition', 'Contestant', 'Status', 'Node time (s)', 'Succeeded', 'Failed', 'Requests', '429s', 'Completed', 'Max in flight', 'Before 1st request (s)'],
				side.records.map((r) => [r.round + 1, r.condition, r.contestant, r.status, s(r.nodeMs), r.succeeded, r.failed, r.requests, r.rateLimited, r.completed, r.maxInFlight, s(r.beforeFirstRequestMs ?? NaN)]),
			),
		);
		out.push('');
	}
	return `${out.join('\n')}\n`;
}
