import { emptyUsage, type TokenUsage } from '../../../core/generate/result';
import type { GenerateRequest } from '../../../core/generate/request';
import { NotSentError } from '../../../core/loop/refusals';
import {
	advanceLoop,
	generateRound,
	LoopError,
	newLoopState,
	runRewardLoop,
	type GeneratedRound,
	type LoopConfig,
	type LoopSettings,
	type LoopStep,
	type PendingCandidate,
} from '../../../core/loop/rewardLoop';
import type { ItemScore } from '../../../core/scoring/combine';

const usage = (total: number): TokenUsage => ({ ...emptyUsage(), promptTokens: total, totalTokens: total });
const settings = (extra: Partial<LoopSettings> = {}): LoopSettings => ({ candidatesPerRound: 3, maxRounds: 3, useN: true, maxErrors: 1, onExhausted: 'returnBest', ...extra });
const config = (extra: Partial<LoopSettings> = {}, threshold = 0.9): LoopConfig => ({ prompt: [{ role: 'user', content: 'Describe the phone' }], settings: settings(extra), threshold });
const round = (candidates: GeneratedRound['candidates'], extra: Partial<GeneratedRound> = {}): GeneratedRound => ({ candidates, requests: 1, usage: usage(10), errors: [], ...extra });
const score = (reward: number, threshold = 0.9, tokens = 0): ItemScore => ({
	reward,
	pass: reward >= threshold,
	reason: `reward ${reward}`,
	breakdown: { rule: { score: reward, pass: reward >= threshold, reason: `rule gave ${reward}`, type: 'contains', weight: 1, mustPass: false } },
	usage: usage(tokens),
});
const expectKind = <K extends LoopStep['kind']>(step: LoopStep, kind: K): Extract<LoopStep, { kind: K }> => {
	expect(step.kind).toBe(kind);
	return step as Extract<LoopStep, { kind: K }>;
};
const scoredAll = (candidates: PendingCandidate[], rewards: number[]) => candidates.map((candidate, i) => ({ candidate, score: score(rewards[i]) }));

