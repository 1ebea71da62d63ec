/**
 * The limits of fine-tuning job requests, per provider. The Fine-Tune node's editor reads them for
 * its `typeOptions` and descriptions, the node checks every item's values against them before any
 * request is sent, and each provider checks a job spec against its own once more before it sends it.
 *
 * OpenAI: the API reference (https://platform.openai.com/docs/api-reference/fine-tuning/create) and
 * OpenAI's OpenAPI document (CreateFineTuningJobRequest, FineTune{Supervised,DPO,Reinforcement}
 * Hyperparameters, Metadata, the list endpoints' `limit`).
 * Together AI, where it differs: its API reference (https://docs.together.ai/reference/post-fine-tunes)
 * and its CLI reference (https://docs.together.ai/reference/cli/finetune), which gives the bounds the
 * API reference leaves out (epochs 1–20, a suffix of up to 40 characters).
 * Fireworks AI: its API reference (create-supervised-fine-tuning-job, create-dpo-job, list pages),
 * which types every number as int32 or float and publishes no other bound; the bounds here are
 * those types, and a model's own maximum (context length, LoRA rank) is the server's check.
 */
import type { Auto, JobSpec } from '../finetune/providers/types';
import { describeNumberLimit, lengthProblem, numberProblem, type LengthLimit, type NumberLimit } from './limit';

const OPENAI_CREATE = 'https://platform.openai.com/docs/api-reference/fine-tuning/create';
const OPENAI_LIST = 'https://platform.openai.com/docs/api-reference/fine-tuning/list';
const TOGETHER_CREATE = 'https://docs.together.ai/reference/post-fine-tunes';
const TOGETHER_CLI = 'https://docs.together.ai/reference/cli/finetune';
/** Together's SDK checks what the API reference leaves out (rpo_alpha, simpo_gamma ≥ 0; DPO options on DPO jobs only). */
const TOGETHER_SDK = 'https://github.com/togethercomputer/together-python (src/together/resources/finetune.py, create_finetune_request)';
const FIREWORKS_SFT = 'https://docs.fireworks.ai/api-reference/create-supervised-fine-tuning-job';
const FIREWORKS_DPO = 'https://docs.fireworks.ai/api-reference/create-dpo-job';
const FIREWORKS_LIST = 'https://docs.fireworks.ai/api-reference/list-supervised-fine-tuning-jobs';
/** Google's AIP-122, which Fireworks' resource names follow: a resource ID of at most 63 characters. */
const AIP_122 = 'https://google.aip.dev/122';
/** The largest int32, the type Fireworks' API reference gives its integer options. */
const INT32_MAX = 2_147_483_647;

export interface MetadataLimits {
	label: string;
	field: string;
	/** Most keys. */
	keys: number;
	/** Most characters of a key. */
	keyLength: number;
	/** Most characters of a value (values are strings). */
	valueLength: number;
	source: string;
}

export interface FineTuneLimits {
	provider: string;
	nEpochs: NumberLimit;
	batchSize: NumberLimit;
	/** Undefined where the provider takes no multiplier (Together takes an absolute learning rate). */
	learningRateMultiplier?: NumberLimit;
	beta: NumberLimit;
	seed: NumberLimit;
	suffix: LengthLimit;
	/** Undefined where the provider takes no metadata. */
	metadata?: MetadataLimits;
	/** Reinforcement only (OpenAI). */
	computeMultiplier?: NumberLimit;
	evalInterval?: NumberLimit;
	evalSamples?: NumberLimit;
	reasoningEfforts?: readonly string[];
	/** DPO variants (Together AI): RPO's weight and SimPO's margin; undefined where the provider takes neither. */
	rpoAlpha?: NumberLimit;
	simpoGamma?: NumberLimit;
	/** Together AI: continue from a checkpoint (`{job id or output model}[:{step}]`); undefined where the provider has none. */
	fromCheckpoint?: LengthLimit;
	/** `limit` of the list operations (jobs, events, checkpoints). */
	listLimit: NumberLimit;
	/** An absolute learning rate, where the provider takes one (Fireworks). */
	learningRate?: NumberLimit;
	/** LoRA rank, where the provider takes one (Fireworks). */
	loraRank?: NumberLimit;
	/** Longest training sequence in tokens, where the provider takes one (Fireworks). */
	maxContextLength?: NumberLimit;
}

