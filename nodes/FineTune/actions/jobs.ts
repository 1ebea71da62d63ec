import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import type { FineTuneProvider, JobSpec, TrainingMethod } from '../../../core/finetune/providers/types';
import { UnsupportedOperationError } from '../../../core/finetune/providers/types';
import { AZURE_TRAINING_TIERS } from '../../../core/finetune/providers/platforms';
import { waitForJob } from '../../../core/finetune/waitForJob';
import { tryParseJson } from '../../../core/json/tryParseJson';
import { autoNumber, jobSpecProblems, optionalNumber, type Checked } from '../../../core/requestLimits/fineTune';
import type { NumberLimit } from '../../../core/requestLimits/limit';
import { reinforcementGraderProblem } from '../../../core/scoring/graders';
import { jobJson } from '../../shared/fineTuneJob';
import { ParameterError } from '../../shared/transportOptions';

export const JOB_OPERATIONS = ['uploadFile', 'createJob', 'getJob', 'listJobs', 'cancelJob', 'pauseJob', 'resumeJob', 'listEvents', 'listCheckpoints', 'waitForCompletion'];

const METHODS: readonly TrainingMethod[] = ['supervised', 'dpo', 'reinforcement'];
const TRAINING_TYPES = ['lora', 'full'] as const;

/** A limit's problem ("Epochs: 51 is outside the limit (…)") as the node's parameter error. */
function limitError(problem: string): ParameterError {
	const colon = problem.indexOf(': ');
	return colon > 0 ? new ParameterError(problem.slice(0, colon), problem.slice(colon + 2)) : new ParameterError('Job Options', problem);
}

/** The value, or the problem (which names the field, the value and the limit) thrown. */
function valueOf<T>(checked: Checked<T>): T {
	if (!checked.ok) throw limitError(checked.problem);
	return checked.value;
}

function jsonObject(field: string, value: unknown): Record<string, unknown> | undefined {
	if (value === undefined || value === '' || value === null) return undefined;
	const parsed = typeof value === 'string' ? tryParseJson(value) : { ok: true as const, value };
	if (!parsed.ok) throw new ParameterError(field, `is not valid JSON (${parsed.problem})`);
	if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) throw new ParameterError(field, 'must be a JSON object');
	return parsed.value as Record<string, unknown>;
}

/**
 * A text parameter: an expression that found nothing in the item (`={{ $json.id }}` on an item
 * without `id`) is an error naming the field, never the text "undefined".
 */
function requiredText(ctx: IExecuteFunctions, name: string, label: string, index: number): string {
	const value = ctx.getNodeParameter(name, index, '') as unknown;
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
		const raw = ctx.getNode().parameters[name];
		const expression = typeof raw === 'string' && raw.startsWith('=') ? ` (its expression ${raw.slice(1).trim()} found nothing in this item)` : '';
		throw new ParameterError(label, `is empty${expression}`);
	}
	if (typeof value !== 'string') throw new ParameterError(label, `${JSON.stringify(value)} is not text`);
	return value.trim();
}

function optionalText(label: string, value: unknown): string | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
	if (typeof value !== 'string') throw new ParameterError(label, `${JSON.stringify(value)} is not text`);
	return value.trim();
}

function oneOf<T extends string>(label: string, value: unknown, allowed: readonly T[]): T | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (!allowed.includes(value as T)) throw new ParameterError(label, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
	return value as T;
}

function hyperparameter(limit: NumberLimit | undefined, label: string, raw: unknown) {
	// A provider without the option (Together has no multiplier) says so itself when a number is given.
	if (!limit) return valueOf(autoNumber({ label, field: label, source: 'the provider (checkJob)' }, raw));
	return valueOf(autoNumber(limit, raw));
}

/** A number option only some providers take: checked against the provider's limit, or left for its checkJob to refuse. */
function optionalOption(limit: NumberLimit | undefined, label: string, raw: unknown): number | undefined {
	return valueOf(optionalNumber(limit ?? { label, field: label, source: 'the provider (checkJob)' }, raw));
}

