/**
 * Preference data from a loop's history, for the Fine-tune node: the best candidate is preferred
 * over every candidate with a strictly lower reward. The prompt is the original one (round 1),
 * not a refine round's prompt with feedback: the model should learn to answer the question well
 * the first time.
 */
import type { ChatMessage } from '../generate/messages';

export interface ScoredCandidate {
	text: string;
	reward: number;
}

/** OpenAI's preference fine-tuning (DPO) row. */
export interface DpoRow {
	input: { messages: ChatMessage[] };
	preferred_output: Array<{ role: 'assistant'; content: string }>;
	non_preferred_output: Array<{ role: 'assistant'; content: string }>;
}

/** TRL's conversational preference row (DPOTrainer, RewardTrainer). */
export interface TrlRow {
	prompt: ChatMessage[];
	chosen: Array<{ role: 'assistant'; content: string }>;
	rejected: Array<{ role: 'assistant'; content: string }>;
}

export interface PreferencePairs {
	dpo: DpoRow[];
	trl: TrlRow[];
}

export function preferencePairs(prompt: ChatMessage[], best: ScoredCandidate | undefined, others: ScoredCandidate[]): PreferencePairs {
	if (!best) return { dpo: [], trl: [] };
	// Each distinct worse text once, best first; a pair of identical texts teaches nothing.
	const seen = new Set<string>([best.text]);
	const rejected: ScoredCandidate[] = [];
	for (const candidate of [...others].sort((a, b) => b.reward - a.reward)) {
		if (candidate.reward < best.reward && !seen.has(candidate.text)) {
			seen.add(candidate.text);
			rejected.push(candidate);
		}
	}
	const chosen = [{ role: 'assistant' as const, content: best.text }];
	return {
		dpo: rejected.map((r) => ({ input: { messages: prompt }, preferred_output: chosen, non_preferred_output: [{ role: 'assistant', content: r.text }] })),
		trl: rejected.map((r) => ({ prompt, chosen, rejected: [{ role: 'assistant', content: r.text }] })),
	};
}
