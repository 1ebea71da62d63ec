/**
 * The benchmark scenarios that run in n8n's engine (n8n-core in this process, no n8n server), each
 * in a fresh process so that its peak memory is its own (see run.ts):
 * - b, b50: Generate Text, 10,000 items at zero latency: items per second and peak memory.
 * - score-rules, score-bleu, score-rouge: Score Output's throughput (targets 50,000 and 5,000 items/s).
 * - rouge-library: our ROUGE against js-rouge (a maintained npm library) on the same texts: speed
 *   ratio and agreement of the values.
 * - loop-n, loop-no-n: Reward Loop best-of-5 with `n` (one request per round) and with five requests.
 * - loop-refine: refine with feedback, reaching the threshold in round 2.
 * - finetune-core: 100,000 examples built and validated by the core, streaming (bounds 20 s, 300 MB).
 * - finetune: the same through the Fine-Tune node in n8n's engine, the items in memory.
 * - finetune-realistic: 100,000 realistic examples (bench/realisticData.ts: about 1.8 KB each,
 *   multi-turn, weights, emoji, CJK, RTL, 20,000-character messages, planted duplicates) through
 *   the node, Build Dataset then Validate (bounds 30 s, 1 GB peak), n8n's binary data in
 *   filesystem mode (n8n 2.x's default); finetune-realistic-memory: the same in memory mode.
 * - faults: the fault matrix (bench/faults.ts), every way a server misbehaves, 200 items each,
 *   Continue On Fail on and off: 0 items lost and 0 keys leaked in every row.
 * - report: the Reward Report node in n8n's engine over 100,000 scored items, two variants paired
 *   by id (bound 5 s of node time).
 * - report-coverage: the report's 95% intervals checked for coverage by simulation (core only).
 * BENCH_QUICK=1 shrinks every count, for the smoke test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { IBinaryData, IDataObject } from 'n8n-workflow';

export const QUICK = process.env.BENCH_QUICK === '1';
const TSX = resolve(__dirname, '..', 'node_modules/.bin/tsx');

export interface Check {
	criterion: string;
	measured: string;
	bound: string;
	pass: boolean;
}

export interface ScenarioResult {
	id: string;
	section: 'engine' | 'loop' | 'score' | 'library' | 'finetune' | 'faults' | 'report';
	name: string;
	figures: Record<string, number | string>;
	/** A table of rows, for scenarios made of many runs (the fault matrix). */
	table?: { header: string[]; rows: Array<Array<string | number>> };
	checks: Check[];
	notes?: string[];
	/** Set by `npm run bench -- --update` on a scenario this run did not measure: the run that did. */
	carriedFrom?: { date: string; commit: string };
}

export const SCENARIOS = ['b', 'b50', 'batch', 'score-rules', 'score-bleu', 'score-rouge', 'rouge-library', 'loop-n', 'loop-no-n', 'loop-refine', 'finetune-core', 'finetune', 'finetune-realistic', 'finetune-realistic-memory', 'faults', 'report', 'report-coverage'];

