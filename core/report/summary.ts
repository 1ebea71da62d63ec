/**
 * The Reward Report's summary: from the items Score Output or the Reward Loop emit (reward, pass,
 * scores by scorer, usage), per variant the mean reward with its bootstrap interval, the pass rate
 * with its Wilson interval, each scorer's mean and pass rate, tokens and cost; for variants paired by
 * an id field, each variant against the baseline; for Reward Loop items, rounds used and the mean
 * best reward by round. An item that cannot be read fails the report, naming the item and the field:
 * a reward that is not there is never a silent 0.
 */
import { readField } from '../json/readPath';
import { bootstrapMeanInterval, comparePaired, DEFAULT_RESAMPLES, DEFAULT_SEED, wilsonInterval, type Interval } from './statistics';

export interface ReportOptions {
	rewardField?: string;
	passField?: string;
	scoresField?: string;
	/** Field naming the variant (model, prompt); unset: all items are one variant. */
	variantField?: string;
	/** Field that names the same input across variants; set with a variant field, the variants are compared pair by pair. */
	idField?: string;
	/** Variant the others are compared with; unset: the first variant seen. */
	baseline?: string;
	/** USD per million prompt tokens. */
	inputPricePerMillion?: number;
	/** USD per million completion tokens. */
	outputPricePerMillion?: number;
	seed?: number;
	resamples?: number;
	/** Bins of the reward histogram over [0, 1]. */
	histogramBins?: number;
	/** Ids listed as regressed or fixed, at most (the counts are always whole). */
	maxIds?: number;
	/** Set: an item that cannot be read is handed here and left out, instead of failing the report. */
	onInvalid?: (error: ReportInputError) => void;
	/** Checked between the steps that take time (the resampling of each variant and comparison). */
	signal?: AbortSignal;
}

/** An item that cannot be read: the node reports it as `Item <index>: <message>`. */
export class ReportInputError extends Error {
	constructor(
		readonly index: number,
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'ReportInputError';
	}
}

export interface Tokens {
	prompt: number;
	completion: number;
	total: number;
}

export interface ScorerSummary {
	n: number;
	mean: number;
	passRate: number;
}

export interface LoopSummary {
	/** Items that carried `roundsUsed`. */
	n: number;
	meanRounds: number;
	/** How many items used 1, 2, … rounds. */
	roundsUsed: Array<{ rounds: number; items: number }>;
	/** Mean over items of the best reward reached by each round (an item that stopped keeps its best); from `history`, absent without it. */
	bestRewardByRound?: Array<{ round: number; meanBest: number }>;
}

export interface VariantSummary {
	variant: string;
	n: number;
	meanReward: number;
	rewardInterval?: Interval;
	passed: number;
	passRate: number;
	passInterval?: Interval;
	scorers: Record<string, ScorerSummary>;
	tokens: Tokens;
	/** USD, when prices are given. */
	cost?: number;
	/** Counts of rewards in equal bins of [0, 1]; the last bin includes 1. */
	histogram: number[];
	loop?: LoopSummary;
}

export interface ComparisonSummary {
	baseline: string;
	variant: string;
	/** Ids present in both. */
	pairs: number;
	/** Mean of variant − baseline over the pairs. */
	meanDifference: number;
	differenceInterval?: Interval;
	wins: number;
	ties: number;
	losses: number;
	/** Two-sided Wilcoxon signed-rank p-value (undefined when every pair ties). */
	pValue?: number;
	pValueTest?: 'wilcoxon signed-rank (exact)' | 'wilcoxon signed-rank (normal)';
	/** Exact two-sided sign test on wins against losses. */
	signTestP: number;
	/** Passed under the baseline, fail under the variant. */
	regressedCount: number;
	regressed: string[];
	/** Failed under the baseline, pass under the variant. */
	fixedCount: number;
	fixed: string[];
	/** Ids of one of the two only, left out of the pairs. */
	unpaired: number;
}

export interface ReportSummary {
	/** Items in the report. */
	n: number;
	/** Items left out because they could not be read (only with onInvalid, i.e. Continue On Fail). */
	skipped: number;
	variants: VariantSummary[];
	comparisons: ComparisonSummary[];
	settings: { confidence: 0.95; resamples: number; seed: number; histogramBins: number; variantField?: string; idField?: string; baseline?: string };
}