export const OPENAI_FINE_TUNE_LIMITS: FineTuneLimits = {
	provider: 'OpenAI',
	nEpochs: { label: 'Epochs', field: 'n_epochs', min: 1, max: 50, integer: true, source: OPENAI_CREATE },
	batchSize: { label: 'Batch Size', field: 'batch_size', min: 1, max: 256, integer: true, source: OPENAI_CREATE },
	learningRateMultiplier: { label: 'Learning Rate Multiplier', field: 'learning_rate_multiplier', min: 0, minExclusive: true, source: OPENAI_CREATE },
	beta: { label: 'Beta (DPO)', field: 'beta', min: 0, minExclusive: true, max: 2, source: OPENAI_CREATE },
	seed: { label: 'Seed', field: 'seed', min: 0, max: 2_147_483_647, integer: true, source: OPENAI_CREATE },
	suffix: { label: 'Suffix', field: 'suffix', max: 64, source: OPENAI_CREATE },
	metadata: { label: 'Metadata (JSON)', field: 'metadata', keys: 16, keyLength: 64, valueLength: 512, source: OPENAI_CREATE },
	computeMultiplier: { label: 'Compute Multiplier', field: 'compute_multiplier', min: 0.00001, minExclusive: true, max: 10, source: OPENAI_CREATE },
	evalInterval: { label: 'Eval Interval', field: 'eval_interval', min: 1, integer: true, source: OPENAI_CREATE },
	evalSamples: { label: 'Eval Samples', field: 'eval_samples', min: 1, integer: true, source: OPENAI_CREATE },
	reasoningEfforts: ['default', 'low', 'medium', 'high'],
	listLimit: { label: 'Limit', field: 'limit', min: 1, integer: true, source: OPENAI_LIST },
};

export const TOGETHER_FINE_TUNE_LIMITS: FineTuneLimits = {
	provider: 'Together AI',
	nEpochs: { label: 'Epochs', field: 'n_epochs', min: 1, max: 20, integer: true, source: TOGETHER_CLI },
	// The most depends on the model and the training type (Together's model page); the server checks it.
	batchSize: { label: 'Batch Size', field: 'batch_size', min: 1, integer: true, source: TOGETHER_CREATE },
	// A DPO beta is positive; Together publishes no upper bound (default 0.1).
	beta: { label: 'Beta (DPO)', field: 'dpo_beta', min: 0, minExclusive: true, source: TOGETHER_CREATE },
	// An integer with no published range: non-negative, and no larger than JSON carries exactly from here.
	seed: { label: 'Seed', field: 'random_seed', min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, source: TOGETHER_CREATE },
	suffix: { label: 'Suffix', field: 'suffix', max: 40, source: TOGETHER_CLI },
	// Numbers with defaults of 0 in the API reference (TrainingMethodDPO); the SDK refuses negatives.
	rpoAlpha: { label: 'RPO Alpha (DPO)', field: 'rpo_alpha', min: 0, source: TOGETHER_SDK },
	simpoGamma: { label: 'SimPO Gamma (DPO)', field: 'simpo_gamma', min: 0, source: TOGETHER_SDK },
	// No published length: a job ID or output model name with an optional :step; the bound keeps a pasted file out.
	fromCheckpoint: { label: 'From Checkpoint', field: 'from_checkpoint', max: 512, source: TOGETHER_CREATE },
	// Together lists every job at once; the node pages it, with the same limit.
	listLimit: { label: 'Limit', field: 'limit', min: 1, integer: true, source: TOGETHER_CREATE },
};

