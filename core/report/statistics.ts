/**
 * The statistics of the Reward Report: plain functions over arrays of numbers, no n8n types.
 *
 * - Mean with a 95% percentile bootstrap interval; resampling uses a seeded PRNG (mulberry32), so the
 *   same items give the same interval on every run.
 * - Pass rate with the Wilson score interval (no continuity correction), as SciPy's
 *   `binomtest(k, n).proportion_ci(method='wilson')`.
 * - Paired comparison (the same input under two variants): the bootstrap interval of the mean
 *   difference resamples the pairs, wins/ties/losses, the exact two-sided sign test (SciPy's
 *   `binomtest(wins, wins + losses, 0.5)`) and the Wilcoxon signed-rank test (zeros dropped, as
 *   SciPy's zero_method 'wilcox'; the exact null distribution when at most 50 pairs remain and no two
 *   |differences| tie, else the normal approximation with the tie correction and no continuity
 *   correction, as SciPy's `wilcoxon(d, correction=False)`).
 */

/** The seeded PRNG the resampling draws from (mulberry32), also for tests. */
export { mulberry32 as seededRandom } from '../random';

export interface Interval {
	low: number;
	high: number;
}

export interface BootstrapOptions {
	/** Seed of the resampling PRNG. */
	seed?: number;
	/** Number of resamples. */
	resamples?: number;
	/** Confidence level, e.g. 0.95. */
	level?: number;
}

export const DEFAULT_RESAMPLES = 2000;
export const DEFAULT_SEED = 1;

export function mean(values: ArrayLike<number>): number {
	let sum = 0;
	for (let i = 0; i < values.length; i++) sum += values[i];
	return values.length ? sum / values.length : NaN;
}

/** The q-quantile of sorted values, interpolating linearly between order statistics (NumPy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
	if (sorted.length === 0) return NaN;
	const position = (sorted.length - 1) * q;
	const below = Math.floor(position);
	const above = Math.min(below + 1, sorted.length - 1);
	return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * Percentile bootstrap interval of the mean. With one value, or all values equal, the interval is
 * that value. An empty sample has no interval.
 */
export function bootstrapMeanInterval(values: ArrayLike<number>, options: BootstrapOptions = {}): Interval | undefined {
	const n = values.length;
	if (n === 0) return undefined;
	const resamples = options.resamples ?? DEFAULT_RESAMPLES;
	const level = options.level ?? 0.95;
	const data = Float64Array.from(values as ArrayLike<number>);
	let min = Infinity;
	let max = -Infinity;
	for (let i = 0; i < n; i++) {
		if (data[i] < min) min = data[i];
		if (data[i] > max) max = data[i];
	}
	const means = new Float64Array(resamples);
	// mulberry32 inlined (this loop draws resamples × n indices: 200 million for 100,000 items), the
	// index taken from the 32-bit output u as ⌊u·n / 2³²⌋, which is below n (u < 2³²) and below 2³¹.
	let state = (options.seed ?? DEFAULT_SEED) >>> 0;
	const scale = n / 4294967296;
	for (let b = 0; b < resamples; b++) {
		let sum = 0;
		for (let i = 0; i < n; i++) {
			state = (state + 0x6d2b79f5) | 0;
			let t = Math.imul(state ^ (state >>> 15), state | 1);
			t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
			sum += data[(((t ^ (t >>> 14)) >>> 0) * scale) | 0];
		}
		means[b] = sum / n;
	}
	means.sort();
	const alpha = (1 - level) / 2;
	// A mean lies between the smallest and the largest value; summing in floating point may step out by one ulp.
	const within = (value: number) => Math.min(max, Math.max(min, value));
	return { low: within(quantileSorted(means, alpha)), high: within(quantileSorted(means, 1 - alpha)) };
}