interface Accumulator {
	variant: string;
	rewards: number[];
	passes: boolean[];
	ids: string[];
	passed: number;
	scorers: Map<string, { n: number; sum: number; passed: number }>;
	tokens: Tokens;
	histogram: number[];
	roundsUsed: number[];
	bestByRound: number[][];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function shown(value: unknown): string {
	if (value === undefined) return 'missing';
	const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function readUnit(value: unknown, index: number, field: string, what: string): number {
	if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
		throw new ReportInputError(index, field, `${what} "${field}" is ${shown(value)}: it must be a number between 0 and 1`);
	}
	return value;
}

function readTokens(usage: unknown, index: number, field: string, into: Tokens): void {
	if (usage === undefined || usage === null) return;
	if (!isRecord(usage)) throw new ReportInputError(index, field, `field "${field}" is ${shown(usage)}: it must be an object of token counts`);
	const count = (key: 'promptTokens' | 'completionTokens' | 'totalTokens') => {
		const value = usage[key];
		if (value === undefined) return 0;
		if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
			throw new ReportInputError(index, `${field}.${key}`, `field "${field}.${key}" is ${shown(value)}: it must be a token count >= 0`);
		}
		return value;
	};
	const prompt = count('promptTokens');
	const completion = count('completionTokens');
	into.prompt += prompt;
	into.completion += completion;
	into.total += usage.totalTokens === undefined ? prompt + completion : count('totalTokens');
}

function readKey(value: unknown, index: number, field: string, what: string): string {
	if ((typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value))) return String(value);
	throw new ReportInputError(index, field, `${what} field "${field}" is ${shown(value)}: each item needs a non-empty text or number there`);
}

interface ItemReading {
	variant: string;
	id?: string;
	reward: number;
	pass: boolean;
	scores: Array<[name: string, score: number, pass: boolean]>;
	tokens: Tokens;
	rounds?: number;
	bestByRound?: number[];
}

interface Fields {
	rewardField: string;
	passField: string;
	scoresField: string;
	variantField?: string;
	idField?: string;
}

/** One item, read whole before it counts: an item that fails halfway adds nothing. */
function readItem(json: Record<string, unknown>, index: number, fields: Fields): ItemReading {
	const variant = fields.variantField ? readKey(readField(json, fields.variantField), index, fields.variantField, 'variant') : 'all';
	const reward = readUnit(readField(json, fields.rewardField), index, fields.rewardField, 'field');
	const pass = readField(json, fields.passField);
	if (typeof pass !== 'boolean') throw new ReportInputError(index, fields.passField, `field "${fields.passField}" is ${shown(pass)}: it must be true or false`);
	const item: ItemReading = { variant, reward, pass, scores: [], tokens: { prompt: 0, completion: 0, total: 0 } };
	if (fields.idField) item.id = readKey(readField(json, fields.idField), index, fields.idField, 'id');

	const scores = readField(json, fields.scoresField);
	if (scores !== undefined) {
		if (!isRecord(scores)) throw new ReportInputError(index, fields.scoresField, `field "${fields.scoresField}" is ${shown(scores)}: it must be an object of scores by scorer`);
		for (const name of Object.keys(scores)) {
			const entry = scores[name];
			const field = `${fields.scoresField}.${name}`;
			if (!isRecord(entry)) throw new ReportInputError(index, field, `field "${field}" is ${shown(entry)}: it must be an object with score and pass`);
			item.scores.push([name, readUnit(entry.score, index, `${field}.score`, 'field'), entry.pass === true]);
		}
	}
	// Generation tokens (Generate Text, Reward Loop) and the scoring's own (Score Output's judges).
	readTokens(json.usage, index, 'usage', item.tokens);
	readTokens(json.scoringUsage, index, 'scoringUsage', item.tokens);

	if (json.roundsUsed !== undefined) {
		const rounds = json.roundsUsed;
		if (!(typeof rounds === 'number' && Number.isInteger(rounds) && rounds >= 0)) {
			throw new ReportInputError(index, 'roundsUsed', `field "roundsUsed" is ${shown(rounds)}: it must be a whole number >= 0`);
		}
		item.rounds = rounds;
		if (Array.isArray(json.history)) {
			const best: number[] = [];
			for (let h = 0; h < json.history.length; h++) {
				const attempt = json.history[h];
				const round = isRecord(attempt) ? attempt.round : undefined;
				if (!(typeof round === 'number' && Number.isInteger(round) && round >= 1)) {
					throw new ReportInputError(index, `history[${h}].round`, `field "history[${h}].round" is ${shown(round)}: it must be a whole number >= 1`);
				}
				const value = readUnit((attempt as Record<string, unknown>).reward, index, `history[${h}].reward`, 'field');
				best[round - 1] = Math.max(best[round - 1] ?? 0, value);
			}
			item.bestByRound = best;
		}
	}
	return item;
}

