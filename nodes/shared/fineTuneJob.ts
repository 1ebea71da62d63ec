import type { IDataObject } from 'n8n-workflow';
import type { FineTuneJob } from '../../core/finetune/providers/types';

/** A job as an item: the provider's fields we model, plus the provider's own object. */
export function jobJson(job: FineTuneJob): IDataObject {
	return {
		id: job.id,
		status: job.status,
		model: job.model,
		fine_tuned_model: job.fineTunedModel,
		created_at: job.createdAt,
		finished_at: job.finishedAt,
		trained_tokens: job.trainedTokens,
		error: job.error,
		raw: job.raw as IDataObject,
	};
}
