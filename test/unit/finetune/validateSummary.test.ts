/**
 * The statistics and estimate of OpenAI's cookbook "Data preparation and analysis for chat model
 * fine-tuning" (openai/openai-cookbook, examples/Chat_finetuning_data_prep.ipynb).
 *
 * Published values: the notebook's outputs on its toy file examples/data/toy_chat_fine_tuning.jsonl
 * (5 examples, cl100k_base, 4,096-token limit):
 *   Num examples missing system message: 1 / missing user message: 1
 *   num_messages_per_example:        min / max 2, 9;    mean / median 3.8, 3.0;       "p5 / p95" 2.0, 6.6
 *   num_total_tokens_per_example:    min / max 26, 8032; mean / median 1648.4, 45.0;  "p5 / p95" 26.8, 4863.6
 *   num_assistant_tokens_per_example: min / max 4, 8000; mean / median 1610.2, 10.0;  "p5 / p95" 6.0, 4811.2
 *   1 examples may be over the 4096 token limit
 *   Dataset has ~4306 tokens that will be charged for during training
 *   By default, you'll train for 20 epochs on this dataset
 *   By default, you'll be charged for ~86120 tokens
 * Its "p5 / p95" line prints np.quantile(values, 0.1) and np.quantile(values, 0.9), so those
 * numbers check `quantile` at 0.1 and 0.9; the report's p5/p95 are the 0.05 and 0.95 quantiles.
 *
 * The epochs rule is the notebook's "Pricing and default n_epochs estimate" cell:
 *   n_epochs = TARGET_EPOCHS (3)
 *   if n * 3 < MIN_TARGET_EXAMPLES (100):   n_epochs = min(MAX_DEFAULT_EPOCHS (25), 100 // n)
 *   elif n * 3 > MAX_TARGET_EXAMPLES (25000): n_epochs = max(MIN_DEFAULT_EPOCHS (1), 25000 // n)
 * with floor division.
 */
import {
	autoEpochs,
	distribution,
	estimateCost,
	MAX_DEFAULT_EPOCHS,
	MAX_TARGET_EXAMPLES,
	MIN_DEFAULT_EPOCHS,
	MIN_TARGET_EXAMPLES,
	NumberColumn,
	quantile,
	TARGET_EPOCHS,
} from '../../../core/finetune/summary';
import { countChatTokens } from '../../../core/finetune/tokens';
import { validateTrainingFile, type ValidationReport } from '../../../core/finetune/validate';

const system = 'You are a happy assistant that puts a positive spin on everything.';

/** The cookbook's toy_chat_fine_tuning.jsonl, rebuilt (its last answer is "Eat a banana!" × 2000). */
const toyDataset = [
	[
		{ role: 'system', content: system },
		{ role: 'user', content: 'I fell off my bike today.' },
		{ role: 'assistant', content: "It's great that you're getting exercise outdoors!" },
	],
	[
		{ role: 'system', content: system },
		{ role: 'user', content: 'I lost my tennis match today.' },
		{ role: 'assistant', content: "It's ok, it happens to everyone." },
		{ role: 'user', content: 'But I trained so hard!' },
		{ role: 'assistant', content: 'It will pay off next time.' },
		{ role: 'user', content: "I'm going to switch to golf." },
		{ role: 'assistant', content: 'Golf is fun too!' },
		{ role: 'user', content: "I don't even know how to play golf." },
		{ role: 'assistant', content: "It's easy to learn!" },
	],
	[
		{ role: 'user', content: 'I lost my book today.' },
		{ role: 'assistant', content: 'You can read everything on ebooks these days!' },
	],
	[
		{ role: 'system', content: system },
		{ role: 'assistant', content: "You're great!" },
	],
	[
		{ role: 'system', content: system },
		{ role: 'user', content: "I'm hungry." },
		{ role: 'assistant', content: 'Eat a banana!'.repeat(2000) },
	],
].map((messages, index) => ({ line: index + 1, text: JSON.stringify({ messages }) }));

function column(values: number[]): NumberColumn {
	const c = new NumberColumn(2);
	for (const v of values) c.push(v);
	return c;
}

