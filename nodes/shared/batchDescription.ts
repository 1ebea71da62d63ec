import type { INodeProperties } from 'n8n-workflow';
import { OPENAI_BATCH_LIMITS } from '../../core/batch/types';

/** Max Requests per Batch and Max Batch File Size, options shown when `modeField` is Batch: Submit. */
export function batchLimitOptions(modeField: string): INodeProperties[] {
	return [
		{
			displayName: 'Max Requests per Batch',
			name: 'batchMaxRequests',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: OPENAI_BATCH_LIMITS.maxRequests },
			default: 50000,
			description: 'The most requests in one batch; more items make several batches (OpenAI allows 50,000)',
			displayOptions: { show: { [`/${modeField}`]: ['batchSubmit'] } },
		},
		{
			displayName: 'Max Batch File Size (MB)',
			name: 'batchMaxFileSize',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 200, numberPrecision: 3 },
			default: 200,
			description: 'The largest input file of one batch; larger inputs make several batches (OpenAI allows 200 MB)',
			displayOptions: { show: { [`/${modeField}`]: ['batchSubmit'] } },
		},
	];
}

/** What Batch: Collect does with the requests an expired or cancelled batch never ran. */
export function unfinishedRequestsProperty(modeField: string): INodeProperties {
	return {
		displayName: 'Unfinished Requests',
		name: 'unfinishedRequests',
		type: 'options',
		options: [
			{ name: 'Send Synchronously', value: 'sync', description: 'Send the requests an expired or cancelled batch did not run now, at the synchronous price' },
			{ name: 'Return as Errors', value: 'error', description: 'Output those items with an error naming the batch and why it ended' },
		],
		default: 'sync',
		description: 'What to do with the requests of a batch that expired or was cancelled before running them (its finished answers are always delivered)',
		displayOptions: { show: { [modeField]: ['batchCollect'] } },
	};
}
