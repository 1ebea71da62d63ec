/**
 * A pairwise / select-best judge: shows the judge every candidate of the item, in a random order
 * (against position bias), and asks which is best. The score is 1 for the sample that is the chosen
 * candidate, else 0; details name the winner in the original order.
 *
 * It is a round-level judge: the samples of one candidate set (a loop round, Score Output items with
 * the same candidates) share one call through `context.setJudgements`, so N candidates cost one
 * call and exactly one of them wins.
 */
import { renderTemplate } from '../template';
import { scoreError, type Scorer } from '../types';
import { judgeOnce } from './candidateSet';
import { askJudge, fence, requireModels, STEPS_SCHEMA, UNTRUSTED_INSTRUCTION, type JudgeStep } from './hardening';

export interface SelectBestConfig {
	model: string;
	/** What "best" means. Templates allowed ({{item.question}}). */
	criteria: string;
	/** Shuffle the candidates before showing them (default true). */
	shuffle?: boolean;
	samplingParams?: Record<string, unknown>;
}

export function createSelectBestScorer(name: string, config: SelectBestConfig): Scorer {
	if (!config.model) throw new Error(`${name}: the judge needs a model`);
	if (!config.criteria?.trim()) throw new Error(`${name}: the judge needs criteria`);
	return {
		name,
		type: 'select_best',
		async score(sample, context) {
			const candidates = sample.candidates && sample.candidates.length > 0 ? sample.candidates : [sample.outputText];
			if (candidates.length < 2) return scoreError('select best needs at least two candidates (Generate Text with Candidates (N) > 1)');
			const models = requireModels(context, name);
			const criteria = renderTemplate(config.criteria, sample, context.item);
			const key = JSON.stringify([name, config.model, config.shuffle !== false, config.samplingParams ?? null, criteria, candidates]);
			const { value: judged, first } = await judgeOnce(context, key, async () => {
				const order = candidates.map((_, i) => i);
				if (config.shuffle !== false) {
					const random = context.random ?? Math.random;
					for (let i = order.length - 1; i > 0; i--) {
						const j = Math.floor(random() * (i + 1));
						[order[i], order[j]] = [order[j], order[i]];
					}
				}
				const schema = {
					type: 'object',
					properties: { steps: STEPS_SCHEMA, best: { type: 'integer', minimum: 1, maximum: candidates.length } },
					required: ['steps', 'best'],
					additionalProperties: false,
				};
				const shown = order.map((original, position) => fence(candidates[original], String(position + 1))).join('\n\n');
				const messages = [
					{
						role: 'system' as const,
						content: `You compare candidate outputs and pick the best one. ${UNTRUSTED_INSTRUCTION} Each candidate is numbered in its opening marker. Reason in short steps, then give "best": the number of the best candidate.`,
					},
					{ role: 'user' as const, content: `Criteria:\n${criteria}\n\n${shown}` },
				];
				const reply = await askJudge(models, { model: config.model, messages, schemaName: 'best_candidate', schema, samplingParams: config.samplingParams }, context.signal);
				return { reply, order };
			});
			const { reply, order } = judged;
			const usage = first ? reply.answer?.usage : undefined;
			if (!reply.ok) return { ...scoreError(reply.problem), ...(usage ? { usage } : {}) };
			const position = reply.value.best as number;
			const bestIndex = order[position - 1];
			const steps = reply.value.steps as JudgeStep[];
			const chosen = sample.candidateIndex !== undefined ? sample.candidateIndex === bestIndex : candidates[bestIndex] === sample.outputText;
			return {
				score: chosen ? 1 : 0,
				pass: chosen,
				reason: `judge picked candidate ${bestIndex}${steps.length ? `: ${steps[steps.length - 1].conclusion}` : ''}`,
				details: { bestIndex, bestText: candidates[bestIndex], shownOrder: order, steps },
				...(usage ? { usage } : {}),
			};
		},
	};
}