describe("the cookbook's toy dataset, end to end", () => {
	let report: ValidationReport;
	beforeAll(async () => {
		report = await validateTrainingFile(toyDataset, {
			encoding: 'cl100k_base',
			maxTokensPerExample: 4096,
			pricePerMillionTokens: 8,
		});
	});

	it('reproduces the published per-example distributions', () => {
		const { summary } = report;
		expect(summary.examples).toBe(5);
		expect(summary.messagesPerExample).toMatchObject({ min: 2, max: 9, mean: 3.8, median: 3 });
		expect(summary.totalTokensPerExample).toMatchObject({ min: 26, max: 8032, median: 45 });
		expect(summary.totalTokensPerExample?.mean).toBeCloseTo(1648.4, 10);
		expect(summary.assistantTokensPerExample).toMatchObject({ min: 4, max: 8000, median: 10 });
		expect(summary.assistantTokensPerExample?.mean).toBeCloseTo(1610.2, 10);
	});

	it('reproduces the published missing-message and too-long counts', () => {
		expect(report.summary).toMatchObject({ examplesMissingSystem: 1, examplesMissingUser: 1, examplesMissingAssistant: 0, examplesTooLong: 1 });
		expect(report.errors).toContainEqual(expect.objectContaining({ line: 5, code: 'too_long', severity: 'warning' }));
	});

	it('reproduces the published estimate: ~4306 billed tokens, 20 epochs, ~86120 trained tokens', () => {
		expect(report.estimate).toMatchObject({
			examples: 5,
			epochs: 20,
			epochsFrom: 'auto',
			maxTokensPerExample: 4096,
			billingTokens: 4306,
			trainedTokens: 86_120,
			pricePerMillionTokens: 8,
		});
		// 86,120 / 1,000,000 × 8 = 0.68896
		expect(report.estimate.cost).toBeCloseTo(0.68896, 12);
	});

	it('fails the file only for having fewer than 10 examples', () => {
		expect(report.errorCounts).toEqual({ too_long: 1, too_few_examples: 1 });
		expect(report.ok).toBe(false);
	});

	it("computes the p5/p95 of the published totals [26, 28, 45, 111, 8032] by numpy's linear rule", () => {
		// q = 0.05: position 0.2 → 26 + 0.2 × (28 − 26) = 26.4; q = 0.95: position 3.8 → 111 + 0.8 × 7921 = 6447.8
		expect(report.summary.totalTokensPerExample?.p5).toBeCloseTo(26.4, 10);
		expect(report.summary.totalTokensPerExample?.p95).toBeCloseTo(6447.8, 9);
	});
});

describe('quantile (numpy linear)', () => {
	it("gives the cookbook's printed 0.1 and 0.9 quantiles of its toy data", () => {
		const totals = [26, 28, 45, 111, 8032];
		expect(quantile(totals, 0.1)).toBeCloseTo(26.8, 10);
		expect(quantile(totals, 0.9)).toBeCloseTo(4863.6, 9);
		const assistant = [4, 9, 10, 28, 8000];
		expect(quantile(assistant, 0.1)).toBeCloseTo(6.0, 10);
		expect(quantile(assistant, 0.9)).toBeCloseTo(4811.2, 9);
		const messages = [2, 2, 3, 3, 9];
		expect(quantile(messages, 0.1)).toBeCloseTo(2.0, 10);
		expect(quantile(messages, 0.9)).toBeCloseTo(6.6, 10);
	});

	it("matches numpy's documented example np.quantile([[10, 7, 4], [3, 2, 1]], 0.5) == 3.5", () => {
		expect(quantile([1, 2, 3, 4, 7, 10], 0.5)).toBe(3.5);
	});

	it('handles the ends, one value and no value', () => {
		expect(quantile([1, 2, 3], 0)).toBe(1);
		expect(quantile([1, 2, 3], 1)).toBe(3);
		expect(quantile([7], 0.95)).toBe(7);
		expect(quantile([], 0.5)).toBeNaN();
	});

	it('gives the percentiles of 1..100', () => {
		const values = Array.from({ length: 100 }, (_, i) => i + 1);
		const d = distribution(column([...values].reverse()));
		// position 0.05 × 99 = 4.95 → 5.95; 0.95 × 99 = 94.05 → 95.05; median 50.5
		expect(d).not.toBeNull();
		expect(d?.min).toBe(1);
		expect(d?.max).toBe(100);
		expect(d?.mean).toBe(50.5);
		expect(d?.median).toBe(50.5);
		expect(d?.p5).toBeCloseTo(5.95, 10);
		expect(d?.p95).toBeCloseTo(95.05, 10);
	});

	it('gives no distribution for no values', () => {
		expect(distribution(new NumberColumn())).toBeNull();
	});
});

describe('NumberColumn', () => {
	it('grows past its capacity and sorts numerically', () => {
		const c = column([10, 9, 100, 1, 25]);
		expect(c.length).toBe(5);
		expect(Array.from(c.sorted())).toEqual([1, 9, 10, 25, 100]);
		expect(c.sum()).toBe(145);
	});
});

