/**
 * How a scorer type is declared (core/scoring/registry.ts): its factory, and for the scorers the
 * Score Output UI offers, its entry in the Type list, the UI fields it shows and the reader that
 * turns those fields into its config. The reader sees only the fields the type declares, so a field
 * left out of `fields` is a compile error where the reader uses it; the node builds the field list
 * (nodes/shared/scoreOutputDescription.ts, one UI definition per field name) from these declarations.
 */
import { tryParseJson } from '../json/tryParseJson';
import { ParameterError } from '../parameterError';
import type { Scorer } from './types';

/** Every field a scorer can show under Scorers › Scorer, by parameter name (what saved workflows hold). */
export type ScorerFieldName =
	| 'value'
	| 'values'
	| 'containsMode'
	| 'trim'
	| 'pattern'
	| 'flags'
	| 'terms'
	| 'wholeWord'
	| 'unit'
	| 'min'
	| 'max'
	| 'schema'
	| 'path'
	| 'fieldOperator'
	| 'fieldValue'
	| 'metric'
	| 'reference'
	| 'tokenizer'
	| 'lowercase'
	| 'smoothing'
	| 'maxOrder'
	| 'epsSmoothing'
	| 'rougeMeasure'
	| 'rougeTokenizer'
	| 'stemmer'
	| 'embeddingModel'
	| 'model'
	| 'rubric'
	| 'rangeMin'
	| 'rangeMax'
	| 'labels'
	| 'passingLabels'
	| 'criteria'
	| 'customValue'
	| 'passThreshold'
	| 'caseSensitive'
	| 'negate';

/** One scorer entry as n8n gives it (the fixedCollection's values), seen through the fields its type declares. */
export type ScorerEntry<F extends ScorerFieldName> = { readonly [K in F]?: unknown };

export interface ScorerUi<C, F extends ScorerFieldName> {
	/** Its name in the Type list; the group is the first word ("Rule: Equals"). */
	label: string;
	description?: string;
	/** The fields the UI shows for this type. */
	fields: readonly F[];
	/** The config from the entry's fields; `name` is the scorer's Name, for messages. */
	read(entry: ScorerEntry<F>, name: string): C;
}

export interface ScorerDefinition<C, F extends ScorerFieldName> {
	create(name: string, config: C): Scorer;
	/** How Score Output offers it, or 'grader only' for a type only OpenAI grader JSON builds. */
	ui: ScorerUi<C, F> | 'grader only';
	/** Whether it calls a model (the node then needs its credential). */
	callsModel?: boolean;
}

/** Declares a scorer type; `F` is inferred from `fields`, so the reader can read those fields only. */
export function defineScorer<C, const F extends ScorerFieldName = never>(definition: ScorerDefinition<C, F>): ScorerDefinition<C, F> {
	return definition;
}

// Readers of entry values, shared by the definitions.

export const lines = (value: unknown): string[] =>
	String(value ?? '')
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);

export const commaList = (value: unknown): string[] =>
	String(value ?? '')
		.split(',')
		.map((label) => label.trim())
		.filter(Boolean);

export const bool = (value: unknown, fallback = false): boolean => (value === undefined ? fallback : value === true);

/** A JSON value typed as text; text that is not JSON is taken as a string. */
export function jsonValue(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	const parsed = tryParseJson(value);
	return parsed.ok ? parsed.value : value;
}

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A text the scorer compares with (Reference): a string, or a finite number written as JSON writes
 * it. An expression that gives anything else (null, a boolean, an object) is the item's error,
 * naming the scorer and the field, instead of "[object Object]" or "null" being compared.
 */
export function referenceText(value: unknown, name: string): string {
	if (value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return JSON.stringify(value);
	throw new ParameterError(`Scorer "${name}" Reference`, `is ${kindOf(value)}, not text`);
}

/**
 * A judge's model: the model picker's value ({ __rl, mode, value }), or the plain string that
 * workflows saved before the picker hold.
 */
export function judgeModel(value: unknown): string {
	if (value !== null && typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value ?? '').trim();
	return String(value ?? '').trim();
}

/** A parameter n8n only keeps for the metrics that show it: undefined for the others. */
export const shown = <T>(value: unknown, read: (value: unknown) => T): T | undefined => (value === undefined ? undefined : read(value));

/** A graded scorer's own pass threshold, when set. */
export const passThresholdOf = (value: unknown): number | undefined => (value === undefined ? undefined : Number(value));