describe('the loop step API', () => {
	it('start asks for round 1 with N candidates and the original prompt', () => {
		const step = expectKind(advanceLoop(newLoopState(), { kind: 'start' }, config()), 'generate');
		expect(step).toEqual({ kind: 'generate', round: 1, n: 3, messages: [{ role: 'user', content: 'Describe the phone' }] });
	});

	it('only usable candidates are scored: a broken one is an error, a refusal scores 0 with its reason', () => {
		const state = newLoopState();
		const cfg = config();
		advanceLoop(state, { kind: 'start' }, cfg);
		const step = expectKind(
			advanceLoop(state, { kind: 'generated', round: round([{ text: 'not json', error: 'not valid JSON' }, { text: '', refusal: 'No.' }, { text: 'ok' }]) }, cfg),
			'score',
		);
		expect(step.candidates).toEqual([{ index: 2, text: 'ok' }]);
		expect(state).toMatchObject({ errors: 1, refusals: 1, candidatesTried: 3, requests: 1 });
		expect(state.history).toEqual([
			{ round: 1, index: 0, text: 'not json', reward: 0, pass: false, reasons: {}, error: 'not valid JSON' },
			{ round: 1, index: 1, text: '', reward: 0, pass: false, reasons: { refusal: 'refused: No.' }, refusal: 'No.' },
		]);
	});

	it('scores come back in any order; history is in round order and ties go to the earliest', () => {
		const state = newLoopState();
		const cfg = config({ maxRounds: 1 });
		advanceLoop(state, { kind: 'start' }, cfg);
		const step = expectKind(advanceLoop(state, { kind: 'generated', round: round([{ text: 'a' }, { text: 'b' }, { text: 'c' }]) }, cfg), 'score');
		const [a, b, c] = step.candidates;
		const stop = expectKind(advanceLoop(state, { kind: 'scored', scored: [{ candidate: c, score: score(0.5) }, { candidate: a, score: score(0.2) }, { candidate: b, score: score(0.5) }] }, cfg), 'stop');
		expect(stop.result.history.map((h) => h.text)).toEqual(['a', 'b', 'c']);
		expect(stop.result.best?.text).toBe('b');
		expect(stop.result).toMatchObject({ pass: false, stopReason: 'rounds', roundsUsed: 1 });
	});

	it('a refine round carries the best answer and its feedback; a critique adds advice; tokens are a budget', () => {
		const state = newLoopState();
		const cfg = config({ critique: true, maxTokens: 1000 });
		advanceLoop(state, { kind: 'start' }, cfg);
		const scoring = expectKind(advanceLoop(state, { kind: 'generated', round: round([{ text: 'a phone' }]) }, cfg), 'score');
		const critique = expectKind(advanceLoop(state, { kind: 'scored', scored: scoredAll(scoring.candidates, [0.3]) }, cfg), 'critique');
		expect(critique).toMatchObject({ answer: 'a phone', messages: cfg.prompt });
		const next = expectKind(advanceLoop(state, { kind: 'advice', text: ' Mention hours. ', usage: usage(5) }, cfg), 'generate');
		expect(next.round).toBe(2);
		expect(next.messages.slice(0, 2)).toEqual([...cfg.prompt, { role: 'assistant', content: 'a phone' }]);
		expect(String(next.messages[2].content)).toContain('- rule: rule gave 0.3\nAdvice: Mention hours.');
		expect(state.feedback).toEqual([next.messages[2].content]);
		expect(state.usage.totalTokens).toBe(15);

		const spent = newLoopState();
		const tight = config({ critique: true, maxTokens: 12 });
		advanceLoop(spent, { kind: 'start' }, tight);
		const again = expectKind(advanceLoop(spent, { kind: 'generated', round: round([{ text: 'x' }]) }, tight), 'score');
		expectKind(advanceLoop(spent, { kind: 'scored', scored: scoredAll(again.candidates, [0.1]) }, tight), 'critique');
		expect(expectKind(advanceLoop(spent, { kind: 'advice', text: 'more', usage: usage(5) }, tight), 'stop').result.stopReason).toBe('tokens');
	});

	it('more errors than tolerated fail the item before anything is scored, with a partial that is a snapshot', () => {
		const state = newLoopState();
		const cfg = config({ maxErrors: 1 });
		advanceLoop(state, { kind: 'start' }, cfg);
		let thrown: unknown;
		try {
			advanceLoop(state, { kind: 'generated', round: round([{ text: 'x', error: 'bad one' }, { text: 'ok' }], { errors: ['500 down'] }) }, cfg);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(LoopError);
		const { message, partial } = thrown as LoopError;
		expect(message).toBe('2 errors, more than the 1 tolerated (1 × 500 Internal Server Error, 1 × bad one); last: bad one');
		expect(partial).toMatchObject({ errors: 2, candidatesTried: 2, requests: 1, usage: { totalTokens: 10 } });
		state.usage.totalTokens += 100;
		state.history.push({ round: 9, index: 9, text: 'late', reward: 1, pass: true, reasons: {} });
		expect(partial.usage.totalTokens).toBe(10);
		expect(partial.history).toHaveLength(1);
		expect(() => advanceLoop(state, { kind: 'scored', scored: [] }, cfg)).toThrow('the loop is waiting for nothing (it has ended), not "scored"');
	});

	it('a round with nothing usable asks again with the same prompt; nothing at all is a clear failure', () => {
		const state = newLoopState();
		const cfg = config({ maxRounds: 2, maxErrors: 5 });
		advanceLoop(state, { kind: 'start' }, cfg);
		const next = expectKind(advanceLoop(state, { kind: 'generated', round: round([{ text: '', refusal: 'No.' }]) }, cfg), 'generate');
		expect(next).toMatchObject({ round: 2, messages: cfg.prompt });
		expect(() => advanceLoop(state, { kind: 'generated', round: round([], { errors: ['500 down'] }) }, cfg)).toThrow(
			'no candidate could be scored: 1 × 500 Internal Server Error, 1 × refused; last: 500 down',
		);
	});

	it('the state is plain JSON: a loop resumed from its serialised state goes on the same way', () => {
		const cfg = config();
		const state = newLoopState();
		advanceLoop(state, { kind: 'start' }, cfg);
		const scoring = expectKind(advanceLoop(state, { kind: 'generated', round: round([{ text: 'a' }, { text: 'b' }]) }, cfg), 'score');
		const copy = JSON.parse(JSON.stringify(state));
		const direct = advanceLoop(state, { kind: 'scored', scored: scoredAll(scoring.candidates, [0.2, 0.4]) }, cfg);
		const resumed = advanceLoop(copy, { kind: 'scored', scored: scoredAll(scoring.candidates, [0.2, 0.4]) }, cfg);
		expect(resumed).toEqual(direct);
		expect(copy).toEqual(state);
	});

	it('a candidate scored twice is an error', () => {
		const state = newLoopState();
		const cfg = config();
		advanceLoop(state, { kind: 'start' }, cfg);
		const scoring = expectKind(advanceLoop(state, { kind: 'generated', round: round([{ text: 'a' }, { text: 'b' }]) }, cfg), 'score');
		const [a] = scoring.candidates;
		expect(() => advanceLoop(state, { kind: 'scored', scored: [{ candidate: a, score: score(0.1) }, { candidate: a, score: score(0.2) }] }, cfg)).toThrow('round 1: candidate 0 was scored twice');
	});
});

describe('runRewardLoop drives the steps', () => {
	const request: GenerateRequest = { model: 'm', messages: [{ role: 'user', content: 'q' }], options: {} } as unknown as GenerateRequest;

	it('scores each round in one call, with every usable candidate and its position', async () => {
		const rounds: Array<Array<{ text: string; candidates?: string[]; candidateIndex?: number }>> = [];
		const result = await runRewardLoop(
			request,
			settings({ candidatesPerRound: 2, maxRounds: 2 }),
			{
				generate: async () => ({ text: 'a', candidates: [{ index: 0, text: 'a', finishReason: 'stop' }, { index: 1, text: 'b', finishReason: 'stop' }], finishReason: 'stop', model: 'm', usage: usage(3), latencyMs: 1, attempts: 1 }),
				scoreRound: async (samples) => {
					rounds.push(samples.map(({ outputText, candidates, candidateIndex }) => ({ text: outputText, candidates, candidateIndex })));
					return samples.map((s) => score(s.outputText === 'b' ? 0.5 : 0.1));
				},
			},
			0.9,
		);
		expect(rounds).toEqual([
			[
				{ text: 'a', candidates: ['a', 'b'], candidateIndex: 0 },
				{ text: 'b', candidates: ['a', 'b'], candidateIndex: 1 },
			],
			[
				{ text: 'a', candidates: ['a', 'b'], candidateIndex: 0 },
				{ text: 'b', candidates: ['a', 'b'], candidateIndex: 1 },
			],
		]);
		expect(result).toMatchObject({ roundsUsed: 2, candidatesTried: 4, best: { text: 'b', round: 1, index: 1 } });
	});

	it('a scorer request that fails for good ends the item with the partial result and the request\'s error', async () => {
		const boom = new Error('500 judge down');
		let thrown: unknown;
		try {
			await runRewardLoop(
				request,
				settings({ candidatesPerRound: 1 }),
				{
					generate: async () => ({ text: 'a', finishReason: 'stop', model: 'm', usage: usage(3), latencyMs: 1, attempts: 1 }),
					scoreRound: async () => {
						throw boom;
					},
				},
				0.9,
			);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(LoopError);
		expect((thrown as LoopError).reason).toBe(boom);
		expect((thrown as LoopError).partial).toMatchObject({ roundsUsed: 1, candidatesTried: 1, requests: 1, usage: { totalTokens: 3 } });
	});
});

describe('the loop says why an item failed (issue 15, D5)', () => {
	const failing = (status: number, text: string) => Object.assign(new Error(`${status} ${text}`), { status });

	it('counts each cause, and a 401 stops the item in round 1 instead of asking again', async () => {
		let requests = 0;
		let thrown: unknown;
		try {
			await runRewardLoop(
				{ model: 'm', messages: [{ role: 'user', content: 'q' }], options: {} } as unknown as GenerateRequest,
				settings({ candidatesPerRound: 2, useN: false, maxRounds: 3, maxErrors: 10 }),
				{
					generate: async () => {
						requests++;
						throw failing(401, 'Incorrect API key provided');
					},
					scoreRound: async () => [],
				},
				0.9,
			);
		} catch (error) {
			thrown = error;
		}
		expect((thrown as LoopError).message).toBe('stopped at the first 401 Unauthorized, which asking again cannot change (2 × 401 Unauthorized); last: 401 Incorrect API key provided');
		expect(requests).toBe(2);
		expect((thrown as LoopError).partial).toMatchObject({ roundsUsed: 1, errors: 2 });
	});

	it('a 503 is asked again; the causes of every round are counted, in the order they came', () => {
		const state = newLoopState();
		const cfg = config({ maxRounds: 3, maxErrors: 5 });
		advanceLoop(state, { kind: 'start' }, cfg);
		expectKind(advanceLoop(state, { kind: 'generated', round: round([], { errors: [{ message: '503 busy', cause: '503 Service Unavailable' }] }) }, cfg), 'generate');
		expectKind(advanceLoop(state, { kind: 'generated', round: round([{ text: 'x', error: "the model's answer is not valid JSON (Unexpected token)" }], { errors: [{ message: 'socket hang up (ECONNRESET)', cause: 'ECONNRESET' }] }) }, cfg), 'generate');
		expect(() => advanceLoop(state, { kind: 'generated', round: round([], { errors: [{ message: '503 busy again', cause: '503 Service Unavailable' }] }) }, cfg)).toThrow(
			"no candidate could be scored: 2 × 503 Service Unavailable, 1 × ECONNRESET, 1 × the model's answer is not valid JSON; last: 503 busy again",
		);
	});

	it('a round whose usage was estimated says so in the result, and the budget counts the estimate', () => {
		const state = newLoopState();
		const cfg = config({ maxTokens: 50 });
		advanceLoop(state, { kind: 'start' }, cfg);
		const scoring = expectKind(advanceLoop(state, { kind: 'generated', round: round([{ text: 'a' }, { text: 'b' }], { usage: usage(60), usageNote: 'estimated' }) }, cfg), 'score');
		const stop = expectKind(advanceLoop(state, { kind: 'scored', scored: scoredAll(scoring.candidates, [0.1, 0.2]) }, cfg), 'stop');
		expect(stop.result).toMatchObject({ stopReason: 'tokens', usageNote: 'estimated', usage: { totalTokens: 60 } });
	});

	it('a round\'s requests that were not sent (the same request was refused) count as no request and no second error', async () => {
		const refusal = Object.assign(new Error('422 temperature too high'), { status: 422 });
		let calls = 0;
		const generated = await generateRound({ model: 'm', messages: [], options: {} }, [{ role: 'user', content: 'q' }], 3, false, async () => {
			calls++;
			throw calls === 1 ? refusal : new NotSentError(refusal, 'this item sent the identical request, which got this answer');
		});
		expect(generated.requests).toBe(1);
		expect(generated.errors).toEqual([expect.objectContaining({ cause: '422 Unprocessable Entity', final: true, status: 422, message: '422 temperature too high' })]);
	});
});
