import type { IDataObject } from 'n8n-workflow';
import { tryParseJson } from '../../core/json/tryParseJson';
import type { PlanSpec } from '../../core/scoring/graders';
import type { ScorerSpec, ScorerType } from '../../core/scoring/registry';
import type { BleuSmoothing } from '../../core/scoring/metrics/bleu';
import type { RougeTokenizer } from '../../core/scoring/metrics/rouge';
import type { WordTokenizer } from '../../core/scoring/metrics/tokenize';
import type { RougeMeasure } from '../../core/scoring/scorers/similarityMetrics';
import type { SimilarityMetric, TextSimilarityConfig } from '../../core/scoring/scorers/textSimilarity';
import { ParameterError } from './transportOptions';

const lines = (value: unknown) =>
	String(value ?? '')
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);
const commaList = (value: unknown) =>
	String(value ?? '')
		.split(',')
		.map((label) => label.trim())
		.filter(Boolean);
const bool = (value: unknown, fallback = false) => (value === undefined ? fallback : value === true);

function jsonValue(value: unknown): unknown {
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
function referenceText(entry: IDataObject, name: string): string {
	const value = entry.reference;
	if (value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return JSON.stringify(value);
	throw new ParameterError(`Scorer "${name}" Reference`, `is ${kindOf(value)}, not text`);
}

/**
 * A judge's model: the model picker's value ({ __rl, mode, value }), or the plain string that
 * workflows saved before the picker hold.
 */
function judgeModel(value: unknown): string {
	if (value !== null && typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value ?? '').trim();
	return String(value ?? '').trim();
}

/** A parameter n8n only keeps for the metrics that show it: undefined for the others. */
const shown = <T>(entry: IDataObject, key: string, read: (value: unknown) => T): T | undefined => (entry[key] === undefined ? undefined : read(entry[key]));

function similarityConfig(entry: IDataObject, name: string, passThreshold: number | undefined): TextSimilarityConfig {
	return {
		metric: (entry.metric as SimilarityMetric) ?? 'rouge_l',
		reference: referenceText(entry, name),
		passThreshold,
		stemmer: shown(entry, 'stemmer', (value) => value === true),
		rougeTokenizer: shown(entry, 'rougeTokenizer', (value) => value as RougeTokenizer),
		rougeMeasure: shown(entry, 'rougeMeasure', (value) => value as RougeMeasure),
		tokenizer: shown(entry, 'tokenizer', (value) => value as WordTokenizer),
		lowercase: shown(entry, 'lowercase', (value) => value === true),
		smoothing: shown(entry, 'smoothing', (value) => value as BleuSmoothing),
		maxOrder: shown(entry, 'maxOrder', Number),
		epsSmoothing: shown(entry, 'epsSmoothing', (value) => value === true),
	};
}

function specOf(entry: IDataObject, name: string): ScorerSpec {
	const type = String(entry.type ?? 'contains') as ScorerType;
	const negate = bool(entry.negate);
	const caseSensitive = bool(entry.caseSensitive);
	const passThreshold = entry.passThreshold === undefined ? undefined : Number(entry.passThreshold);
	switch (type) {
		case 'equals':
			return { type, name, config: { value: String(entry.value ?? ''), trim: bool(entry.trim, true), caseSensitive, negate } };
		case 'starts_with':
		case 'ends_with':
			return { type, name, config: { value: String(entry.value ?? ''), caseSensitive, negate } };
		case 'contains':
			return { type, name, config: { values: lines(entry.values), mode: entry.containsMode === 'all' ? 'all' : 'any', caseSensitive, negate } };
		case 'regex':
			return { type, name, config: { pattern: String(entry.pattern ?? ''), flags: String(entry.flags ?? ''), caseSensitive, negate } };
		case 'banned_terms':
			return { type, name, config: { terms: lines(entry.terms), wholeWord: bool(entry.wholeWord, true), caseSensitive, negate } };
		case 'length': {
			const max = Number(entry.max ?? 0);
			return { type, name, config: { unit: (entry.unit as 'characters' | 'words' | 'tokens') ?? 'words', min: Number(entry.min ?? 0), max: max > 0 ? max : undefined, negate } };
		}
		case 'json_valid':
			return { type, name, config: { negate } };
		case 'json_schema': {
			const schema = typeof entry.schema === 'string' ? tryParseJson(entry.schema) : { ok: true as const, value: entry.schema };
			if (!schema.ok) throw new ParameterError(`Scorer "${name}" Schema`, `is not valid JSON (${schema.problem})`);
			return { type, name, config: { schema: schema.value as Record<string, unknown>, negate } };
		}
		case 'json_field':
			return {
				type,
				name,
				config: { path: String(entry.path ?? ''), operator: (entry.fieldOperator as 'equals' | 'contains' | 'exists') ?? 'equals', value: jsonValue(entry.fieldValue), caseSensitive, negate },
			};
		case 'text_similarity':
			return { type, name, config: similarityConfig(entry, name, passThreshold) };
		case 'embedding_similarity':
			return { type, name, config: { model: String(entry.embeddingModel ?? ''), reference: referenceText(entry, name), passThreshold } };
		case 'perplexity':
			return { type, name, config: { passThreshold } };
		case 'custom':
			return { type, name, config: { passThreshold } };
		case 'score_model':
			return {
				type,
				name,
				config: { model: judgeModel(entry.model), rubric: String(entry.rubric ?? ''), range: [Number(entry.rangeMin ?? 0), Number(entry.rangeMax ?? 10)], passThreshold },
			};
		case 'label_model':
			return {
				type,
				name,
				config: { model: judgeModel(entry.model), instructions: String(entry.rubric ?? ''), labels: commaList(entry.labels), passingLabels: commaList(entry.passingLabels) },
			};
		case 'select_best':
			return { type, name, config: { model: judgeModel(entry.model), criteria: String(entry.criteria ?? '') } };
		default:
			throw new ParameterError(`Scorer "${name}" Type`, `unknown type "${String(type)}"`);
	}
}

/** The scorers as configured in the UI (the fixedCollection's entries), with their custom values. */
export function readScorerEntries(entries: IDataObject[], defaultModel = ''): { specs: PlanSpec[]; customValues: Record<string, unknown> } {
	if (entries.length === 0) throw new ParameterError('Scorers', 'add at least one scorer');
	const customValues: Record<string, unknown> = {};
	const specs = entries.map((entry, position) => {
		const name = String(entry.name ?? '').trim();
		if (!name) throw new ParameterError(`Scorer ${position + 1} Name`, 'is empty');
		const weight = entry.weight === undefined ? 1 : Number(entry.weight);
		if (entry.type === 'custom') customValues[name] = entry.customValue;
		// A judge whose model is left empty uses the credential's Default Model.
		const withModel = judgeModel(entry.model) || !defaultModel ? entry : { ...entry, model: defaultModel };
		return { spec: specOf(withModel, name), weight, mustPass: bool(entry.mustPass) };
	});
	return { specs, customValues };
}