/** The rewards of each compared pair, for the head-to-head chart: [baseline reward, variant reward]. */
export interface PairedPoints {
	baseline: string;
	variant: string;
	points: Array<[number, number]>;
}

export function buildSummary(items: ReadonlyArray<Record<string, unknown>>, options: ReportOptions = {}): ReportSummary {
	return summarize(items, options).summary;
}

/** The summary, and the pairs behind each comparison. */
export function summarize(items: ReadonlyArray<Record<string, unknown>>, options: ReportOptions = {}): { summary: ReportSummary; pairs: PairedPoints[] } {
	const rewardField = options.rewardField || 'reward';
	const passField = options.passField || 'pass';
	const scoresField = options.scoresField || 'scores';
	const bins = options.histogramBins ?? 10;
	const seed = options.seed ?? DEFAULT_SEED;
	const resamples = options.resamples ?? DEFAULT_RESAMPLES;
	const maxIds = options.maxIds ?? 100;
	if (!(Number.isInteger(bins) && bins >= 1 && bins <= 100)) throw new Error(`Histogram Bins is ${bins}: it must be a whole number from 1 to 100`);
	if (!(Number.isInteger(resamples) && resamples >= 100 && resamples <= 100_000)) throw new Error(`Resamples is ${resamples}: it must be a whole number from 100 to 100000`);
	for (const [name, price] of [
		['Input Price', options.inputPricePerMillion],
		['Output Price', options.outputPricePerMillion],
	] as const) {
		if (price !== undefined && !(Number.isFinite(price) && price >= 0)) throw new Error(`${name} is ${price}: it must be a number of USD per million tokens >= 0`);
	}
	if (options.idField && !options.variantField) throw new Error('An id field pairs items across variants: set the variant field too');
	if (items.length === 0) throw new Error('No items to report on');

	const variants = new Map<string, Accumulator>();
	let skipped = 0;
	for (let index = 0; index < items.length; index++) {
		let item: ItemReading;
		try {
			item = readItem(items[index], index, { rewardField, passField, scoresField, variantField: options.variantField, idField: options.idField });
		} catch (error) {
			// Continue On Fail: the item is left out of the report and comes out with its error.
			if (options.onInvalid && error instanceof ReportInputError) {
				skipped++;
				options.onInvalid(error);
				continue;
			}
			throw error;
		}
		let acc = variants.get(item.variant);
		if (!acc) {
			acc = {
				variant: item.variant,
				rewards: [],
				passes: [],
				ids: [],
				passed: 0,
				scorers: new Map(),
				tokens: { prompt: 0, completion: 0, total: 0 },
				histogram: new Array(bins).fill(0),
				roundsUsed: [],
				bestByRound: [],
			};
			variants.set(item.variant, acc);
		}
		acc.rewards.push(item.reward);
		acc.passes.push(item.pass);
		if (item.pass) acc.passed++;
		acc.histogram[Math.min(bins - 1, Math.floor(item.reward * bins))]++;
		if (item.id !== undefined) acc.ids.push(item.id);
		for (const [name, score, passed] of item.scores) {
			let scorer = acc.scorers.get(name);
			if (!scorer) acc.scorers.set(name, (scorer = { n: 0, sum: 0, passed: 0 }));
			scorer.n++;
			scorer.sum += score;
			if (passed) scorer.passed++;
		}
		acc.tokens.prompt += item.tokens.prompt;
		acc.tokens.completion += item.tokens.completion;
		acc.tokens.total += item.tokens.total;
		if (item.rounds !== undefined) acc.roundsUsed.push(item.rounds);
		if (item.bestByRound) acc.bestByRound.push(item.bestByRound);
	}
	if (variants.size === 0) throw new Error('No item could be read: none to report on');
	options.signal?.throwIfAborted();

	const prices = options.inputPricePerMillion !== undefined || options.outputPricePerMillion !== undefined;
	const summaries: VariantSummary[] = [...variants.values()].map((acc) => {
		options.signal?.throwIfAborted();
		const n = acc.rewards.length;
		let sum = 0;
		for (const reward of acc.rewards) sum += reward;
		const scorers: Record<string, ScorerSummary> = {};
		for (const [name, scorer] of acc.scorers) scorers[name] = { n: scorer.n, mean: scorer.sum / scorer.n, passRate: scorer.passed / scorer.n };
		return {
			variant: acc.variant,
			n,
			meanReward: sum / n,
			rewardInterval: bootstrapMeanInterval(acc.rewards, { seed, resamples }),
			passed: acc.passed,
			passRate: acc.passed / n,
			passInterval: wilsonInterval(acc.passed, n),
			scorers,
			tokens: acc.tokens,
			...(prices ? { cost: (acc.tokens.prompt * (options.inputPricePerMillion ?? 0) + acc.tokens.completion * (options.outputPricePerMillion ?? 0)) / 1e6 } : {}),
			histogram: acc.histogram,
			...(acc.roundsUsed.length ? { loop: loopSummary(acc) } : {}),
		};
	});

	const comparisons: ComparisonSummary[] = [];
	const pairs: PairedPoints[] = [];
	let baseline: string | undefined;
	if (options.idField && variants.size > 1) {
		baseline = options.baseline || [...variants.keys()][0];
		const base = variants.get(baseline);
		if (!base) throw new Error(`Baseline "${baseline}" is not a variant of the items: they have ${[...variants.keys()].map((v) => `"${v}"`).join(', ')}`);
		const byId = (acc: Accumulator) => {
			const positions = new Map<string, number>();
			acc.ids.forEach((id, position) => {
				if (positions.has(id)) throw new Error(`Variant "${acc.variant}" has id "${id}" twice in field "${options.idField}": ids must pair one item per variant`);
				positions.set(id, position);
			});
			return positions;
		};
		const baseIds = byId(base);
		for (const acc of variants.values()) {
			if (acc === base) continue;
			options.signal?.throwIfAborted();
			const ids = byId(acc);
			const a: number[] = [];
			const b: number[] = [];
			const regressed: string[] = [];
			const fixed: string[] = [];
			let regressedCount = 0;
			let fixedCount = 0;
			for (const [id, position] of ids) {
				const basePosition = baseIds.get(id);
				if (basePosition === undefined) continue;
				a.push(base.rewards[basePosition]);
				b.push(acc.rewards[position]);
				const before = base.passes[basePosition];
				const after = acc.passes[position];
				if (before && !after && regressedCount++ < maxIds) regressed.push(id);
				if (!before && after && fixedCount++ < maxIds) fixed.push(id);
			}
			const unpaired = ids.size + baseIds.size - 2 * a.length;
			const paired = comparePaired(a, b, { seed, resamples });
			pairs.push({ baseline, variant: acc.variant, points: a.map((value, i) => [value, b[i]]) });
			comparisons.push({
				baseline,
				variant: acc.variant,
				pairs: a.length,
				meanDifference: paired.meanDifference,
				differenceInterval: paired.interval,
				wins: paired.wins,
				ties: paired.ties,
				losses: paired.losses,
				...(paired.wilcoxonP !== undefined ? { pValue: paired.wilcoxonP, pValueTest: paired.wilcoxonMethod === 'exact' ? 'wilcoxon signed-rank (exact)' : 'wilcoxon signed-rank (normal)' } : {}),
				signTestP: paired.signTestP,
				regressedCount,
				regressed,
				fixedCount,
				fixed,
				unpaired,
			});
		}
	}
	const summary: ReportSummary = {
		n: summaries.reduce((total, v) => total + v.n, 0),
		skipped,
		variants: summaries,
		comparisons,
		settings: {
			confidence: 0.95,
			resamples,
			seed,
			histogramBins: bins,
			...(options.variantField ? { variantField: options.variantField } : {}),
			...(options.idField ? { idField: options.idField } : {}),
			...(baseline ? { baseline } : {}),
		},
	};
	return { summary, pairs };
}

function loopSummary(acc: Accumulator): LoopSummary {
	const counts = new Map<number, number>();
	let sum = 0;
	for (const rounds of acc.roundsUsed) {
		counts.set(rounds, (counts.get(rounds) ?? 0) + 1);
		sum += rounds;
	}
	const summary: LoopSummary = {
		n: acc.roundsUsed.length,
		meanRounds: sum / acc.roundsUsed.length,
		roundsUsed: [...counts].sort(([a], [b]) => a - b).map(([rounds, items]) => ({ rounds, items })),
	};
	if (acc.bestByRound.length) {
		const maxRound = Math.max(...acc.bestByRound.map((best) => best.length));
		summary.bestRewardByRound = [];
		for (let round = 1; round <= maxRound; round++) {
			let total = 0;
			for (const best of acc.bestByRound) {
				// Best so far: an item that stopped (or skipped a round) keeps the best it had reached.
				let reached = 0;
				for (let r = 0; r < Math.min(round, best.length); r++) if (best[r] !== undefined && best[r] > reached) reached = best[r];
				total += reached;
			}
			summary.bestRewardByRound.push({ round, meanBest: total / acc.bestByRound.length });
		}
	}
	return summary;
}