export const FIREWORKS_FINE_TUNE_LIMITS: FineTuneLimits = {
	provider: 'Fireworks AI',
	nEpochs: { label: 'Epochs', field: 'epochs', min: 1, max: INT32_MAX, integer: true, source: FIREWORKS_SFT },
	// Fireworks counts a batch in tokens (default 32768), not examples.
	batchSize: { label: 'Batch Size', field: 'batchSize', min: 1, max: INT32_MAX, integer: true, source: FIREWORKS_SFT },
	// DPO's KL beta (`lossConfig.klBeta`): positive, no published maximum.
	beta: { label: 'Beta (DPO)', field: 'lossConfig.klBeta', min: 0, minExclusive: true, source: FIREWORKS_DPO },
	// Fireworks' job API takes no seed: the adapter refuses one (checkJob); the limit is the node's range.
	seed: { label: 'Seed', field: 'seed', min: 0, max: INT32_MAX, integer: true, source: FIREWORKS_SFT },
	// The suffix becomes the output model's ID (`accounts/{account}/models/{suffix}`).
	suffix: { label: 'Suffix', field: 'outputModel', max: 63, source: AIP_122 },
	learningRate: { label: 'Learning Rate', field: 'learningRate', min: 0, minExclusive: true, source: FIREWORKS_SFT },
	loraRank: { label: 'LoRA Rank', field: 'loraRank', min: 1, max: INT32_MAX, integer: true, source: FIREWORKS_SFT },
	maxContextLength: { label: 'Max Context Length', field: 'maxContextLength', min: 1, max: INT32_MAX, integer: true, source: FIREWORKS_SFT },
	// `pageSize`; the adapter pages with `pageToken`.
	listLimit: { label: 'Limit', field: 'pageSize', min: 1, max: INT32_MAX, integer: true, source: FIREWORKS_LIST },
};

/** A value checked against its limit: the value to send, or the problem in words (field, value, limit). */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

const shown = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

/**
 * A hyperparameter as the node holds it: nothing, "auto", a number, or a number written as text
 * (the field is text so that it can say auto). Anything else is refused with the limit.
 */
export function autoNumber(limit: NumberLimit, raw: unknown): Checked<Auto<number> | undefined> {
	if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return { ok: true, value: undefined };
	if (typeof raw === 'string' && raw.trim() === 'auto') return { ok: true, value: 'auto' };
	const number = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw.trim()) ? Number(raw.trim()) : undefined;
	if (number === undefined) return { ok: false, problem: `${limit.label}: ${shown(raw)} is not a number or auto (${describeNumberLimit(limit)}, or auto)` };
	const problem = numberProblem(limit, number);
	return problem ? { ok: false, problem } : { ok: true, value: number };
}

/** A number option (seed, list limit): a number within the limit, or nothing. */
export function optionalNumber(limit: NumberLimit, raw: unknown): Checked<number | undefined> {
	if (raw === undefined || raw === null || raw === '') return { ok: true, value: undefined };
	const problem = numberProblem(limit, raw);
	return problem ? { ok: false, problem } : { ok: true, value: raw as number };
}

/** Metadata: an object of string values, with the provider's key count and lengths. */
export function metadataProblem(limits: FineTuneLimits, metadata: unknown): string | undefined {
	const limit = limits.metadata;
	if (!limit) return `Metadata (JSON): ${limits.provider} takes no metadata; remove it`;
	if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
		return `${limit.label}: ${shown(metadata)} is not a JSON object of text values`;
	}
	const count = lengthProblem({ label: limit.label, field: limit.field, max: limit.keys, source: limit.source }, metadata);
	if (count) return count;
	for (const [key, value] of Object.entries(metadata)) {
		const keyLength = [...key].length;
		if (keyLength > limit.keyLength) return `${limit.label}: the key ${JSON.stringify(key.slice(0, 80))} has ${keyLength} characters, more than the limit of ${limit.keyLength}`;
		if (typeof value !== 'string') {
			return `${limit.label}: the value of ${JSON.stringify(key)} is ${shown(value)}, not text (metadata values are strings of at most ${limit.valueLength} characters)`;
		}
		const valueLength = [...value].length;
		if (valueLength > limit.valueLength) return `${limit.label}: the value of ${JSON.stringify(key)} has ${valueLength} characters, more than the limit of ${limit.valueLength}`;
	}
	return undefined;
}

