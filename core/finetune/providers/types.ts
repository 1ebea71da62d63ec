/**
 * One interface for every fine-tuning provider. The node owns the data; providers are adapters,
 * and an adapter that lacks an operation says so (UnsupportedOperationError) instead of failing
 * somewhere deeper. OpenAI stops new fine-tuning jobs on 2027-01-06: nothing may depend on it alone.
 */

import type { FineTuneLimits } from '../../requestLimits/fineTune';

export type JobStatus = 'validating_files' | 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';

export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export type TrainingMethod = 'supervised' | 'dpo' | 'reinforcement';

/** A hyperparameter the provider may choose itself. */
export type Auto<T> = T | 'auto';

export interface JobSpec {
	model: string;
	trainingFile: string;
	validationFile?: string;
	method: TrainingMethod;
	hyperparameters?: {
		nEpochs?: Auto<number>;
		batchSize?: Auto<number>;
		learningRateMultiplier?: Auto<number>;
		/** DPO only. */
		beta?: Auto<number>;
		/** DPO only (Together AI): the weight of the NLL term on the preferred answers (RPO). */
		rpoAlpha?: number;
		/** DPO only (Together AI): SimPO's target margin; above 0 the job is reference-free and length-normalised. */
		simpoGamma?: number;
		/** DPO only (Together AI): train without the reference model's log-probabilities. */
		referenceFree?: boolean;
		/** DPO only (Together AI): normalise the log-ratios by the answers' lengths. */
		normalizeByLength?: boolean;
		/** Reinforcement only. */
		reasoningEffort?: 'low' | 'medium' | 'high';
		computeMultiplier?: Auto<number>;
		evalInterval?: Auto<number>;
		evalSamples?: Auto<number>;
		/** An absolute learning rate, where the provider takes one (Fireworks). */
		learningRate?: Auto<number>;
		/** LoRA rank, where the provider takes one (Fireworks). */
		loraRank?: Auto<number>;
		/** Longest training sequence in tokens, where the provider takes one (Fireworks). */
		maxContextLength?: Auto<number>;
	};
	/** Reinforcement only: an OpenAI grader definition (Score Output's grader JSON). */
	grader?: Record<string, unknown>;
	suffix?: string;
	seed?: number;
	metadata?: Record<string, string>;
	/** LoRA or full training, where the provider offers the choice. */
	trainingType?: 'lora' | 'full';
	/** Azure OpenAI's training tier (its `trainingType`): Standard, GlobalStandard or developerTier. */
	trainingTier?: 'Standard' | 'GlobalStandard' | 'developerTier';
	/** Together AI: continue from a job's checkpoint (`{job id or output model}[:{step}]`). */
	fromCheckpoint?: string;
}

export interface FineTuneJob {
	id: string;
	status: JobStatus;
	model: string;
	fineTunedModel: string | null;
	createdAt: number;
	finishedAt: number | null;
	trainedTokens: number | null;
	error: string | null;
	/** The provider's own object, for fields this interface does not model. */
	raw: Record<string, unknown>;
}

export interface JobEvent {
	id: string;
	createdAt: number;
	level: string;
	message: string;
}

export interface Checkpoint {
	id: string;
	createdAt: number;
	step: number | null;
	model: string | null;
	metrics: Record<string, unknown>;
}

export interface UploadedFile {
	id: string;
	bytes: number;
	filename: string;
	purpose: string;
}

export interface Page<T> {
	data: T[];
	hasMore: boolean;
}

export type Operation = 'upload' | 'create' | 'get' | 'list' | 'cancel' | 'pause' | 'resume' | 'events' | 'checkpoints';

export interface FineTuneProvider {
	readonly name: string;
	readonly operations: ReadonlySet<Operation>;
	readonly methods: ReadonlySet<TrainingMethod>;
	/** What the provider's API accepts: the node checks values against these before sending. */
	readonly limits: FineTuneLimits;
	/** Throws when the spec cannot be sent to this provider (a value beyond its limits, an option it lacks); sends nothing. */
	checkJob(spec: JobSpec): void;
	uploadFile(file: { filename: string; content: Buffer }, signal?: AbortSignal): Promise<UploadedFile>;
	createJob(spec: JobSpec, signal?: AbortSignal): Promise<FineTuneJob>;
	getJob(id: string, signal?: AbortSignal): Promise<FineTuneJob>;
	listJobs(options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<FineTuneJob>>;
	cancelJob(id: string, signal?: AbortSignal): Promise<FineTuneJob>;
	pauseJob(id: string, signal?: AbortSignal): Promise<FineTuneJob>;
	resumeJob(id: string, signal?: AbortSignal): Promise<FineTuneJob>;
	listEvents(id: string, options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<JobEvent>>;
	listCheckpoints(id: string, options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<Page<Checkpoint>>;
}

export class UnsupportedOperationError extends Error {
	constructor(provider: string, what: string) {
		super(`${provider} does not support ${what}`);
		this.name = 'UnsupportedOperationError';
	}
}
