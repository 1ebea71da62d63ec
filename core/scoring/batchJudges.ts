/**
 * The judges' requests in a batch (Score Output's Batch modes, issue 20). Submit runs an item's plan
 * with models that record each judge's request and answer nothing a judge can use, so the batch
 * holds exactly the bodies the synchronous mode sends; Collect runs the plan again with models that
 * answer each judge's request from its batch line, so what follows the answer (the judge's parsing,
 * the rules, the combination) is the synchronous mode's own code.
 *
 * Each request is named by its item and its scorer (the custom_id) and carries its body's hash:
 * Collect answers a request only with the line of the same body, so a scorer changed between Submit
 * and Collect is an error, never a reward built from another question's answer.
 */
import { createHash } from 'node:crypto';
import { emptyUsage } from '../generate/result';
import type { Outcome } from '../transport/scheduler';
import { ScoringPlan, type ItemScore } from './combine';
import type { ChatAnswer, EmbeddingAnswer, ModelServices, Sample, ScoreContext, Scorer } from './types';

/** A judge's request as Submit wrote it into the batch. */
export interface JudgeRequest {
	/** The scorer that asked. */
	scorer: string;
	customId: string;
	body: Record<string, unknown>;
	sha256: string;
}

/** What Collect needs of a submitted request: whose it is and which body it was. */
export interface JudgeRequestRef {
	scorer: string;
	customId: string;
	sha256: string;
}

/** `item-3-quality`: the item and the judge; a judge's second request in one item is `item-3-quality-2`. */
export const judgeCustomId = (index: number, scorer: string, call = 1): string => (call === 1 ? `item-${index}-${scorer}` : `item-${index}-${scorer}-${call}`);

export const bodyHash = (body: unknown): string => createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32);

/**
 * The random numbers of a judge that shuffles (Select Best) from a seed: Submit and Collect show
 * the candidates in the same order, so the answer's "best: 2" means the same candidate (mulberry32).
 */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** An item's models, which know which scorer asks: the plan from `perScorer` hands each scorer its own. */
abstract class ItemModels implements ModelServices {
	private readonly calls = new Map<string, number>();

	constructor(readonly index: number) {}

	// Reached only by a scorer outside perScorer's plan, which names no scorer.
	chat(body: Record<string, unknown>, signal?: AbortSignal): Promise<ChatAnswer> {
		return this.forScorer('judge').chat(body, signal);
	}

	embed(model: string, input: string[], signal?: AbortSignal): Promise<EmbeddingAnswer> {
		return this.embedInput(model, input, signal);
	}

	/** The models one scorer of the item sees. */
	forScorer(scorer: string): ModelServices {
		return {
			chat: (body, signal) => {
				const call = (this.calls.get(scorer) ?? 0) + 1;
				this.calls.set(scorer, call);
				return this.askJudge(scorer, judgeCustomId(this.index, scorer, call), body, signal);
			},
			embed: (model, input, signal) => this.embedInput(model, input, signal),
		};
	}

	protected abstract askJudge(scorer: string, customId: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<ChatAnswer>;
	protected abstract embedInput(model: string, input: string[], signal?: AbortSignal): Promise<EmbeddingAnswer>;
}

const perScorerPlans = new WeakMap<ScoringPlan, ScoringPlan>();

/** The plan whose scorers each see their own models of an ItemModels (any other models as they are). */
function perScorer(plan: ScoringPlan): ScoringPlan {
	let wrapped = perScorerPlans.get(plan);
	if (!wrapped) {
		const entries = plan.entries.map((entry) => {
			const { scorer } = entry;
			const own: Scorer = {
				name: scorer.name,
				type: scorer.type,
				score: (sample, context) => scorer.score(sample, context.models instanceof ItemModels ? { ...context, models: context.models.forScorer(scorer.name) } : context),
			};
			return { ...entry, scorer: own };
		});
		wrapped = new ScoringPlan(entries, plan.options);
		perScorerPlans.set(plan, wrapped);
	}
	return wrapped;
}

/** Submit's models: each judge's request is written down and answered with nothing (no JSON), embeddings with equal vectors. */
class RecordingModels extends ItemModels {
	readonly requests: JudgeRequest[] = [];

	protected async askJudge(scorer: string, customId: string, body: Record<string, unknown>): Promise<ChatAnswer> {
		this.requests.push({ scorer, customId, body, sha256: bodyHash(body) });
		return { text: '', usage: emptyUsage() };
	}

