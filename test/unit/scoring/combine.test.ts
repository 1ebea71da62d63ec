/**
 * Combining scores (core/scoring/combine.ts): scorers that all score 1 give exactly 1, whatever
 * their number and weights, so that a Pass Threshold of 1 can be reached; and the reason never
 * prints a reward on the other side of the threshold than the one compared.
 */
import { ScoringPlan, type CombineOptions } from '../../../core/scoring/combine';
import { formatAgainst } from '../../../core/scoring/format';
import type { Scorer } from '../../../core/scoring/types';

const fixed = (name: string, score: number): Scorer => ({ name, type: 'custom', score: () => ({ score, pass: score >= 0.5, reason: String(score) }) });
const plan = (scores: number[], weights: number[], options: Partial<CombineOptions> = {}) =>
	new ScoringPlan(
		scores.map((score, index) => ({ scorer: fixed(`s${index}`, score), weight: weights[index], mustPass: false })),
		{ mode: 'weighted', threshold: 1, ...options },
	);
const reward = (p: ScoringPlan) => p.scoreItemSync({ outputText: '' }, { item: {} });

describe('weighted mean', () => {
	it('six scorers at weight 1, all at 1, give exactly 1 and pass threshold 1 (was 0.9999999999999999)', () => {
		const result = reward(plan([1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]));
		expect(result.reward).toBe(1);
		expect(result.pass).toBe(true);
		expect(result.reason).toBe('reward 1.0000 >= threshold 1');
	});

	it('gives exactly 1 for any number of scorers and any weights when every score is 1', () => {
		let seed = 3;
		const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
		for (let trial = 0; trial < 2000; trial++) {
			const count = 1 + Math.floor(random() * 20);
			const weights = Array.from({ length: count }, () => (random() < 0.1 ? 0 : random() * 10));
			weights[0] ||= 0.3;
			const result = reward(plan(new Array<number>(count).fill(1), weights));
			if (result.reward !== 1) throw new Error(`weights ${JSON.stringify(weights)} gave ${result.reward}`);
		}
	});

	it('is never above 1 and equals the plain mean otherwise', () => {
		expect(reward(plan([1, 0.5, 0], [1, 2, 1], { threshold: 0.5 })).reward).toBe(0.5);
		expect(reward(plan([0.1, 0.2, 0.3], [0.1, 0.2, 0.7], { threshold: 0.5 })).reward).toBeCloseTo(0.26, 15);
	});
});

describe('formula', () => {
	it('decimal weights that add up to 1 give 1 when every score is 1 (0.6 + 0.3 + 0.1)', () => {
		const result = reward(plan([1, 1, 1], [1, 1, 1], { mode: 'formula', formula: '0.6 * s0 + 0.3 * s1 + 0.1 * s2' }));
		expect(result.reward).toBe(1);
		expect(result.pass).toBe(true);
	});
});

describe('the reason agrees with the comparison', () => {
	it('prints more digits where 4 would round across the threshold', () => {
		const result = reward(plan([0.99996], [1], { threshold: 1 }));
		expect(result.pass).toBe(false);
		expect(result.reason).toBe('reward 0.99996 < threshold 1; lowest: s0 scored 0.99996 (0.99996)');
		const below = reward(plan([0.49996], [1], { threshold: 0.5 }));
		expect(below.reason).toBe('reward 0.49996 < threshold 0.5; failed: s0 (0.49996)');
		expect(reward(plan([0.8], [1], { threshold: 0.5 })).reason).toBe('reward 0.8000 >= threshold 0.5');
	});

	it('formatAgainst: the printed number is always on the same side of the threshold as the value', () => {
		let seed = 11;
		const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
		for (let trial = 0; trial < 20000; trial++) {
			const threshold = Math.round(random() * 1000) / 1000;
			const value = threshold + (random() - 0.5) * 10 ** -Math.floor(random() * 16);
			const printed = Number(formatAgainst(value, threshold));
			if (printed >= threshold !== value >= threshold) throw new Error(`${value} against ${threshold} printed ${printed}`);
		}
		expect(formatAgainst(1 - 2 ** -53, 1)).toBe('0.9999999999999999');
	});
});

describe('scoreItem when scorers fail', () => {
	it('a scorer that throws at once leaves no other scorer\'s rejection unheard', async () => {
		const unheard: unknown[] = [];
		const listen = (reason: unknown) => unheard.push(reason);
		process.on('unhandledRejection', listen);
		try {
			const judge: Scorer = { name: 'judge', type: 'score_model', score: async () => Promise.reject(new Error('judge: Reference: {{item.reference}} is null, not text')) };
			const rule: Scorer = {
				name: 'rule',
				type: 'contains',
				score: () => {
					throw new Error('rule: broken');
				},
			};
			const plan = new ScoringPlan([{ scorer: judge, weight: 1, mustPass: false }, { scorer: rule, weight: 1, mustPass: false }], { mode: 'weighted', threshold: 0.5 });
			await expect(plan.scoreItem({ outputText: 'x' } as never, {} as never)).rejects.toThrow(/judge|rule/);
			// Unhandled rejections are reported after the microtasks of this turn: give them a turn.
			await new Promise((resolve) => setImmediate(resolve));
			expect(unheard).toEqual([]);
		} finally {
			process.off('unhandledRejection', listen);
		}
	});
});
