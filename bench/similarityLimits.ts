/**
 * npx tsx bench/similarityLimits.ts [--old <dir>]: how long one similarity score blocks the event
 * loop, for the README's size limits (Score Output).
 * 1. Each metric at its size limit, on the inputs that are slowest for it (a large alphabet, many
 *    short tokens, all-distinct tokens, Chinese text with the CJK tokenisers, the largest n-gram
 *    order): the median and the longest of 5 runs after one warm-up run, wall time and this
 *    process's CPU time (on a loaded machine the wall time includes waiting for a core).
 * 2. ROUGE-L on two 1 MB English-like texts through the scorer: refused at once (the size limit).
 *    With --old <dir> (a copy of an older core/, e.g. `git archive HEAD core | tar -x -C <dir>`), the
 *    same texts through that core's scorer, which had no limit.
 * Single-threaded and synchronous: the times are what the event loop is blocked for.
 */
import { resolve } from 'node:path';
import { createScorer } from '../core/scoring/registry';
import type { Scorer } from '../core/scoring/types';
import { METRICS, type LocalMetric, type MetricOptions } from '../core/scoring/scorers/similarityMetrics';

let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = (length: number, symbol: () => string) => {
	let text = '';
	while (text.length < length) text += symbol();
	return text.slice(0, length);
};
const chinese = (length: number, alphabet: number) => pick(length, () => String.fromCodePoint(0x4e00 + Math.floor(random() * alphabet)));
const latin = (length: number) => pick(length, () => String.fromCharCode(97 + Math.floor(random() * 26)));
const shortWords = (length: number) => pick(length, () => `${String.fromCharCode(97 + Math.floor(random() * 26))} `);
let counter = 0;
const distinctWords = (length: number) => pick(length, () => `${(counter++).toString(36)} `);
/** English-like: words of a 300-word vocabulary, drawn with a Zipf-like skew. */
const englishLike = (length: number) => pick(length, () => `w${Math.floor(random() ** 3 * 300).toString(36)} `);

interface Case {
	metric: LocalMetric;
	options?: MetricOptions;
	inputs: string;
	make: (length: number) => string;
}

const CASES: Case[] = [
	{ metric: 'fuzzy_match', inputs: 'Chinese, 20,000-character alphabet', make: (n) => chinese(n, 20000) },
	{ metric: 'fuzzy_match', inputs: 'Chinese, 3,000-character alphabet', make: (n) => chinese(n, 3000) },
	{ metric: 'fuzzy_match', inputs: 'a-z', make: latin },
	{ metric: 'rouge_l', inputs: 'one-letter words', make: shortWords },
	{ metric: 'rouge_l', inputs: 'all-distinct words', make: distinctWords },
	{ metric: 'rouge_l', options: { rougeTokenizer: 'cjk' }, inputs: 'Chinese, CJK tokenizer', make: (n) => chinese(n, 20000) },
	{ metric: 'rouge_l', options: { stemmer: true }, inputs: 'all-distinct words, stemmed', make: distinctWords },
	{ metric: 'rouge_1', options: { rougeTokenizer: 'cjk' }, inputs: 'Chinese, CJK tokenizer', make: (n) => chinese(n, 20000) },
	{ metric: 'rouge_2', options: { stemmer: true }, inputs: 'all-distinct words, stemmed', make: distinctWords },
	{ metric: 'bleu', options: { tokenizer: 'zh', smoothing: 'method7', maxOrder: 10 }, inputs: 'Chinese, zh, order 10, method7', make: (n) => chinese(n, 20000) },
	{ metric: 'bleu', options: { tokenizer: 'zh' }, inputs: 'Chinese, zh, order 4', make: (n) => chinese(n, 20000) },
	{ metric: 'bleu', options: { tokenizer: 'char', maxOrder: 10 }, inputs: 'Chinese, char, order 10', make: (n) => chinese(n, 20000) },
	{ metric: 'bleu', options: { tokenizer: 'intl', maxOrder: 10 }, inputs: 'one-letter words, intl, order 10', make: shortWords },
	{ metric: 'bleu', options: { tokenizer: '13a' }, inputs: 'all-distinct words, 13a', make: distinctWords },
	{ metric: 'gleu', options: { tokenizer: 'char', maxOrder: 10 }, inputs: 'Chinese, char, order 10', make: (n) => chinese(n, 20000) },
	{ metric: 'chrf', inputs: 'Chinese', make: (n) => chinese(n, 20000) },
	{ metric: 'chrf_pp', inputs: 'all-distinct words', make: distinctWords },
	{ metric: 'chrf_pp', options: { lowercase: true }, inputs: 'one-letter words, lowercased', make: shortWords },
	{ metric: 'exact', inputs: 'a-z (equal texts)', make: latin },
];

