/**
 * Similarity of the output to a reference. Metric names follow OpenAI's `text_similarity` grader
 * where it has one: exact, fuzzy_match (Levenshtein ratio), bleu (NLTK's sentence BLEU), gleu
 * (NLTK's sentence GLEU), rouge_1, rouge_2, rouge_l (rouge-score); chrf and chrf_pp are sacrebleu's
 * chrF and chrF++; `cosine` uses the endpoint's embeddings (see embeddingSimilarity.ts). The
 * metrics, their options and size limits are in similarityMetrics.ts. Passes at or above
 * passThreshold.
 *
 * The reference and the input are strict templates (template.ts's resolveTemplate): a placeholder
 * that is not one, an item field that is missing, null or not text (a number is written as JSON
 * writes it), an empty reference, or a text above the metric's size limit, is an Error naming the
 * scorer and the field: the node makes it that item's error, never a silent 0.
 */
import { formatAgainst } from '../format';
import { clamp01, scoreError, type GradedConfig, type Scorer } from '../types';
import { createEmbeddingSimilarityScorer } from './embeddingSimilarity';
import { comparedText } from './shared';
import { ALL_METRIC_OPTIONS, LOCAL_METRICS, METRICS, metricsWithOption, type LocalMetric, type MetricOptions } from './similarityMetrics';

export const SIMILARITY_METRICS = [...LOCAL_METRICS, 'cosine'] as const;
export type SimilarityMetric = (typeof SIMILARITY_METRICS)[number];

/**
 * The metric's options (MetricOptions) are, by metric: ROUGE: `stemmer` Porter-stems tokens longer
 * than 3 characters (rouge-score's use_stemmer), `rougeTokenizer` 'rouge_score' (default) or 'cjk',
 * `rougeMeasure` 'fmeasure' (default), 'precision' or 'recall'. BLEU and GLEU: `tokenizer` ('words'
 * default, 'whitespace', '13a', 'intl', 'zh', 'char'), `lowercase`, `maxOrder` (default 4); BLEU:
 * `smoothing` ('method0' to 'method7', default 'method1'). chrF, chrF++: `lowercase`,
 * `epsSmoothing`. An option set for a metric that does not take it is an error.
 */
export interface TextSimilarityConfig extends GradedConfig, MetricOptions {
	metric: SimilarityMetric;
	/** The reference: a template such as {{item.reference}}. */
	reference: string;
	/** What is compared; default {{sample.output_text}}. */
	input?: string;
	/** cosine only: the embedding model. */
	embeddingModel?: string;
}

const COMMON_KEYS: ReadonlySet<string> = new Set(['metric', 'reference', 'input', 'passThreshold']);
const DEFAULT_INPUT = '{{sample.output_text}}';

/** Throws for an option that does not apply to the metric, or is unknown: none is silently ignored. */
function checkOptions(name: string, config: TextSimilarityConfig): void {
	const metric = config.metric;
	const allowed = new Set<string>(metric === 'cosine' ? ['embeddingModel'] : METRICS[metric].options);
	for (const [key, value] of Object.entries(config)) {
		if (value === undefined || COMMON_KEYS.has(key) || allowed.has(key)) continue;
		if (key === 'embeddingModel') throw new Error(`${name}: "embeddingModel" applies to the cosine metric only, not ${metric}`);
		if (ALL_METRIC_OPTIONS.has(key)) throw new Error(`${name}: "${key}" does not apply to ${metric} (it applies to ${metricsWithOption(key).join(', ')})`);
		throw new Error(`${name}: text_similarity has no option "${key}"`);
	}
}

export function createTextSimilarityScorer(name: string, config: TextSimilarityConfig): Scorer {
	if (!SIMILARITY_METRICS.includes(config.metric)) {
		throw new Error(`${name}: metric must be one of ${SIMILARITY_METRICS.join(', ')} (got ${JSON.stringify(config.metric)})`);
	}
	if (typeof config.reference !== 'string' || config.reference === '') throw new Error(`${name}: similarity needs a reference (Reference is empty)`);
	checkOptions(name, config);
	if (config.metric === 'cosine') {
		const scorer = createEmbeddingSimilarityScorer(name, {
			model: config.embeddingModel ?? '',
			reference: config.reference,
			input: config.input,
			passThreshold: config.passThreshold,
		});
		return { ...scorer, type: 'text_similarity' };
	}
	const metric: LocalMetric = config.metric;
	const definition = METRICS[metric];
	let measure;
	try {
		measure = definition.create(config);
	} catch (error) {
		throw new Error(`${name}: ${metric}: ${(error as Error).message}`);
	}
	const threshold = config.passThreshold ?? 0.5;
	const inputTemplate = config.input ?? DEFAULT_INPUT;
	const readReference = comparedText(name, 'Reference', config.reference);
	const readInput = inputTemplate === DEFAULT_INPUT ? undefined : comparedText(name, 'Input', inputTemplate);
	const limits = { maxLength: definition.maxLength, metric };
	return {
		name,
		type: 'text_similarity',
		score(sample, context) {
			const input = readInput ? readInput(sample, context.item) : sample.outputText;
			const reference = readReference(sample, context.item);
			if (reference === '') throw new Error(`${name}: Reference ${config.reference} is an empty text: there is nothing to compare with`);
			checkLength(name, readInput ? 'input' : 'output', input, limits);
			checkLength(name, 'reference', reference, limits);
			const outcome = measure(input, reference);
			if (outcome.undefinedReason !== undefined) return scoreError(`${metric}: ${outcome.undefinedReason}`);
			const score = clamp01(outcome.score);
			const clamped = score !== outcome.score ? ` (${outcome.score} clamped to ${score})` : '';
			const note = outcome.note ? `; note: ${outcome.note}` : '';
			return {
				score,
				pass: score >= threshold,
				reason: `${metric} ${formatAgainst(score, threshold)}${clamped}${note}`,
				...(outcome.note || clamped ? { details: { ...(outcome.note ? { note: outcome.note } : {}), ...(clamped ? { raw: outcome.score } : {}) } } : {}),
			};
		},
	};
}

function checkLength(name: string, what: string, text: string, limits: { maxLength: number; metric: string }): void {
	if (text.length > limits.maxLength) {
		throw new Error(
			`${name}: the ${what} is ${text.length} characters long; ${limits.metric} takes texts of at most ${limits.maxLength} characters (see README: Similarity metrics, size limits)`,
		);
	}
}
