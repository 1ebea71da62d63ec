/**
 * The reward loop for one item: sample N candidates, score them, keep the best; when the best is
 * below the threshold, tell the model why (the scorers' reasons, and optionally a judge's advice)
 * and try again, within a budget. DSPy's BestOfN and Refine, in plain TypeScript.
 *
 * Tie rule: a later candidate replaces the best only with a strictly higher reward, so among equal
 * rewards the earliest (lowest round, then lowest index) wins.
 */
import type { ChatMessage } from '../generate/messages';
import type { GenerateRequest } from '../generate/request';
import { addUsage, emptyUsage, type GenerateResult, type TokenUsage } from '../generate/result';
import type { ItemScore } from '../scoring/combine';
import type { Sample } from '../scoring/types';
import { preferencePairs, type PreferencePairs } from './preferencePairs';

export interface LoopSettings {
	/** N: candidates per round (best-of-N). */
	candidatesPerRound: number;
	/** Rounds; above 1, a round that ends below the threshold is followed by a refine round. */
	maxRounds: number;
	/** Ask for N candidates in one request (`n`), so the prompt is paid once; else N requests. */
	useN: boolean;
	/** Budget: candidates over all rounds. */
	maxCandidates?: number;
	/** Budget: tokens over all rounds, generation and scoring. */
	maxTokens?: number;
	/** Failed requests or unusable candidates tolerated before the item fails. */
	maxErrors: number;
	/** When the budget ends below the threshold: return the best so far (pass false), or fail the item. */
	onExhausted: 'returnBest' | 'fail';
	/** Ask a judge model for advice to add to the feedback (Self-Refine's critique). */
	critique?: boolean;
}

export interface LoopAttempt {
	round: number;
	/** Position within its round. */
	index: number;
	text: string;
	parsed?: unknown;
	reward: number;
	pass: boolean;
	/** Each scorer's reason, by scorer name. */
	reasons: Record<string, string>;
	error?: string;
}

export interface LoopDeps {
	/** One chat request for `n` candidates (with its own retries). Throws when it fails for good. */
	generate(request: GenerateRequest, n: number): Promise<GenerateResult>;
	score(sample: Sample): Promise<ItemScore>;
	/** Advice on how to improve `answer`, given the feedback; only with settings.critique. */
	critique?(messages: ChatMessage[], answer: string, feedback: string): Promise<{ text: string; usage: TokenUsage }>;
}

export type StopReason = 'threshold' | 'rounds' | 'candidates' | 'tokens';

export interface LoopResult {
	best?: LoopAttempt & { breakdown: ItemScore['breakdown'] };
	pass: boolean;
	stopReason: StopReason;
	roundsUsed: number;
	candidatesTried: number;
	requests: number;
	errors: number;
	usage: TokenUsage;
	history: LoopAttempt[];
	/** The prompts sent, by round: round k's carries round k-1's feedback. */
	feedback: string[];
	preferencePairs: PreferencePairs;
}

export class LoopError extends Error {
	constructor(
		message: string,
		readonly partial: LoopResult,
	) {
		super(message);
		this.name = 'LoopError';
	}
}

/** What the next round is told: the reward, the threshold, and what the failing scorers said. */
export function feedbackFor(best: { text: string; reward: number; breakdown: ItemScore['breakdown'] }, threshold: number | undefined, advice?: string): string {
	const entries = Object.entries(best.breakdown);
	const failing = entries.filter(([, entry]) => !entry.pass);
	const points = (failing.length ? failing : entries).map(([name, entry]) => `- ${name}: ${entry.reason}`);
	const target = threshold === undefined ? '' : ` It needs ${threshold}.`;
	return [
		`Your previous answer scored ${best.reward.toFixed(3)}.${target}`,
		'What to fix:',
		...points,
		...(advice ? [`Advice: ${advice}`] : []),
		'Write an improved answer that fixes these points. Reply with the answer only.',
	].join('\n');
}

export interface RoundCandidate {
	text: string;
	parsed?: unknown;
	perplexity?: number;
	/** Why the candidate is unusable (JSON that breaks the schema). */
	error?: string;
}

export interface GeneratedRound {
	candidates: RoundCandidate[];
	requests: number;
	usage: TokenUsage;
	/** Requests that failed for good. */
	errors: string[];
}

