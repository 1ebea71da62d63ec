/**
 * Perplexity from the logprobs Generate Text emits. The score is 1 / perplexity = exp(mean token
 * logprob): the geometric-mean probability the model gave its own tokens. Perplexity 1 scores 1,
 * 2 scores 0.5, 4 scores 0.25. Passes at or above passThreshold (default 0.5, i.e. perplexity <= 2).
 */
import { scoreError, type GradedConfig, type Scorer } from '../types';

export type PerplexityConfig = GradedConfig;

export function createPerplexityScorer(name: string, config: PerplexityConfig): Scorer {
	const threshold = config.passThreshold ?? 0.5;
	return {
		name,
		type: 'perplexity',
		score(sample) {
			const perplexity = sample.perplexity;
			if (perplexity === undefined || !Number.isFinite(perplexity) || perplexity < 1) {
				return scoreError('no perplexity on the item: run Generate Text with Log Probabilities on');
			}
			const score = 1 / perplexity;
			return {
				score,
				pass: score >= threshold,
				reason: `perplexity ${perplexity.toFixed(3)} → ${score.toFixed(3)}`,
				details: { perplexity },
			};
		},
	};
}
