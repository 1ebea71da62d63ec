/**
 * The reward loop for one item: sample N candidates, score them, keep the best; when the best is
 * below the threshold, tell the model why (the scorers' reasons, and optionally a judge's advice)
 * and try again, within a budget. DSPy's BestOfN and Refine, in plain TypeScript.
 *
 * One engine for every reward source. `advanceLoop` is the step function: the loop's state and what
 * just happened (a round's answers, its scored candidates, a critique's advice) in, the next thing to
 * do (generate, score, critique) or the end out. It holds every rule: the budget (rounds, candidates,
 * tokens, errors), which candidates are usable (JSON that breaks the schema is an error, a refusal
 * scores 0), the tie rule and the feedback. `driveLoop` runs the steps; scorers in this node answer
 * at once (`runRewardLoop`), the external mode parks the loop while its candidates are scored outside
 * and resumes it, with the state carried in the items, when they come back.
 *
 * Tie rule: a later candidate replaces the best only with a strictly higher reward, so among equal
 * rewards the earliest (lowest round, then lowest index) wins.
 */
import type { ChatMessage } from '../generate/messages';
import type { GenerateRequest } from '../generate/request';
import { addUsage, emptyUsage, OutputError, type GenerateResult, type TokenUsage } from '../generate/result';
import type { ItemScore } from '../scoring/combine';
import type { Sample } from '../scoring/types';
import { ModelRequestError } from '../transport/scheduler';
import { CancelledError } from '../transport/sleep';
import { asFailure, describeCounts, failureOf, type RoundFailure } from './causes';
import { NotSentError } from './refusals';
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
	/** Why the candidate is unusable (JSON that breaks the schema); it counts as an error. */
	error?: string;
	/** The model's refusal (`message.refusal`): the candidate scores 0 and is never the best. */
	refusal?: string;
}

export type LoopBest = LoopAttempt & { breakdown: ItemScore['breakdown'] };

export type StopReason = 'threshold' | 'rounds' | 'candidates' | 'tokens';

export interface LoopResult {
	best?: LoopBest;
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
	/** Why `usage` holds estimated completion tokens: a server whose count could not be right (n > 1 counted as one). */
	usageNote?: string;
}

