/**
 * One shape for every limit a request option has before it is sent. The node descriptions read a
 * limit for their `typeOptions` (what the editor enforces) and the run-time check reads the same
 * limit, because n8n's engine does not enforce `minValue`/`maxValue`: values from expressions and
 * imported workflows arrive unchecked.
 */
export interface NumberLimit {
	/** The name a user sees in the node (used in the error). */
	label: string;
	/** The API field the value is sent as. */
	field: string;
	min?: number;
	max?: number;
	/** The bound itself is refused (learning-rate multiplier > 0, DPO beta in (0, 2]). */
	minExclusive?: boolean;
	maxExclusive?: boolean;
	integer?: boolean;
	/** The API reference page the limit comes from. */
	source: string;
}

export interface LengthLimit {
	label: string;
	field: string;
	/** Most characters (or, for a list, most entries). */
	max: number;
	source: string;
}

/** The limit as words: "an integer from 1 to 128", "a number above 0 and at most 2". */
export function describeNumberLimit(limit: NumberLimit): string {
	const kind = limit.integer ? 'an integer' : 'a number';
	if (limit.min !== undefined && limit.max !== undefined && !limit.minExclusive && !limit.maxExclusive) {
		return `${kind} from ${limit.min} to ${limit.max}`;
	}
	const bounds: string[] = [];
	if (limit.min !== undefined) bounds.push(`${limit.minExclusive ? 'above' : 'at least'} ${limit.min}`);
	if (limit.max !== undefined) bounds.push(`${limit.maxExclusive ? 'below' : 'at most'} ${limit.max}`);
	return [kind, bounds.join(' and ')].filter(Boolean).join(' ');
}

/**
 * Undefined when the value keeps the limit, otherwise the problem in words, naming the field, the
 * value and the limit: `Temperature: 2.5 is outside the limit (a number from 0 to 2)`.
 */
export function numberProblem(limit: NumberLimit, value: unknown): string | undefined {
	const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
	const problem = (why: string) => `${limit.label}: ${shown} ${why} (${describeNumberLimit(limit)})`;
	if (typeof value !== 'number' || Number.isNaN(value)) return problem('is not a number');
	if (!Number.isFinite(value)) return problem('is outside the limit');
	if (limit.integer && !Number.isInteger(value)) return problem('is not a whole number');
	if (limit.min !== undefined && (limit.minExclusive ? value <= limit.min : value < limit.min)) return problem('is outside the limit');
	if (limit.max !== undefined && (limit.maxExclusive ? value >= limit.max : value > limit.max)) return problem('is outside the limit');
	return undefined;
}

/** For strings: characters; for arrays: entries; for objects: keys. */
export function lengthProblem(limit: LengthLimit, value: string | readonly unknown[] | object): string | undefined {
	const count = typeof value === 'string' ? [...value].length : Array.isArray(value) ? value.length : Object.keys(value).length;
	if (count <= limit.max) return undefined;
	const unit = typeof value === 'string' ? 'characters' : Array.isArray(value) ? 'entries' : 'keys';
	return `${limit.label}: ${count} ${unit}, more than the limit of ${limit.max}`;
}

/** The editor's side of a limit, for a number parameter's `typeOptions`. */
export function numberTypeOptions(limit: NumberLimit, extra: { numberPrecision?: number } = {}): { minValue?: number; maxValue?: number; numberPrecision?: number } {
	const options: { minValue?: number; maxValue?: number; numberPrecision?: number } = { ...extra };
	// The editor has no exclusive bound: the smallest step above it stands in (the run-time check is exact).
	if (limit.min !== undefined) options.minValue = limit.minExclusive ? limit.min + (limit.integer ? 1 : 0.01) : limit.min;
	if (limit.max !== undefined) options.maxValue = limit.maxExclusive ? limit.max - (limit.integer ? 1 : 0.01) : limit.max;
	return options;
}