/** A boolean option: true, false, or not given; anything else names the field. */
function flag(label: string, raw: unknown): boolean | undefined {
	if (raw === undefined || raw === null || raw === '') return undefined;
	if (typeof raw !== 'boolean') throw new ParameterError(label, `${JSON.stringify(raw)} is not true or false`);
	return raw;
}

/**
 * An option only some providers take (Fireworks' learning rate, LoRA rank, context length): a value
 * for a provider without it is refused naming the field, as a value the API would not read.
 */
function providerOption(provider: FineTuneProvider, limit: NumberLimit | undefined, label: string, raw: unknown) {
	if (limit) return valueOf(autoNumber(limit, raw));
	const value = valueOf(autoNumber({ label, field: label, source: 'the provider' }, raw));
	if (value === undefined || value === 'auto') return undefined;
	throw new ParameterError(label, `${provider.name} takes no ${label}; leave it at auto or remove it`);
}

/** One item's job, every value checked against the provider's limits; nothing has been sent yet. */
export function readJobSpec(ctx: IExecuteFunctions, index: number, provider: FineTuneProvider): JobSpec {
	const limits = provider.limits;
	const options = ctx.getNodeParameter('jobOptions', index, {}) as IDataObject;
	const method = oneOf('Method', ctx.getNodeParameter('method', index), METHODS) ?? 'supervised';
	if (!provider.methods.has(method)) {
		// The provider may say why and what it would need (Fireworks' evaluator); else the plain refusal.
		provider.checkJob({ model: '', trainingFile: '', method });
		throw new UnsupportedOperationError(provider.name, `${method} fine-tuning`);
	}
	const metadata = jsonObject('Metadata (JSON)', options.metadata);
	let grader: Record<string, unknown> | undefined;
	if (method === 'reinforcement') {
		grader = jsonObject('Grader JSON', ctx.getNodeParameter('grader', index));
		if (!grader) throw new ParameterError('Grader JSON', 'is empty: reinforcement fine-tuning needs a grader (Score Output\'s "Include Grader JSON" writes one)');
		const problem = reinforcementGraderProblem(grader);
		if (problem) throw new ParameterError('Grader JSON', problem);
	}
	const spec: JobSpec = {
		model: requiredText(ctx, 'model', 'Model', index),
		trainingFile: requiredText(ctx, 'trainingFile', 'Training File ID', index),
		validationFile: optionalText('Validation File ID', options.validationFile),
		method,
		hyperparameters: {
			nEpochs: hyperparameter(limits.nEpochs, 'Epochs', options.nEpochs),
			batchSize: hyperparameter(limits.batchSize, 'Batch Size', options.batchSize),
			learningRateMultiplier: hyperparameter(limits.learningRateMultiplier, 'Learning Rate Multiplier', options.learningRateMultiplier),
			beta: method === 'dpo' ? hyperparameter(limits.beta, 'Beta (DPO)', options.beta) : undefined,
			// Sent as given, DPO or not: a supervised job that carries them is refused by name (checkJob), never silently trained without them.
			rpoAlpha: optionalOption(limits.rpoAlpha, 'RPO Alpha (DPO)', options.rpoAlpha),
			simpoGamma: optionalOption(limits.simpoGamma, 'SimPO Gamma (DPO)', options.simpoGamma),
			referenceFree: flag('Reference-Free (DPO)', options.referenceFree),
			normalizeByLength: flag('Normalize Log-Ratios by Length (DPO)', options.normalizeByLength),
			learningRate: providerOption(provider, limits.learningRate, 'Learning Rate', options.learningRate),
			loraRank: providerOption(provider, limits.loraRank, 'LoRA Rank', options.loraRank),
			maxContextLength: providerOption(provider, limits.maxContextLength, 'Max Context Length', options.maxContextLength),
			reasoningEffort: method === 'reinforcement' ? oneOf('Reasoning Effort (Reinforcement)', options.reasoningEffort, ['low', 'medium', 'high'] as const) : undefined,
		},
		grader,
		suffix: optionalText('Suffix', options.suffix),
		// 0 is a seed like any other: sent, not dropped.
		seed: valueOf(optionalNumber(limits.seed, options.seed)),
		// `{}` (the field's default) is no metadata.
		metadata: metadata && Object.keys(metadata).length > 0 ? (metadata as Record<string, string>) : undefined,
		trainingType: oneOf('Training Type', options.trainingType, TRAINING_TYPES),
		trainingTier: oneOf('Training Tier (Azure OpenAI)', options.trainingTier, AZURE_TRAINING_TIERS),
		fromCheckpoint: optionalText('From Checkpoint', options.fromCheckpoint),
	};
	const [problem] = jobSpecProblems(spec, limits);
	if (problem) throw limitError(problem);
	// What only the provider knows (Together's learning rate, OpenAI's training type), still before sending.
	provider.checkJob(spec);
	return spec;
}

