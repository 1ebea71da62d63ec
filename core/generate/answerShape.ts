/**
 * The shape an answer must have before anything reads it (issue 15, D7). A server that answers 200
 * with `choices: null`, `message: null`, `content: 42` or `usage: "ten"` is not a completion: it is
 * the item's error, naming the field (`choices[0].message.content: expected string, got number`),
 * and, being a 200, it is not retried (the retry policy reads the status, and a 200 is no reason to
 * ask again). Only what the nodes read is checked; fields they do not use may be anything.
 */
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings';
import { z } from 'zod';

const count = z.number().finite().nonnegative().nullable().optional();

const topLogprob = z.object({ token: z.string(), logprob: z.number() });
const tokenLogprob = z.object({ token: z.string(), logprob: z.number(), top_logprobs: z.array(topLogprob).nullable().optional() });

const choice = z.object({
	index: z.number().int().nonnegative().optional(),
	finish_reason: z.string().nullable().optional(),
	message: z.object({
		content: z.string().nullable().optional(),
		refusal: z.string().nullable().optional(),
		tool_calls: z.array(z.unknown()).nullable().optional(),
	}),
	logprobs: z.object({ content: z.array(tokenLogprob).nullable().optional() }).nullable().optional(),
});

const usage = z
	.object({
		prompt_tokens: count,
		completion_tokens: count,
		total_tokens: count,
		prompt_tokens_details: z.object({ cached_tokens: count }).nullable().optional(),
		completion_tokens_details: z.object({ reasoning_tokens: count }).nullable().optional(),
	})
	.nullable()
	.optional();

const chatCompletion = z.object({ model: z.string().nullable().optional(), choices: z.array(choice), usage });

const embeddings = z.object({
	data: z.array(z.object({ index: z.number().int().nonnegative().optional(), embedding: z.array(z.number()) })),
	usage: z.object({ prompt_tokens: count, total_tokens: count }).nullable().optional(),
});

/** A 2xx answer that breaks the shape: carries the status, so the retry policy does not retry it. */
export class AnswerShapeError extends Error {
	constructor(
		readonly status: number,
		/** Where the answer breaks the shape: `choices[0].message.content`, or '' for the whole answer. */
		readonly path: string,
		message: string,
	) {
		super(message);
		this.name = 'AnswerShapeError';
	}
}

/** `choices[0].message.content` from zod's ['choices', 0, 'message', 'content']. */
export function formatPath(path: Array<string | number>): string {
	return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part), '');
}

function describeIssue(issue: z.ZodIssue): string {
	if (issue.code === 'invalid_type') return `expected ${issue.expected}, got ${issue.received}`;
	if (issue.code === 'too_small' && issue.type === 'number') return `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
	return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}

function check<T>(schema: z.ZodType<T>, data: unknown, what: string, status: number): T {
	const parsed = schema.safeParse(data);
	if (parsed.success) return data as T;
	const issue = parsed.error.issues[0];
	const path = formatPath(issue.path);
	throw new AnswerShapeError(status, path, `the answer is not ${what}: ${path ? `${path}: ` : ''}${describeIssue(issue)}`);
}

/**
 * The answer itself when it has the shape of a chat completion (the original object, not a copy);
 * AnswerShapeError naming the first field that breaks it otherwise.
 */
export function checkChatCompletion(data: unknown, status = 200): ChatCompletion {
	return check(chatCompletion, data, 'a chat completion', status) as unknown as ChatCompletion;
}

export function checkEmbeddings(data: unknown, status = 200): CreateEmbeddingResponse {
	return check(embeddings, data, 'an embeddings answer', status) as unknown as CreateEmbeddingResponse;
}
