import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { accumulateTokenUsage } from 'n8n-workflow';
import { OutputError, type GenerateResult } from '../../core/generate/result';
import type { Outcome } from '../../core/transport/scheduler';
import { itemText } from '../shared/errors';
import { describeFailure, type Endpoint } from '../shared/failures';
import { literalExpressionWarnings } from '../shared/literalExpression';
import { redactOutput } from '../shared/redact';

export interface OutputSettings {
	secrets: string[];
	endpoint: Endpoint;
	/** The input item's fields beside the answer (Include Input Fields). */
	includeInput: boolean;
	/** Fields of the input item left out with includeInput (Batch: Collect's `batchRequest`). */
	omitFields?: string[];
}

/**
 * One output item per outcome, paired with its input item: the result, or the item's error (with the
 * model's words when an answer could not be used), no secret in either; the run's token usage goes
 * to n8n. The synchronous mode and Batch: Collect both answer through here, so their items have one shape.
 */
export function toOutputItems(ctx: IExecuteFunctions, items: INodeExecutionData[], outcomes: Array<Outcome<GenerateResult>>, settings: OutputSettings): INodeExecutionData[] {
	const { secrets, endpoint, includeInput } = settings;
	let promptTokens = 0;
	let completionTokens = 0;
	const warnings = literalExpressionWarnings(ctx.getNode().parameters);
	const inputOf = (index: number): IDataObject => {
		if (!includeInput) return {};
		const json = { ...items[index].json };
		for (const field of settings.omitFields ?? []) delete json[field];
		return json;
	};
	const results = outcomes.map((outcome, index): INodeExecutionData => {
		if (outcome.ok) {
			// A count that cannot be right (usageNote) is replaced by its estimate in n8n's token usage.
			const usage = outcome.value.estimatedUsage ?? outcome.value.usage;
			promptTokens += usage.promptTokens;
			completionTokens += usage.completionTokens;
			const json = (warnings.length ? { ...outcome.value, warnings } : outcome.value) as unknown as IDataObject;
			// Whatever the server sent back (text, model, candidates), no secret of the credential leaves.
			return { json: redactOutput(includeInput ? { ...inputOf(index), ...json } : json, secrets), pairedItem: { item: index } };
		}
		const message = describeFailure(outcome.error, outcome.attempts, secrets, endpoint);
		// An answer that could not be used (not JSON, breaking the schema) keeps the model's words, so they can be read.
		const answer = outcome.error instanceof OutputError ? outcome.error.answer : undefined;
		const raw: IDataObject = answer?.candidates.length
			? { text: answer.candidates[0].text, ...(answer.candidates.length > 1 ? { candidates: answer.candidates as unknown as IDataObject[] } : {}) }
			: {};
		const json: IDataObject = { ...inputOf(index), ...raw, error: itemText(index, message) };
		return { json: redactOutput(json, secrets), pairedItem: { item: index } };
	});
	if (promptTokens + completionTokens > 0) accumulateTokenUsage(ctx, promptTokens, completionTokens);
	return results;
}
