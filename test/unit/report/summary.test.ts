import { buildSummary, ReportInputError } from '../../../core/report/summary';
import { bootstrapMeanInterval, comparePaired, wilsonInterval } from '../../../core/report/statistics';

const scored = (reward: number, pass: boolean, extra: Record<string, unknown> = {}) => ({
	reward,
	pass,
	scores: { rule: { score: reward > 0.5 ? 1 : 0, pass: reward > 0.5 }, sim: { score: reward, pass } },
	...extra,
});

function errorOf(run: () => unknown): ReportInputError {
	try {
		run();
	} catch (error) {
		return error as ReportInputError;
	}
	throw new Error('no error');
}

describe('buildSummary', () => {
	it('one variant: n, mean and its interval, pass rate and Wilson, scorers, histogram', () => {
		const rewards = [0.1, 0.4, 0.6, 0.9, 1, 0.55];
		const items = rewards.map((reward) => scored(reward, reward >= 0.5));
		const summary = buildSummary(items, { seed: 5 });
		expect(summary.n).toBe(6);
		const [all] = summary.variants;
		expect(all).toMatchObject({ variant: 'all', n: 6, passed: 4 });
		expect(all.meanReward).toBeCloseTo(3.55 / 6, 12);
		expect(all.rewardInterval).toEqual(bootstrapMeanInterval(rewards, { seed: 5 }));
		expect(all.passInterval).toEqual(wilsonInterval(4, 6));
		expect(all.scorers.rule).toEqual({ n: 6, mean: 4 / 6, passRate: 4 / 6 });
		expect(all.scorers.sim.mean).toBeCloseTo(3.55 / 6, 12);
		expect(all.histogram).toEqual([0, 1, 0, 0, 1, 1, 1, 0, 0, 2]);
		expect(summary.comparisons).toEqual([]);
		expect(all.cost).toBeUndefined();
	});

	it('the same items give the same summary', () => {
		const items = Array.from({ length: 50 }, (_, i) => scored((i * 37) % 100 / 100, i % 3 === 0));
		expect(buildSummary(items)).toEqual(buildSummary(items));
	});

	it('tokens from usage and scoringUsage, and their cost at the prices given', () => {
		const items = [
			scored(0.5, true, { usage: { promptTokens: 100, completionTokens: 50, totalTokens: 150 }, scoringUsage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } }),
			scored(0.7, true, { usage: { promptTokens: 200, completionTokens: 100 } }),
		];
		const [all] = buildSummary(items, { inputPricePerMillion: 2, outputPricePerMillion: 8 }).variants;
		expect(all.tokens).toEqual({ prompt: 310, completion: 155, total: 465 });
		expect(all.cost).toBeCloseTo((310 * 2 + 155 * 8) / 1e6, 15);
	});

	it('paired variants: difference, wins/ties/losses, p-values, regressed and fixed ids', () => {
		const base = [0.2, 0.6, 0.9, 0.4, 0.3];
		const tuned = [0.8, 0.4, 0.9, 0.7, 0.6];
		const items = [
			...base.map((reward, i) => scored(reward, reward >= 0.5, { model: 'base', q: `q${i}` })),
			...tuned.map((reward, i) => scored(reward, reward >= 0.5, { model: 'tuned', q: `q${i}` })),
			scored(1, true, { model: 'tuned', q: 'only-tuned' }),
		];
		const summary = buildSummary(items, { variantField: 'model', idField: 'q', seed: 2 });
		expect(summary.variants.map((v) => [v.variant, v.n])).toEqual([
			['base', 5],
			['tuned', 6],
		]);
		const [comparison] = summary.comparisons;
		const expected = comparePaired(base, tuned, { seed: 2 });
		expect(comparison).toMatchObject({
			baseline: 'base',
			variant: 'tuned',
			pairs: 5,
			wins: 3,
			ties: 1,
			losses: 1,
			regressedCount: 1,
			regressed: ['q1'],
			fixedCount: 3,
			fixed: ['q0', 'q3', 'q4'],
			unpaired: 1,
			signTestP: expected.signTestP,
			pValue: expected.wilcoxonP,
			pValueTest: 'wilcoxon signed-rank (normal)',
		});
		expect(comparison.meanDifference).toBeCloseTo(0.2, 12);
		expect(comparison.differenceInterval).toEqual(expected.interval);
		expect(buildSummary(items, { variantField: 'model', idField: 'q', baseline: 'tuned' }).comparisons[0]).toMatchObject({ baseline: 'tuned', variant: 'base', wins: 1, losses: 3 });
	});

	it('Reward Loop items: rounds used and the mean best reward by round from history', () => {
		const loop = (rounds: number, history: Array<[number, number]>) => ({
			...scored(Math.max(...history.map(([, r]) => r)), true),
			roundsUsed: rounds,
			history: history.map(([round, reward], index) => ({ round, index, reward })),
		});
		const items = [loop(1, [[1, 0.9], [1, 0.5]]), loop(3, [[1, 0.2], [2, 0.5], [3, 0.4]]), loop(2, [[1, 0.3], [2, 0.8]])];
		const { loop: summary } = buildSummary(items).variants[0];
		expect(summary).toMatchObject({ n: 3, meanRounds: 2, roundsUsed: [{ rounds: 1, items: 1 }, { rounds: 2, items: 1 }, { rounds: 3, items: 1 }] });
		const byRound = summary!.bestRewardByRound!.map(({ round, meanBest }) => [round, Number(meanBest.toFixed(12))]);
		expect(byRound).toEqual([
			[1, Number(((0.9 + 0.2 + 0.3) / 3).toFixed(12))],
			[2, Number(((0.9 + 0.5 + 0.8) / 3).toFixed(12))],
			[3, Number(((0.9 + 0.5 + 0.8) / 3).toFixed(12))],
		]);
		expect(buildSummary([{ ...scored(0.5, true), roundsUsed: 2 }]).variants[0].loop).toEqual({ n: 1, meanRounds: 2, roundsUsed: [{ rounds: 2, items: 1 }] });
	});

	it.each([
		['a reward that is text', [scored(0.5, true), { reward: '0.7', pass: true }], 1, 'reward', 'field "reward" is "0.7": it must be a number between 0 and 1'],
		['a reward above 1', [{ reward: 1.5, pass: true }], 0, 'reward', 'field "reward" is 1.5'],
		['a missing reward', [{ pass: true }], 0, 'reward', 'field "reward" is missing'],
		['a missing pass', [{ reward: 0.5 }], 0, 'pass', 'field "pass" is missing: it must be true or false'],
		['a scorer score that is not a number', [{ reward: 0.5, pass: true, scores: { rule: { score: null, pass: true } } }], 0, 'scores.rule.score', 'field "scores.rule.score" is null'],
		['token counts that are text', [{ reward: 0.5, pass: true, usage: { promptTokens: 'many' } }], 0, 'usage.promptTokens', 'field "usage.promptTokens" is "many"'],
		['a NaN reward', [{ reward: NaN, pass: true }], 0, 'reward', 'field "reward" is null'],
	])('%s fails naming the item and the field', (_, items, index, field, message) => {
		const error = errorOf(() => buildSummary(items as Array<Record<string, unknown>>));
		expect(error).toBeInstanceOf(ReportInputError);
		expect(error.index).toBe(index);
		expect(error.field).toBe(field);
		expect(error.message).toContain(message);
	});

	it('a variant or id field missing on an item fails naming it', () => {
		const items = [scored(0.5, true, { model: 'a', q: 1 }), scored(0.5, true, { q: 2 })];
		const error = errorOf(() => buildSummary(items, { variantField: 'model', idField: 'q' }));
		expect([error.index, error.field, error.message]).toEqual([1, 'model', 'variant field "model" is missing: each item needs a non-empty text or number there']);
		const noId = errorOf(() => buildSummary([scored(0.5, true, { model: 'a' })], { variantField: 'model', idField: 'q' }));
		expect([noId.index, noId.field]).toEqual([0, 'q']);
	});

	it('node-wide settings that cannot be used fail naming the setting', () => {
		const items = [scored(0.5, true, { model: 'a', q: 1 }), scored(0.5, true, { model: 'a', q: 1 }), scored(0.5, true, { model: 'b', q: 1 })];
		expect(() => buildSummary(items, { variantField: 'model', idField: 'q' })).toThrow('Variant "a" has id "1" twice in field "q"');
		expect(() => buildSummary(items, { variantField: 'model', idField: 'q', baseline: 'c' })).toThrow('Baseline "c" is not a variant');
		expect(() => buildSummary(items, { idField: 'q' })).toThrow('set the variant field too');
		expect(() => buildSummary(items, { resamples: 5 })).toThrow('Resamples is 5');
		expect(() => buildSummary(items, { inputPricePerMillion: -1 })).toThrow('Input Price is -1');
		expect(() => buildSummary([])).toThrow('No items');
	});
});

describe('buildSummary with onInvalid (Continue On Fail)', () => {
	it('leaves unreadable items out whole and hands each error over', () => {
		const errors: Array<[number, string]> = [];
		const items = [
			scored(0.5, true),
			{ reward: 0.9, pass: true, scores: { rule: { score: 'x', pass: true } } },
			scored(0.7, false),
			{ reward: 2, pass: true },
		];
		const summary = buildSummary(items, { onInvalid: (error) => errors.push([error.index, error.field]) });
		expect(errors).toEqual([
			[1, 'scores.rule.score'],
			[3, 'reward'],
		]);
		expect(summary).toMatchObject({ n: 2, skipped: 2 });
		expect(summary.variants[0].meanReward).toBeCloseTo(0.6, 12);
		expect(summary.variants[0].scorers.rule.n).toBe(2);
		expect(() => buildSummary([{ reward: 2, pass: true }], { onInvalid: () => undefined })).toThrow('No item could be read');
	});

	it('stops when the signal is aborted', () => {
		const controller = new AbortController();
		controller.abort();
		expect(() => buildSummary([scored(0.5, true)], { signal: controller.signal })).toThrow();
	});
});
