/**
 * Embedding cosine similarity between the output and a reference, through the endpoint's
 * /embeddings. The score is max(0, cosine): opposite or unrelated texts score 0. The reference and
 * the input are strict templates, as for text similarity (a missing, null or non-text item field
 * is the item's error, naming the scorer and the field).
 */
import { formatAgainst } from '../format';
import { cosineSimilarity } from '../metrics/cosine';
import { scoreError, type GradedConfig, type Scorer } from '../types';
import { comparedText } from './shared';

export interface EmbeddingSimilarityConfig extends GradedConfig {
	model: string;
	/** The reference: a template such as {{item.reference}}. */
	reference: string;
	/** What is compared; default {{sample.output_text}}. */
	input?: string;
}

export function createEmbeddingSimilarityScorer(name: string, config: EmbeddingSimilarityConfig): Scorer {
	if (!config.model) throw new Error(`${name}: embedding similarity needs an embedding model`);
	if (typeof config.reference !== 'string') throw new Error(`${name}: embedding similarity needs a reference`);
	const threshold = config.passThreshold ?? 0.8;
	const readInput = comparedText(name, 'Input', config.input ?? '{{sample.output_text}}');
	const readReference = comparedText(name, 'Reference', config.reference);
	return {
		name,
		type: 'embedding_similarity',
		async score(sample, context) {
			if (!context.models) throw new Error(`${name}: embedding similarity needs the node's credential`);
			const input = readInput(sample, context.item);
			const reference = readReference(sample, context.item);
			if (!input.trim() || !reference.trim()) return scoreError(`cannot embed an empty ${input.trim() ? 'reference' : 'output'}`);
			const answer = await context.models.embed(config.model, [input, reference], context.signal);
			const [a, b] = answer.vectors;
			if (!a || !b) return { ...scoreError('the server returned fewer embeddings than asked'), usage: answer.usage };
			const cosine = cosineSimilarity(a, b);
			// Unrelated (orthogonal) and opposite texts both score 0, not 0.5 for unrelated ones as (c + 1) / 2 would give.
			const score = Math.max(0, cosine);
			return { score, pass: score >= threshold, reason: `cosine ${formatAgainst(cosine, threshold)}`, details: { cosine }, usage: answer.usage };
		},
	};
}
