/**
 * `json_field`: a field of the JSON output exists, equals a value or contains one.
 *
 * Error flag vs fail (as in every rule scorer, see shared.ts): an output that is not JSON, or
 * that lacks the field, is an ordinary failure, score 0 with no error flag.
 * Negation applies to the field test only: negated, a missing field passes ("must not exist",
 * "must not equal"), but an output that is not JSON fails either way.
 */
import { lookupPath, MISSING, parseFieldPath, type PathSegment } from '../fieldPath';
import { ruleResult, type CaseConfig, type NegatableConfig } from '../types';
import { notJson, readJson, showValue, type SyncScorer } from './shared';

export type JsonFieldOperator = 'equals' | 'contains' | 'exists';

export interface JsonFieldConfig extends NegatableConfig, CaseConfig {
	/**
	 * Where the field is: keys joined by dots, array indexes in brackets, e.g. `items[0].name`.
	 * A leading `$` is allowed (`$.items[0].name`, as schema violations write paths); keys with
	 * dots or brackets go in quoted brackets: `meta["content-type"]`. `$` alone is the whole output.
	 */
	path: string;
	/**
	 * `exists`: the field is present (null counts as present). `equals`: deep equality of JSON
	 * values, strings compared per caseSensitive (object keys always exactly). `contains`: a
	 * substring of a string field, or an element of an array field.
	 */
	operator: JsonFieldOperator;
	/** The value for `equals` and `contains`, as a JSON value (a number is not equal to its text). */
	value?: unknown;
}

export { parseFieldPath, type PathSegment };

/** Lower-cases every string in a JSON value (not the keys). */
function foldDeep(value: unknown): unknown {
	if (typeof value === 'string') return value.toLowerCase();
	if (Array.isArray(value)) return value.map(foldDeep);
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, foldDeep(child)]));
	}
	return value;
}

/** Deep JSON equality; with `fold`, strings of `actual` are lower-cased (`expected` already is). */
function jsonEqual(actual: unknown, expected: unknown, fold: boolean): boolean {
	if (typeof actual === 'string') return typeof expected === 'string' && (fold ? actual.toLowerCase() : actual) === expected;
	if (actual === expected) return true;
	if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) return false;
	if (Array.isArray(actual)) {
		if (!Array.isArray(expected) || actual.length !== expected.length) return false;
		for (let i = 0; i < actual.length; i++) if (!jsonEqual(actual[i], expected[i], fold)) return false;
		return true;
	}
	if (Array.isArray(expected)) return false;
	const keys = Object.keys(actual);
	if (keys.length !== Object.keys(expected).length) return false;
	for (const key of keys) {
		if (!Object.hasOwn(expected, key)) return false;
		if (!jsonEqual((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], fold)) return false;
	}
	return true;
}

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Passes when the field at `path` exists, equals `value` or contains `value`. details.actual is the field's value. */
export function createJsonFieldScorer(name: string, config: JsonFieldConfig): SyncScorer {
	if (typeof config.path !== 'string' || config.path.trim() === '') throw new Error(`${name}: json_field needs a path`);
	const path = config.path.trim();
	let segments: PathSegment[];
	try {
		segments = parseFieldPath(path);
	} catch (error) {
		throw new Error(`${name}: json_field ${(error as Error).message}`);
	}
	const operator = config.operator;
	if (operator !== 'equals' && operator !== 'contains' && operator !== 'exists') {
		throw new Error(`${name}: json_field needs "operator" to be equals, contains or exists, got ${JSON.stringify(operator)}`);
	}
	if (operator !== 'exists' && config.value === undefined) throw new Error(`${name}: json_field needs a value to compare with (${operator})`);
	const fold = !config.caseSensitive;
	const expected = fold ? foldDeep(config.value) : config.value;
	const shown = showValue(config.value);
	const test = (actual: unknown): { matched: boolean; reason: string } => {
		if (operator === 'exists') return { matched: true, reason: `${path} exists` };
		if (operator === 'equals') {
			return jsonEqual(actual, expected, fold)
				? { matched: true, reason: `${path} equals ${shown}` }
				: { matched: false, reason: `${path} is ${showValue(actual)}, not ${shown}` };
		}
		let matched: boolean;
		if (typeof actual === 'string') {
			matched = typeof expected === 'string' && (fold ? actual.toLowerCase() : actual).includes(expected);
		} else if (Array.isArray(actual)) {
			matched = actual.some((element) => jsonEqual(element, expected, fold));
		} else {
			return { matched: false, reason: `${path} is ${kindOf(actual)}, not a string or an array` };
		}
		return matched
			? { matched: true, reason: `${path} contains ${shown}` }
			: { matched: false, reason: `${path} (${showValue(actual)}) does not contain ${shown}` };
	};
	return {
		name,
		type: 'json_field',
		score(sample) {
			const json = readJson(sample);
			if (!json.ok) return notJson(json.problem);
			const actual = lookupPath(json.value, segments);
			if (actual === MISSING) return ruleResult(false, config.negate, `${path} is missing`, { path });
			const { matched, reason } = test(actual);
			return ruleResult(matched, config.negate, reason, { path, actual });
		},
	};
}