function similarity(metric: LocalMetric, options: MetricOptions = {}): Scorer {
	return createScorer({ type: 'text_similarity', name: 'sim', config: { metric, reference: '{{item.reference}}', ...options } });
}

/** Milliseconds of one synchronous call: wall time (what the event loop waits) and this process's CPU time. */
function measured(run: () => unknown): { wall: number; cpu: number } {
	const cpu = process.cpuUsage();
	const start = performance.now();
	run();
	const used = process.cpuUsage(cpu);
	return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
}

const timed = (run: () => unknown) => measured(run).wall;

function limitsTable(): void {
	console.log('| Metric | Options | Inputs | Length (each text) | Median of 5 runs: wall (CPU) | Longest: wall (CPU) |');
	console.log('|---|---|---|---|---|---|');
	for (const { metric, options, inputs, make } of CASES) {
		const length = Math.min(METRICS[metric].maxLength, 1_000_000);
		const output = make(length);
		const reference = metric === 'exact' ? output : make(length);
		const scorer = similarity(metric, options);
		const score = () => scorer.score({ outputText: output }, { item: { reference } });
		score();
		const runs = Array.from({ length: 5 }, () => measured(score));
		const median = (values: number[]) => values.sort((a, b) => a - b)[2];
		const longest = (values: number[]) => Math.max(...values);
		const walls = runs.map((run) => run.wall);
		const cpus = runs.map((run) => run.cpu);
		const cell = (pick: (values: number[]) => number) => `${pick(walls).toFixed(1)} ms (${pick(cpus).toFixed(1)} ms)`;
		console.log(`| ${metric} | ${JSON.stringify(options ?? {})} | ${inputs} | ${length.toLocaleString('en')} | ${cell(median)} | ${cell(longest)} |`);
	}
}

async function oneMegabyte(oldCore: string | undefined): Promise<void> {
	const output = englishLike(1_000_000);
	const reference = englishLike(1_000_000);
	const scorer = similarity('rouge_l');
	let message = '';
	const refused = timed(() => {
		try {
			scorer.score({ outputText: output }, { item: { reference } });
		} catch (error) {
			message = (error as Error).message;
		}
	});
	console.log(`\nROUGE-L, two 1 MB texts, this core: ${refused.toFixed(1)} ms, ${message ? `refused: ${message}` : 'scored'}`);
	if (!oldCore) return;
	const registry = (await import(resolve(oldCore, 'scoring/registry'))) as typeof import('../core/scoring/registry');
	const old = registry.createScorer({ type: 'text_similarity', name: 'sim', config: { metric: 'rouge_l', reference: '{{item.reference}}' } });
	let result: unknown;
	const blocked = timed(() => (result = old.score({ outputText: output }, { item: { reference } })));
	console.log(`ROUGE-L, two 1 MB texts, core at ${oldCore}: ${(blocked / 1000).toFixed(1)} s blocked, ${JSON.stringify((result as { reason?: string }).reason)}`);
}

async function main(): Promise<void> {
	const at = process.argv.indexOf('--old');
	limitsTable();
	await oneMegabyte(at > 0 ? process.argv[at + 1] : undefined);
}

void main();
