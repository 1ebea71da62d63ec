/**
 * Round-level judges. A judge that compares candidates (Select Best) answers for a whole candidate
 * set at once, so it is asked once per set, not once per candidate: every candidate of the set takes
 * its score from that one answer (so exactly one of them wins), and the call's tokens are counted
 * once, on the candidate that asked first.
 */
import type { ItemScore, ScoringPlan } from '../combine';
import type { Sample, ScoreContext } from '../types';

/** Scores one candidate set (a loop round): its samples share one set of judgements. */
export function scoreCandidateSet(plan: ScoringPlan, samples: Sample[], context: ScoreContext): Promise<ItemScore[]> {
	const shared: ScoreContext = { ...context, setJudgements: new Map() };
	return Promise.all(samples.map((sample) => plan.scoreItem(sample, shared)));
}

/**
 * Asks `ask` once per key among the samples sharing `context.setJudgements` (without them, every
 * call asks). `first` is true for the caller that asked, which carries the call's tokens.
 */
export async function judgeOnce<T>(context: ScoreContext, key: string, ask: () => Promise<T>): Promise<{ value: T; first: boolean }> {
	const memo = context.setJudgements;
	if (!memo) return { value: await ask(), first: true };
	const known = memo.get(key) as Promise<T> | undefined;
	if (known) return { value: await known, first: false };
	const asked = ask();
	memo.set(key, asked);
	return { value: await asked, first: true };
}