/**
 * Reads and checks one item's parameters for a job operation and returns the call that sends it:
 * the node reads every item first, so a bad value in any item fails before any request leaves.
 */
export function prepareJobOperation(ctx: IExecuteFunctions, operation: string, provider: FineTuneProvider, index: number): () => Promise<INodeExecutionData[]> {
	const signal = ctx.getExecutionCancelSignal();
	const paired = { pairedItem: { item: index } };
	const one = (json: IDataObject): INodeExecutionData[] => [{ json, ...paired }];
	const jobId = () => requiredText(ctx, 'jobId', 'Job ID', index);
	const limit = () => valueOf(optionalNumber(provider.limits.listLimit, ctx.getNodeParameter('limit', index, 50)));
	switch (operation) {
		case 'uploadFile': {
			const property = String(ctx.getNodeParameter('binaryProperty', index, 'data'));
			const binary = ctx.helpers.assertBinaryData(index, property);
			return async () => {
				const content = await ctx.helpers.getBinaryDataBuffer(index, property);
				return one({ ...(await provider.uploadFile({ filename: binary.fileName ?? 'training.jsonl', content }, signal)) });
			};
		}
		case 'createJob': {
			const spec = readJobSpec(ctx, index, provider);
			return async () => one(jobJson(await provider.createJob(spec, signal)));
		}
		case 'getJob': {
			const id = jobId();
			return async () => one(jobJson(await provider.getJob(id, signal)));
		}
		case 'listJobs': {
			const count = limit();
			return async () => (await provider.listJobs({ limit: count }, signal)).data.map((job) => ({ json: jobJson(job), ...paired }));
		}
		case 'cancelJob': {
			const id = jobId();
			return async () => one(jobJson(await provider.cancelJob(id, signal)));
		}
		case 'pauseJob': {
			const id = jobId();
			return async () => one(jobJson(await provider.pauseJob(id, signal)));
		}
		case 'resumeJob': {
			const id = jobId();
			return async () => one(jobJson(await provider.resumeJob(id, signal)));
		}
		case 'listEvents': {
			const [id, count] = [jobId(), limit()];
			return async () => (await provider.listEvents(id, { limit: count }, signal)).data.map((event) => ({ json: { ...event }, ...paired }));
		}
		case 'listCheckpoints': {
			const [id, count] = [jobId(), limit()];
			return async () => (await provider.listCheckpoints(id, { limit: count }, signal)).data.map((checkpoint) => ({ json: { ...checkpoint } as IDataObject, ...paired }));
		}
		case 'waitForCompletion': {
			const id = jobId();
			const timeoutMs = Number(ctx.getNodeParameter('timeoutMinutes', index, 120)) * 60_000;
			const initialDelayMs = Number(ctx.getNodeParameter('pollSeconds', index, 10)) * 1000;
			return async () => one(jobJson(await waitForJob(provider, id, { timeoutMs, initialDelayMs, maxDelayMs: 300_000, sleep: (ms) => sleep(ms), signal })));
		}
		default:
			throw new ParameterError('Operation', `unknown operation "${operation}"`);
	}
}