export class LoopError extends Error {
	constructor(
		message: string,
		/** A copy of the loop as it was when it failed: nothing still running changes it. */
		readonly partial: LoopResult,
		/** The error that ended the loop (a request that failed for good), when there is one. */
		readonly reason?: unknown,
		/** The status or network code of the loop's last error, for the node's hint on what to check. */
		readonly last?: { status?: number; code?: string },
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
	/** The model refused (`message.refusal`, no content). */
	refusal?: string;
}

export interface GeneratedRound {
	candidates: RoundCandidate[];
	requests: number;
	/** The tokens the round cost: the server's count, or an estimate where that count cannot be right. */
	usage: TokenUsage;
	/** Requests that failed for good, with their causes (a bare message is counted by its first words). */
	errors: Array<RoundFailure | string>;
	/** Set when `usage` holds an estimate (see core/generate/result.ts, checkUsage). */
	usageNote?: string;
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
	const unsent: RoundFailure[] = [];
	for (const [position, outcome] of settled.entries()) {
		const count = counts[position];
		let answered: Pick<GenerateResult, 'candidates' | 'usage'> & Partial<GenerateResult>;
		if (outcome.status === 'fulfilled') answered = outcome.value;
		else {
			// An answer with no usable candidate (all refused, or all break the schema) still answered:
			// its candidates are kept (refusals score 0, the others are errors) and its tokens counted.
			const cause = outcome.reason instanceof ModelRequestError ? outcome.reason.cause : outcome.reason;
			if (cause instanceof CancelledError) throw cause;
			// Not sent, since the same request was refused: no request, and no error beside the one that met the refusal.
			if (cause instanceof NotSentError) {
				round.requests--;
				unsent.push(failureOf(cause));
				continue;
			}
			if (!(cause instanceof OutputError) || !cause.answer) {
				round.errors.push(failureOf(outcome.reason));
				continue;
			}
			answered = cause.answer;
		}
		// A count that cannot be right (llama.cpp counts one choice when n > 1) is replaced by the estimate.
		addUsage(round.usage, answered.estimatedUsage ?? answered.usage);
		if (answered.usageNote) round.usageNote = answered.usageNote;
		const list: RoundCandidate[] = answered.candidates ?? [{ text: answered.text ?? '', parsed: answered.parsed, perplexity: answered.perplexity }];
		// A server that ignores n and answers with more choices than asked does not widen the budget.
		for (const c of list.slice(0, count)) {
			round.candidates.push({
				text: c.text,
				...(c.parsed !== undefined ? { parsed: c.parsed } : {}),
				...(c.perplexity !== undefined ? { perplexity: c.perplexity } : {}),
				...(c.error !== undefined ? { error: c.error } : {}),
				...(c.refusal !== undefined ? { refusal: c.refusal } : {}),
			});
		}
	}
	for (const failure of unsent) {
		if (!round.errors.some((known) => typeof known !== 'string' && known.cause === failure.cause)) round.errors.push(failure);
	}
	return round;
}

/** A usable candidate of the current round, waiting for its score. */
export interface PendingCandidate {
	/** Position within its round. */
	index: number;
	text: string;
	parsed?: unknown;
	perplexity?: number;
}

/**
 * Everything the loop knows about one item, as plain JSON: the external mode carries it in the
 * items it sends out and reads it back when they return.
 */
export interface LoopState {
	/** Rounds started. */
	roundsUsed: number;
	candidatesTried: number;
	requests: number;
	errors: number;
	lastError?: string;
	/** The last error's HTTP status or network code (for the node's hint on what to check). */
	lastStatus?: number;
	lastCode?: string;
	/** How many errors of each cause (`401 Unauthorized`, `ECONNRESET`, …), in the order they first came. */
	causes?: Record<string, number>;
	refusals: number;
	lastRefusal?: string;
	/** The last error or refusal, whichever came later. */
	lastProblem?: string;
	usage: TokenUsage;
	/** Why `usage` holds estimated completion tokens. */
	usageNote?: string;
	history: LoopAttempt[];
	feedback: string[];
	best?: LoopBest;
	/** The refine turn the next round's prompt ends with: the best answer and what it was told. */
	refine?: { answer: string; feedback: string };
	/** What the loop waits for. */
	awaiting: 'start' | 'generated' | 'scored' | 'advice' | 'done';
	stopReason?: StopReason;
}

export interface LoopConfig {
	/** The task: the original messages (a refine round adds its turn to them). */
	prompt: ChatMessage[];
	settings: LoopSettings;
	threshold: number | undefined;
}

/** What the loop needs done next. */
export type LoopStep =
	| { kind: 'generate'; round: number; n: number; messages: ChatMessage[] }
	| { kind: 'score'; round: number; candidates: PendingCandidate[] }
	| { kind: 'critique'; messages: ChatMessage[]; answer: string; feedback: string }
	| { kind: 'stop'; result: LoopResult };

/** What just happened: the answer to the previous step. */
export type LoopInput =
	| { kind: 'start' }
	| { kind: 'generated'; round: GeneratedRound }
	| { kind: 'scored'; scored: Array<{ candidate: PendingCandidate; score: ItemScore }> }
	| { kind: 'advice'; text: string; usage?: TokenUsage };

export function newLoopState(): LoopState {
	return { roundsUsed: 0, candidatesTried: 0, requests: 0, errors: 0, refusals: 0, usage: emptyUsage(), history: [], feedback: [], awaiting: 'start' };
}

/** The loop's result as it stands, as a copy: later changes to the state do not reach it. */
export function loopSnapshot(state: LoopState, config: LoopConfig): LoopResult {
	const usable = state.history.filter((a) => a.error === undefined && a.refusal === undefined);
	return structuredClone({
		best: state.best,
		pass: state.best?.pass ?? false,
		stopReason: state.stopReason ?? 'rounds',
		roundsUsed: state.roundsUsed,
		candidatesTried: state.candidatesTried,
		requests: state.requests,
		errors: state.errors,
		usage: state.usage,
		history: state.history,
		feedback: state.feedback,
		preferencePairs: preferencePairs(config.prompt, state.best, usable),
		...(state.usageNote ? { usageNote: state.usageNote } : {}),
	});
}

const EXPECTED: Record<LoopInput['kind'], LoopState['awaiting']> = { start: 'start', generated: 'generated', scored: 'scored', advice: 'advice' };

/**
 * One step of the loop: records `input` in `state` (which it changes) and says what comes next.
 * Throws LoopError when the item fails (more errors than tolerated, nothing could be scored, or the
 * budget ended below the threshold with "fail the item"); its partial result is a snapshot.
 */
export function advanceLoop(state: LoopState, input: LoopInput, config: LoopConfig): LoopStep {
	if (state.awaiting !== EXPECTED[input.kind]) {
		throw new Error(`the loop is waiting for ${state.awaiting === 'done' ? 'nothing (it has ended)' : `"${state.awaiting}"`}, not "${input.kind}"`);
	}
	switch (input.kind) {
		case 'start':
			return nextRound(state, config);
		case 'generated':
			return recordGenerated(state, input.round, config);
		case 'scored':
			return recordScored(state, input.scored, config);
		case 'advice': {
			addUsage(state.usage, input.usage);
			if (tokensSpent(state, config)) return finish(state, config, 'tokens');
			return refine(state, config, input.text.trim() || undefined);
		}
	}
}

const roomLeft = (state: LoopState, settings: LoopSettings) =>
	Math.min(settings.candidatesPerRound, settings.maxCandidates === undefined ? settings.candidatesPerRound : settings.maxCandidates - state.candidatesTried);

const tokensSpent = (state: LoopState, config: LoopConfig) => config.settings.maxTokens !== undefined && state.usage.totalTokens >= config.settings.maxTokens;

function nextRound(state: LoopState, config: LoopConfig): LoopStep {
	const n = roomLeft(state, config.settings);
	if (n <= 0) return finish(state, config, 'candidates');
	if (state.roundsUsed >= config.settings.maxRounds) return finish(state, config, 'rounds');
	state.roundsUsed++;
	state.awaiting = 'generated';
	const messages: ChatMessage[] = state.refine
		? [...config.prompt, { role: 'assistant', content: state.refine.answer }, { role: 'user', content: state.refine.feedback }]
		: config.prompt;
	return { kind: 'generate', round: state.roundsUsed, n, messages };
}

function noteError(state: LoopState, failure: RoundFailure): void {
	state.errors++;
	state.lastError = failure.message;
	state.lastProblem = failure.message;
	state.lastStatus = failure.status;
	state.lastCode = failure.code;
	const causes = (state.causes ??= {});
	causes[failure.cause] = (causes[failure.cause] ?? 0) + 1;
}

/** `3 × 401 Unauthorized, 1 × refused`: every error's cause, and the refusals. */
function countsOf(state: LoopState): string {
	return describeCounts({ ...(state.causes ?? {}), ...(state.refusals ? { refused: state.refusals } : {}) });
}

/**
 * After a round's failures are counted: one that the same request would meet again (a 401, a 404, a
 * 501…) stops the item at once, since asking again cannot help; more errors than tolerated stop it
 * too. Either way the message says how many of each cause, and the last one in full.
 */
function stopOnErrors(state: LoopState, failures: RoundFailure[], config: LoopConfig): void {
	const final = failures.find((failure) => failure.final);
	const { maxErrors } = config.settings;
	if (!final && state.errors <= maxErrors) return;
	state.awaiting = 'done';
	const message = final
		? `stopped at the first ${final.cause}, which asking again cannot change (${countsOf(state)}); last: ${state.lastError}`
		: `${state.errors} errors, more than the ${maxErrors} tolerated (${countsOf(state)}); last: ${state.lastError}`;
	throw new LoopError(message, loopSnapshot(state, config), undefined, lastOf(state));
}

const lastOf = (state: LoopState) => ({ status: state.lastStatus, code: state.lastCode });

function recordGenerated(state: LoopState, generated: GeneratedRound, config: LoopConfig): LoopStep {
	const round = state.roundsUsed;
	state.requests += generated.requests;
	addUsage(state.usage, generated.usage);
	if (generated.usageNote) state.usageNote = generated.usageNote;
	state.candidatesTried += generated.candidates.length;
	const pending: PendingCandidate[] = [];
	const problems = generated.errors.map(asFailure);
	generated.candidates.forEach((candidate, index) => {
		const base = { round, index, text: candidate.text, ...(candidate.parsed !== undefined ? { parsed: candidate.parsed } : {}), reward: 0, pass: false };
		if (candidate.refusal !== undefined) {
			state.refusals++;
			state.lastRefusal = candidate.refusal;
			state.lastProblem = `the model refused: ${candidate.refusal}`;
			state.history.push({ ...base, reasons: { refusal: `refused: ${candidate.refusal}` }, refusal: candidate.refusal });
		} else if (candidate.error !== undefined) {
			state.history.push({ ...base, reasons: {}, error: candidate.error });
			problems.push(asFailure(candidate.error));
		} else {
			pending.push({ index, text: candidate.text, ...(candidate.parsed !== undefined ? { parsed: candidate.parsed } : {}), ...(candidate.perplexity !== undefined ? { perplexity: candidate.perplexity } : {}) });
		}
	});
	// Failed requests and unusable candidates count before anything is scored: an item that has
	// used up its errors stops here, without paying for judges.
	for (const failure of problems) noteError(state, failure);
	stopOnErrors(state, problems, config);
	if (pending.length === 0) return afterRound(state, config);
	state.awaiting = 'scored';
	return { kind: 'score', round, candidates: pending };
}

function recordScored(state: LoopState, scored: Array<{ candidate: PendingCandidate; score: ItemScore }>, config: LoopConfig): LoopStep {
	const round = state.roundsUsed;
	const seen = new Set(state.history.filter((a) => a.round === round).map((a) => a.index));
	for (const { candidate, score } of [...scored].sort((a, b) => a.candidate.index - b.candidate.index)) {
		if (seen.has(candidate.index)) throw new Error(`round ${round}: candidate ${candidate.index} was scored twice`);
		seen.add(candidate.index);
		addUsage(state.usage, score.usage);
		const attempt: LoopAttempt = {
			round,
			index: candidate.index,
			text: candidate.text,
			...(candidate.parsed !== undefined ? { parsed: candidate.parsed } : {}),
			reward: score.reward,
			pass: score.pass,
			reasons: Object.fromEntries(Object.entries(score.breakdown).map(([name, entry]) => [name, entry.reason])),
		};
		state.history.push(attempt);
		if (!state.best || attempt.reward > state.best.reward) state.best = { ...attempt, breakdown: score.breakdown };
	}
	// The round's candidates in their order, whichever were recorded first (unusable ones are).
	const first = state.history.findIndex((a) => a.round === round);
	if (first >= 0) state.history.splice(first, state.history.length - first, ...state.history.slice(first).sort((a, b) => a.index - b.index));
	return afterRound(state, config);
}

function afterRound(state: LoopState, config: LoopConfig): LoopStep {
	const { settings } = config;
	if (state.best?.pass) return finish(state, config, 'threshold');
	if (tokensSpent(state, config)) return finish(state, config, 'tokens');
	if (state.roundsUsed >= settings.maxRounds) return finish(state, config, 'rounds');
	if (roomLeft(state, settings) <= 0) return finish(state, config, 'candidates');
	// Nothing scored yet: the same prompt again.
	if (!state.best) return nextRound(state, config);
	if (settings.critique) {
		state.awaiting = 'advice';
		return { kind: 'critique', messages: config.prompt, answer: state.best.text, feedback: feedbackFor(state.best, config.threshold) };
	}
	return refine(state, config, undefined);
}

function refine(state: LoopState, config: LoopConfig, advice: string | undefined): LoopStep {
	const best = state.best as LoopBest;
	const text = feedbackFor(best, config.threshold, advice);
	state.feedback.push(text);
	state.refine = { answer: best.text, feedback: text };
	return nextRound(state, config);
}

function finish(state: LoopState, config: LoopConfig, stopReason: StopReason): LoopStep {
	let reason = stopReason;
	if (reason === 'rounds' && config.settings.maxCandidates !== undefined && state.candidatesTried >= config.settings.maxCandidates && !state.best?.pass) reason = 'candidates';
	state.stopReason = reason;
	state.awaiting = 'done';
	const best = state.best;
	if (!best) {
		const counts = countsOf(state);
		const last = state.lastProblem ?? state.lastError ?? (state.lastRefusal !== undefined ? `the model refused: ${state.lastRefusal}` : undefined);
		throw new LoopError(`no candidate could be scored${counts ? `: ${counts}` : ''}${last ? `; last: ${last}` : ''}`, loopSnapshot(state, config), undefined, lastOf(state));
	}
	if (!best.pass && config.settings.onExhausted === 'fail') {
		throw new LoopError(`the budget ended (${reason}) below the threshold: best reward ${best.reward.toFixed(3)}`, loopSnapshot(state, config));
	}
	return { kind: 'stop', result: loopSnapshot(state, config) };
}

export interface LoopDeps {
	/** One chat request for `n` candidates (with its own retries). Throws when it fails for good. */
	generate(request: GenerateRequest, n: number): Promise<GenerateResult>;
	/**
	 * Scores one round's usable candidates together (each sample lists them all in `candidates`), so
	 * that a judge comparing candidates is asked once per round; one score per sample, in order.
	 */
	scoreRound(samples: Sample[]): Promise<ItemScore[]>;
	/** Advice on how to improve `answer`, given the feedback; only with settings.critique. */
	critique?(messages: ChatMessage[], answer: string, feedback: string): Promise<{ text: string; usage: TokenUsage }>;
}

/** How a driver scores a round: at once, or `undefined` to park the loop until the scores come back. */
export interface LoopDriver extends Omit<LoopDeps, 'scoreRound'> {
	scoreRound(samples: Sample[], step: Extract<LoopStep, { kind: 'score' }>): Promise<ItemScore[] | undefined>;
}

export type Driven = { done: LoopResult } | { parked: Extract<LoopStep, { kind: 'score' }> };

/** The samples a round's candidates are scored as. */
export function samplesOf(candidates: PendingCandidate[]): Sample[] {
	const texts = candidates.map((c) => c.text);
	return candidates.map((c, position) => ({
		outputText: c.text,
		outputJson: c.parsed,
		...(c.perplexity !== undefined ? { perplexity: c.perplexity } : {}),
		candidates: texts,
		candidateIndex: position,
	}));
}

/**
 * Runs the loop from `input` until it ends or parks. A request that fails for good (a judge, a
 * critique) ends the item with a LoopError carrying the partial result; cancellation passes through.
 */
export async function driveLoop(request: GenerateRequest, state: LoopState, input: LoopInput, config: LoopConfig, driver: LoopDriver): Promise<Driven> {
	const call = async <T>(work: () => Promise<T>): Promise<T> => {
		try {
			return await work();
		} catch (error) {
			if (error instanceof CancelledError || error instanceof LoopError) throw error;
			state.awaiting = 'done';
			throw new LoopError((error as Error)?.message ?? String(error), loopSnapshot(state, config), error);
		}
	};
	let step = advanceLoop(state, input, config);
	for (;;) {
		switch (step.kind) {
			case 'stop':
				return { done: step.result };
			case 'generate': {
				const { messages, n } = step;
				const round = await call(() => generateRound(request, messages, n, config.settings.useN, driver.generate));
				step = advanceLoop(state, { kind: 'generated', round }, config);
				break;
			}
			case 'score': {
				const scoring = step;
				const scores = await call(() => driver.scoreRound(samplesOf(scoring.candidates), scoring));
				if (scores === undefined) return { parked: scoring };
				step = advanceLoop(state, { kind: 'scored', scored: scoring.candidates.map((candidate, i) => ({ candidate, score: scores[i] })) }, config);
				break;
			}
			case 'critique': {
				const { messages, answer, feedback } = step;
				const advice = driver.critique ? await call(() => (driver.critique as NonNullable<LoopDriver['critique']>)(messages, answer, feedback)) : { text: '', usage: emptyUsage() };
				step = advanceLoop(state, { kind: 'advice', text: advice.text, usage: advice.usage }, config);
				break;
			}
		}
	}
}

/** The whole loop for one item, with scorers that answer in this node. */
export async function runRewardLoop(
	request: GenerateRequest,
	settings: LoopSettings,
	deps: LoopDeps,
	threshold: number | undefined,
): Promise<LoopResult> {
	const config: LoopConfig = { prompt: request.messages, settings, threshold };
	const driven = await driveLoop(request, newLoopState(), { kind: 'start' }, config, { ...deps, scoreRound: (samples) => deps.scoreRound(samples) });
	if ('parked' in driven) throw new Error('the scorers gave no scores');
	return driven.done;
}
