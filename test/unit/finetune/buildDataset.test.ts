/**
 * buildDataset and Validate share one definition of a valid row (validateRows.ts): Build never
 * writes a row that Validate rejects, it refuses it (or leaves it out, with its reason, under
 * Continue On Fail), and a Reward Loop item's other pairs stay when one of them is bad.
 */
import { buildDataset, type BuildOptions, type ItemProblem } from '../../../core/finetune/buildDataset';
import type { ItemJson } from '../../../core/finetune/examples';
import { readJsonlLines } from '../../../core/finetune/jsonl';
import { validateTrainingFile } from '../../../core/finetune/validate';

const build = (items: ItemJson[], options: Partial<BuildOptions> = {}) => {
	const seen: ItemProblem[] = [];
	const built = buildDataset(items, { kind: 'supervised', format: 'openai', ...options }, (problem) => void seen.push(problem));
	return { ...built, seen, rows: built.train.toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
};

const conversation = (n: number) => ({
	messages: [
		{ role: 'system', content: 'Be brief.' },
		{ role: 'user', content: `What is ${n} + ${n}?` },
		{ role: 'assistant', content: `${2 * n}.` },
	],
});

describe('Build refuses every row that Validate would reject', () => {
	it.each<[string, ItemJson, RegExp]>([
		['a blank message', { messages: [{ role: 'user', content: ' ' }, { role: 'assistant', content: 'Hi.' }] }, /messages\[0\] has blank content \(empty_content\)/],
		['a message of only line breaks and tabs', { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: '\n\t\u2028' }] }, /messages\[1\] has blank content \(empty_content\)/],
		[
			'every assistant message with weight 0',
			{ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.', weight: 0 }, { role: 'user', content: 'And?' }, { role: 'assistant', content: 'Bye.', weight: 0 }] },
			/weight 0, so the example leaves nothing to train on \(nothing_to_train\)/,
		],
	])('%s: a problem for the item, and no row', (_, bad, message) => {
		const built = build([conversation(1), bad, conversation(2)]);
		expect(built.seen).toEqual([{ item: 1, message: expect.stringMatching(message) }]);
		expect(built.rows).toEqual([conversation(1), conversation(2)]);
		expect(built.counts).toMatchObject({ items: 3, examples: 2, train: 2, failedItems: 1, droppedExamples: 1 });
	});

	it('stops at the first such row when the caller throws (Continue On Fail off)', () => {
		const items = [conversation(1), { messages: [{ role: 'user', content: ' ' }, { role: 'assistant', content: 'Hi.' }] }];
		expect(() =>
			buildDataset(items, { kind: 'supervised', format: 'openai' }, (problem) => {
				throw new Error(`Item ${problem.item}: ${problem.message}`);
			}),
		).toThrow(/^Item 1: .*empty_content/);
	});

	it('refuses them in the other formats too, though these drop weights', () => {
		const bad = { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.', weight: 0 }] };
		for (const format of ['trl', 'sharegpt', 'alpaca'] as const) {
			expect(build([bad, { messages: [{ role: 'user', content: '\u3000' }, { role: 'assistant', content: 'x' }] }], { format }).seen.map((p) => p.item)).toEqual([0, 1]);
		}
	});

	it('keeps a row with one trained assistant message among weight-0 ones', () => {
		const mixed = { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.', weight: 0 }, { role: 'user', content: 'And?' }, { role: 'assistant', content: 'Bye.', weight: 1 }] };
		expect(build([mixed]).seen).toEqual([]);
	});

	it('writes only rows that Validate accepts, and Validate accepts them all', async () => {
		const items: ItemJson[] = [
			...Array.from({ length: 10 }, (_, i) => conversation(i)),
			// String.prototype.trim() strips U+FEFF, in Build as in Validate.
			{ messages: [{ role: 'user', content: '\ufeff' }, { role: 'assistant', content: 'A BOM is blank too.' }] },
			{ messages: [{ role: 'user', content: '   ' }, { role: 'assistant', content: 'x' }] },
			{ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'x', weight: 0 }] },
			{ prompt: 'Hi', response: 'Hello' },
		];
		const built = build(items);
		expect(built.seen.map((problem) => problem.item)).toEqual([10, 11, 12]);
		const report = await validateTrainingFile(readJsonlLines(built.train));
		expect(report.errorCounts).toEqual({});
		expect(report.summary.examples).toBe(11);
	});
});

describe("a Reward Loop item's pairs are judged one by one", () => {
	const pair = (n: number, rejected = `Wrong ${n}.`) => ({
		input: { messages: [{ role: 'user', content: `Question ${n}?` }] },
		preferred_output: [{ role: 'assistant', content: `Right ${n}.` }],
		non_preferred_output: [{ role: 'assistant', content: rejected }],
	});

	it('one blank rejected text leaves out that pair only, with its reason', () => {
		const built = build([{ preferencePairs: { dpo: [pair(1), pair(2, ' '), pair(3)] } }], { kind: 'preference' });
		expect(built.rows.map((row) => (row.preferred_output as Array<{ content: string }>)[0].content)).toEqual(['Right 1.', 'Right 3.']);
		expect(built.seen).toEqual([{ item: 0, message: 'preferencePairs.dpo[1].non_preferred_output is empty' }]);
		expect(built.counts).toMatchObject({ examples: 2, train: 2, failedItems: 0, droppedExamples: 1 });
	});

	it('an item whose every pair is bad counts as failed', () => {
		const built = build([{ preferencePairs: { dpo: [pair(1, ''), pair(2, 'Right 2.')] } }], { kind: 'preference' });
		expect(built.seen.map((problem) => problem.message)).toEqual(['preferencePairs.dpo[0].non_preferred_output is empty', expect.stringMatching(/identical/)]);
		expect(built.counts).toMatchObject({ examples: 0, failedItems: 1, droppedExamples: 2 });
	});
});
