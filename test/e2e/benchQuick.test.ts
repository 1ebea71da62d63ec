/**
 * The benchmark's quick mode as a smoke test: `bench/run.ts --quick` against real n8n (2.41.1 on
 * Node 24, the same install as the other end-to-end tests) and the engine scenarios, written to a
 * temporary file. It checks that every figure is there and well formed, and the counts that do not
 * depend on timing; it never checks a timing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchDocument } from '../../bench/report';
import { SCENARIOS } from '../../bench/scenarios';
import { INSTALL_TIMEOUT_MS, ROOT } from './n8n';

const run = promisify(execFile);
const COUNT = 40;

describe('npm run bench -- --quick', () => {
	let folder: string;
	let document: BenchDocument;
	let markdown: string;
	const committed = join(ROOT, 'bench', 'RESULTS.md');
	const committedBefore = existsSync(committed) ? statSync(committed).mtimeMs : undefined;

	beforeAll(async () => {
		folder = mkdtempSync(join(tmpdir(), 'reward-loop-bench-quick-'));
		const out = join(folder, 'RESULTS.md');
		try {
			await run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bench/run.ts'), '--quick', '--out', out], {
				cwd: ROOT,
				maxBuffer: 64 * 1024 * 1024,
				timeout: INSTALL_TIMEOUT_MS + 300_000,
			});
		} catch (error) {
			const failed = error as { stdout?: string; stderr?: string; message: string };
			throw new Error(`bench --quick failed: ${failed.message}\n${failed.stdout}\n${failed.stderr}`);
		}
		markdown = readFileSync(out, 'utf8');
		document = JSON.parse(readFileSync(join(folder, 'RESULTS.json'), 'utf8')) as BenchDocument;
	}, INSTALL_TIMEOUT_MS + 300_000);

	afterAll(() => rmSync(folder, { recursive: true, force: true }));

	it('runs every contestant in real n8n in both conditions, and our node finishes every item', () => {
		const side = document.sideBySide;
		expect(side).toBeDefined();
		if (!side) return;
		expect(side.count).toBe(COUNT);
		expect(document.versions.n8n).toBe('2.41.1');
		expect(document.versions.n8nNode).toMatch(/^24\./);
		const cells = side.rows.map((row) => `${row.contestant}/${row.condition}`).sort();
		expect(cells).toEqual(['chain20', 'http20', 'openai', 'ours'].flatMap((c) => [`${c}/nolimit`, `${c}/rpm1200`]).sort());
		for (const record of side.records) {
			expect(Number.isFinite(record.nodeMs)).toBe(true);
			expect(record.nodeMs).toBeGreaterThan(0);
			expect(record.succeeded + record.failed).toBe(COUNT);
			// Every contestant reached the server, through the Responses front or directly.
			expect(record.requests).toBeGreaterThan(0);
		}
		for (const condition of ['nolimit', 'rpm1200']) {
			const ours = side.records.filter((r) => r.contestant === 'ours' && r.condition === condition);
			expect(ours).toHaveLength(1);
			expect(ours[0]).toMatchObject({ status: 'success', succeeded: COUNT, failed: 0 });
			// Each item is one request, plus one more per 429 it met.
			expect(ours[0].requests).toBe(COUNT + ours[0].rateLimited);
		}
		// Without a limit nothing is refused: every contestant gets every item through.
		for (const record of side.records.filter((r) => r.condition === 'nolimit')) {
			expect(record).toMatchObject({ status: 'success', succeeded: COUNT, requests: COUNT, rateLimited: 0 });
		}
		expect(side.rows.every((row) => row.boundMs > 0 && Number.isFinite(row.ratio))).toBe(true);
		expect(side.checks.map((check) => check.criterion)).toHaveLength(6);
	});

	it('runs the real-traffic scenarios, and our nodes finish every item in each', () => {
		const traffic = document.traffic;
		expect(traffic).toBeDefined();
		if (!traffic) return;
		expect(traffic.rows.map((row) => `${row.scenario}/${row.contestant}`)).toEqual([
			'executions/ours',
			'executions/http20-interval1000',
			'chained/ours',
			'tokens/ours',
			'queue/ours-redis',
			'queue/ours-process',
		]);
		for (const row of traffic.rows) {
			expect(Number.isFinite(row.wallMs) && row.wallMs > 0).toBe(true);
			expect(row.boundMs).toBeGreaterThan(0);
			expect(row.requests).toBeGreaterThan(0);
			expect(row.succeeded + row.failed).toBe(row.executions * row.itemsPerExecution);
			if (row.contestant.startsWith('ours')) expect(row).toMatchObject({ failed: 0, failedExecutions: 0 });
		}
		// Chained: every item was generated and judged, so at least two requests per item reached the server.
		const chained = traffic.rows.find((row) => row.scenario === 'chained') as (typeof traffic.rows)[number];
		expect(chained.requests).toBeGreaterThanOrEqual(2 * chained.itemsPerExecution);
		expect(traffic.checks.length).toBe(10);
	});

	it('runs every engine scenario and reports finite figures', () => {
		expect(document.scenarios.map((scenario) => scenario.id)).toEqual(SCENARIOS);
		for (const scenario of document.scenarios) {
			expect(scenario.checks.length).toBeGreaterThan(0);
			for (const value of Object.values(scenario.figures)) {
				if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
				else expect(value).not.toMatch(/NaN|undefined/);
			}
		}
		const figures = Object.fromEntries(document.scenarios.map((scenario) => [scenario.id, scenario.figures]));
		expect(figures['loop-n'].requests_per_item).toBe(1);
		expect(figures['loop-no-n'].requests_per_item).toBe(5);
		expect(Number(figures['loop-no-n'].prompt_tokens_per_item)).toBeCloseTo(5 * Number(figures['loop-n'].prompt_tokens_per_item), 5);
		expect(figures['loop-refine']).toMatchObject({ requests_per_item: 2, rounds_per_item: 2, passed_in_round_2: '20 of 20' });
		expect(figures['rouge-library'].rouge1_max_abs_diff_plain).toBeLessThan(1e-9);
		expect(Number(figures['finetune-core'].validated_examples)).toBeGreaterThan(4_000);
	});

	it('writes well-formed markdown to the given path, not over bench/RESULTS.md', () => {
		expect(markdown.startsWith('# Benchmark results\n')).toBe(true);
		for (const heading of ['## Machine and versions', '## Verdicts:', '## 1. Side by side in real n8n', '## 1b. Real traffic in real n8n', '## 2. Reward Loop efficiency', '## 3. Score Output throughput', '## 3b. ROUGE against a maintained JS library', '## 4. Fine-tune', '## Every run in real n8n']) {
			expect(markdown).toContain(heading);
		}
		expect(markdown).not.toMatch(/\bNaN\b|\bundefined\b/);
		// Every table row has as many cells as its header.
		const lines = markdown.split('\n');
		let columns = 0;
		for (const [index, line] of lines.entries()) {
			if (!line.startsWith('|')) {
				columns = 0;
				continue;
			}
			const cells = line.replace(/\\\|/g, '').split('|').length - 2;
			if (columns === 0) {
				columns = cells;
				expect(lines[index + 1]).toBe(`|${Array.from({ length: columns }, () => '---').join('|')}|`);
			} else expect(cells).toBe(columns);
		}
		expect(existsSync(committed) ? statSync(committed).mtimeMs : undefined).toBe(committedBefore);
	});
});
