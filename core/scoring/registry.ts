/**
 * Every scorer type by name: the one place that knows them all. A scorer is its own file (config and
 * factory) and its definition here: factory, Type-list entry, UI fields and the reader of those
 * fields (core/scoring/scorerEntry.ts). The order is the Type list's: rules, structure, similarity,
 * judges, custom.
 */
import { chatBodyProblem } from '../generate/checkChat';
import { tryParseJson } from '../json/tryParseJson';
import { graderSamplingName } from './graders';
import { createLabelModelScorer, type LabelModelConfig } from './judges/labelModel';
import { createScoreModelScorer, type ScoreModelConfig } from './judges/scoreModel';
import { createSelectBestScorer, type SelectBestConfig } from './judges/selectBest';
import { createBannedTermsScorer, type BannedTermsConfig } from './scorers/bannedTerms';
import { createContainsScorer, type ContainsConfig } from './scorers/contains';
import { createCustomScorer, type CustomConfig } from './scorers/custom';
import { createEmbeddingSimilarityScorer, type EmbeddingSimilarityConfig } from './scorers/embeddingSimilarity';
import { createEndsWithScorer, type EndsWithConfig } from './scorers/endsWith';
import { createEqualsScorer, type EqualsConfig } from './scorers/equals';
import { createJsonFieldScorer, type JsonFieldConfig } from './scorers/jsonField';
import { createJsonSchemaScorer, type JsonSchemaConfig } from './scorers/jsonSchema';
import { createJsonValidScorer, type JsonValidConfig } from './scorers/jsonValid';
import { createLengthScorer, type LengthConfig } from './scorers/length';
import { createPerplexityScorer, type PerplexityConfig } from './scorers/perplexity';
import { createRegexScorer, type RegexConfig } from './scorers/regex';
import { createStartsWithScorer, type StartsWithConfig } from './scorers/startsWith';
import { createStringCheckScorer } from './scorers/stringCheck';
import { createTextSimilarityScorer, type TextSimilarityConfig } from './scorers/textSimilarity';
import { ParameterError } from '../parameterError';
import { bool, commaList, defineScorer, jsonValue, judgeModel, lines, passThresholdOf, referenceText, shown, type ScorerDefinition, type ScorerFieldName } from './scorerEntry';
import type { BleuSmoothing } from './metrics/bleu';
import type { RougeTokenizer } from './metrics/rouge';
import type { WordTokenizer } from './metrics/tokenize';
import type { RougeMeasure } from './scorers/similarityMetrics';
import type { SimilarityMetric } from './scorers/textSimilarity';
import type { Scorer } from './types';

