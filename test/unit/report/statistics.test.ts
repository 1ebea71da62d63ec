/**
 * The report's statistics against SciPy 1.10.1's values (test/fixtures/report/statisticsReference.json,
 * made by statisticsReference.py beside it) and textbook cases. Bootstrap coverage is a matter for
 * the bench (simulation), not for unit tests: here only its determinism and its edges.
 */
import reference from '../../fixtures/report/statisticsReference.json';
import {
	averageRanks,
	bootstrapMeanInterval,
	comparePaired,
	erfc,
	mean,
	normalQuantile,
	quantileSorted,
	seededRandom,
	signTestPValue,
	wilcoxonSignedRank,
	wilsonInterval,
} from '../../../core/report/statistics';

describe('normal distribution helpers', () => {
	it.each(reference.erfc)('erfc($x) as scipy.special.erfc', ({ x, y }) => {
		expect(Math.abs(erfc(x) - y)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(y)) + (y < 1e-300 ? 1e-300 : 0));
		if (y > 0) expect(erfc(x) / y).toBeCloseTo(1, 12);
	});
	it.each(reference.normalQuantile)('normalQuantile($p) as scipy.stats.norm.ppf', ({ p, x }) => {
		expect(normalQuantile(p)).toBeCloseTo(x, 12);
	});
});

describe('Wilson interval', () => {
	it.each(reference.wilson)('$k of $n as SciPy binomtest(...).proportion_ci(method="wilson")', ({ k, n, low, high }) => {
		const interval = wilsonInterval(k, n);
		expect(interval?.low).toBeCloseTo(low, 12);
		expect(interval?.high).toBeCloseTo(high, 12);
	});
	it('textbook: 81 of 263 (Newcombe 1998, method 3) is 0.2553 to 0.3662', () => {
		const interval = wilsonInterval(81, 263);
		expect(interval?.low).toBeCloseTo(0.2553, 4);
		expect(interval?.high).toBeCloseTo(0.3662, 4);
	});
	it('has no interval for n = 0 and refuses counts outside [0, n]', () => {
		expect(wilsonInterval(0, 0)).toBeUndefined();
		expect(() => wilsonInterval(11, 10)).toThrow('between 0 and n = 10');
	});
});

describe('sign test', () => {
	it.each(reference.signTest)('$wins wins, $losses losses as SciPy binomtest(wins, n, 0.5)', ({ wins, losses, p }) => {
		expect(signTestPValue(wins, losses)).toBeCloseTo(p, 10);
		// Relative precision too, for the small p-values of large n.
		expect(signTestPValue(wins, losses) / p).toBeCloseTo(1, 9);
	});
	it('is 1 without a decided pair', () => {
		expect(signTestPValue(0, 0)).toBe(1);
	});
});

describe('Wilcoxon signed-rank test', () => {
	it.each(reference.wilcoxon)('$name ($method) as SciPy wilcoxon(d, correction=False)', ({ d, method, statistic, p }) => {
		const result = wilcoxonSignedRank(d);
		expect(result?.method).toBe(method === 'exact' ? 'exact' : 'normal');
		expect(result?.statistic).toBeCloseTo(statistic, 9);
		expect(result?.pValue).toBeCloseTo(p, 12);
	});
	it('SciPy\'s documented example gives p = 0.04125976562', () => {
		expect(wilcoxonSignedRank([6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75])?.pValue).toBeCloseTo(0.04125976562, 10);
	});
	it('is undefined when every difference is zero', () => {
		expect(wilcoxonSignedRank([0, 0, 0])).toBeUndefined();
	});
	it('average ranks for ties, with the group sizes', () => {
		const { ranks, tieGroups } = averageRanks([0.3, 0.1, 0.3, 0.2, 0.3]);
		expect(Array.from(ranks)).toEqual([4, 1, 4, 2, 4]);
		expect(tieGroups).toEqual([3]);
	});
});

describe('bootstrap', () => {
	it('seeded: the same values and seed give the same interval, another seed another one', () => {
		const random = seededRandom(7);
		const values = Array.from({ length: 200 }, () => random());
		const first = bootstrapMeanInterval(values, { seed: 3 });
		expect(bootstrapMeanInterval(values, { seed: 3 })).toEqual(first);
		expect(bootstrapMeanInterval(values, { seed: 4 })).not.toEqual(first);
		expect(first!.low).toBeLessThan(mean(values));
		expect(first!.high).toBeGreaterThan(mean(values));
	});
	it('the interval of equal values is that value; of no value, none', () => {
		expect(bootstrapMeanInterval([0.4, 0.4, 0.4])).toEqual({ low: 0.4, high: 0.4 });
		expect(bootstrapMeanInterval([])).toBeUndefined();
	});
	it('width shrinks like 1/√n: 0/1 rewards at p = 0.5 give about ±1.96·0.5/√n', () => {
		const values = Array.from({ length: 400 }, (_, i) => i % 2);
		const interval = bootstrapMeanInterval(values, { resamples: 4000 })!;
		expect((interval.high - interval.low) / 2).toBeCloseTo((1.96 * 0.5) / 20, 2);
	});
	it('mulberry32 is uniform in [0, 1)', () => {
		const random = seededRandom(1);
		let sum = 0;
		for (let i = 0; i < 100_000; i++) {
			const value = random();
			expect(value >= 0 && value < 1).toBe(true);
			sum += value;
		}
		expect(sum / 100_000).toBeCloseTo(0.5, 2);
	});
	it('quantiles interpolate as NumPy', () => {
		expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
		expect(quantileSorted([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12);
	});
});

describe('paired comparison', () => {
	it('counts wins, ties and losses of b against a; rounding-level differences are ties', () => {
		const a = [0.5, 0.2, 0.9, 0.3, 0.1 + 0.2];
		const b = [0.7, 0.2, 0.4, 0.8, 0.3];
		const result = comparePaired(a, b, { seed: 1 });
		expect(result).toMatchObject({ n: 5, wins: 2, ties: 2, losses: 1 });
		expect(result.meanDifference).toBeCloseTo((0.2 + 0 - 0.5 + 0.5 + 0) / 5, 12);
		expect(result.signTestP).toBeCloseTo(signTestPValue(2, 1), 12);
		expect(result.interval!.low).toBeLessThanOrEqual(result.meanDifference);
		expect(result.interval!.high).toBeGreaterThanOrEqual(result.meanDifference);
	});
	it('the Wilcoxon p-value is that of the differences; equal variants have none', () => {
		const a = [0.1, 0.2, 0.3, 0.4, 0.5];
		const b = [0.3, 0.5, 0.2, 0.8, 1.0];
		expect(comparePaired(a, b).wilcoxonP).toBeCloseTo(wilcoxonSignedRank(b.map((v, i) => v - a[i]))!.pValue, 12);
		expect(comparePaired(a, a).wilcoxonP).toBeUndefined();
		expect(() => comparePaired([1], [1, 2])).toThrow('not pairs');
	});
});
