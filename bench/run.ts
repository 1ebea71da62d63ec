/**
 * npm run bench [-- --quick] [-- --out <file.md>]: the whole benchmark, written to bench/RESULTS.md
 * (and the same figures as JSON beside it, RESULTS.json).
 * 1. Side by side in real n8n (bench/sideBySide.ts): our Generate Text, n8n's OpenAI node, Basic
 *    LLM Chain and the HTTP Request node, 200 items, 100 ms latency, no limit and 20 requests/s,
 *    the median of 3 runs each.
 * 1b. Real traffic in real n8n (bench/traffic.ts): executions at once on one key, queue mode with two
 *    workers and Redis (shared limiter on and off), two nodes chained on one key, a tokens limit.
 * 2. Scenarios in n8n's engine (bench/scenarios.ts), each in a fresh process: Reward Loop
 *    efficiency, Score Output throughput, ROUGE against js-rouge, fine-tune dataset building,
 *    Generate Text throughput, and the fault matrix (bench/faults.ts).
 * --render-only: write the markdown again from the JSON beside it, measuring nothing.
 * --update: the parts this run skips are carried over from the JSON beside --out, each marked with
 *   the date and commit of the run that measured it (to rerun one part without losing the others).
 * --quick: small counts and one run each, for the smoke test in CI; it writes to a temporary file
 * unless --out says where. BENCH_ONLY=a,b limits the engine scenarios; BENCH_SKIP_N8N=1 skips parts 1 and 1b, BENCH_SKIP_SIDE_BY_SIDE=1 part 1, BENCH_SKIP_TRAFFIC=1 part 1b.
 * The exit code is 1 when a verdict fails (not in quick mode, where timings do not count).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type as osType } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { renderResults, allChecks, type BenchDocument, type BenchPart, type SideBySideRow } from './report';
import { runScenario, SCENARIOS, type ScenarioResult } from './scenarios';
import { runSideBySide, sideBySideChecks, summarize } from './sideBySide';
import { runTraffic } from './traffic';

const ROOT = resolve(__dirname, '..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

interface Arguments {
	quick: boolean;
	out: string;
}

function parseArguments(argv: string[]): Arguments {
	const quick = argv.includes('--quick');
	const at = argv.indexOf('--out');
	const out = at >= 0 && argv[at + 1] ? resolve(argv[at + 1]) : quick ? join(tmpdir(), 'reward-loop-bench-quick', 'RESULTS.md') : join(__dirname, 'RESULTS.md');
	return { quick, out };
}

function git(...args: string[]): string {
	try {
		return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
	} catch {
		return 'unknown';
	}
}

/**
 * `--update`: a part this run skipped (BENCH_SKIP_*, or no engine scenario for BENCH_ONLY=none) is
 * taken from the previous results file with the date and commit of the run that measured it.
 */
export function carryOver(document: BenchDocument, previousJson: string): void {
	let previous: BenchDocument;
	try {
		previous = JSON.parse(readFileSync(previousJson, 'utf8')) as BenchDocument;
	} catch {
		return;
	}
	const from = (part: BenchPart) => previous.carried?.[part] ?? { date: previous.date, commit: previous.versions.commit };
	document.carried = {};
	if (!document.sideBySide && previous.sideBySide) {
		document.sideBySide = previous.sideBySide;
		document.versions.n8n = previous.versions.n8n;
		document.versions.n8nNode = previous.versions.n8nNode;
		document.carried.sideBySide = from('sideBySide');
	}
	if (!document.traffic && previous.traffic) {
		document.traffic = previous.traffic;
		document.carried.traffic = from('traffic');
	}
	// Scenario by scenario: a run of some scenarios (BENCH_ONLY) keeps the others.
	const ran = new Set(document.scenarios.map((scenario) => scenario.id));
	const kept = previous.scenarios
		.filter((scenario) => !ran.has(scenario.id))
		.map((scenario) => ({ ...scenario, carriedFrom: scenario.carriedFrom ?? from('scenarios') }));
	const order = (id: string) => (SCENARIOS.includes(id) ? SCENARIOS.indexOf(id) : SCENARIOS.length);
	document.scenarios = [...document.scenarios, ...kept].sort((a, b) => order(a.id) - order(b.id));
}

/** The command as run, with the settings that chose what it measured (BENCH_ONLY, BENCH_SKIP_*, --update). */
function benchCommand(quick: boolean): string {
	const settings = ['BENCH_ONLY', 'BENCH_SKIP_N8N', 'BENCH_SKIP_SIDE_BY_SIDE', 'BENCH_SKIP_TRAFFIC'].filter((name) => process.env[name]).map((name) => `${name}=${process.env[name]} `);
	const flags = [quick ? '--quick' : '', process.argv.includes('--update') ? '--update' : ''].filter(Boolean);
	return `${settings.join('')}npm run bench${flags.length ? ` -- ${flags.join(' ')}` : ''}`;
}

