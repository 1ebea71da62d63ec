/**
 * The chat request's options checked against the API's limits (core/requestLimits/chat.ts) before
 * anything is sent. n8n enforces a parameter's minValue/maxValue only in the editor: expressions and
 * imported workflows deliver any value, and the server would answer 400 for every item.
 */
import { strictSchemaProblem } from '../json/strictSchema';
import { CHAT_LIMITS, CHAT_LIMITS_BY_FIELD, REASONING_EFFORTS, STOP_LIMIT, type ChatNumberOption } from '../requestLimits/chat';
import { describeNumberLimit, lengthProblem, numberProblem, type NumberLimit } from '../requestLimits/limit';
import type { GenerationOptions } from './options';

/** An option the API would refuse; the message names the field, the value and the limit. */
export class ChatOptionError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ChatOptionError';
	}
}

/** numberProblem, with a list or an object shown as JSON (String() would show [1] as 1). */
function valueProblem(limit: NumberLimit, value: unknown): string | undefined {
	if (typeof value === 'object' && value !== null) return `${limit.label}: ${JSON.stringify(value)} is not a number (${describeNumberLimit(limit)})`;
	return numberProblem(limit, value);
}

/**
 * A parameter's raw value (from an expression, a stored workflow) as a number within its limit.
 * Empty is "not set"; a numeric string is its number; anything else, or a value outside the limit,
 * throws ChatOptionError.
 */
export function readLimitedNumber(raw: unknown, limit: NumberLimit): number | undefined {
	if (raw === undefined || raw === null || raw === '') return undefined;
	const value = typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
	const problem = valueProblem(limit, value);
	if (problem) throw new ChatOptionError(problem);
	return value as number;
}

/** Undefined, or why the stop sequences cannot be sent: at most 4, each a string. */
export function stopProblem(stop: readonly unknown[], label = STOP_LIMIT.label): string | undefined {
	const wrong = stop.findIndex((entry) => typeof entry !== 'string');
	if (wrong >= 0) return `${label}: entry ${wrong} is ${stop[wrong] === null ? 'null' : typeof stop[wrong]}, not a string`;
	return lengthProblem({ ...STOP_LIMIT, label }, stop);
}

export type ChatLabels = Partial<Record<ChatNumberOption | 'stop' | 'jsonSchema', string>>;

/**
 * Undefined when every option keeps its limit, otherwise the first problem. `labels` renames a
 * field where a node shows it under another name.
 */
export function chatOptionsProblem(options: GenerationOptions, labels: ChatLabels = {}): string | undefined {
	for (const [key, limit] of Object.entries(CHAT_LIMITS) as Array<[ChatNumberOption, NumberLimit]>) {
		const value = options[key];
		if (value === undefined) continue;
		const label = labels[key];
		const problem = numberProblem(label ? { ...limit, label } : limit, value);
		if (problem) return problem;
	}
	if (options.stop) {
		const problem = stopProblem(options.stop, labels.stop);
		if (problem) return problem;
	}
	const format = options.responseFormat;
	if (format?.type === 'json_schema' && format.strict) {
		const problem = strictSchemaProblem(format.schema);
		if (problem) return `${labels.jsonSchema ?? 'JSON Schema'}: with Strict on, ${problem}`;
	}
	return undefined;
}

/** chatOptionsProblem that throws ChatOptionError. */
export function checkChatOptions(options: GenerationOptions, labels: ChatLabels = {}): void {
	const problem = chatOptionsProblem(options, labels);
	if (problem) throw new ChatOptionError(problem);
}

/**
 * The same limits on a request body built by other code (judges merge OpenAI graders'
 * sampling_params into theirs), by API field name; `labelOf` names a field as its user knows it.
 */
export function chatBodyProblem(body: Record<string, unknown>, labelOf: (field: string) => string = (field) => field): string | undefined {
	for (const [field, value] of Object.entries(body)) {
		if (value === undefined || value === null) continue;
		const limit = CHAT_LIMITS_BY_FIELD.get(field);
		if (limit) {
			const problem = valueProblem({ ...limit, label: labelOf(field) }, value);
			if (problem) return problem;
		}
	}
	const effort = body.reasoning_effort;
	if (effort !== undefined && effort !== null && !(REASONING_EFFORTS as readonly unknown[]).includes(effort)) {
		return `${labelOf('reasoning_effort')}: ${JSON.stringify(effort)} is not one of ${REASONING_EFFORTS.join(', ')}`;
	}
	const stop = body.stop;
	if (stop !== undefined && stop !== null && typeof stop !== 'string') {
		const problem = Array.isArray(stop) ? stopProblem(stop, labelOf('stop')) : `${labelOf('stop')}: must be a string or a list of strings, got ${typeof stop}`;
		if (problem) return problem;
	}
	const format = body.response_format as { type?: unknown; json_schema?: { schema?: unknown; strict?: unknown } } | undefined;
	if (format?.type === 'json_schema' && format.json_schema?.strict === true) {
		const problem = strictSchemaProblem(format.json_schema.schema);
		if (problem) return `${labelOf('response_format.json_schema.schema')}: with strict true, ${problem}`;
	}
	return undefined;
}