/** One round's candidates: one request with `n`, or `n` requests of one. */
export async function generateRound(
	request: GenerateRequest,
	messages: ChatMessage[],
	n: number,
	useN: boolean,
	generate: LoopDeps['generate'],
): Promise<GeneratedRound> {
	const counts = useN ? [n] : Array.from({ length: n }, () => 1);
	const settled = await Promise.allSettled(counts.map((count) => generate({ ...request, messages, options: { ...request.options, n: count } }, count)));
	const round: GeneratedRound = { candidates: [], requests: counts.length, usage: emptyUsage(), errors: [] };
	for (const [position, outcome] of settled.entries()) {
		const count = counts[position];
		if (outcome.status === 'rejected') {
			round.errors.push((outcome.reason as Error)?.message ?? String(outcome.reason));
			continue;
		}
		addUsage(round.usage, outcome.value.usage);
		const list: RoundCandidate[] = outcome.value.candidates ?? [{ text: outcome.value.text, parsed: outcome.value.parsed, perplexity: outcome.value.perplexity }];
		// A server that ignores n and answers with more choices than asked does not widen the budget.
		for (const c of list.slice(0, count)) round.candidates.push({ text: c.text, parsed: c.parsed, perplexity: c.perplexity, error: c.error });
	}
	return round;
}

export async function runRewardLoop(
	request: GenerateRequest,
	settings: LoopSettings,
	deps: LoopDeps,
	threshold: number | undefined,
): Promise<LoopResult> {
	const history: LoopAttempt[] = [];
	const feedback: string[] = [];
	const usage = emptyUsage();
	let best: LoopResult['best'];
	let errors = 0;
	let requests = 0;
	let candidatesTried = 0;
	let roundsUsed = 0;
	let stopReason: StopReason = 'rounds';
	let messages = request.messages;

	const result = (): LoopResult => ({
		best,
		pass: best?.pass ?? false,
		stopReason,
		roundsUsed,
		candidatesTried,
		requests,
		errors,
		usage,
		history,
		feedback,
		preferencePairs: preferencePairs(
			request.messages,
			best,
			history.filter((a) => a.error === undefined),
		),
	});
	const fail = (message: string) => {
		throw new LoopError(message, result());
	};
	const noteError = (message: string) => {
		errors++;
		if (errors > settings.maxErrors) fail(`${errors} errors, more than the ${settings.maxErrors} tolerated; last: ${message}`);
	};

	for (let round = 1; round <= settings.maxRounds; round++) {
		const room = settings.maxCandidates === undefined ? settings.candidatesPerRound : settings.maxCandidates - candidatesTried;
		const n = Math.min(settings.candidatesPerRound, room);
		if (n <= 0) {
			stopReason = 'candidates';
			break;
		}
		roundsUsed = round;
		const generated = await generateRound(request, messages, n, settings.useN, deps.generate);
		requests += generated.requests;
		addUsage(usage, generated.usage);
		for (const message of generated.errors) noteError(message);
		const candidates = generated.candidates;
		candidatesTried += candidates.length;
		const texts = candidates.map((c) => c.text);
		const scored = await Promise.all(
			candidates.map(async (candidate, index) => {
				if (candidate.error !== undefined) {
					noteError(candidate.error);
					return { index, candidate, score: undefined };
				}
				const score = await deps.score({ outputText: candidate.text, outputJson: candidate.parsed, perplexity: candidate.perplexity, candidates: texts });
				addUsage(usage, score.usage);
				return { index, candidate, score };
			}),
		);
		for (const { index, candidate, score } of scored) {
			const reasons = score ? Object.fromEntries(Object.entries(score.breakdown).map(([name, entry]) => [name, entry.reason])) : {};
			const attempt: LoopAttempt = {
				round,
				index,
				text: candidate.text,
				...(candidate.parsed !== undefined ? { parsed: candidate.parsed } : {}),
				reward: score?.reward ?? 0,
				pass: score?.pass ?? false,
				reasons,
				...(candidate.error !== undefined ? { error: candidate.error } : {}),
			};
			history.push(attempt);
			if (score && (!best || attempt.reward > best.reward)) best = { ...attempt, breakdown: score.breakdown };
		}
		if (best?.pass) {
			stopReason = 'threshold';
			break;
		}
		if (settings.maxTokens !== undefined && usage.totalTokens >= settings.maxTokens) {
			stopReason = 'tokens';
			break;
		}
		if (round < settings.maxRounds && best) {
			let advice: string | undefined;
			if (settings.critique && deps.critique) {
				const critique = await deps.critique(request.messages, best.text, feedbackFor(best, threshold));
				addUsage(usage, critique.usage);
				advice = critique.text.trim();
			}
			const text = feedbackFor(best, threshold, advice);
			feedback.push(text);
			messages = [...request.messages, { role: 'assistant', content: best.text }, { role: 'user', content: text }];
		}
	}
	if (stopReason === 'rounds' && settings.maxCandidates !== undefined && candidatesTried >= settings.maxCandidates && !best?.pass) {
		stopReason = 'candidates';
	}
	if (!best) fail('no candidate could be scored');
	if (!best?.pass && settings.onExhausted === 'fail') {
		fail(`the budget ended (${stopReason}) below the threshold: best reward ${best?.reward.toFixed(3)}`);
	}
	return result();
}