async function main(): Promise<void> {
	const scenario = process.argv[2];
	if (scenario && !scenario.startsWith('--')) {
		const result = await runScenario(scenario);
		process.stdout.write(`${JSON.stringify(result)}\n`);
		process.exit(0);
	}
	const { quick, out } = parseArguments(process.argv.slice(2));
	if (process.argv.includes('--render-only')) {
		// Writes the markdown again from the JSON of the last run (after a change to report.ts).
		const saved = JSON.parse(readFileSync(`${out.replace(/\.md$/, '')}.json`, 'utf8')) as BenchDocument;
		writeFileSync(out, renderResults(saved));
		return;
	}
	const started = performance.now();
	const log = (line: string) => console.log(line);
	const document: BenchDocument = {
		mode: quick ? 'quick' : 'full',
		date: new Date().toISOString(),
		command: benchCommand(quick),
		wallSeconds: { total: 0, sideBySide: 0, traffic: 0, engine: 0 },
		machine: {
			cpus: cpus().length,
			cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
			memoryGb: Math.round(totalmem() / 1024 ** 3),
			os: `${osType()} ${release()}`,
			benchNode: process.versions.node,
			// Other work on the machine stretches every timing: its load when the run started.
			loadAverage: +loadavg()[0].toFixed(2),
		},
		versions: {
			package: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
			commit: `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' with local changes' : ''}`,
			n8n: 'not run',
			n8nNode: 'not run',
		},
		scenarios: [],
	};

	if (process.env.BENCH_SKIP_N8N !== '1' && process.env.BENCH_SKIP_SIDE_BY_SIDE !== '1') {
		log(`1. Side by side in real n8n${quick ? ' (quick)' : ''}`);
		const sideStarted = performance.now();
		const result = await runSideBySide({
			count: quick ? 40 : 200,
			runs: quick ? 1 : 3,
			latencyMs: 100,
			contestants: quick ? ['ours', 'openai', 'chain20', 'http20'] : undefined,
			log,
		});
		document.wallSeconds.sideBySide = (performance.now() - sideStarted) / 1000;
		const rows = summarize(result);
		document.versions.n8n = result.n8nVersion;
		document.versions.n8nNode = result.node24Version.replace(/^v/, '');
		document.sideBySide = {
			count: result.count,
			runs: result.runs,
			latencyMs: result.latencyMs,
			frontOverheadMs: result.frontOverheadMs,
			rows: rows.map(
				({ contestant, condition, ...row }): SideBySideRow => ({
					...row,
					contestant: contestant.id,
					label: contestant.label,
					informative: contestant.informative === true,
					concurrency: contestant.concurrency,
					condition: condition.id,
					conditionLabel: condition.label,
					requestsPerMinute: condition.requestsPerMinute,
				}),
			),
			records: result.records,
			checks: sideBySideChecks(result, rows),
		};
	}

	if (process.env.BENCH_SKIP_N8N !== '1' && process.env.BENCH_SKIP_TRAFFIC !== '1') {
		log(`1b. Real traffic in real n8n${quick ? ' (quick)' : ''}`);
		const trafficStarted = performance.now();
		document.traffic = await runTraffic({ quick, log });
		document.wallSeconds.traffic = (performance.now() - trafficStarted) / 1000;
	}

	const engineStarted = performance.now();
	const only = process.env.BENCH_ONLY?.split(',');
	for (const name of SCENARIOS.filter((n) => !only || only.includes(n))) {
		log(`scenario ${name}`);
		const printed = execFileSync(TSX, [__filename, name], {
			cwd: ROOT,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
			env: { ...process.env, BENCH_QUICK: quick ? '1' : '0' },
			maxBuffer: 64 * 1024 * 1024,
		});
		const result = JSON.parse(printed.trim().split('\n').pop() as string) as ScenarioResult;
		document.scenarios.push(result);
		log(`  ${result.name}`);
		for (const [key, value] of Object.entries(result.figures)) log(`    ${key.padEnd(32)} ${value}`);
	}
	document.wallSeconds.engine = (performance.now() - engineStarted) / 1000;
	// Best-of-5 with n bills the prompt once per round; five separate requests bill it five times.
	const withN = document.scenarios.find((s) => s.id === 'loop-n');
	const withoutN = document.scenarios.find((s) => s.id === 'loop-no-n');
	if (withN && withoutN) {
		const once = Number(withN.figures.prompt_tokens_per_item);
		const five = Number(withoutN.figures.prompt_tokens_per_item);
		withN.checks.push({
			criterion: 'best-of-5 with n: the prompt billed once (prompt tokens per item, with n against five requests)',
			measured: `${once} against ${five} (${(five / once).toFixed(2)}x)`,
			bound: '5 requests bill 5x',
			pass: once > 0 && Math.abs(five / once - 5) < 0.01,
		});
	}
	document.wallSeconds.total = (performance.now() - started) / 1000;
	if (process.argv.includes('--update')) carryOver(document, `${out.replace(/\.md$/, '')}.json`);

	mkdirSync(dirname(out), { recursive: true });
	writeFileSync(out, renderResults(document));
	writeFileSync(out.replace(/\.md$/, '') + '.json', `${JSON.stringify(document, null, '\t')}\n`);
	const checks = allChecks(document);
	log('');
	for (const check of checks) log(`${check.pass ? 'PASS' : 'FAIL'}  ${check.criterion}: ${check.measured} (bound ${check.bound})`);
	log(`\nWrote ${out} in ${document.wallSeconds.total.toFixed(0)} s`);
	process.exitCode = quick || checks.every((check) => check.pass) ? 0 : 1;
}

// Only as a command: carryOver is also imported.
if (require.main === module) void main().catch((error: unknown) => {
	console.error(error);
	process.exit(2);
});
