/**
 * npm run bench: Generate Text through n8n's engine against the test server in another process.
 * (a) 200 items, 100 ms latency, a 1,200 requests/min limit enforced per second: wall time, failed
 *     items and 429s, against the bound 200 / 20 per second = 10 s (pass: <= 1.15 x the bound).
 * (b) 10,000 items at zero latency: items per second and peak memory.
 * (c) Score Output with rule scorers: items per second (target >= 50,000).
 * (d) Score Output with BLEU and with ROUGE on 100-word texts: items per second (target >= 5,000).
 * (e) Reward Loop, best-of-5 on 200 items, with n (one request per round) and without: requests and
 *     tokens per item, items per second.
 * (f) Fine-Tune: building and validating 100,000 examples, streaming in the core (peak memory
 *     bound: 300 MB), and through the node in n8n's engine with the items in memory: examples/s.
 * Each scenario runs in a fresh process so that its peak memory is its own.
 */
import { spawn, execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { IDataObject } from 'n8n-workflow';

const ROOT = resolve(__dirname, '..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

interface ScenarioResult {
	name: string;
	figures: Record<string, number | string>;
	pass?: boolean;
}

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

async function runScenario(name: string): Promise<ScenarioResult> {
	// Measured without n8n's engine loaded, so that its peak memory is the core's own.
	if (name === 'finetune-core') return fineTuneCoreScenario();
	const { runWorkflow, outputOf, runError, loadPackage } = await import('../test/engine/harness');
	// n8n loads packages once at start-up, not per execution: keep that out of the timings.
	await loadPackage();
	const parameters = (options: IDataObject) => ({
		model: { __rl: true, mode: 'id', value: 'mock-small' },
		promptSource: 'prompt',
		prompt: '={{ $json.q }}',
		options,
	});
	const items = (count: number) => Array.from({ length: count }, (_, i) => ({ q: `item ${i}` }));

	if (name === 'a') {
		const server = await startServer({ latencyMs: 100, requestsPerMinute: 1200 });
		try {
			const started = performance.now();
			const run = await runWorkflow({ parameters: parameters({}), items: items(200), credentials: { apiKey: 'sk-bench', baseUrl: server.url }, continueOnFail: true });
			const wallMs = performance.now() - started;
			const output = outputOf(run);
			const failed = output.filter((item) => item.json.error !== undefined).length + (runError(run) ? 200 - output.length : 0);
			const seen = await counters(server.url);
			const boundMs = (200 / (1200 / 60)) * 1000;
			return {
				name: '(a) 200 items, 100 ms latency, 1,200 requests/min (20/s), default concurrency',
				figures: {
					wall_s: +(wallMs / 1000).toFixed(2),
					bound_s: boundMs / 1000,
					ratio_to_bound: +(wallMs / boundMs).toFixed(3),
					failed_items: failed,
					http_429_seen: Number(seen.rateLimited),
					requests_sent: Number(seen.chatRequests),
				},
				pass: failed === 0 && wallMs <= 1.15 * boundMs,
			};
		} finally {
			server.stop();
		}
	}

	if (name.startsWith('score-')) return scoreScenario(name, runWorkflow, outputOf, runError);
	if (name.startsWith('loop-')) return loopScenario(name, runWorkflow, outputOf, runError);
	if (name === 'finetune') return fineTuneScenario(runWorkflow, runError);

	const concurrency = name === 'b' ? 10 : 50;
	const server = await startServer({});
	try {
		const count = 10_000;
		const started = performance.now();
		const run = await runWorkflow({ parameters: parameters({ concurrency }), items: items(count), credentials: { apiKey: 'sk-bench', baseUrl: server.url } });
		const wallMs = performance.now() - started;
		const output = outputOf(run);
		const failed = output.filter((item) => item.json.error !== undefined).length;
		return {
			name: `(b) 10,000 items, zero latency, concurrency ${concurrency}${name === 'b' ? ' (default)' : ''}`,
			figures: {
				wall_s: +(wallMs / 1000).toFixed(2),
				items_per_s: Math.round(count / (wallMs / 1000)),
				failed_items: failed + (runError(run) ? count - output.length : 0),
				peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
				heap_used_after_mb: Math.round(process.memoryUsage().heapUsed / 1024 / 1024),
			},
			pass: failed === 0 && output.length === count,
		};
	} finally {
		server.stop();
	}
}

type Harness = typeof import('../test/engine/harness');

const WORDS = 'the battery of this phone lasts a whole day with heavy use and charges fast while the screen stays bright in direct sunlight so reading maps outdoors is easy'.split(' ');

/** A deterministic text of `count` words, varied by `seed`. */
function text(count: number, seed: number): string {
	return Array.from({ length: count }, (_, i) => WORDS[(i * 7 + seed * 13 + ((i * seed) % 5)) % WORDS.length]).join(' ');
}

async function scoreScenario(name: string, runWorkflow: Harness['runWorkflow'], outputOf: Harness['outputOf'], runError: Harness['runError']): Promise<ScenarioResult> {
	const rules = [
		{ name: 'mentions', type: 'contains', values: 'battery\ncharge', containsMode: 'any' },
		{ name: 'no_ads', type: 'banned_terms', terms: 'buy now\ndiscount\nlimited offer', mustPass: true },
		{ name: 'hours', type: 'regex', pattern: '\\b\\d+ hours?\\b' },
		{ name: 'brief', type: 'length', unit: 'words', min: 5, max: 150 },
		{ name: 'opens', type: 'starts_with', value: 'the' },
	];
	const setups: Record<string, { label: string; scorers: object[]; count: number; words: number; target: number }> = {
		'score-rules': { label: '(c) Score Output, 5 rule scorers (contains, banned terms, regex, length, starts with), 100-word texts', scorers: rules, count: 100_000, words: 100, target: 50_000 },
		'score-bleu': { label: '(d) Score Output, BLEU against a reference, 100-word texts', scorers: [{ name: 'bleu', type: 'text_similarity', metric: 'bleu', reference: '{{item.reference}}' }], count: 20_000, words: 100, target: 5_000 },
		'score-rouge': { label: '(d) Score Output, ROUGE-1, ROUGE-2 and ROUGE-L against a reference, 100-word texts', scorers: ['rouge_1', 'rouge_2', 'rouge_l'].map((metric) => ({ name: metric, type: 'text_similarity', metric, reference: '{{item.reference}}' })), count: 20_000, words: 100, target: 5_000 },
	};
	const setup = setups[name];
	const items = Array.from({ length: setup.count }, (_, i) => ({ text: text(setup.words, i), reference: text(setup.words, i + 1) }));
	const parameters = { mode: 'scorers', textField: 'text', scorers: { scorer: setup.scorers }, threshold: 0.5 };
	// One warm-up run so the timed one measures steady-state code, not the first compilation.
	await runWorkflow({ nodeType: 'n8n-nodes-reward-loop.scoreOutput', parameters, items: items.slice(0, 2000) });
	const started = performance.now();
	const run = await runWorkflow({ nodeType: 'n8n-nodes-reward-loop.scoreOutput', parameters, items });
	const wallMs = performance.now() - started;
	const output = outputOf(run);
	const perSecond = Math.round(setup.count / (wallMs / 1000));
	const ok = !runError(run) && output.length === setup.count && output.every((item) => typeof item.json.reward === 'number');
	return {
		name: setup.label,
		figures: {
			items: setup.count,
			wall_s: +(wallMs / 1000).toFixed(2),
			items_per_s: perSecond,
			target_items_per_s: setup.target,
			ratio_to_target: +(perSecond / setup.target).toFixed(2),
			peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
		},
		pass: ok && perSecond >= setup.target,
	};
}

async function loopScenario(name: string, runWorkflow: Harness['runWorkflow'], outputOf: Harness['outputOf'], runError: Harness['runError']): Promise<ScenarioResult> {
	const useN = name === 'loop-n';
	const server = await startServer({ latencyMs: 50 });
	try {
		const count = 200;
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
		return {
			name: `(e) Reward Loop, best-of-5, 200 items, 50 ms latency, ${useN ? 'one request per round with n = 5' : 'five requests per round (n off)'}`,
			figures: {
				wall_s: +(wallMs / 1000).toFixed(2),
				items_per_s: Math.round(count / (wallMs / 1000)),
				requests_per_item: +(Number(seen.chatRequests) / count).toFixed(2),
				prompt_tokens_per_item: +(sum('promptTokens') / count).toFixed(1),
				completion_tokens_per_item: +(sum('completionTokens') / count).toFixed(1),
				candidates_per_item: +(output.reduce((t, item) => t + Number(item.json.candidatesTried), 0) / count).toFixed(2),
			},
			pass: ok,
		};
	} finally {
		server.stop();
	}
}

async function fineTuneScenario(runWorkflow: Harness['runWorkflow'], runError: Harness['runError']): Promise<ScenarioResult> {
	const count = 100_000;
	const items = Array.from({ length: count }, (_, i) => ({ prompt: `Case ${i}: ${text(20, i)}?`, response: `${text(40, i + 7)} (${i})` }));
	const started = performance.now();
	const run = await runWorkflow({
		nodeType: 'n8n-nodes-reward-loop.fineTune',
		parameters: { provider: 'export', operation: 'buildDataset', kind: 'supervised', format: 'openai', datasetFields: { systemMessage: 'Answer briefly.' }, datasetOptions: { validationFraction: 0.1 } },
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
	const built = run.data.resultData.runData['Node Under Test']?.[0]?.executionTime ?? 0;
	const report = run.data.resultData.runData.Validate?.[0]?.data?.main[0]?.[0]?.json as IDataObject | undefined;
	const peak = Math.round(process.resourceUsage().maxRSS / 1024);
	return {
		name: '(f) Fine-Tune, Build Dataset then Validate, 100,000 supervised examples (items in memory, as n8n holds them)',
		figures: {
			examples: count,
			build_s: +(built / 1000).toFixed(2),
			validate_s: +((run.data.resultData.runData.Validate?.[0]?.executionTime ?? 0) / 1000).toFixed(2),
			wall_s: +(wallMs / 1000).toFixed(2),
			examples_per_s: Math.round(count / (wallMs / 1000)),
			validated_examples: Number(report?.examples ?? 0),
			trained_tokens_estimate: Number((report?.estimate as IDataObject | undefined)?.trainedTokens ?? 0),
			peak_rss_mb: peak,
		},
		pass: !runError(run) && report?.ok === true,
	};
}

/** The streaming claim: the core builds and validates 100,000 examples from a generator under 300 MB. */
async function fineTuneCoreScenario(): Promise<ScenarioResult> {
	const { buildDataset } = await import('../core/finetune/buildDataset');
	const { readJsonlLines } = await import('../core/finetune/jsonl');
	const { validateTrainingFile } = await import('../core/finetune/validate');
	const count = 100_000;
	function* items() {
		for (let i = 0; i < count; i++) yield { prompt: `Case ${i}: ${text(20, i)}?`, response: `${text(40, i + 7)} (${i})` };
	}
	const started = performance.now();
	const built = buildDataset(items(), { kind: 'supervised', format: 'openai', supervised: { systemMessage: 'Answer briefly.' }, validationFraction: 0.1 }, () => undefined);
	const builtMs = performance.now() - started;
	const report = await validateTrainingFile(readJsonlLines(built.train), { model: 'gpt-4.1-mini', pricePerMillionTokens: 25 });
	const wallMs = performance.now() - started;
	const peak = Math.round(process.resourceUsage().maxRSS / 1024);
	return {
		name: '(f) Fine-Tune core, streaming: 100,000 examples built (OpenAI format, 10% validation) then validated with token counts',
		figures: {
			examples: count,
			build_examples_per_s: Math.round(count / (builtMs / 1000)),
			validate_examples_per_s: Math.round(report.examples / ((wallMs - builtMs) / 1000)),
			training_file_mb: +(built.train.length / 1024 / 1024).toFixed(1),
			validated_examples: report.examples,
			peak_rss_mb: peak,
			bound_mb: 300,
			ratio_to_bound: +(peak / 300).toFixed(2),
		},
		pass: report.ok && peak <= 300,
	};
}

async function main(): Promise<void> {
	const scenario = process.argv[2];
	if (scenario) {
		const result = await runScenario(scenario);
		process.stdout.write(`${JSON.stringify(result)}\n`);
		process.exit(0);
	}
	let allPass = true;
	const only = process.env.BENCH_ONLY?.split(',');
	for (const name of ['a', 'b', 'b50', 'score-rules', 'score-bleu', 'score-rouge', 'loop-n', 'loop-no-n', 'finetune-core', 'finetune'].filter((n) => !only || only.includes(n))) {
		const out = execFileSync(TSX, [__filename, name], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
		const result = JSON.parse(out.trim().split('\n').pop() as string) as ScenarioResult;
		allPass &&= result.pass !== false;
		console.log(result.name);
		for (const [key, value] of Object.entries(result.figures)) console.log(`  ${key.padEnd(28)} ${value}`);
		if (result.pass !== undefined) console.log(`  ${'verdict'.padEnd(28)} ${result.pass ? 'PASS' : 'FAIL'}`);
	}
	process.exitCode = allPass ? 0 : 1;
}

void main();
