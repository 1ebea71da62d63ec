/**
 * Several scorers make one reward. Weighted mode: the weighted mean of the scores. Formula mode: an
 * expression over scorer names (formula.ts, never eval), clamped to [0, 1]. A "must pass" scorer
 * that fails gates the item: reward 0 and pass false, so a loop never prefers an output that breaks
 * a hard rule. Otherwise the item passes when the reward reaches the threshold.
 *
 * Exactness: the weighted mean is computed as Σ wᵢ·sᵢ / Σ wᵢ, both sums in the same order, so
 * scorers that all score 1 give exactly 1 (dividing each weight by the total first, as before, gave
 * 0.9999999999999999 for six scorers), and the mean is never above 1 (rounding is monotonic). A
 * formula's result is rounded to 15 significant digits, so that decimal constants that add up to 1
 * (0.6·a + 0.3·b + 0.1·c with every score 1) give 1 and not 0.9999999999999999. The reason prints
 * the reward with enough digits to be on the same side of the threshold as the compared value.
 */
import { addUsage, emptyUsage, type TokenUsage } from '../generate/result';
import { compileFormula } from './formula';
import { formatAgainst } from './format';
import { clamp01, type Sample, type ScoreContext, type Scorer, type ScoreResult } from './types';

export interface PlanEntry {
	scorer: Scorer;
	weight: number;
	mustPass: boolean;
}

export interface CombineOptions {
	mode: 'weighted' | 'formula';
	formula?: string;
	threshold: number;
}

export interface BreakdownEntry extends ScoreResult {
	type: string;
	weight: number;
	mustPass: boolean;
}

export interface ItemScore {
	reward: number;
	pass: boolean;
	reason: string;
	breakdown: Record<string, BreakdownEntry>;
	usage: TokenUsage;
}

export class ScoringPlan {
	private readonly combineScores: (results: ScoreResult[]) => number;

	constructor(
		readonly entries: PlanEntry[],
		readonly options: CombineOptions,
	) {
		if (entries.length === 0) throw new Error('add at least one scorer');
		const names = new Set<string>();
		for (const { scorer, weight } of entries) {
			if (!/^[A-Za-z_][\w]*$/.test(scorer.name)) {
				throw new Error(`scorer name "${scorer.name}" must start with a letter or _ and use letters, digits and _ only`);
			}
			if (names.has(scorer.name)) throw new Error(`two scorers are named "${scorer.name}"`);
			names.add(scorer.name);
			if (!Number.isFinite(weight) || weight < 0) throw new Error(`${scorer.name}: weight must be a number >= 0`);
		}
		if (!(options.threshold >= 0 && options.threshold <= 1)) throw new Error('the threshold must be between 0 and 1');
		if (options.mode === 'formula') {
			const formula = compileFormula(options.formula ?? '');
			const unknown = formula.variables.filter((name) => !names.has(name));
			if (unknown.length) throw new Error(`the formula uses unknown scorer names: ${unknown.join(', ')}`);
			this.combineScores = (results) => {
				const scores: Record<string, number> = {};
				entries.forEach(({ scorer }, i) => (scores[scorer.name] = results[i].score));
				return clamp01(roundFormulaResult(formula.evaluate(scores)));
			};
		} else {
			let totalWeight = 0;
			for (const entry of entries) totalWeight += entry.weight;
			if (totalWeight <= 0) throw new Error('at least one scorer needs a weight above 0');
			const weights = entries.map((e) => e.weight);
			this.combineScores = (results) => {
				// Numerator and denominator summed the same way: all scores 1 give totalWeight / totalWeight.
				let sum = 0;
				for (let i = 0; i < results.length; i++) sum += weights[i] * results[i].score;
				return sum / totalWeight;
			};
		}
	}

	async scoreItem(sample: Sample, context: ScoreContext): Promise<ItemScore> {
		// A request that fails for good (after retries) fails the item: a reward without the judge
		// would be a different reward. A judge that answers badly is only that scorer's error.
		// Each call inside an async function: a scorer that throws at once (a rule) must not leave an
		// earlier scorer's promise (a judge's) rejected with no one listening.
		return this.combine(await Promise.all(this.entries.map(async ({ scorer }) => scorer.score(sample, context))));
	}

