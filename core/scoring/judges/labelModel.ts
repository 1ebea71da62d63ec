/**
 * A label judge with the semantics of OpenAI's `label_model` grader: the judge picks one of
 * `labels`; the score is 1 when that label is among `passingLabels`, else 0.
 */
import { scoreError, type Scorer } from '../types';
import { askJudge, judgeMessages, requireModels, STEPS_SCHEMA, UNTRUSTED_INSTRUCTION, type JudgeMessage, type JudgeStep } from './hardening';

export interface LabelModelConfig {
	model: string;
	/** What to decide: a question (the node adds the candidate) or OpenAI-style input messages with templates. */
	instructions?: string;
	input?: JudgeMessage[];
	labels: string[];
	passingLabels: string[];
	samplingParams?: Record<string, unknown>;
}

export function createLabelModelScorer(name: string, config: LabelModelConfig): Scorer {
	if (!config.model) throw new Error(`${name}: the judge needs a model`);
	if (!Array.isArray(config.labels) || config.labels.length < 2) throw new Error(`${name}: give at least two labels`);
	const unknown = (config.passingLabels ?? []).filter((label) => !config.labels.includes(label));
	if (!config.passingLabels?.length || unknown.length) {
		throw new Error(`${name}: passing labels must be some of the labels${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
	}
	if (!config.instructions?.trim() && !config.input?.length) throw new Error(`${name}: the judge needs instructions or input messages`);
	const schema = {
		type: 'object',
		properties: { steps: STEPS_SCHEMA, label: { type: 'string', enum: config.labels } },
		required: ['steps', 'label'],
		additionalProperties: false,
	};
	const system = `You are a strict, fair classifier. ${UNTRUSTED_INSTRUCTION} Reason in short steps, then give "label": one of ${JSON.stringify(config.labels)}.`;
	return {
		name,
		type: 'label_model',
		async score(sample, context) {
			const models = requireModels(context, name);
			const messages = judgeMessages(system, config.input, config.instructions ?? '', sample, context.item);
			const reply = await askJudge(models, { model: config.model, messages, schemaName: 'label', schema, samplingParams: config.samplingParams }, context.signal);
			if (!reply.ok) return { ...scoreError(reply.problem), usage: reply.answer?.usage };
			const label = reply.value.label as string;
			const pass = config.passingLabels.includes(label);
			const steps = reply.value.steps as JudgeStep[];
			return {
				score: pass ? 1 : 0,
				pass,
				reason: `judge chose "${label}"${pass ? ' (passing)' : ''}${steps.length ? `: ${steps[steps.length - 1].conclusion}` : ''}`,
				details: { label, steps },
				usage: reply.answer.usage,
			};
		},
	};
}