/** The standard normal quantile for a two-sided level (0.95 gives 1.959963984540054). */
export function normalQuantile(p: number): number {
	// Acklam's rational approximation, refined by one Halley step on erfc: about 1e-15 relative.
	if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
	const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
	const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
	const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
	const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
	const low = 0.02425;
	let x: number;
	if (p < low) {
		const q = Math.sqrt(-2 * Math.log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p <= 1 - low) {
		const q = p - 0.5;
		const r = q * q;
		x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	} else {
		const q = Math.sqrt(-2 * Math.log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	const e = 0.5 * erfc(-x / Math.SQRT2) - p;
	const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
	return x - u / (1 + (x * u) / 2);
}

/** erfc(x), to about 1e-14 relative: the series of erf below 2.5, Lentz's continued fraction above. */
export function erfc(x: number): number {
	if (Number.isNaN(x)) return NaN;
	if (x < 0) return 2 - erfc(-x);
	if (x < 2.5) {
		// erf(x) = 2/√π · Σ (-1)ⁿ x^(2n+1) / (n! (2n+1))
		let term = x;
		let sum = x;
		const x2 = x * x;
		for (let n = 1; n < 200; n++) {
			term *= -x2 / n;
			const add = term / (2 * n + 1);
			sum += add;
			if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
		}
		return 1 - (2 / Math.sqrt(Math.PI)) * sum;
	}
	if (x > 27) return 0;
	// erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
	const tiny = 1e-300;
	let f = x;
	let C = x;
	let D = 0;
	for (let n = 1; n < 500; n++) {
		const an = n / 2;
		D = x + an * D;
		D = D === 0 ? tiny : D;
		C = x + an / C;
		C = C === 0 ? tiny : C;
		D = 1 / D;
		const delta = C * D;
		f *= delta;
		if (Math.abs(delta - 1) < 1e-16) break;
	}
	return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** The standard normal survival function P(Z > z). */
export function normalSf(z: number): number {
	return 0.5 * erfc(z / Math.SQRT2);
}

/** Wilson score interval of a proportion (successes of n) at the given level, without continuity correction. */
export function wilsonInterval(successes: number, n: number, level = 0.95): Interval | undefined {
	if (n === 0) return undefined;
	if (!(successes >= 0 && successes <= n)) throw new Error(`wilsonInterval: successes ${successes} must be between 0 and n = ${n}`);
	const z = normalQuantile(1 - (1 - level) / 2);
	const p = successes / n;
	const z2 = z * z;
	const denominator = 1 + z2 / n;
	const center = (p + z2 / (2 * n)) / denominator;
	const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
	return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

/** Exact two-sided binomial test against p = 0.5 (the sign test): 2·P(X ≤ min(k, n−k)), at most 1. */
export function signTestPValue(wins: number, losses: number): number {
	const n = wins + losses;
	if (n === 0) return 1;
	const k = Math.min(wins, losses);
	if (2 * k === n) return 1;
	// Σ C(n, i) / 2ⁿ for i ≤ k, in log space so that large n does not overflow.
	const log2 = Math.log(2);
	let logTerm = -n * log2;
	let sum = Math.exp(logTerm);
	for (let i = 0; i < k; i++) {
		logTerm += Math.log((n - i) / (i + 1));
		sum += Math.exp(logTerm);
	}
	return Math.min(1, 2 * sum);
}

/** Ranks of values (1-based), ties getting their average rank; also the sizes of the tied groups. */
export function averageRanks(values: ArrayLike<number>): { ranks: Float64Array; tieGroups: number[] } {
	const n = values.length;
	const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
	const ranks = new Float64Array(n);
	const tieGroups: number[] = [];
	for (let start = 0; start < n; ) {
		let end = start + 1;
		while (end < n && values[order[end]] === values[order[start]]) end++;
		const rank = (start + 1 + end) / 2;
		for (let j = start; j < end; j++) ranks[order[j]] = rank;
		if (end - start > 1) tieGroups.push(end - start);
		start = end;
	}
	return { ranks, tieGroups };
}

export interface WilcoxonResult {
	/** min(W+, W−) over the non-zero differences. */
	statistic: number;
	pValue: number;
	/** Non-zero differences used. */
	n: number;
	method: 'exact' | 'normal';
}

/** Largest n for the exact null distribution, as SciPy's 'auto' mode. */
export const WILCOXON_EXACT_MAX = 50;

/**
 * Two-sided Wilcoxon signed-rank test of paired differences (b − a). Zero differences are dropped.
 * Undefined when no difference is non-zero.
 */
export function wilcoxonSignedRank(differences: ArrayLike<number>): WilcoxonResult | undefined {
	const nonZero: number[] = [];
	for (let i = 0; i < differences.length; i++) if (differences[i] !== 0) nonZero.push(differences[i]);
	const n = nonZero.length;
	if (n === 0) return undefined;
	const { ranks, tieGroups } = averageRanks(nonZero.map(Math.abs));
	let plus = 0;
	for (let i = 0; i < n; i++) if (nonZero[i] > 0) plus += ranks[i];
	const total = (n * (n + 1)) / 2;
	const statistic = Math.min(plus, total - plus);
	const zeros = differences.length - n;
	if (n <= WILCOXON_EXACT_MAX && tieGroups.length === 0 && zeros === 0) {
		// counts[s]: subsets of {1..n} whose ranks sum to s; W+ is uniform over the 2ⁿ sign patterns.
		const counts = new Float64Array(total + 1);
		counts[0] = 1;
		for (let rank = 1; rank <= n; rank++) for (let s = total; s >= rank; s--) counts[s] += counts[s - rank];
		let below = 0;
		for (let s = 0; s <= statistic; s++) below += counts[s];
		return { statistic, pValue: Math.min(1, (2 * below) / 2 ** n), n, method: 'exact' };
	}
	const meanW = total / 2;
	let variance = n * (n + 1) * (2 * n + 1);
	for (const t of tieGroups) variance -= 0.5 * t * (t * t - 1);
	const se = Math.sqrt(variance / 24);
	const z = se > 0 ? (statistic - meanW) / se : 0;
	return { statistic, pValue: Math.min(1, 2 * normalSf(Math.abs(z))), n, method: 'normal' };
}

export interface PairedComparison {
	n: number;
	/** Mean of b − a. */
	meanDifference: number;
	interval?: Interval;
	wins: number;
	ties: number;
	losses: number;
	/** Sign test p-value (ties dropped). */
	signTestP: number;
	/** Wilcoxon signed-rank p-value; undefined when every pair ties. */
	wilcoxonP?: number;
	wilcoxonMethod?: 'exact' | 'normal';
}

/**
 * Compares b against a, pair by pair. A pair whose difference is at most `tieTolerance` in absolute
 * value is a tie (and a zero for the Wilcoxon test): floating-point rewards that differ by rounding
 * are the same reward.
 */
export function comparePaired(a: ArrayLike<number>, b: ArrayLike<number>, options: BootstrapOptions & { tieTolerance?: number } = {}): PairedComparison {
	if (a.length !== b.length) throw new Error(`comparePaired: ${a.length} and ${b.length} values are not pairs`);
	const tolerance = options.tieTolerance ?? 1e-9;
	const raw = new Float64Array(a.length);
	const differences = new Float64Array(a.length);
	let wins = 0;
	let ties = 0;
	let losses = 0;
	for (let i = 0; i < a.length; i++) {
		let d = b[i] - a[i];
		raw[i] = d;
		if (Math.abs(d) <= tolerance) {
			d = 0;
			ties++;
		} else if (d > 0) wins++;
		else losses++;
		differences[i] = d;
	}
	const wilcoxon = wilcoxonSignedRank(differences);
	return {
		n: a.length,
		meanDifference: mean(raw),
		interval: bootstrapMeanInterval(raw, options),
		wins,
		ties,
		losses,
		signTestP: signTestPValue(wins, losses),
		...(wilcoxon ? { wilcoxonP: wilcoxon.pValue, wilcoxonMethod: wilcoxon.method } : {}),
	};
}
