import type { RequestDemand } from './keyLimiter';

/** OpenAI's rule of thumb: about four characters per token. */
export const CHARACTERS_PER_TOKEN = 4;
/** Each chat message costs a few tokens beyond its text (role and separators). */
const TOKENS_PER_MESSAGE = 3;

function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '')).join(' ');
	return '';
}

const positive = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined);

/**
 * A chat completion's cost before it is sent, as OpenAI's parallel-request processor counts it: the
 * prompt's tokens plus, per answer, `max_completion_tokens` (or `max_tokens`) when set. Without a
 * maximum the limiter uses what answers on the key have cost so far.
 */
export function chatDemand(body: { model?: unknown; messages?: unknown; n?: unknown; max_completion_tokens?: unknown; max_tokens?: unknown }): RequestDemand {
	const messages = Array.isArray(body.messages) ? body.messages : [];
	let characters = 0;
	for (const message of messages) characters += textOf((message as { content?: unknown })?.content).length;
	return {
		model: typeof body.model === 'string' ? body.model : undefined,
		promptTokens: Math.ceil(characters / CHARACTERS_PER_TOKEN) + TOKENS_PER_MESSAGE * messages.length,
		choices: positive(body.n) ?? 1,
		maxCompletionTokens: positive(body.max_completion_tokens) ?? positive(body.max_tokens),
	};
}

/** An embeddings request: its inputs' tokens, no answer. */
export function embeddingDemand(model: string, inputs: string[]): RequestDemand {
	return { model, promptTokens: inputs.reduce((sum, text) => sum + Math.ceil(text.length / CHARACTERS_PER_TOKEN), 0), choices: 0 };
}