	// Embeddings are not batched (the batch is for chat completions): Collect asks for them as the synchronous mode does.
	protected async embedInput(_model: string, input: string[]): Promise<EmbeddingAnswer> {
		return { vectors: input.map(() => [1]), usage: emptyUsage() };
	}
}

/**
 * The judges' requests of one item, exactly as the synchronous mode would send them. A scorer that
 * throws (a template naming a field the item lacks, sampling parameters beyond the API's limits) is
 * the item's error, as it would be synchronously, and nothing of it is sent.
 */
export async function judgeRequestsOf(plan: ScoringPlan, index: number, sample: Sample, context: Omit<ScoreContext, 'models' | 'random'>, seed: number): Promise<JudgeRequest[]> {
	const models = new RecordingModels(index);
	await perScorer(plan).scoreItem(sample, { ...context, models, random: seededRandom(seed) });
	return models.requests;
}

/** A judge asked Collect for a request that is not in the batch, or differs from the one that is. */
export class JudgeRequestMismatchError extends Error {
	constructor(message: string) {
		super(`${message}: Batch: Collect scores with the Scorers of the Batch: Submit node (make this node a copy of it)`);
		this.name = 'JudgeRequestMismatchError';
	}
}

/** Collect's answers: every submitted request's outcome by custom_id, handed to each item's judges. */
export class JudgeAnswers {
	private readonly byHash = new Map<string, string>();
	private readonly used = new Set<string>();
	private readonly usedHashes = new Set<string>();

	constructor(
		private readonly outcomes: Map<string, Outcome<ChatAnswer>>,
		refs: Iterable<JudgeRequestRef>,
		/** The node's own models, for embeddings (and nothing else). */
		private readonly live: ModelServices | undefined,
	) {
		for (const ref of refs) if (!this.byHash.has(ref.sha256)) this.byHash.set(ref.sha256, ref.customId);
	}

	/**
	 * Scores an item with its judges answered from the batch. An answer that is an error (an error
	 * line, an expired request returned as an error) fails the item, as a judge request that fails
	 * for good does synchronously.
	 */
	score(plan: ScoringPlan, index: number, refs: JudgeRequestRef[], sample: Sample, context: Omit<ScoreContext, 'models' | 'random'>, seed: number): Promise<ItemScore> {
		const models = new ReplayModels(index, this, refs, this.live);
		return perScorer(plan).scoreItem(sample, { ...context, models, random: seededRandom(seed) });
	}

	/** The item's submitted requests that no judge asked for: a scorer left out of Collect's node. */
	unasked(refs: JudgeRequestRef[]): JudgeRequestRef[] {
		return refs.filter((ref) => !this.used.has(ref.customId) && !this.usedHashes.has(ref.sha256));
	}

	answer(scorer: string, customId: string, body: Record<string, unknown>, refs: JudgeRequestRef[]): ChatAnswer {
		const sha256 = bodyHash(body);
		const own = refs.find((ref) => ref.customId === customId);
		if (own && own.sha256 !== sha256) throw new JudgeRequestMismatchError(`the judge "${scorer}" asks something else than the request ${customId} in the batch`);
		// A judge whose answer items share (Select Best's candidate set) was asked by the item that came first at Submit.
		const id = own?.customId ?? this.byHash.get(sha256);
		const outcome = id === undefined ? undefined : this.outcomes.get(id);
		if (id === undefined || !outcome) throw new JudgeRequestMismatchError(`the judge "${scorer}" has no request in the batch`);
		this.used.add(id);
		this.usedHashes.add(sha256);
		if (!outcome.ok) throw outcome.error;
		return outcome.value;
	}
}

class ReplayModels extends ItemModels {
	constructor(
		index: number,
		private readonly answers: JudgeAnswers,
		private readonly refs: JudgeRequestRef[],
		private readonly live: ModelServices | undefined,
	) {
		super(index);
	}

	protected async askJudge(scorer: string, customId: string, body: Record<string, unknown>): Promise<ChatAnswer> {
		return this.answers.answer(scorer, customId, body, this.refs);
	}

	protected async embedInput(model: string, input: string[], signal?: AbortSignal): Promise<EmbeddingAnswer> {
		if (!this.live) throw new Error('an embedding scorer needs the node\'s credential');
		return this.live.embed(model, input, signal);
	}
}
