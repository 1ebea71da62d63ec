import { chatSamplingParams, graderFromSpecs, GraderError, graderSamplingParams, reinforcementGraderProblem, specsFromGrader } from '../../../core/scoring/graders';
import { judgeRequestBody } from '../../../core/scoring/judges/hardening';

const stringCheck = { type: 'string_check', name: 'exact', input: '{{sample.output_text}}', reference: '{{item.answer}}', operation: 'eq' };
const label = { type: 'label_model', name: 'tone', model: 'm', input: [{ role: 'user', content: 'x' }], labels: ['a', 'b'], passing_labels: ['a'] };

describe('graders for reinforcement fine-tuning', () => {
	it('takes the reinforcement grader types, a multi grader\'s map (or list) included', () => {
		expect(reinforcementGraderProblem(stringCheck)).toBeUndefined();
		expect(reinforcementGraderProblem({ type: 'python', name: 'p', source: 'def grade(s, i): return 1' })).toBeUndefined();
		expect(reinforcementGraderProblem({ type: 'multi', name: 'r', graders: { exact: stringCheck }, calculate_output: 'exact' })).toBeUndefined();
		expect(reinforcementGraderProblem({ type: 'multi', name: 'r', graders: [stringCheck], calculate_output: 'exact' })).toBeUndefined();
	});

	it('refuses Score Output\'s "no equivalent", label_model anywhere, and what is no grader', () => {
		expect(reinforcementGraderProblem({ none: 'rx: OpenAI has no grader for "regex"' })).toBe(
			'Score Output found no grader equivalent for its configuration: rx: OpenAI has no grader for "regex"; reinforcement fine-tuning needs a grader',
		);
		expect(reinforcementGraderProblem(label)).toMatch(/^the grader \("tone"\) is a label_model grader/);
		expect(reinforcementGraderProblem({ type: 'multi', name: 'r', graders: { tone: label }, calculate_output: 'tone' })).toMatch(/^graders\.tone \("tone"\) is a label_model grader/);
		expect(reinforcementGraderProblem({ type: 'multi', name: 'r', graders: { inner: { type: 'multi' } }, calculate_output: 'inner' })).toMatch(/^graders\.inner has type "multi"/);
		expect(reinforcementGraderProblem({ type: 'multi', name: 'r', graders: {}, calculate_output: 'x' })).toBe('the multi grader has no graders');
		expect(reinforcementGraderProblem({})).toMatch(/^the grader's type undefined is not one/);
		expect(reinforcementGraderProblem('text')).toBe('the grader must be a JSON object');
	});

	it('does not export label_model for reinforcement', () => {
		const spec = { type: 'label_model' as const, name: 'tone', config: { model: 'm', instructions: 'polite?', labels: ['a', 'b'], passingLabels: ['a'] } };
		expect(graderFromSpecs([{ spec, weight: 1, mustPass: false }], { mode: 'weighted', threshold: 0.5 })).toEqual({
			grader: null,
			reason: 'tone: reinforcement fine-tuning takes no label_model grader (use a score_model judge to export it)',
		});
	});

	it('renames sampling_params to chat\'s fields for the judge, and back for an exported grader', () => {
		const grader = { type: 'score_model', name: 'q', model: 'm', input: [{ role: 'user', content: 'x' }], sampling_params: { max_completions_tokens: 100, seed: 1, top_p: null, reasoning_effort: 'low' } };
		const plan = specsFromGrader(grader, 0.5);
		const config = plan.specs[0].config as { samplingParams?: Record<string, unknown> };
		expect(config.samplingParams).toEqual({ max_completion_tokens: 100, seed: 1, reasoning_effort: 'low' });
		const body = judgeRequestBody({ model: 'm', messages: [], schemaName: 's', schema: { type: 'object' }, samplingParams: config.samplingParams });
		expect(body).toMatchObject({ max_completion_tokens: 100, seed: 1, reasoning_effort: 'low', temperature: 0 });
		expect(body).not.toHaveProperty('max_completions_tokens');
		const exported = graderFromSpecs(plan.specs.map((spec) => ({ spec, weight: 1, mustPass: false })), plan.combine).grader as { sampling_params?: unknown };
		expect(exported.sampling_params).toEqual({ max_completions_tokens: 100, seed: 1, reasoning_effort: 'low' });
		expect(chatSamplingParams({ top_p: null })).toBeUndefined();
		expect(graderSamplingParams({})).toBeUndefined();
	});

	it('refuses a sampling parameter graders do not have, instead of passing it to chat', () => {
		expect(() => specsFromGrader({ type: 'score_model', name: 'q', model: 'm', input: [{ role: 'user', content: 'x' }], sampling_params: { max_tokens: 5 } }, 0.5)).toThrow(GraderError);
	});
});
