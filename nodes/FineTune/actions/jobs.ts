import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import type { Auto, FineTuneProvider, JobSpec, TrainingMethod } from '../../../core/finetune/providers/types';
import { UnsupportedOperationError } from '../../../core/finetune/providers/types';
import { waitForJob } from '../../../core/finetune/waitForJob';
import { tryParseJson } from '../../../core/json/tryParseJson';
import { jobJson } from '../../shared/fineTuneJob';
import { ParameterError } from '../../shared/transportOptions';

export const JOB_OPERATIONS = ['uploadFile', 'createJob', 'getJob', 'listJobs', 'cancelJob', 'pauseJob', 'resumeJob', 'listEvents', 'listCheckpoints', 'waitForCompletion'];

function auto(field: string, value: unknown): Auto<number> | undefined {
	if (value === undefined || value === '' || value === null) return undefined;
	if (value === 'auto') return 'auto';
	const number = Number(value);
	if (!Number.isFinite(number)) throw new ParameterError(field, `must be a number or auto, got ${JSON.stringify(value)}`);
	return number;
}

function jsonObject(field: string, value: unknown): Record<string, unknown> | undefined {
	if (value === undefined || value === '' || value === null) return undefined;
	const parsed = typeof value === 'string' ? tryParseJson(value) : { ok: true as const, value };
	if (!parsed.ok) throw new ParameterError(field, `is not valid JSON (${parsed.problem})`);
	if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) throw new ParameterError(field, 'must be a JSON object');
	return parsed.value as Record<string, unknown>;
}

export function readJobSpec(ctx: IExecuteFunctions, index: number): JobSpec {
	const options = ctx.getNodeParameter('jobOptions', index, {}) as IDataObject;
	const method = ctx.getNodeParameter('method', index) as TrainingMethod;
	const metadata = jsonObject('Metadata', options.metadata);
	return {
		model: String(ctx.getNodeParameter('model', index)).trim(),
		trainingFile: String(ctx.getNodeParameter('trainingFile', index)).trim(),
		validationFile: String(options.validationFile ?? '').trim() || undefined,
		method,
		hyperparameters: {
			nEpochs: auto('Epochs', options.nEpochs),
			batchSize: auto('Batch Size', options.batchSize),
			learningRateMultiplier: auto('Learning Rate Multiplier', options.learningRateMultiplier),
			beta: method === 'dpo' ? auto('Beta', options.beta) : undefined,
			reasoningEffort: method === 'reinforcement' ? (options.reasoningEffort as 'low' | 'medium' | 'high' | undefined) : undefined,
		},
		grader: method === 'reinforcement' ? jsonObject('Grader JSON', ctx.getNodeParameter('grader', index)) : undefined,
		suffix: String(options.suffix ?? '').trim() || undefined,
		seed: typeof options.seed === 'number' && options.seed !== 0 ? options.seed : undefined,
		metadata: metadata as Record<string, string> | undefined,
		trainingType: options.trainingType as 'lora' | 'full' | undefined,
	};
}

/** Runs one job operation for one item. */
export async function runJobOperation(ctx: IExecuteFunctions, operation: string, provider: FineTuneProvider, index: number): Promise<INodeExecutionData[]> {
	const signal = ctx.getExecutionCancelSignal();
	const jobId = () => {
		const id = String(ctx.getNodeParameter('jobId', index) ?? '').trim();
		if (!id) throw new ParameterError('Job ID', 'is empty');
		return id;
	};
	const paired = { pairedItem: { item: index } };
	const one = (json: IDataObject): INodeExecutionData[] => [{ json, ...paired }];
	const limit = () => Number(ctx.getNodeParameter('limit', index, 50));
	switch (operation) {
		case 'uploadFile': {
			const property = String(ctx.getNodeParameter('binaryProperty', index, 'data'));
			const binary = ctx.helpers.assertBinaryData(index, property);
			const content = await ctx.helpers.getBinaryDataBuffer(index, property);
			const file = await provider.uploadFile({ filename: binary.fileName ?? 'training.jsonl', content }, signal);
			return one({ ...file });
		}
		case 'createJob': {
			const spec = readJobSpec(ctx, index);
			if (!provider.methods.has(spec.method)) throw new UnsupportedOperationError(provider.name, `${spec.method} fine-tuning`);
			return one(jobJson(await provider.createJob(spec, signal)));
		}
		case 'getJob':
			return one(jobJson(await provider.getJob(jobId(), signal)));
		case 'listJobs':
			return (await provider.listJobs({ limit: limit() }, signal)).data.map((job) => ({ json: jobJson(job), ...paired }));
		case 'cancelJob':
			return one(jobJson(await provider.cancelJob(jobId(), signal)));
		case 'pauseJob':
			return one(jobJson(await provider.pauseJob(jobId(), signal)));
		case 'resumeJob':
			return one(jobJson(await provider.resumeJob(jobId(), signal)));
		case 'listEvents':
			return (await provider.listEvents(jobId(), { limit: limit() }, signal)).data.map((event) => ({ json: { ...event }, ...paired }));
		case 'listCheckpoints':
			return (await provider.listCheckpoints(jobId(), { limit: limit() }, signal)).data.map((checkpoint) => ({ json: { ...checkpoint } as IDataObject, ...paired }));
		case 'waitForCompletion': {
			const timeoutMs = Number(ctx.getNodeParameter('timeoutMinutes', index, 120)) * 60_000;
			const job = await waitForJob(provider, jobId(), {
				timeoutMs,
				initialDelayMs: Number(ctx.getNodeParameter('pollSeconds', index, 10)) * 1000,
				maxDelayMs: 300_000,
				sleep: (ms) => sleep(ms),
				signal,
			});
			return one(jobJson(job));
		}
		default:
			throw new ParameterError('Operation', `unknown operation "${operation}"`);
	}
}
