/**
 * Similarity of the output to a reference, with the metric names of OpenAI's `text_similarity`
 * grader: fuzzy_match (Levenshtein ratio), bleu (sentence BLEU, NLTK's method1 smoothing), gleu,
 * rouge_1, rouge_2, rouge_l (F-measure, rouge-score's tokenisation) and exact. `cosine` uses the
 * endpoint's embeddings (see embeddingSimilarity.ts). Passes at or above passThreshold.
 */
import { textBleu } from '../metrics/bleu';
import { textGleu } from '../metrics/gleu';
import { fuzzyRatio } from '../metrics/levenshtein';
import { rouge } from '../metrics/rouge';
import { renderTemplate } from '../template';
import { clamp01, type GradedConfig, type Scorer } from '../types';
import { createEmbeddingSimilarityScorer } from './embeddingSimilarity';

export const SIMILARITY_METRICS = ['exact', 'fuzzy_match', 'bleu', 'gleu', 'rouge_1', 'rouge_2', 'rouge_l', 'cosine'] as const;
export type SimilarityMetric = (typeof SIMILARITY_METRICS)[number];

export interface TextSimilarityConfig extends GradedConfig {
	metric: SimilarityMetric;
	/** The reference: a template such as {{item.reference}}. */
	reference: string;
	/** What is compared; default {{sample.output_text}}. */
	input?: string;
	/** ROUGE only: Porter-stem tokens longer than 3 characters, as rouge-score's use_stemmer. */
	stemmer?: boolean;
	/** cosine only: the embedding model. */
	embeddingModel?: string;
}

type Metric = (input: string, reference: string) => number;

function metricFunction(metric: SimilarityMetric, stemmer: boolean): Metric {
	switch (metric) {
		case 'exact':
			return (input, reference) => (input === reference ? 1 : 0);
		case 'fuzzy_match':
			return fuzzyRatio;
		case 'bleu':
			return (input, reference) => textBleu(reference, input);
		case 'gleu':
			return (input, reference) => textGleu(reference, input);
		case 'rouge_1':
			return (input, reference) => rouge(reference, input, 'rouge1', { stemmer }).fmeasure;
		case 'rouge_2':
			return (input, reference) => rouge(reference, input, 'rouge2', { stemmer }).fmeasure;
		case 'rouge_l':
			return (input, reference) => rouge(reference, input, 'rougeL', { stemmer }).fmeasure;
		default:
			throw new Error(`unknown metric ${metric}`);
	}
}

export function createTextSimilarityScorer(name: string, config: TextSimilarityConfig): Scorer {
	if (!SIMILARITY_METRICS.includes(config.metric)) {
		throw new Error(`${name}: metric must be one of ${SIMILARITY_METRICS.join(', ')} (got ${JSON.stringify(config.metric)})`);
	}
	if (typeof config.reference !== 'string') throw new Error(`${name}: similarity needs a reference`);
	if (config.metric === 'cosine') {
		const scorer = createEmbeddingSimilarityScorer(name, {
			model: config.embeddingModel ?? '',
			reference: config.reference,
			input: config.input,
			passThreshold: config.passThreshold,
		});
		return { ...scorer, type: 'text_similarity' };
	}
	const measure = metricFunction(config.metric, config.stemmer ?? false);
	const threshold = config.passThreshold ?? 0.5;
	const inputTemplate = config.input ?? '{{sample.output_text}}';
	return {
		name,
		type: 'text_similarity',
		score(sample, context) {
			const input = inputTemplate === '{{sample.output_text}}' ? sample.outputText : renderTemplate(inputTemplate, sample, context.item);
			const reference = renderTemplate(config.reference, sample, context.item);
			const score = clamp01(measure(input, reference));
			return { score, pass: score >= threshold, reason: `${config.metric} ${score.toFixed(4)}` };
		},
	};
}
