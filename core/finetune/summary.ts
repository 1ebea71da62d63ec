/**
 * The statistics and the cost estimate of OpenAI's cookbook "Data preparation and analysis for
 * chat model fine-tuning" (examples/Chat_finetuning_data_prep.ipynb), kept in typed arrays so
 * that a file of 100,000 examples costs a few megabytes, not its rows.
 */

/** A column of numbers that grows by doubling, in a typed array. */
export class NumberColumn {
	private values: Float64Array;
	private count = 0;

	constructor(initialCapacity = 1024) {
		this.values = new Float64Array(Math.max(1, initialCapacity));
	}

	get length(): number {
		return this.count;
	}

	push(value: number): void {
		if (this.count === this.values.length) {
			const grown = new Float64Array(this.values.length * 2);
			grown.set(this.values);
			this.values = grown;
		}
		this.values[this.count++] = value;
	}

	/** A sorted copy of the values (typed-array sort is numeric). */
	sorted(): Float64Array {
		return this.values.slice(0, this.count).sort();
	}

	sum(): number {
		let total = 0;
		for (let i = 0; i < this.count; i++) total += this.values[i];
		return total;
	}
}

/**
 * The q-quantile of sorted values with linear interpolation between the closest ranks, numpy's
 * default (`np.quantile(values, q)`, method "linear"), which the cookbook uses.
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
	const n = sorted.length;
	if (n === 0) return Number.NaN;
	const position = (n - 1) * Math.min(1, Math.max(0, q));
	const lower = Math.floor(position);
	const upper = Math.min(n - 1, lower + 1);
	return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
}

export interface Distribution {
	min: number;
	max: number;
	mean: number;
	median: number;
	/** The 5th percentile (numpy's linear quantile 0.05). */
	p5: number;
	/** The 95th percentile (numpy's linear quantile 0.95). */
	p95: number;
}

/**
 * min, max, mean, median, p5 and p95 of a column, or null for no values. The cookbook's
 * `print_distribution` labels its line "p5 / p95" but computes `np.quantile(values, 0.1)` and
 * `np.quantile(values, 0.9)`; these are the 5th and 95th percentiles the labels name.
 */
export function distribution(column: NumberColumn): Distribution | null {
	if (column.length === 0) return null;
	const sorted = column.sorted();
	return {
		min: sorted[0],
		max: sorted[sorted.length - 1],
		mean: column.sum() / column.length,
		median: quantile(sorted, 0.5),
		p5: quantile(sorted, 0.05),
		p95: quantile(sorted, 0.95),
	};
}

/** The constants of the cookbook's "Pricing and default n_epochs estimate" cell. */
export const TARGET_EPOCHS = 3;
export const MIN_TARGET_EXAMPLES = 100;
export const MAX_TARGET_EXAMPLES = 25_000;
export const MIN_DEFAULT_EPOCHS = 1;
export const MAX_DEFAULT_EPOCHS = 25;

/**
 * The default number of epochs for `n_epochs: "auto"`, exactly as the cookbook computes it:
 * 3 epochs, unless examples × 3 falls outside [100, 25,000], then
 *   n × 3 < 100    → min(25, 100 // n)
 *   n × 3 > 25,000 → max(1, 25,000 // n)
 * with Python's floor division `//` (so 7 examples → 14 epochs, not 15). No examples → 0.
 */
export function autoEpochs(examples: number): number {
	if (examples <= 0) return 0;
	if (examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES) {
		return Math.min(MAX_DEFAULT_EPOCHS, Math.floor(MIN_TARGET_EXAMPLES / examples));
	}
	if (examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES) {
		return Math.max(MIN_DEFAULT_EPOCHS, Math.floor(MAX_TARGET_EXAMPLES / examples));
	}
	return TARGET_EPOCHS;
}

export interface CostEstimate {
	/** The examples the estimate counts (those without errors). */
	examples: number;
	epochs: number;
	/** Whether `epochs` came from the cookbook's auto rule or from the caller. */
	epochsFrom: 'auto' | 'given';
	maxTokensPerExample: number;
	/** Σ min(maxTokensPerExample, tokens of the example): the tokens billed per epoch. */
	billingTokens: number;
	/** billingTokens × epochs. */
	trainedTokens: number;
	pricePerMillionTokens: number | null;
	/** trainedTokens / 1,000,000 × pricePerMillionTokens, or null without a price. */
	cost: number | null;
}

/**
 * The cookbook's estimate: `billingTokens` is Σ min(maxTokensPerExample, tokens of the example)
 * over the examples, the tokens billed per epoch; trained tokens are that × epochs, and the cost
 * is trained tokens / 1,000,000 × the price per million tokens.
 */
export function estimateCost(
	dataset: { examples: number; billingTokens: number },
	options: { maxTokensPerExample: number; epochs: number | 'auto'; pricePerMillionTokens?: number },
): CostEstimate {
	const { examples, billingTokens } = dataset;
	const epochsFrom = options.epochs === 'auto' ? 'auto' : 'given';
	const epochs = options.epochs === 'auto' ? autoEpochs(examples) : options.epochs;
	const trainedTokens = billingTokens * epochs;
	const price = options.pricePerMillionTokens ?? null;
	return {
		examples,
		epochs,
		epochsFrom,
		maxTokensPerExample: options.maxTokensPerExample,
		billingTokens,
		trainedTokens,
		pricePerMillionTokens: price,
		cost: price === null ? null : (trainedTokens / 1_000_000) * price,
	};
}
