/**
 * Batch inference (issue 20): one interface for the providers' batch APIs, so the node and the
 * core never depend on one provider's shapes. OpenAI's is the reference (openaiBatches.ts); Azure
 * OpenAI's v1 API and Together's follow it; Fireworks' and OpenRouter's differ and get adapters of
 * their own behind this interface.
 */

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

/** A batch in one of these has ended: its output and error files are what it will ever deliver. */
export const FINAL_BATCH_STATUSES: ReadonlySet<BatchStatus> = new Set(['failed', 'completed', 'expired', 'cancelled']);

export interface BatchLimits {
	/** The most requests in one input file (OpenAI: 50,000). */
	maxRequests: number;
	/** The most bytes in one input file (OpenAI: 200 MB). */
	maxBytes: number;
}

export const OPENAI_BATCH_LIMITS: BatchLimits = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 };

export interface BatchInfo {
	id: string;
	status: BatchStatus;
	inputFileId: string;
	outputFileId: string | null;
	errorFileId: string | null;
	createdAt: number;
	counts: { total: number; completed: number; failed: number };
	metadata: Record<string, string>;
	/** Batch-level errors (a file that failed validation), with the input line they point at when known. */
	errors: Array<{ code: string; message: string; line: number | null }>;
}

/** One line of an output or error file, as the request-output object has it. */
export interface BatchOutputLine {
	customId: string;
	/** The endpoint's answer: its status and body (an error body for a 4xx/5xx). */
	response: { statusCode: number; body: unknown } | null;
	/** Why the request got no answer at all (batch_expired, batch_cancelled, request_timeout). */
	error: { code: string; message: string } | null;
}

export interface BatchProvider {
	readonly name: string;
	readonly limits: BatchLimits;
	uploadBatchFile(file: { filename: string; content: Buffer }, signal?: AbortSignal): Promise<{ id: string; bytes: number }>;
	createBatch(spec: { inputFileId: string; endpoint: string; metadata: Record<string, string> }, signal?: AbortSignal): Promise<BatchInfo>;
	getBatch(id: string, signal?: AbortSignal): Promise<BatchInfo>;
	/** Newest first. */
	listBatches(options: { limit?: number; after?: string }, signal?: AbortSignal): Promise<{ data: BatchInfo[]; hasMore: boolean }>;
	cancelBatch(id: string, signal?: AbortSignal): Promise<BatchInfo>;
	/** A file's content as text (JSONL). */
	downloadFile(id: string, signal?: AbortSignal): Promise<string>;
}

/** An answer from the provider that is not what its API promises. */
export class BatchProtocolError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'BatchProtocolError';
	}
}
