import { ScoringPlan } from '../../../core/scoring/combine';
import { graderFromSpecs, GraderError, specsFromGrader, type PlanSpec } from '../../../core/scoring/graders';
import { createScorer } from '../../../core/scoring/registry';
import { renderTemplate } from '../../../core/scoring/template';
import type { Sample } from '../../../core/scoring/types';

const sample = (outputText: string, outputJson?: unknown): Sample => ({ outputText, outputJson });

describe('renderTemplate', () => {
	it('fills sample and item paths; objects become JSON; unknown roots stay as written', () => {
		const item = { user: { name: 'Ada', tags: ['a', 'b'] }, n: 3 };
		expect(renderTemplate('{{ item.user.name }} {{item.user.tags[1]}} {{item.n}} {{item.user}}', sample('x'), item)).toBe(
			'Ada b 3 {"name":"Ada","tags":["a","b"]}',
		);
		expect(renderTemplate('{{sample.output_text}} / {{sample.output_json.answer}}', sample('{"answer":42}', { answer: 42 }), {})).toBe('{"answer":42} / 42');
		expect(renderTemplate('{{item.missing}}|{{other.thing}}', sample('x'), {})).toBe('|{{other.thing}}');
		expect(renderTemplate('{{item.constructor}}', sample('x'), {})).toBe('');
	});

	it('wraps only what comes from the sample', () => {
		expect(renderTemplate('{{item.q}}: {{sample.output_text}}', sample('A'), { q: 'Q' }, { wrapSample: (t) => `[${t}]` })).toBe('Q: [A]');
	});
});

describe('ScoringPlan', () => {
	const contains = (name: string, value: string, extra: Partial<PlanSpec> = {}): PlanSpec => ({
		spec: { type: 'contains', name, config: { values: [value] } },
		weight: 1,
		mustPass: false,
		...extra,
	});
	const plan = (entries: PlanSpec[], combine: ConstructorParameters<typeof ScoringPlan>[1]) =>
		new ScoringPlan(entries.map((e) => ({ scorer: createScorer(e.spec), weight: e.weight, mustPass: e.mustPass })), combine);

	it('weights, threshold, must-pass gate', () => {
		const p = plan([contains('a', 'a', { weight: 3 }), contains('b', 'b', { weight: 1 }), contains('c', 'c', { mustPass: true, weight: 0 })], { mode: 'weighted', threshold: 0.75 });
		expect(p.scoreItemSync(sample('a c'), { item: {} })).toMatchObject({ reward: 0.75, pass: true });
		expect(p.scoreItemSync(sample('b c'), { item: {} })).toMatchObject({ reward: 0.25, pass: false });
		expect(p.scoreItemSync(sample('a b'), { item: {} })).toMatchObject({ reward: 0, pass: false });
		expect(p.scoreItemSync(sample('a b'), { item: {} }).reason).toMatch(/^must pass: c failed \(.+\)$/);
	});

	it('rejects bad plans with clear messages', () => {
		expect(() => plan([], { mode: 'weighted', threshold: 0.5 })).toThrow('add at least one scorer');
		expect(() => plan([contains('a', 'a'), contains('a', 'b')], { mode: 'weighted', threshold: 0.5 })).toThrow('two scorers are named "a"');
		expect(() => plan([contains('bad name', 'a')], { mode: 'weighted', threshold: 0.5 })).toThrow(/must start with a letter/);
		expect(() => plan([contains('a', 'a', { weight: 0 })], { mode: 'weighted', threshold: 0.5 })).toThrow('at least one scorer needs a weight above 0');
		expect(() => plan([contains('a', 'a')], { mode: 'formula', formula: 'a + b', threshold: 0.5 })).toThrow('unknown scorer names: b');
		expect(() => plan([contains('a', 'a')], { mode: 'weighted', threshold: 1.5 })).toThrow('threshold');
	});

	it('clamps formula results and treats NaN as 0', () => {
		const p = plan([contains('a', 'a')], { mode: 'formula', formula: '2 * a + 1', threshold: 0.5 });
		expect(p.scoreItemSync(sample('a'), { item: {} }).reward).toBe(1);
		const nan = plan([contains('a', 'a')], { mode: 'formula', formula: 'sqrt(a - 2)', threshold: 0.5 });
		expect(nan.scoreItemSync(sample('a'), { item: {} }).reward).toBe(0);
	});
});

