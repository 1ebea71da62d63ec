/**
 * A rubric judge with the semantics of OpenAI's `score_model` grader: the judge returns a number in
 * `range` and its steps; the number is clamped to the range and normalised to [0, 1]; it passes at
 * or above `passThreshold`, given in the range's own units. A non-numeric answer scores 0 with the
 * error flag.
 */
import { clamp01, scoreError, type Scorer } from '../types';
import { askJudge, judgeMessages, requireModels, STEPS_SCHEMA, UNTRUSTED_INSTRUCTION, type JudgeMessage, type JudgeStep } from './hardening';

export interface ScoreModelConfig {
	model: string;
	/** The grading prompt: either a rubric (the node adds the candidate) or OpenAI-style input messages with templates. */
	rubric?: string;
	input?: JudgeMessage[];
	range?: [number, number];
	passThreshold?: number;
	samplingParams?: Record<string, unknown>;
}

export function createScoreModelScorer(name: string, config: ScoreModelConfig): Scorer {
	const [min, max] = config.range ?? [0, 1];
	if (!(Number.isFinite(min) && Number.isFinite(max) && max > min)) throw new Error(`${name}: range must be [min, max] with max > min`);
	if (!config.model) throw new Error(`${name}: the judge needs a model`);
	if (!config.rubric?.trim() && !config.input?.length) throw new Error(`${name}: the judge needs a rubric or input messages`);
	const threshold = config.passThreshold ?? min + (max - min) / 2;
	const schema = {
		type: 'object',
		properties: { steps: STEPS_SCHEMA, result: { type: 'number' } },
		required: ['steps', 'result'],
		additionalProperties: false,
	};
	const system =
		'You are a strict, fair grader. ' +
		UNTRUSTED_INSTRUCTION +
		` Reason in short steps, then give "result": a number from ${min} to ${max} (higher is better).`;
	return {
		name,
		type: 'score_model',
		async score(sample, context) {
			const models = requireModels(context, name);
			const messages = judgeMessages(system, config.input, `Rubric:\n${config.rubric ?? ''}`, sample, context.item);
			const reply = await askJudge(models, { model: config.model, messages, schemaName: 'score', schema, samplingParams: config.samplingParams }, context.signal);
			if (!reply.ok) return { ...scoreError(reply.problem), usage: reply.answer?.usage };
			const raw = reply.value.result as number;
			const clamped = Math.min(max, Math.max(min, raw));
			const steps = reply.value.steps as JudgeStep[];
			const pass = clamped >= threshold;
			return {
				score: clamp01((clamped - min) / (max - min)),
				pass,
				reason: `judge gave ${raw}${raw !== clamped ? ` (clamped to ${clamped})` : ''} on [${min}, ${max}]${steps.length ? `: ${steps[steps.length - 1].conclusion}` : ''}`,
				details: { result: raw, clamped, range: [min, max], passThreshold: threshold, steps },
				usage: reply.answer.usage,
			};
		},
	};
}