	/** For plans whose scorers all answer synchronously (rules, similarity): no promise per item. */
	scoreItemSync(sample: Sample, context: ScoreContext): ItemScore {
		const results: ScoreResult[] = new Array(this.entries.length);
		for (let i = 0; i < this.entries.length; i++) {
			const { scorer } = this.entries[i];
			const result = scorer.score(sample, context);
			if (result instanceof Promise) throw new Error(`${scorer.name}: this scorer is asynchronous; use scoreItem`);
			results[i] = result;
		}
		return this.combine(results);
	}

	private combine(results: ScoreResult[]): ItemScore {
		// Runs once per item: plain loops and fixed-shape objects, as rule scoring is per-item cheap
		// and this is on its path.
		const breakdown: Record<string, BreakdownEntry> = {};
		let usage: TokenUsage | undefined;
		let failedGates: string[] | undefined;
		for (let i = 0; i < this.entries.length; i++) {
			const { scorer, weight, mustPass } = this.entries[i];
			const result = results[i];
			const entry: BreakdownEntry = { score: result.score, pass: result.pass, reason: result.reason, type: scorer.type, weight, mustPass };
			if (result.details !== undefined) entry.details = result.details;
			if (result.error) entry.error = true;
			if (result.usage) {
				entry.usage = result.usage;
				addUsage((usage ??= emptyUsage()), result.usage);
			}
			breakdown[scorer.name] = entry;
			if (mustPass && !result.pass) (failedGates ??= []).push(scorer.name);
		}
		if (failedGates) {
			return { reward: 0, pass: false, reason: gateReason(failedGates, breakdown), breakdown, usage: usage ?? emptyUsage() };
		}
		const reward = clamp01(this.combineScores(results));
		const pass = reward >= this.options.threshold;
		const verdict = `reward ${formatAgainst(reward, this.options.threshold)} ${pass ? '>=' : '<'} threshold ${this.options.threshold}`;
		return {
			reward,
			pass,
			// Only an item with a failed scorer (or below the threshold) pays for the longer reason.
			reason: pass && allPassed(breakdown) ? verdict : verdict + failedPart(breakdown, pass),
			breakdown,
			usage: usage ?? emptyUsage(),
		};
	}
}

/** The most of one scorer's reason the item's reason repeats: it stays one line a person reads. */
const REASON_CHARS = 200;

function oneLine(text: string): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > REASON_CHARS ? `${line.slice(0, REASON_CHARS - 1)}…` : line;
}

/** "name (why)", the scorer's own reason on one line. */
function named(name: string, entry: BreakdownEntry): string {
	const why = oneLine(entry.reason);
	return why ? `${name} (${why})` : name;
}

function allPassed(breakdown: Record<string, BreakdownEntry>): boolean {
	for (const name in breakdown) if (!breakdown[name].pass) return false;
	return true;
}

/**
 * The failed scorers and why, after the verdict: "; failed: length (412 words, not at most 300); …".
 * Below the threshold with no scorer failed on its own, the lowest-scoring one is named instead.
 */
function failedPart(breakdown: Record<string, BreakdownEntry>, pass: boolean): string {
	const entries = Object.entries(breakdown);
	const failed = entries.filter(([, entry]) => !entry.pass);
	if (failed.length) return `; failed: ${failed.map(([name, entry]) => named(name, entry)).join('; ')}`;
	if (pass || entries.length === 0) return '';
	const [name, entry] = entries.reduce((low, next) => (next[1].score < low[1].score ? next : low));
	return `; lowest: ${name} scored ${formatAgainst(entry.score, 1)} (${oneLine(entry.reason)})`;
}

/** "must pass: no_ads failed (found "buy now")", then any other scorer that failed. */
function gateReason(gates: string[], breakdown: Record<string, BreakdownEntry>): string {
	const others = Object.entries(breakdown).filter(([name, entry]) => !entry.pass && !gates.includes(name));
	const gateText = gates.map((name) => {
		const why = oneLine(breakdown[name].reason);
		return why ? `${name} failed (${why})` : `${name} failed`;
	});
	return `must pass: ${gateText.join('; ')}${others.length ? `; also failed: ${others.map(([name, entry]) => named(name, entry)).join('; ')}` : ''}`;
}

/** A formula's result at 15 significant digits (see above); non-finite results are left to clamp01. */
function roundFormulaResult(value: number): number {
	return Number.isFinite(value) ? Number(value.toPrecision(15)) : value;
}
