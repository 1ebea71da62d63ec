import { z } from 'zod';
import { tryParseJson } from '../json/tryParseJson';

const textPart = z.object({ type: z.literal('text'), text: z.string() }).passthrough();
const imagePart = z
	.object({
		type: z.literal('image_url'),
		image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
	})
	.passthrough();
const audioPart = z
	.object({
		type: z.literal('input_audio'),
		input_audio: z.object({ data: z.string(), format: z.enum(['wav', 'mp3']) }),
	})
	.passthrough();
const filePart = z.object({ type: z.literal('file'), file: z.object({}).passthrough() }).passthrough();
const userPart = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart]);

const name = z.string().min(1).optional();
const toolCall = z
	.object({
		id: z.string().min(1),
		type: z.literal('function'),
		function: z.object({ name: z.string().min(1), arguments: z.string() }),
	})
	.passthrough();

const systemMessage = z.object({ role: z.literal('system'), content: z.union([z.string(), z.array(textPart).min(1)]), name }).strict();
const developerMessage = z
	.object({ role: z.literal('developer'), content: z.union([z.string(), z.array(textPart).min(1)]), name })
	.strict();
const userMessage = z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(userPart).min(1)]), name }).strict();
const assistantMessage = z
	.object({
		role: z.literal('assistant'),
		content: z.union([z.string(), z.array(textPart), z.null()]).optional(),
		name,
		tool_calls: z.array(toolCall).optional(),
		refusal: z.string().nullable().optional(),
	})
	.strict()
	.superRefine((m, context) => {
		if ((m.tool_calls?.length ?? 0) > 0) return;
		if (Array.isArray(m.content) && m.content.length === 0) {
			// The API wants at least one part: an empty list is refused (minItems 1), not read as no content.
			context.addIssue({ code: z.ZodIssueCode.custom, path: ['content'], message: 'an empty list is not content: an assistant message needs content or tool_calls' });
		} else if (m.content === undefined || m.content === null) {
			context.addIssue({ code: z.ZodIssueCode.custom, message: 'an assistant message needs content or tool_calls' });
		}
	})
	// With tool_calls, empty content ("" or []) is sent as null, as the API returns such a message.
	.transform((m) => ((m.tool_calls?.length ?? 0) > 0 && (m.content === '' || (Array.isArray(m.content) && m.content.length === 0)) ? { ...m, content: null } : m));
const toolMessage = z
	.object({
		role: z.literal('tool'),
		content: z.union([z.string(), z.array(textPart).min(1)]),
		tool_call_id: z.string().min(1),
	})
	.strict();

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;


export type ChatMessage = z.infer<typeof systemMessage | typeof developerMessage | typeof userMessage | typeof assistantMessage | typeof toolMessage>;

export class MessageListError extends Error {
	constructor(readonly problem: string) {
		super(problem);
		this.name = 'MessageListError';
	}
}

function formatIssue(issue: z.ZodIssue, prefix: string): string {
	const path = issue.path.reduce<string>(
		(text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${key}`),
		prefix,
	);
	return `${path}: ${issue.message}`;
}

/**
 * Validates a message list taken from an item. Each message is checked against its own role's
 * shape first, so the error says what is wrong with that message rather than listing every role's
 * alternatives.
 */
export function parseMessageList(value: unknown, fieldName = 'messages'): ChatMessage[] {
	let list: unknown = value;
	if (typeof list === 'string') {
		const parsed = tryParseJson(list);
		if (!parsed.ok) throw new MessageListError(`${fieldName} is a string that is not valid JSON`);
		list = parsed.value;
	}
	if (!Array.isArray(list)) {
		throw new MessageListError(`${fieldName} must be an array of messages, got ${list === null ? 'null' : typeof list}`);
	}
	if (list.length === 0) throw new MessageListError(`${fieldName} is empty`);
	return list.map((entry, index) => {
		const where = `${fieldName}[${index}]`;
		if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
			throw new MessageListError(`${where}: must be an object with role and content`);
		}
		const role = (entry as { role?: unknown }).role;
		if (!ROLES.includes(role as (typeof ROLES)[number])) {
			throw new MessageListError(`${where}.role: must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}`);
		}
		const schema = { system: systemMessage, developer: developerMessage, user: userMessage, assistant: assistantMessage, tool: toolMessage }[
			role as (typeof ROLES)[number]
		];
		const parsed = schema.safeParse(entry);
		if (!parsed.success) throw new MessageListError(formatIssue(parsed.error.issues[0], where));
		// parsed.data already has its role's shape; parsing it again through the union would try the other roles first.
		return parsed.data as ChatMessage;
	});
}

export type MessageListParse = { ok: true; messages: ChatMessage[] } | { ok: false; problem: string };

/** parseMessageList that returns the problem instead of throwing. */
export function safeParseMessageList(value: unknown, fieldName = 'messages'): MessageListParse {
	try {
		return { ok: true, messages: parseMessageList(value, fieldName) };
	} catch (error) {
		if (error instanceof MessageListError) return { ok: false, problem: error.problem };
		throw error;
	}
}

/** The simple prompt: an optional system message and one user message. */
export function promptMessages(userPrompt: string, systemPrompt?: string): ChatMessage[] {
	if (!userPrompt.trim()) throw new MessageListError('the prompt is empty');
	const messages: ChatMessage[] = [];
	if (systemPrompt?.trim()) messages.push({ role: 'system', content: systemPrompt });
	messages.push({ role: 'user', content: userPrompt });
	return messages;
}
