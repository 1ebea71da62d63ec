/** Every scorer type by name: the one place that knows them all. */
import { chatBodyProblem } from '../generate/checkChat';
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
import { createStringCheckScorer, type StringCheckConfig } from './scorers/stringCheck';
import { createTextSimilarityScorer, type TextSimilarityConfig } from './scorers/textSimilarity';
import type { Scorer } from './types';

export interface ScorerConfigs {
	equals: EqualsConfig;
	contains: ContainsConfig;
	starts_with: StartsWithConfig;
	ends_with: EndsWithConfig;
	regex: RegexConfig;
	length: LengthConfig;
	banned_terms: BannedTermsConfig;
	json_valid: JsonValidConfig;
	json_schema: JsonSchemaConfig;
	json_field: JsonFieldConfig;
	string_check: StringCheckConfig;
	text_similarity: TextSimilarityConfig;
	embedding_similarity: EmbeddingSimilarityConfig;
	perplexity: PerplexityConfig;
	score_model: ScoreModelConfig;
	label_model: LabelModelConfig;
	select_best: SelectBestConfig;
	custom: CustomConfig;
}

export type ScorerType = keyof ScorerConfigs;

/** A scorer as configured: kept beside the scorer so the node can also emit it as grader JSON. */
export type ScorerSpec = { [T in ScorerType]: { type: T; name: string; config: ScorerConfigs[T] } }[ScorerType];

const FACTORIES: { [T in ScorerType]: (name: string, config: ScorerConfigs[T]) => Scorer } = {
	equals: createEqualsScorer,
	contains: createContainsScorer,
	starts_with: createStartsWithScorer,
	ends_with: createEndsWithScorer,
	regex: createRegexScorer,
	length: createLengthScorer,
	banned_terms: createBannedTermsScorer,
	json_valid: createJsonValidScorer,
	json_schema: createJsonSchemaScorer,
	json_field: createJsonFieldScorer,
	string_check: createStringCheckScorer,
	text_similarity: createTextSimilarityScorer,
	embedding_similarity: createEmbeddingSimilarityScorer,
	perplexity: createPerplexityScorer,
	score_model: createScoreModelScorer,
	label_model: createLabelModelScorer,
	select_best: createSelectBestScorer,
	custom: createCustomScorer,
};

export const SCORER_TYPES = Object.keys(FACTORIES) as ScorerType[];

/** Scorers that call a model, so the node knows when it needs its credential. */
export const MODEL_SCORER_TYPES: ReadonlySet<ScorerType> = new Set(['embedding_similarity', 'score_model', 'label_model', 'select_best']);

export function createScorer(spec: ScorerSpec): Scorer {
	const factory = FACTORIES[spec.type] as ((name: string, config: unknown) => Scorer) | undefined;
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