describe('autoEpochs (the cookbook rule, floor division)', () => {
	it('uses the cookbook constants', () => {
		expect([TARGET_EPOCHS, MIN_TARGET_EXAMPLES, MAX_TARGET_EXAMPLES, MIN_DEFAULT_EPOCHS, MAX_DEFAULT_EPOCHS]).toEqual([3, 100, 25_000, 1, 25]);
	});

	it.each<[number, number, string]>([
		[1, 25, '100 // 1 = 100, capped at MAX_DEFAULT_EPOCHS'],
		[3, 25, '100 // 3 = 33, capped'],
		[4, 25, '100 // 4 = 25'],
		[5, 20, "the cookbook's toy file: 'you'll train for 20 epochs'"],
		[7, 14, '100 // 7 = 14 (floor, not ceil)'],
		[10, 10, '100 // 10 = 10'],
		[33, 3, '33 × 3 = 99 < 100: 100 // 33 = 3'],
		[34, 3, '34 × 3 = 102 ≥ 100: TARGET_EPOCHS'],
		[1_000, 3, 'inside [100, 25000]'],
		[8_333, 3, '8333 × 3 = 24999 ≤ 25000: TARGET_EPOCHS'],
		[8_334, 2, '8334 × 3 = 25002 > 25000: 25000 // 8334 = 2'],
		[12_500, 2, '25000 // 12500 = 2'],
		[12_501, 1, '25000 // 12501 = 1'],
		[25_001, 1, '25000 // 25001 = 0, raised to MIN_DEFAULT_EPOCHS'],
		[100_000, 1, '25000 // 100000 = 0, raised to MIN_DEFAULT_EPOCHS'],
		[0, 0, 'no examples, no epochs'],
	])('%i examples → %i epochs (%s)', (examples, epochs) => {
		expect(autoEpochs(examples)).toBe(epochs);
	});
});

describe('estimateCost arithmetic', () => {
	it('multiplies billed tokens by epochs and prices per million', () => {
		expect(estimateCost({ examples: 1_000, billingTokens: 1_000_000 }, { maxTokensPerExample: 65_536, epochs: 'auto', pricePerMillionTokens: 25 })).toEqual({
			examples: 1_000,
			epochs: 3,
			epochsFrom: 'auto',
			maxTokensPerExample: 65_536,
			billingTokens: 1_000_000,
			trainedTokens: 3_000_000,
			pricePerMillionTokens: 25,
			cost: 75,
		});
	});

	it('uses given epochs and gives no cost without a price', () => {
		const estimate = estimateCost({ examples: 5, billingTokens: 4306 }, { maxTokensPerExample: 4096, epochs: 2 });
		expect(estimate).toMatchObject({ epochs: 2, epochsFrom: 'given', trainedTokens: 8612, pricePerMillionTokens: null, cost: null });
	});

	it('caps each example at maxTokensPerExample for billing in validateTrainingFile', async () => {
		// The toy file's totals are 45, 111, 26, 28, 8032: with a 30-token cap, 30 + 30 + 26 + 28 + 30 = 144.
		const report = await validateTrainingFile(toyDataset, { encoding: 'cl100k_base', maxTokensPerExample: 30, epochs: 4, pricePerMillionTokens: 3 });
		expect(report.estimate).toMatchObject({ billingTokens: 144, epochs: 4, epochsFrom: 'given', trainedTokens: 576 });
		expect(report.estimate.cost).toBeCloseTo((576 / 1_000_000) * 3, 15);
		expect(report.summary.examplesTooLong).toBe(3);
	});

	it('bills both sequences of a preference example', async () => {
		const row = {
			input: { messages: [{ role: 'user', content: 'Hi' }] },
			preferred_output: [{ role: 'assistant', content: 'Hello there!' }],
			non_preferred_output: [{ role: 'assistant', content: 'Go away.' }],
		};
		const lines = Array.from({ length: 10 }, (_, i) => ({ line: i + 1, text: JSON.stringify(row) }));
		const report = await validateTrainingFile(lines, { encoding: 'cl100k_base' });
		const preferred = countChatTokens([...row.input.messages, ...row.preferred_output], 'cl100k_base');
		const nonPreferred = countChatTokens([...row.input.messages, ...row.non_preferred_output], 'cl100k_base');
		expect(report.summary.totalTokensPerExample?.max).toBe(preferred + nonPreferred);
		expect(report.estimate.billingTokens).toBe(10 * (preferred + nonPreferred));
		expect(report.estimate.epochs).toBe(10);
	});
});