const SCORERS = {
	contains: defineScorer({
		create: createContainsScorer,
		ui: {
			label: 'Rule: Contains',
			description: 'The output contains any (or all) of the values',
			fields: ['values', 'containsMode', 'caseSensitive', 'negate'],
			read: (entry): ContainsConfig => ({ values: lines(entry.values), mode: entry.containsMode === 'all' ? 'all' : 'any', caseSensitive: bool(entry.caseSensitive), negate: bool(entry.negate) }),
		},
	}),
	banned_terms: defineScorer({
		create: createBannedTermsScorer,
		ui: {
			label: 'Rule: Banned Terms',
			description: 'Passes when none of the terms occurs (e.g. no advertising, no competitor names)',
			fields: ['terms', 'wholeWord', 'caseSensitive', 'negate'],
			read: (entry): BannedTermsConfig => ({ terms: lines(entry.terms), wholeWord: bool(entry.wholeWord, true), caseSensitive: bool(entry.caseSensitive), negate: bool(entry.negate) }),
		},
	}),
	equals: defineScorer({
		create: createEqualsScorer,
		ui: {
			label: 'Rule: Equals',
			fields: ['value', 'trim', 'caseSensitive', 'negate'],
			read: (entry): EqualsConfig => ({ value: String(entry.value ?? ''), trim: bool(entry.trim, true), caseSensitive: bool(entry.caseSensitive), negate: bool(entry.negate) }),
		},
	}),
	starts_with: defineScorer({
		create: createStartsWithScorer,
		ui: {
			label: 'Rule: Starts With',
			fields: ['value', 'caseSensitive', 'negate'],
			read: (entry): StartsWithConfig => ({ value: String(entry.value ?? ''), caseSensitive: bool(entry.caseSensitive), negate: bool(entry.negate) }),
		},
	}),
	ends_with: defineScorer({
		create: createEndsWithScorer,
		ui: {
			label: 'Rule: Ends With',
			fields: ['value', 'caseSensitive', 'negate'],
			read: (entry): EndsWithConfig => ({ value: String(entry.value ?? ''), caseSensitive: bool(entry.caseSensitive), negate: bool(entry.negate) }),
		},
	}),
	regex: defineScorer({
		create: createRegexScorer,
		ui: {
			label: 'Rule: Regex',
			fields: ['pattern', 'flags', 'caseSensitive', 'negate'],
			read: (entry): RegexConfig => ({ pattern: String(entry.pattern ?? ''), flags: String(entry.flags ?? ''), caseSensitive: bool(entry.caseSensitive), negate: bool(entry.negate) }),
		},
	}),
	length: defineScorer({
		create: createLengthScorer,
		ui: {
			label: 'Rule: Length',
			description: 'Characters, words or tokens within a window',
			fields: ['unit', 'min', 'max', 'negate'],
			read: (entry): LengthConfig => {
				const max = Number(entry.max ?? 0);
				return { unit: (entry.unit as 'characters' | 'words' | 'tokens') ?? 'words', min: Number(entry.min ?? 0), max: max > 0 ? max : undefined, negate: bool(entry.negate) };
			},
		},
	}),
	json_valid: defineScorer({
		create: createJsonValidScorer,
		ui: { label: 'Structure: Valid JSON', fields: ['negate'], read: (entry): JsonValidConfig => ({ negate: bool(entry.negate) }) },
	}),
	json_schema: defineScorer({
		create: createJsonSchemaScorer,
		ui: {
			label: 'Structure: JSON Schema',
			description: 'The JSON output matches a schema; failing paths are reported',
			fields: ['schema', 'negate'],
			read: (entry, name): JsonSchemaConfig => {
				const schema = typeof entry.schema === 'string' ? tryParseJson(entry.schema) : { ok: true as const, value: entry.schema };
				if (!schema.ok) throw new ParameterError(`Scorer "${name}" Schema`, `is not valid JSON (${schema.problem})`);
				return { schema: schema.value as Record<string, unknown>, negate: bool(entry.negate) };
			},
		},
	}),
	json_field: defineScorer({
		create: createJsonFieldScorer,
		ui: {
			label: 'Structure: JSON Field',
			description: 'A field of the JSON output equals, contains or exists',
			fields: ['path', 'fieldOperator', 'fieldValue', 'caseSensitive', 'negate'],
			read: (entry): JsonFieldConfig => ({
				path: String(entry.path ?? ''),
				operator: (entry.fieldOperator as 'equals' | 'contains' | 'exists') ?? 'equals',
				value: jsonValue(entry.fieldValue),
				caseSensitive: bool(entry.caseSensitive),
				negate: bool(entry.negate),
			}),
		},
	}),
	// Built from OpenAI grader JSON only (Score Output's Grader mode, core/scoring/graders.ts).
	string_check: defineScorer({ create: createStringCheckScorer, ui: 'grader only' }),
	text_similarity: defineScorer({
		create: createTextSimilarityScorer,
		ui: {
			label: 'Similarity: To a Reference',
			description: 'Fuzzy, BLEU, GLEU, chrF, ROUGE or exact match against a reference',
			fields: ['metric', 'reference', 'tokenizer', 'lowercase', 'smoothing', 'maxOrder', 'epsSmoothing', 'rougeMeasure', 'rougeTokenizer', 'stemmer', 'passThreshold'],
			read: (entry, name): TextSimilarityConfig => ({
				metric: (entry.metric as SimilarityMetric) ?? 'rouge_l',
				reference: referenceText(entry.reference, name),
				passThreshold: passThresholdOf(entry.passThreshold),
				stemmer: shown(entry.stemmer, (value) => value === true),
				rougeTokenizer: shown(entry.rougeTokenizer, (value) => value as RougeTokenizer),
				rougeMeasure: shown(entry.rougeMeasure, (value) => value as RougeMeasure),
				tokenizer: shown(entry.tokenizer, (value) => value as WordTokenizer),
				lowercase: shown(entry.lowercase, (value) => value === true),
				smoothing: shown(entry.smoothing, (value) => value as BleuSmoothing),
				maxOrder: shown(entry.maxOrder, Number),
				epsSmoothing: shown(entry.epsSmoothing, (value) => value === true),
			}),
		},
	}),
	embedding_similarity: defineScorer({
		create: createEmbeddingSimilarityScorer,
		callsModel: true,
		ui: {
			label: 'Similarity: Embeddings',
			description: "Cosine of the output and a reference through the endpoint's /embeddings",
			fields: ['reference', 'embeddingModel', 'passThreshold'],
			read: (entry, name): EmbeddingSimilarityConfig => ({
				model: String(entry.embeddingModel ?? ''),
				reference: referenceText(entry.reference, name),
				passThreshold: passThresholdOf(entry.passThreshold),
			}),
		},
	}),
	score_model: defineScorer({
		create: createScoreModelScorer,
		callsModel: true,
		ui: {
			label: 'Judge: Rubric Score',
			description: 'A model scores the output on a rubric (OpenAI score_model)',
			fields: ['model', 'rubric', 'rangeMin', 'rangeMax', 'passThreshold'],
			read: (entry): ScoreModelConfig => ({
				model: judgeModel(entry.model),
				rubric: String(entry.rubric ?? ''),
				range: [Number(entry.rangeMin ?? 0), Number(entry.rangeMax ?? 10)],
				passThreshold: passThresholdOf(entry.passThreshold),
			}),
		},
	}),
	label_model: defineScorer({
		create: createLabelModelScorer,
		callsModel: true,
		ui: {
			label: 'Judge: Label',
			description: 'A model picks a label; passing labels score 1 (OpenAI label_model)',
			fields: ['model', 'rubric', 'labels', 'passingLabels'],
			read: (entry): LabelModelConfig => ({
				model: judgeModel(entry.model),
				instructions: String(entry.rubric ?? ''),
				labels: commaList(entry.labels),
				passingLabels: commaList(entry.passingLabels),
			}),
		},
	}),
	select_best: defineScorer({
		create: createSelectBestScorer,
		callsModel: true,
		ui: {
			label: 'Judge: Select Best Candidate',
			description: "A model picks the best of the item's candidates, shown in random order",
			fields: ['model', 'criteria'],
			read: (entry): SelectBestConfig => ({ model: judgeModel(entry.model), criteria: String(entry.criteria ?? '') }),
		},
	}),
	custom: defineScorer({
		create: createCustomScorer,
		ui: {
			label: 'Custom: Expression',
			description: 'A number in [0, 1] from an n8n expression',
			// customValue is the item's own value, read per item beside the spec (readScorerEntries).
			fields: ['customValue', 'passThreshold'],
			read: (entry): CustomConfig => ({ passThreshold: passThresholdOf(entry.passThreshold) }),
		},
	}),
	perplexity: defineScorer({
		create: createPerplexityScorer,
		ui: {
			label: 'Custom: Perplexity',
			description: "1 / perplexity, from Generate Text's logprobs",
			fields: ['passThreshold'],
			read: (entry): PerplexityConfig => ({ passThreshold: passThresholdOf(entry.passThreshold) }),
		},
	}),
};