const round = (value: number, digits = 2) => +value.toFixed(digits);
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function startServer(options: IDataObject): Promise<{ url: string; stop: () => void }> {
	const child = spawn(TSX, [resolve(__dirname, 'serverProcess.ts'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
	const url = await new Promise<string>((resolveUrl, reject) => {
		child.once('error', reject);
		child.stdout.once('data', (chunk: Buffer) => resolveUrl(chunk.toString().trim()));
	});
	return { url, stop: () => child.kill('SIGTERM') };
}

async function counters(url: string): Promise<IDataObject> {
	return (await (await fetch(`${url}/__counters`)).json()) as IDataObject;
}

type Harness = typeof import('../test/engine/harness');

const WORDS = 'the battery of this phone lasts a whole day with heavy use and charges fast while the screen stays bright in direct sunlight so reading maps outdoors is easy'.split(' ');

/** A deterministic text of `count` words, varied by `seed`. */
export function text(count: number, seed: number): string {
	return Array.from({ length: count }, (_, i) => WORDS[(i * 7 + seed * 13 + ((i * seed) % 5)) % WORDS.length]).join(' ');
}

const SENTENCES = [
	'The battery lasts 20 hours.',
	"It doesn't overheat, even on long trips.",
	'Charging is fast: 80% in 30 minutes!',
	'The screen stays bright in direct sunlight.',
	"I'd buy it again.",
	'Maps are easy to read outdoors.',
	"It's a well-built, light phone.",
	"The camera isn't great at night.",
	'Battery life is the best part; the speaker is the worst.',
	'Would I recommend it? Yes.',
];

/** Review-like prose of six sentences: capitals, punctuation, contractions, hyphens, numbers. */
export function prose(seed: number): string {
	return Array.from({ length: 6 }, (_, j) => SENTENCES[(seed * 3 + j * 7 + ((seed * j) % 4)) % SENTENCES.length]).join(' ');
}

export async function runScenario(id: string): Promise<ScenarioResult> {
	// Measured without n8n's engine loaded, so that their figures are the core's own.
	if (id === 'finetune-core') return fineTuneCoreScenario();
	if (id === 'rouge-library') return rougeLibraryScenario();
	if (id === 'report-coverage') return reportCoverageScenario();
	const harness = await import('../test/engine/harness');
	// n8n loads packages once at start-up, not per execution: keep that out of the timings.
	await harness.loadPackage();
	if (id === 'b' || id === 'b50') return throughputScenario(id, harness);
	if (id === 'batch') return batchScenario(harness);
	if (id.startsWith('score-')) return scoreScenario(id, harness);
	if (id === 'loop-refine') return refineScenario(harness);
	if (id.startsWith('loop-')) return bestOfScenario(id, harness);
	if (id === 'finetune') return fineTuneScenario(harness);
	if (id === 'finetune-realistic') return fineTuneRealisticScenario(harness, 'filesystem');
	if (id === 'finetune-realistic-memory') return fineTuneRealisticScenario(harness, 'memory');
	if (id === 'faults') return (await import('./faults')).faultMatrixScenario(harness, QUICK);
	if (id === 'report') return reportScenario(harness);
	throw new Error(`unknown scenario ${id}`);
}

const generateParameters = (options: IDataObject) => ({
	model: { __rl: true, mode: 'id', value: 'mock-small' },
	promptSource: 'prompt',
	prompt: '={{ $json.q }}',
	options,
});

async function throughputScenario(id: string, { runWorkflow, outputOf, runError }: Harness): Promise<ScenarioResult> {
	const concurrency = id === 'b' ? 10 : 50;
	const server = await startServer({});
	try {
		const count = QUICK ? 500 : 10_000;
		const items = Array.from({ length: count }, (_, i) => ({ q: `item ${i}` }));
		const started = performance.now();
		const run = await runWorkflow({ parameters: generateParameters({ concurrency }), items, credentials: { apiKey: 'sk-bench', baseUrl: server.url } });
		const wallMs = performance.now() - started;
		const output = outputOf(run);
		const failed = output.filter((item) => item.json.error !== undefined).length + (runError(run) ? count - output.length : 0);
		return {
			id,
			section: 'engine',
			name: `Generate Text in n8n's engine, ${count.toLocaleString('en-US')} items, zero latency, concurrency ${concurrency}${id === 'b' ? ' (default)' : ''}`,
			figures: {
				wall_s: round(wallMs / 1000),
				items_per_s: Math.round(count / (wallMs / 1000)),
				failed_items: failed,
				peak_rss_mb: peakRssMb(),
			},
			checks: [{ criterion: `Generate Text in the engine, ${count} items at concurrency ${concurrency}: failed items`, measured: `${failed} failed`, bound: '0 failed', pass: failed === 0 && output.length === count }],
		};
	} finally {
		server.stop();
	}
}

async function scoreScenario(id: string, { runWorkflow, outputOf, runError }: Harness): Promise<ScenarioResult> {
	const rules = [
		{ name: 'mentions', type: 'contains', values: 'battery\ncharge', containsMode: 'any' },
		{ name: 'no_ads', type: 'banned_terms', terms: 'buy now\ndiscount\nlimited offer', mustPass: true },
		{ name: 'hours', type: 'regex', pattern: '\\b\\d+ hours?\\b' },
		{ name: 'brief', type: 'length', unit: 'words', min: 5, max: 150 },
		{ name: 'opens', type: 'starts_with', value: 'the' },
	];
	const setups: Record<string, { label: string; scorers: object[]; count: number; target: number }> = {
		'score-rules': { label: 'Score Output, 5 rule scorers (contains, banned terms, regex, length, starts with), 100-word texts', scorers: rules, count: 100_000, target: 50_000 },
		'score-bleu': { label: 'Score Output, BLEU against a reference, 100-word texts', scorers: [{ name: 'bleu', type: 'text_similarity', metric: 'bleu', reference: '{{item.reference}}' }], count: 20_000, target: 5_000 },
		'score-rouge': {
			label: 'Score Output, ROUGE-1, ROUGE-2 and ROUGE-L against a reference (3 scorers per item), 100-word texts',
			scorers: ['rouge_1', 'rouge_2', 'rouge_l'].map((metric) => ({ name: metric, type: 'text_similarity', metric, reference: '{{item.reference}}' })),
			count: 20_000,
			target: 5_000,
		},
	};
	const setup = setups[id];
	const count = QUICK ? Math.round(setup.count / 20) : setup.count;
	const items = Array.from({ length: count }, (_, i) => ({ text: text(100, i), reference: text(100, i + 1) }));
	const parameters = { mode: 'scorers', textField: 'text', scorers: { scorer: setup.scorers }, threshold: 0.5 };
	// One warm-up run so the timed one measures steady-state code, not the first compilation.
	await runWorkflow({ nodeType: 'n8n-nodes-reward-loop.scoreOutput', parameters, items: items.slice(0, 2000) });
	const started = performance.now();
	const run = await runWorkflow({ nodeType: 'n8n-nodes-reward-loop.scoreOutput', parameters, items });
	const wallMs = performance.now() - started;
	const output = outputOf(run);
	const perSecond = Math.round(count / (wallMs / 1000));
	const ok = !runError(run) && output.length === count && output.every((item) => typeof item.json.reward === 'number');
	return {
		id,
		section: 'score',
		name: `${setup.label}, ${count.toLocaleString('en-US')} items`,
		figures: { items: count, wall_s: round(wallMs / 1000), items_per_s: perSecond, target_items_per_s: setup.target, ratio_to_target: round(perSecond / setup.target), peak_rss_mb: peakRssMb() },
		checks: [{ criterion: `${setup.label}: items/s`, measured: perSecond.toLocaleString('en-US'), bound: `>= ${setup.target.toLocaleString('en-US')}`, pass: ok && perSecond >= setup.target }],
	};
}

/** Our ROUGE (core/scoring/metrics/rouge.ts) against js-rouge on the same pairs. */
async function rougeLibraryScenario(): Promise<ScenarioResult> {
	const { rouge } = await import('../core/scoring/metrics/rouge');
	const library = await import('js-rouge');
	const { version } = JSON.parse(readFileSync(resolve(__dirname, '..', 'node_modules/js-rouge/package.json'), 'utf8')) as { version: string };
	const count = QUICK ? 300 : 5_000;
	const plain = Array.from({ length: count }, (_, i) => [text(100, i), text(100, i + 1)] as const);
	const reviews = Array.from({ length: count }, (_, i) => [prose(i), prose(i + 5)] as const);
	const metrics = [
		{ id: 'rouge1', ours: (c: string, r: string) => rouge(r, c, 'rouge1').fmeasure, theirs: (c: string, r: string) => library.n(c, r, { n: 1, caseSensitive: false }) },
		{ id: 'rouge2', ours: (c: string, r: string) => rouge(r, c, 'rouge2').fmeasure, theirs: (c: string, r: string) => library.n(c, r, { n: 2, caseSensitive: false }) },
		{ id: 'rougeL', ours: (c: string, r: string) => rouge(r, c, 'rougeL').fmeasure, theirs: (c: string, r: string) => library.l(c, r, { caseSensitive: false }) },
	];
	const time = (score: (c: string, r: string) => number, pairs: ReadonlyArray<readonly [string, string]>) => {
		for (const [c, r] of pairs.slice(0, 200)) score(c, r);
		const started = performance.now();
		let sink = 0;
		for (const [c, r] of pairs) sink += score(c, r);
		const ms = performance.now() - started;
		return { perSecond: Math.round(pairs.length / (ms / 1000)), sink };
	};
	const figures: Record<string, number | string> = { pairs: count, js_rouge_version: version };
	const checks: Check[] = [];
	for (const metric of metrics) {
		const ours = time(metric.ours, plain);
		const theirs = time(metric.theirs, plain);
		let plainDiff = 0;
		let reviewDiff = 0;
		let reviewDiffering = 0;
		for (const [c, r] of plain) plainDiff = Math.max(plainDiff, Math.abs(metric.ours(c, r) - metric.theirs(c, r)));
		for (const [c, r] of reviews) {
			const difference = Math.abs(metric.ours(c, r) - metric.theirs(c, r));
			reviewDiff = Math.max(reviewDiff, difference);
			if (difference > 1e-9) reviewDiffering++;
		}
		figures[`${metric.id}_ours_pairs_per_s`] = ours.perSecond;
		figures[`${metric.id}_js_rouge_pairs_per_s`] = theirs.perSecond;
		figures[`${metric.id}_speed_ratio`] = round(ours.perSecond / theirs.perSecond, 1);
		figures[`${metric.id}_max_abs_diff_plain`] = Number(plainDiff.toExponential(2));
		figures[`${metric.id}_max_abs_diff_reviews`] = round(reviewDiff, 4);
		figures[`${metric.id}_reviews_differing`] = `${reviewDiffering} of ${count}`;
		checks.push({ criterion: `${metric.id}: same value as js-rouge on lowercase word texts`, measured: `max |diff| ${plainDiff.toExponential(2)}`, bound: '<= 1e-9', pass: plainDiff <= 1e-9 });
	}
	return {
		id: 'rouge-library',
		section: 'library',
		name: `ROUGE F1, ours against js-rouge ${version} (npm), ${count.toLocaleString('en-US')} pairs of 100-word texts, and ${count.toLocaleString('en-US')} pairs of six-sentence reviews`,
		figures,
		checks,
		notes: [
			'Speed: each function on the same 100-word pairs, after a warm-up, in one process (no n8n).',
			"Plain texts (lowercase words, no punctuation): both tokenise the same way, so the values agree to rounding. js-rouge runs with caseSensitive: false, since ours lowercases as Google's rouge-score does.",
			"Reviews (capitals, punctuation, contractions, hyphens, numbers): the values differ by design. Ours follows Google's rouge-score: tokens are the runs of [a-z0-9] of the lowercased text, so punctuation is dropped and \"doesn't\" gives \"doesn\" and \"t\". js-rouge uses a Penn Treebank tokenizer: punctuation marks are tokens (\".\" and \",\" match across texts) and \"doesn't\" gives \"does\" and \"n't\". For ROUGE-L, js-rouge computes the summary-level union LCS over sentences (rougeLsum in rouge-score), ours the plain LCS over the whole text (rougeL).",
		],
	};
}

async function bestOfScenario(id: string, { runWorkflow, outputOf, runError }: Harness): Promise<ScenarioResult> {
	const useN = id === 'loop-n';
	const server = await startServer({ latencyMs: 50 });
	try {
		const count = QUICK ? 20 : 200;
		const question = 'Describe the battery life, the charging speed and the screen of this phone for a customer who travels a lot and reads maps outdoors; keep it short and concrete. ';
		const items = Array.from({ length: count }, (_, i) => ({ q: `${question}(customer ${i})` }));
		const started = performance.now();
		const run = await runWorkflow({
			nodeType: 'n8n-nodes-reward-loop.rewardLoop',
			parameters: {
				rewardSource: 'scorers',
				model: { __rl: true, mode: 'id', value: 'mock-small' },
				promptSource: 'prompt',
				prompt: '={{ $json.q }}',
				options: { concurrency: 20 },
				candidatesPerRound: 5,
				maxRounds: 1,
				mode: 'scorers',
				scorers: { scorer: [{ name: 'battery', type: 'contains', values: 'battery' }, { name: 'brief', type: 'length', unit: 'words', max: 40 }] },
				threshold: 0.5,
				loopOptions: { useN, includeHistory: false },
			},
			items,
			credentials: { apiKey: 'sk-bench', baseUrl: server.url },
		});
		const wallMs = performance.now() - started;
		const output = outputOf(run);
		const seen = await counters(server.url);
		const sum = (key: string) => output.reduce((total, item) => total + Number((item.json.usage as IDataObject | undefined)?.[key] ?? 0), 0);
		const ok = !runError(run) && output.length === count && output.every((item) => item.json.error === undefined && item.json.candidatesTried === 5);
		const requestsPerItem = Number(seen.chatRequests) / count;
		return {
			id,
			section: 'loop',
			name: `Reward Loop, best-of-5, ${count} items, 50 ms latency, ${useN ? 'one request per round with n = 5' : 'five requests per round (n off, the DSPy BestOfN way)'}`,
			figures: {
				wall_s: round(wallMs / 1000),
				items_per_s: Math.round(count / (wallMs / 1000)),
				requests_per_item: round(requestsPerItem),
				prompt_tokens_per_item: round(sum('promptTokens') / count, 1),
				completion_tokens_per_item: round(sum('completionTokens') / count, 1),
				candidates_per_item: round(output.reduce((t, item) => t + Number(item.json.candidatesTried), 0) / count),
			},
			checks: [
				{ criterion: `best-of-5 ${useN ? 'with n' : 'without n'}: 5 candidates for every item`, measured: ok ? 'all items' : 'not all items', bound: 'all items', pass: ok },
				...(useN ? [{ criterion: 'best-of-5 with n: requests per round', measured: String(round(requestsPerItem)), bound: '1', pass: requestsPerItem === 1 }] : []),
			],
		};
	} finally {
		server.stop();
	}
}

async function refineScenario({ runWorkflow, outputOf, runError }: Harness): Promise<ScenarioResult> {
	const server = await startServer({ latencyMs: 50, answerPreset: 'refine' });
	try {
		const count = QUICK ? 20 : 200;
		const items = Array.from({ length: count }, (_, i) => ({ q: `Describe this phone for a customer who travels a lot (customer ${i}).` }));
		const started = performance.now();
		const run = await runWorkflow({
			nodeType: 'n8n-nodes-reward-loop.rewardLoop',
			parameters: {
				rewardSource: 'scorers',
				model: { __rl: true, mode: 'id', value: 'mock-small' },
				promptSource: 'prompt',
				prompt: '={{ $json.q }}',
				options: { concurrency: 20 },
				candidatesPerRound: 1,
				maxRounds: 5,
				mode: 'scorers',
				scorers: { scorer: [{ name: 'battery', type: 'contains', values: 'battery' }, { name: 'hours', type: 'contains', values: 'hours' }] },
				threshold: 0.99,
				loopOptions: { includeHistory: false },
			},
			items,
			credentials: { apiKey: 'sk-bench', baseUrl: server.url },
		});
		const wallMs = performance.now() - started;
		const output = outputOf(run);
		const seen = await counters(server.url);
		const sum = (key: string) => output.reduce((total, item) => total + Number((item.json.usage as IDataObject | undefined)?.[key] ?? 0), 0);
		const inRoundTwo = output.filter((item) => item.json.pass === true && item.json.roundsUsed === 2).length;
		return {
			id: 'loop-refine',
			section: 'loop',
			name: `Reward Loop, refine with feedback (1 candidate per round, up to 5 rounds), ${count} items, 50 ms latency, the threshold reached in round 2`,
			figures: {
				wall_s: round(wallMs / 1000),
				items_per_s: Math.round(count / (wallMs / 1000)),
				requests_per_item: round(Number(seen.chatRequests) / count),
				prompt_tokens_per_item: round(sum('promptTokens') / count, 1),
				completion_tokens_per_item: round(sum('completionTokens') / count, 1),
				rounds_per_item: round(output.reduce((t, item) => t + Number(item.json.roundsUsed), 0) / count),
				passed_in_round_2: `${inRoundTwo} of ${count}`,
			},
			checks: [{ criterion: 'refine: every item passes in round 2, with 2 requests', measured: `${inRoundTwo} of ${count}, ${round(Number(seen.chatRequests) / count)} requests/item`, bound: `${count} of ${count}, 2 requests/item`, pass: !runError(run) && inRoundTwo === count && Number(seen.chatRequests) === 2 * count }],
		};
	} finally {
		server.stop();
	}
}

/**
 * Build Dataset (supervised, OpenAI format, 10 % validation) then Validate, in n8n's engine, timed:
 * the wall time, each node's execution time, Build Dataset's counts and Validate's report.
 */
async function buildThenValidate(runWorkflow: Harness['runWorkflow'], items: IDataObject[], buildParameters: IDataObject = {}, executionId?: string) {
	const started = performance.now();
	const run = await runWorkflow({
		executionId,
		nodeType: 'n8n-nodes-reward-loop.fineTune',
		parameters: { provider: 'export', operation: 'buildDataset', kind: 'supervised', format: 'openai', ...buildParameters, datasetOptions: { validationFraction: 0.1 } },
		items,
		extra: {
			nodes: [
				{
					id: 'validate',
					name: 'Validate',
					type: 'n8n-nodes-reward-loop.fineTune',
					typeVersion: 1,
					position: [400, 0],
					parameters: { provider: 'export', operation: 'validate', binaryProperty: 'data', validateOptions: { model: 'gpt-4.1-mini', pricePerMillionTokens: 25 } },
				},
			],
			connections: { 'Node Under Test': { main: [[{ node: 'Validate', type: 'main', index: 0 }]] } },
		},
	});
	const wallMs = performance.now() - started;
	const buildTask = run.data.resultData.runData['Node Under Test']?.[0];
	const validateTask = run.data.resultData.runData.Validate?.[0];
	return {
		run,
		wallMs,
		built: buildTask?.executionTime ?? 0,
		validated: validateTask?.executionTime ?? 0,
		counts: buildTask?.data?.main[0]?.[0]?.json as IDataObject | undefined,
		/** Build Dataset's files as n8n holds them (an id in a stored mode, base64 in memory mode). */
		files: Object.values(buildTask?.data?.main[0]?.[0]?.binary ?? {}) as IBinaryData[],
		report: validateTask?.data?.main[0]?.[0]?.json as IDataObject | undefined,
	};
}

async function fineTuneScenario({ runWorkflow, runError }: Harness): Promise<ScenarioResult> {
	const count = QUICK ? 5_000 : 100_000;
	const items = Array.from({ length: count }, (_, i) => ({ prompt: `Case ${i}: ${text(20, i)}?`, response: `${text(40, i + 7)} (${i})` }));
	const { run, wallMs, built, validated, report } = await buildThenValidate(runWorkflow, items, { datasetFields: { systemMessage: 'Answer briefly.' } });
	const ok = !runError(run) && report?.ok === true;
	return {
		id: 'finetune',
		section: 'finetune',
		name: `Fine-Tune node in n8n's engine, Build Dataset then Validate, ${count.toLocaleString('en-US')} supervised examples (items in memory, as n8n holds them)`,
		figures: {
			examples: count,
			build_s: round(built / 1000),
			validate_s: round(validated / 1000),
			nodes_s: round((built + validated) / 1000),
			examples_per_s: Math.round(count / ((built + validated) / 1000)),
			validated_examples: Number(report?.examples ?? 0),
			trained_tokens_estimate: Number((report?.estimate as IDataObject | undefined)?.trainedTokens ?? 0),
			wall_s: round(wallMs / 1000),
			peak_rss_mb: peakRssMb(),
		},
		checks: [{ criterion: `Fine-Tune node: ${count.toLocaleString('en-US')} examples built and validated (node time)`, measured: `${round((built + validated) / 1000)} s`, bound: '< 20 s', pass: ok && built + validated < 20_000 }],
		notes: ['Peak memory here includes n8n-core and the 100,000 input items n8n holds in memory; the 300 MB bound is the streaming core\'s (finetune-core).'],
	};
}

/** Every file under `folder` and their bytes (n8n's stored binary data and its .metadata files). */
function filesUnder(folder: string): { files: number; metadata: number; bytes: number } {
	const found = { files: 0, metadata: 0, bytes: 0 };
	for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
		if (!entry.isFile()) continue;
		if (entry.name.endsWith('.metadata')) found.metadata++;
		else {
			found.files++;
			found.bytes += statSync(join(entry.parentPath, entry.name)).size;
		}
	}
	return found;
}

/**
 * Realistic data through the node: what users get, not only short rows. 'filesystem' is n8n 2.x's
 * default binary data mode (outside queue mode), set up as n8n does; 'memory' is the base64 in the
 * item that n8n 3 removes, measured beside it.
 */
async function fineTuneRealisticScenario({ runWorkflow, runError, useBinaryDataMode }: Harness, mode: 'filesystem' | 'memory'): Promise<ScenarioResult> {
	const { realisticItems, plantedDuplicates } = await import('./realisticData');
	const storage = mkdtempSync(join(tmpdir(), 'reward-loop-bench-binary-'));
	try {
		await useBinaryDataMode(mode === 'filesystem' ? 'filesystem' : 'default', storage);
		const count = QUICK ? 5_000 : 100_000;
		const items = Array.from(realisticItems(count));
		const itemsMb = round(items.reduce((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)), 0) / 1024 / 1024, 1);
		const { run, wallMs, built, validated, counts, report, files } = await buildThenValidate(runWorkflow, items, {}, 'bench-realistic');
		const nodeSeconds = round((built + validated) / 1000);
		const peak = peakRssMb();
		const duplicates = Number(counts?.duplicates ?? -1);
		const ok = !runError(run) && report?.ok === true;
		const trainedTokens = Number((report?.estimate as IDataObject | undefined)?.trainedTokens ?? 0);
		const stored = filesUnder(storage);
		// Where the training file went: an id of n8n's store, or base64 text in the item.
		const onDisk = files.length > 0 && files.every((file) => file.id !== undefined);
		const inItem = files.length > 0 && files.every((file) => file.id === undefined && file.data.length > 0);
		const id = `finetune-realistic${mode === 'memory' ? '-memory' : ''}`;
		const label = mode === 'filesystem' ? "binary data in filesystem mode (n8n 2.x's default)" : 'binary data in memory mode (removed in n8n 3)';
		return {
			id,
			section: 'finetune',
			name: `Fine-Tune node in n8n's engine, Build Dataset then Validate, ${count.toLocaleString('en-US')} realistic supervised examples (bench/realisticData.ts), ${label}`,
			figures: {
				binary_data_mode: mode,
				examples: count,
				items_mb: itemsMb,
				mean_example_kb: round((itemsMb * 1024) / count, 2),
				build_s: round(built / 1000),
				validate_s: round(validated / 1000),
				nodes_s: nodeSeconds,
				examples_per_s: Math.round(count / ((built + validated) / 1000)),
				duplicates_removed: duplicates,
				train_rows: Number(counts?.train ?? 0),
				validation_rows: Number(counts?.validation ?? 0),
				validated_examples: Number((report?.summary as IDataObject | undefined)?.examples ?? 0),
				trained_tokens_estimate: trainedTokens,
				files_stored: stored.files,
				stored_mb: round(stored.bytes / 1024 / 1024, 1),
				wall_s: round(wallMs / 1000),
				peak_rss_mb: peak,
			},
			checks: [
				{ criterion: `Fine-Tune node, ${mode} mode: ${count.toLocaleString('en-US')} realistic examples built and validated (node time / bound)`, measured: `${nodeSeconds} s / 30 s = ${(nodeSeconds / 30).toFixed(2)}`, bound: '< 30 s', pass: ok && built + validated < 30_000 },
				{ criterion: `Fine-Tune node, ${mode} mode: ${count.toLocaleString('en-US')} realistic examples built and validated, peak memory (RSS, with n8n-core and the items; peak / bound)`, measured: `${peak} MB / 1,024 MB = ${(peak / 1024).toFixed(2)}`, bound: '< 1,024 MB', pass: ok && peak < 1024 },
				{ criterion: `Fine-Tune node, ${mode} mode: the planted exact duplicates removed`, measured: String(duplicates), bound: String(plantedDuplicates(count)), pass: duplicates === plantedDuplicates(count) },
				mode === 'filesystem'
					? { criterion: 'Fine-Tune node, filesystem mode: the training and validation files stored on disk by n8n, not in the items', measured: `${stored.files} files (${round(stored.bytes / 1024 / 1024, 1)} MB), ids in the items: ${onDisk ? 'yes' : 'no'}`, bound: `${files.length} files, ids`, pass: onDisk && stored.files === files.length }
					: { criterion: 'Fine-Tune node, memory mode: the files held in the items as base64, none on disk', measured: `${stored.files} files on disk, base64 in the items: ${inItem ? 'yes' : 'no'}`, bound: '0 files, base64', pass: inItem && stored.files === 0 },
			],
			notes: [
				'Peak memory includes n8n-core and the input items n8n holds in memory (items_mb as JSON).',
				mode === 'filesystem'
					? "Binary data set up as n8n's start-up does (BinaryDataConfig mode 'filesystem' with a temporary storage path, then BinaryDataService.init()): Build Dataset's files are written there (files_stored, stored_mb) and Validate reads the training file back as a stream."
					: "Memory mode (BinaryDataConfig mode 'default'): each file is base64 text in its item, which Validate decodes a slice at a time.",
			],
		};
	} finally {
		rmSync(storage, { recursive: true, force: true });
	}
}

/** The streaming claim: the core builds and validates 100,000 examples from a generator under 300 MB. */
async function fineTuneCoreScenario(): Promise<ScenarioResult> {
	const { buildDataset } = await import('../core/finetune/buildDataset');
	const { readJsonlLines } = await import('../core/finetune/jsonl');
	const { validateTrainingFile } = await import('../core/finetune/validate');
	const count = QUICK ? 5_000 : 100_000;
	function* items() {
		for (let i = 0; i < count; i++) yield { prompt: `Case ${i}: ${text(20, i)}?`, response: `${text(40, i + 7)} (${i})` };
	}
	const started = performance.now();
	const built = buildDataset(items(), { kind: 'supervised', format: 'openai', supervised: { systemMessage: 'Answer briefly.' }, validationFraction: 0.1 }, () => undefined);
	const builtMs = performance.now() - started;
	const report = await validateTrainingFile(readJsonlLines(built.train), { model: 'gpt-4.1-mini', pricePerMillionTokens: 25 });
	const wallMs = performance.now() - started;
	const peak = peakRssMb();
	return {
		id: 'finetune-core',
		section: 'finetune',
		name: `Fine-Tune core, streaming: ${count.toLocaleString('en-US')} examples built (OpenAI format, 10% validation) then validated with token counts`,
		figures: {
			examples: count,
			build_s: round(builtMs / 1000),
			validate_s: round((wallMs - builtMs) / 1000),
			wall_s: round(wallMs / 1000),
			examples_per_s: Math.round(count / (wallMs / 1000)),
			build_examples_per_s: Math.round(count / (builtMs / 1000)),
			validate_examples_per_s: Math.round(report.examples / ((wallMs - builtMs) / 1000)),
			training_file_mb: round(built.train.length / 1024 / 1024, 1),
			validated_examples: report.examples,
			peak_rss_mb: peak,
		},
		checks: [
			{ criterion: `Fine-Tune core: ${count.toLocaleString('en-US')} examples built and validated, time`, measured: `${round(wallMs / 1000)} s`, bound: '< 20 s', pass: report.ok && wallMs < 20_000 },
			{ criterion: `Fine-Tune core: ${count.toLocaleString('en-US')} examples built and validated, peak memory (RSS)`, measured: `${peak} MB`, bound: '< 300 MB', pass: report.ok && peak < 300 },
		],
	};
}

async function reportScenario({ runWorkflow, runError }: Harness): Promise<ScenarioResult> {
	const { seededRandom } = await import('../core/report/statistics');
	const count = QUICK ? 10_000 : 100_000;
	const random = seededRandom(11);
	// Score Output's items for two models on the same questions: reward, pass, two scorers, usage.
	const items: IDataObject[] = [];
	let sum = 0;
	for (let i = 0; i < count; i++) {
		const model = i % 2 ? 'tuned' : 'base';
		const reward = Math.min(1, random() * 0.9 + (model === 'tuned' ? 0.1 : 0));
		sum += reward;
		items.push({
			model,
			q: i >> 1,
			text: text(12, i),
			reward,
			pass: reward >= 0.6,
			scores: { rule: { score: reward > 0.3 ? 1 : 0, pass: reward > 0.3, reason: 'rule' }, similarity: { score: reward, pass: reward >= 0.6, reason: 'similarity' } },
			usage: { promptTokens: 40, completionTokens: 60, totalTokens: 100 },
		});
	}
	const started = performance.now();
	const run = await runWorkflow({
		nodeType: 'n8n-nodes-reward-loop.rewardReport',
		parameters: { variantField: 'model', idField: 'q', baseline: 'base', options: { inputPricePerMillion: 0.4, outputPricePerMillion: 1.6 } },
		items,
	});
	const wallMs = performance.now() - started;
	const task = run.data.resultData.runData['Node Under Test']?.[0];
	const nodeMs = task?.executionTime ?? 0;
	const report = task?.data?.main[0]?.[0];
	const summary = report?.json.summary as { n: number; variants: Array<{ n: number; meanReward: number }> } | undefined;
	const reportMean = summary ? summary.variants.reduce((total, v) => total + v.meanReward * v.n, 0) / summary.n : NaN;
	const ok = !runError(run) && summary?.n === count && Math.abs(reportMean - sum / count) < 1e-9;
	const htmlBytes = report?.binary?.report ? Buffer.from(report.binary.report.data, 'base64').length : 0;
	return {
		id: 'report',
		section: 'report',
		name: `Reward Report node in n8n's engine, ${count.toLocaleString('en-US')} scored items, two variants paired by id (2,000 bootstrap resamples per interval)`,
		figures: { items: count, node_s: round(nodeMs / 1000), wall_s: round(wallMs / 1000), html_kb: Math.round(htmlBytes / 1024), peak_rss_mb: peakRssMb() },
		checks: [
			{ criterion: `Reward Report: ${count.toLocaleString('en-US')} items, n and mean as the items`, measured: ok ? 'equal' : 'different', bound: 'equal', pass: ok },
			{ criterion: `Reward Report: ${count.toLocaleString('en-US')} items, time (node)`, measured: `${round(nodeMs / 1000)} s`, bound: '< 5 s', pass: ok && nodeMs < 5_000 },
		],
	};
}

/**
 * Coverage of the report's 95% intervals by simulation: samples from known distributions, the share
 * of intervals that hold the true value. The percentile bootstrap is known to undercover a little at
 * small n; the bound allows 0.92 to 0.98 (0.90 to 0.99 for the quick run's 200 samples).
 */
async function reportCoverageScenario(): Promise<ScenarioResult> {
	const { bootstrapMeanInterval, comparePaired, seededRandom, wilsonInterval } = await import('../core/report/statistics');
	const repetitions = QUICK ? 200 : 1_000;
	const n = 50;
	const random = seededRandom(2026);
	// Beta(2, 5)-like rewards from the mean of two uniforms squared: mean E[((u+v)/2)²] = 7/24.
	const draw = () => ((random() + random()) / 2) ** 2;
	const trueMean = 7 / 24;
	const passP = 0.3;
	let meanHits = 0;
	let passHits = 0;
	let pairedHits = 0;
	for (let r = 0; r < repetitions; r++) {
		const values = Array.from({ length: n }, draw);
		const interval = bootstrapMeanInterval(values, { seed: r + 1 })!;
		if (interval.low <= trueMean && trueMean <= interval.high) meanHits++;
		let passed = 0;
		for (let i = 0; i < n; i++) if (random() < passP) passed++;
		const wilson = wilsonInterval(passed, n)!;
		if (wilson.low <= passP && passP <= wilson.high) passHits++;
		// Paired: b = a + 0.05 + noise; the true mean difference is 0.05.
		const a = Array.from({ length: n }, draw);
		const b = a.map((value) => value + 0.05 + (random() - 0.5) * 0.4);
		const paired = comparePaired(a, b, { seed: r + 1 }).interval!;
		if (paired.low <= 0.05 && 0.05 <= paired.high) pairedHits++;
	}
	const share = (hits: number) => round(hits / repetitions, 3);
	// 200 samples (quick) measure a coverage to about ±0.015, 1,000 to about ±0.007: a wider bound for fewer.
	const [low, high] = QUICK ? [0.9, 0.99] : [0.92, 0.98];
	const check = (what: string, hits: number) => ({ criterion: `Reward Report: coverage of the 95% ${what}, n = ${n}, ${repetitions} samples`, measured: String(share(hits)), bound: `${low} to ${high}`, pass: share(hits) >= low && share(hits) <= high });
	return {
		id: 'report-coverage',
		section: 'report',
		name: `Reward Report: coverage of its 95% intervals by simulation, ${repetitions.toLocaleString('en-US')} samples of ${n}`,
		figures: { samples: repetitions, n, bootstrap_mean: share(meanHits), wilson_pass_rate: share(passHits), paired_bootstrap_difference: share(pairedHits) },
		checks: [check('bootstrap interval of the mean', meanHits), check('Wilson interval (p = 0.3)', passHits), check('paired bootstrap interval of the mean difference', pairedHits)],
	};
}

/** gpt-4.1-mini's list prices per million tokens (input, output), to put a figure on the discount; the Batch API bills half. */
const PRICE_PER_MILLION = { input: 0.4, output: 1.6 };
const BATCH_DISCOUNT = 0.5;

/**
 * Generate Text in Batch mode (issue 20): 10,000 items submitted as one batch, then collected the
 * way a workflow's Wait loop does (Collect run again until the batch has ended), against the test
 * server's Batch API in its own process.
 */
async function batchScenario({ runWorkflow, outputOf, runError }: Harness): Promise<ScenarioResult> {
	const server = await startServer({ batches: { stepMs: 20 } });
	try {
		const count = QUICK ? 500 : 10_000;
		const items = Array.from({ length: count }, (_, i) => ({ q: `item ${i}` }));
		const credentials = { apiKey: 'sk-bench', baseUrl: server.url };
		const nodeTime = (run: Awaited<ReturnType<typeof runWorkflow>>) => run.data.resultData.runData['Node Under Test']?.[0]?.executionTime ?? 0;
		const submitted = await runWorkflow({ parameters: { ...generateParameters({}), mode: 'batchSubmit' }, items, credentials, executionId: 'bench-batch' });
		const submitMs = nodeTime(submitted);
		const submittedItems = outputOf(submitted).map((item) => item.json);
		let polls = 0;
		let collected;
		const waitStarted = performance.now();
		for (;;) {
			polls++;
			collected = await runWorkflow({ parameters: { mode: 'batchCollect' }, items: submittedItems, credentials });
			if (runError(collected) || outputOf(collected, 0).length > 0 || polls >= 600) break;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		const waitedMs = performance.now() - waitStarted;
		const collectMs = nodeTime(collected);
		const done = outputOf(collected, 0);
		const delivered = done.filter((item, i) => item.json.text === `Echo: item ${i}` && (item.pairedItem as { item: number }).item === i).length;
		const lost = count - delivered;
		let promptTokens = 0;
		let completionTokens = 0;
		for (const item of done) {
			const usage = item.json.usage as { promptTokens?: number; completionTokens?: number } | undefined;
			promptTokens += usage?.promptTokens ?? 0;
			completionTokens += usage?.completionTokens ?? 0;
		}
		const syncCost = (promptTokens * PRICE_PER_MILLION.input + completionTokens * PRICE_PER_MILLION.output) / 1e6;
		const batches = Number((await counters(server.url)).batchesCreated ?? 0);
		return {
			id: 'batch',
			section: 'engine',
			name: `Generate Text in Batch mode in n8n's engine, ${count.toLocaleString('en-US')} items: Submit, then Collect until the batch has ended (test server, a status every 20 ms)`,
			figures: {
				items: count,
				submit_s: round(submitMs / 1000),
				collect_s: round(collectMs / 1000),
				collect_runs: polls,
				waited_s: round(waitedMs / 1000),
				batches_created: batches,
				lost_items: lost,
				peak_rss_mb: peakRssMb(),
				prompt_tokens: promptTokens,
				completion_tokens: completionTokens,
				cost_synchronous_usd: round(syncCost, 4),
				cost_batch_usd: round(syncCost * BATCH_DISCOUNT, 4),
			},
			checks: [
				{ criterion: `Batch mode: every one of ${count.toLocaleString('en-US')} items delivered in its place`, measured: `${lost} lost`, bound: '0 lost', pass: lost === 0 && !runError(collected) },
				{ criterion: 'Batch mode: one batch for all items, none created by Collect', measured: `${batches} batch${batches === 1 ? '' : 'es'}`, bound: '1', pass: batches === 1 },
				{ criterion: `Batch mode: Submit of ${count.toLocaleString('en-US')} items (node time)`, measured: `${round(submitMs / 1000)} s`, bound: '< 10 s', pass: submitMs < 10_000 },
			],
			notes: [
				`Cost at gpt-4.1-mini's list prices ($${PRICE_PER_MILLION.input} per million input tokens, $${PRICE_PER_MILLION.output} per million output tokens) from the items' usage; the Batch API bills half of the synchronous price.`,
				'waited_s is the time until the test server\'s batch ended, with Collect run every 100 ms as a Wait loop would (in n8n the Wait is 65 s or more and holds no memory).',
			],
		};
	} finally {
		server.stop();
	}
}