/** `{job id or output model name}` or the same with `:{step}`, as Together's API reference describes from_checkpoint. */
export function fromCheckpointProblem(limit: LengthLimit, value: unknown): string | undefined {
	if (typeof value !== 'string') return `${limit.label}: ${shown(value)} is not text`;
	const long = lengthProblem(limit, value);
	if (long) return long;
	if (!value.trim() || /\s/.test(value)) return `${limit.label}: ${shown(value)} is not a job ID or output model name (optionally with :STEP), e.g. ft-1234 or ft-1234:10`;
	// A step is digits after the last colon; other text there is part of a name, which Together checks.
	if (/:0*$/.test(value)) return `${limit.label}: the step in ${shown(value)} is not a whole number above 0 (ft-1234:10 is step 10; without a step, the final checkpoint)`;
	return undefined;
}

function autoProblem(limit: NumberLimit | undefined, value: Auto<number> | undefined): string | undefined {
	if (value === undefined || value === 'auto' || !limit) return undefined;
	return numberProblem(limit, value);
}

/**
 * Every problem of a job spec against the provider's limits (empty when it may be sent). The node
 * reports the first; a provider refuses a spec with any, so nothing breaks the contract on the way.
 */
export function jobSpecProblems(spec: JobSpec, limits: FineTuneLimits): string[] {
	const h = spec.hyperparameters ?? {};
	const problems: Array<string | undefined> = [
		typeof spec.model === 'string' && spec.model.trim() ? undefined : 'Model: is empty',
		typeof spec.trainingFile === 'string' && spec.trainingFile.trim() ? undefined : 'Training File ID: is empty',
		autoProblem(limits.nEpochs, h.nEpochs),
		autoProblem(limits.batchSize, h.batchSize),
		autoProblem(limits.learningRateMultiplier, h.learningRateMultiplier),
		autoProblem(limits.beta, h.beta),
		autoProblem(limits.computeMultiplier, h.computeMultiplier),
		autoProblem(limits.evalInterval, h.evalInterval),
		autoProblem(limits.evalSamples, h.evalSamples),
		autoProblem(limits.learningRate, h.learningRate),
		autoProblem(limits.loraRank, h.loraRank),
		autoProblem(limits.maxContextLength, h.maxContextLength),
		h.reasoningEffort !== undefined && limits.reasoningEfforts && !limits.reasoningEfforts.includes(h.reasoningEffort)
			? `Reasoning Effort (Reinforcement): ${shown(h.reasoningEffort)} is not one of ${limits.reasoningEfforts.join(', ')}`
			: undefined,
		h.rpoAlpha === undefined || !limits.rpoAlpha ? undefined : numberProblem(limits.rpoAlpha, h.rpoAlpha),
		h.simpoGamma === undefined || !limits.simpoGamma ? undefined : numberProblem(limits.simpoGamma, h.simpoGamma),
		spec.fromCheckpoint === undefined || !limits.fromCheckpoint ? undefined : fromCheckpointProblem(limits.fromCheckpoint, spec.fromCheckpoint),
		spec.seed === undefined ? undefined : numberProblem(limits.seed, spec.seed),
		spec.suffix === undefined ? undefined : typeof spec.suffix === 'string' ? lengthProblem(limits.suffix, spec.suffix) : `Suffix: ${shown(spec.suffix)} is not text`,
		spec.metadata === undefined ? undefined : metadataProblem(limits, spec.metadata),
	];
	return problems.filter((problem): problem is string => problem !== undefined);
}

/** Thrown by a provider asked to send a spec that breaks its limits. */
export class RequestLimitError extends Error {
	constructor(problem: string) {
		super(problem);
		this.name = 'RequestLimitError';
	}
}

export function assertJobSpec(spec: JobSpec, limits: FineTuneLimits): void {
	const [problem] = jobSpecProblems(spec, limits);
	if (problem) throw new RequestLimitError(problem);
}

/** A list operation's limit; undefined sends the provider's default. */
export function listLimitProblem(limits: FineTuneLimits, limit: number | undefined): string | undefined {
	return limit === undefined ? undefined : numberProblem(limits.listLimit, limit);
}