type Definitions = typeof SCORERS;
export type ScorerType = keyof Definitions;

/** Each type's config, as its factory takes it. */
export type ScorerConfigs = { [T in ScorerType]: Parameters<Definitions[T]['create']>[1] };

/** A scorer as configured: kept beside the scorer so the node can also emit it as grader JSON. */
export type ScorerSpec = { [T in ScorerType]: { type: T; name: string; config: ScorerConfigs[T] } }[ScorerType];

export const SCORER_TYPES = Object.keys(SCORERS) as ScorerType[];

/** Scorers that call a model, so the node knows when it needs its credential. */
export const MODEL_SCORER_TYPES: ReadonlySet<ScorerType> = new Set(SCORER_TYPES.filter((type) => (SCORERS[type] as { callsModel?: boolean }).callsModel === true));

/** A type the Score Output UI offers, with its Type-list entry and fields, in the list's order. */
export interface UiScorerType {
	type: ScorerType;
	label: string;
	description?: string;
	fields: readonly ScorerFieldName[];
}

export const UI_SCORER_TYPES: UiScorerType[] = SCORER_TYPES.flatMap((type) => {
	const ui = SCORERS[type].ui as ScorerDefinition<unknown, ScorerFieldName>['ui'];
	return ui === 'grader only' ? [] : [{ type, label: ui.label, ...(ui.description ? { description: ui.description } : {}), fields: ui.fields }];
});

/** The spec of one UI scorer entry (a Type the UI offers, and its fields); `name` is the scorer's Name. */
export function readScorerSpec(entry: Record<string, unknown>, name: string): ScorerSpec {
	const type = String(entry.type ?? 'contains');
	const definition = Object.prototype.hasOwnProperty.call(SCORERS, type) ? (SCORERS[type as ScorerType] as ScorerDefinition<unknown, ScorerFieldName>) : undefined;
	if (!definition || definition.ui === 'grader only') throw new ParameterError(`Scorer "${name}" Type`, `unknown type "${type}"`);
	return { type, name, config: definition.ui.read(entry, name) } as ScorerSpec;
}

export function createScorer(spec: ScorerSpec): Scorer {
	const factory = (Object.prototype.hasOwnProperty.call(SCORERS, spec.type) ? SCORERS[spec.type].create : undefined) as ((name: string, config: unknown) => Scorer) | undefined;
	if (!factory) throw new Error(`${spec.name}: unknown scorer type "${String(spec.type)}" (known: ${SCORER_TYPES.join(', ')})`);
	// A judge's sampling_params go into its chat request: refused here, before any request, if the API would refuse them.
	const config: unknown = spec.config;
	const samplingParams = typeof config === 'object' && config !== null ? (config as Record<string, unknown>).samplingParams : undefined;
	if (samplingParams && typeof samplingParams === 'object' && !Array.isArray(samplingParams)) {
		// Named as the grader names them (sampling_params come from grader JSON).
		const problem = chatBodyProblem(samplingParams as Record<string, unknown>, (field) => `sampling_params.${graderSamplingName(field)}`);
		if (problem) throw new Error(`${spec.name}: ${problem}`);
	}
	return factory(spec.name, spec.config);
}

export function needsModel(spec: ScorerSpec): boolean {
	return MODEL_SCORER_TYPES.has(spec.type) || (spec.type === 'text_similarity' && spec.config.metric === 'cosine');
}
