import { isExpression, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { ScoringPlan } from '../../core/scoring/combine';
import { graderFromSpecs, specsFromGrader, type GraderExport, type PlanSpec } from '../../core/scoring/graders';
import { createScorer, needsModel } from '../../core/scoring/registry';
import { readScorerEntries } from './scorerParameters';

export interface ItemPlan {
	plan: ScoringPlan;
	specs: PlanSpec[];
	grader?: GraderExport;
}

/** Whether a parameter's saved value holds an n8n expression anywhere (n8n's own test: a string starting with "="). */
const hasExpression = (value: unknown): boolean =>
	typeof value === 'string'
		? isExpression(value)
		: Array.isArray(value)
			? value.some(hasExpression)
			: value !== null && typeof value === 'object' && Object.values(value).some(hasExpression);

/**
 * Whether the saved Scorers hold a custom scorer (whose value is read per item): an entry of Type
 * Custom, or a Type or the whole list set by an expression, which may give one.
 */
function mayHaveCustomScorer(scorers: unknown): boolean {
	if (isExpression(scorers)) return true;
	const entries = (scorers as { scorer?: unknown } | undefined)?.scorer;
	if (isExpression(entries)) return true;
	return Array.isArray(entries) && entries.some((entry: IDataObject) => entry?.type === 'custom' || isExpression(entry?.type));
}

/** The scoring parameters every node that scores shares (Score Output, Reward Loop). */
export const SCORING_PARAMETERS = ['mode', 'scorers', 'combine', 'formula', 'grader', 'threshold'];

/**
 * Reads the scoring parameters into plans. Reading every parameter per item is what makes rule
 * scoring slow, so the plan is read once unless an expression makes it differ per item; custom
 * scorers' values are the exception, read per item.
 */
export class ScoringPlans {
	private readonly cache = new Map<string, ItemPlan>();
	private shared: ItemPlan | undefined;
	/** Whether an expression makes the plan differ per item; otherwise a plan that cannot be built is a node-wide error. */
	readonly perItem: boolean;
	readonly hasCustom: boolean;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly includeGrader = false,
		/** The credential's Default Model, for judges whose model is left empty. */
		private readonly defaultModel = '',
	) {
		const raw = ctx.getNode().parameters;
		this.perItem = SCORING_PARAMETERS.some((name) => hasExpression(raw[name]));
		this.hasCustom = mayHaveCustomScorer(raw.scorers);
	}

	forItem(index: number): ItemPlan {
		if (this.shared && !this.perItem) return this.shared;
		const ctx = this.ctx;
		const threshold = Number(ctx.getNodeParameter('threshold', index, 0.5));
		let specs: PlanSpec[];
		let combine;
		if (ctx.getNodeParameter('mode', index, 'scorers') === 'grader') {
			const grader = specsFromGrader(ctx.getNodeParameter('grader', index), threshold);
			specs = grader.specs.map((spec) => ({ spec, weight: 1, mustPass: false }));
			combine = grader.combine;
		} else {
			specs = readScorerEntries(this.entries(index), this.defaultModel).specs;
			combine = {
				mode: ctx.getNodeParameter('combine', index, 'weighted') as 'weighted' | 'formula',
				formula: String(ctx.getNodeParameter('formula', index, '')),
				threshold,
			};
		}
		const key = JSON.stringify([specs, combine]);
		let built = this.cache.get(key);
		if (!built) {
			const plan = new ScoringPlan(
				specs.map(({ spec, weight, mustPass }) => ({ scorer: createScorer(spec), weight, mustPass })),
				combine,
			);
			built = { plan, specs, grader: this.includeGrader ? graderFromSpecs(specs, combine) : undefined };
			this.cache.set(key, built);
		}
		this.shared = built;
		return built;
	}

	/** Custom scorers' values for the item (their expressions are evaluated per item). */
	customValues(index: number): Record<string, unknown> {
		return this.hasCustom ? readScorerEntries(this.entries(index)).customValues : {};
	}

	/** Whether any plan read so far calls a model (judges, embeddings). */
	get needsModels(): boolean {
		return [...this.cache.values()].some((p) => p.specs.some(({ spec }) => needsModel(spec)));
	}

	private entries(index: number): IDataObject[] {
		return (this.ctx.getNodeParameter('scorers.scorer', index, []) as IDataObject[]) ?? [];
	}
}