describe('OpenAI grader JSON', () => {
	it('reads each grader type with its pass point on the [0, 1] scale', () => {
		expect(specsFromGrader({ type: 'string_check', name: 'exact label', input: '{{sample.output_text}}', reference: 'x', operation: 'eq' }, 0.5)).toEqual({
			specs: [{ type: 'string_check', name: 'exact_label', config: { input: '{{sample.output_text}}', reference: 'x', operation: 'eq' } }],
			combine: { mode: 'weighted', threshold: 1 },
		});
		const scored = specsFromGrader(
			{ type: 'score_model', name: 's', model: 'm', input: [{ role: 'user', content: 'rate {{sample.output_text}}' }], range: [1, 5], pass_threshold: 4 },
			0.5,
		);
		expect(scored.combine.threshold).toBe(0.75);
		expect(scored.specs[0]).toMatchObject({ type: 'score_model', config: { range: [1, 5], passThreshold: 4, input: [{ role: 'user', content: 'rate {{sample.output_text}}' }] } });
		const multi = specsFromGrader(
			{ type: 'multi', name: 'm', graders: [{ type: 'text_similarity', name: 'my sim', input: 'a', reference: 'b', evaluation_metric: 'bleu' }], calculate_output: 'my_sim' },
			0.6,
		);
		expect(multi.specs.map((s) => s.name)).toEqual(['my_sim']);
		expect(multi.combine).toEqual({ mode: 'formula', formula: 'my_sim', threshold: 0.6 });
	});

	it('refuses what it cannot run, saying where', () => {
		expect(() => specsFromGrader('{nope', 0.5)).toThrow(GraderError);
		expect(() => specsFromGrader({ type: 'string_check', name: 'x', input: 'a', reference: 'b', operation: 'regex' }, 0.5)).toThrow(/^operation: /);
		expect(() => specsFromGrader({ type: 'label_model', name: 'l', model: 'm', input: [], labels: ['a', 'b'], passing_labels: ['a'] }, 0.5)).toThrow(/^input: /);
	});

	it('writes a configuration back, with weights and binary gates in calculate_output', () => {
		const entries: PlanSpec[] = [
			{ spec: { type: 'contains', name: 'has_a', config: { values: ['a'], caseSensitive: true } }, weight: 1, mustPass: true },
			{ spec: { type: 'text_similarity', name: 'sim', config: { metric: 'gleu', reference: '{{item.ref}}' } }, weight: 3, mustPass: false },
		];
		const out = graderFromSpecs(entries, { mode: 'weighted', threshold: 0.5 });
		expect(out.grader).toMatchObject({
			type: 'multi',
			graders: { has_a: { type: 'string_check', operation: 'like', reference: 'a' }, sim: { type: 'text_similarity', evaluation_metric: 'gleu', pass_threshold: 0.5 } },
			calculate_output: 'has_a * (0.25 * has_a + 0.75 * sim)',
		});
		const graded = graderFromSpecs([{ ...entries[1], mustPass: true }], { mode: 'weighted', threshold: 0.5 });
		expect(graded).toEqual({ grader: null, reason: 'sim: a graded "must pass" scorer has no grader equivalent' });
	});

	it('round-trips a single grader', () => {
		const grader = { type: 'string_check' as const, name: 'exact', input: '{{sample.output_text}}', reference: '{{item.label}}', operation: 'ilike' as const };
		const plan = specsFromGrader(grader, 0.5);
		expect(graderFromSpecs(plan.specs.map((spec) => ({ spec, weight: 1, mustPass: false })), plan.combine).grader).toEqual(grader);
	});
});
