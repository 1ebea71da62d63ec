import type { Sample, ScoreResult } from '../../../core/scoring/types';
import type { SyncScorer } from '../../../core/scoring/scorers/shared';

/** Scores one output synchronously, as every rule scorer does. */
export function run(scorer: SyncScorer, outputText: string, extra: Partial<Sample> = {}): ScoreResult {
	const result = scorer.score({ outputText, ...extra }, { item: {} });
	expect(result).not.toBeInstanceOf(Promise);
	return result;
}

/** A long text of `words` words, for the very-long-output cases. */
export const longText = (words: number, word = 'lorem') => Array.from({ length: words }, () => word).join(' ');
