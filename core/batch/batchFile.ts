/**
 * The batch input file: one JSONL line per request, `{custom_id, method, url, body}`
 * (https://platform.openai.com/docs/api-reference/batch/request-input), the body being exactly what
 * the synchronous mode sends (the caller builds it with core/generate/request.ts), split into as many
 * files as the provider's limits need.
 */
import type { BatchLimits } from './types';

export const CHAT_ENDPOINT = '/v1/chat/completions';

/** The custom_id of the item at `index`: unique within a batch, and the key that maps answers back. */
export const customIdOf = (index: number): string => `item-${index}`;

export function batchLine(customId: string, body: unknown, url = CHAT_ENDPOINT): string {
	return JSON.stringify({ custom_id: customId, method: 'POST', url, body });
}

export interface PlannedLine {
	/** The input item's index. */
	index: number;
	customId: string;
	text: string;
	bytes: number;
}

export interface BatchPart {
	lines: PlannedLine[];
	bytes: number;
}

/** A request that no file can hold, whatever the split: it is that item's error. */
export class LineTooLargeError extends Error {
	constructor(bytes: number, limit: number) {
		super(`the request is ${bytes} bytes, more than a batch file may hold (${limit} bytes)`);
		this.name = 'LineTooLargeError';
	}
}

/**
 * Splits the lines, in order, into files that keep both limits (each line counts its newline). A
 * line larger than a file may be is returned in `tooLarge`, not sent.
 */
export function splitIntoParts(lines: PlannedLine[], limits: BatchLimits): { parts: BatchPart[]; tooLarge: PlannedLine[] } {
	const parts: BatchPart[] = [];
	const tooLarge: PlannedLine[] = [];
	let current: BatchPart = { lines: [], bytes: 0 };
	for (const line of lines) {
		const size = line.bytes + 1;
		if (size > limits.maxBytes) {
			tooLarge.push(line);
			continue;
		}
		if (current.lines.length >= limits.maxRequests || current.bytes + size > limits.maxBytes) {
			parts.push(current);
			current = { lines: [], bytes: 0 };
		}
		current.lines.push(line);
		current.bytes += size;
	}
	if (current.lines.length) parts.push(current);
	return { parts, tooLarge };
}

/** A part's file content: its lines, each ending in a newline, written into one buffer. */
export function partContent(part: BatchPart): Buffer {
	const buffer = Buffer.allocUnsafe(part.bytes);
	let at = 0;
	for (const line of part.lines) {
		at += buffer.write(line.text, at, 'utf8');
		buffer[at++] = 0x0a;
	}
	return buffer;
}
