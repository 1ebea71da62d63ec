/**
 * Token counting for fine-tuning files, with the same BPE encodings as OpenAI's tiktoken
 * (through the pure-JavaScript `gpt-tokenizer` package).
 *
 * The chat arithmetic follows OpenAI's cookbook:
 * - "How to count tokens with tiktoken" (examples/How_to_count_tokens_with_tiktoken.ipynb),
 *   `num_tokens_from_messages`: 3 tokens per message, the tokens of every string value of the
 *   message, 1 more for a `name`, and 3 for the reply priming `<|start|>assistant<|message|>`;
 * - "Data preparation and analysis for chat model fine-tuning"
 *   (examples/Chat_finetuning_data_prep.ipynb), which uses that count for the total tokens of an
 *   example and `num_assistant_tokens_from_messages` for the tokens of the assistant's messages.
 * The cookbook calls both counts estimates ("not exact!"): the server's own count can differ by a
 * few tokens, and more with tools.
 *
 * Each encoding's tables (2.4 MB of JavaScript and about 65 MB of memory once loaded for
 * o200k_base; 1.2 MB and about 40 MB for cl100k_base) are loaded the first time that encoding is
 * used, so a node that never counts tokens pays nothing.
 */

export type TokenEncoding = 'o200k_base' | 'cl100k_base';

/** What this module needs from a gpt-tokenizer encoding module. */
interface EncodingModule {
	encode(text: string, options?: { allowedSpecial?: Set<string>; disallowedSpecial?: Set<string> }): number[];
}

const loaded: Partial<Record<TokenEncoding, EncodingModule>> = {};

/**
 * Special-token text such as `<|endoftext|>` in a training file is ordinary text to count, not a
 * control token (tiktoken's `encode_ordinary`); the default would throw on it.
 */
const ORDINARY_TEXT = { disallowedSpecial: new Set<string>() };

function load(encoding: TokenEncoding): EncodingModule {
	const cached = loaded[encoding];
	if (cached) return cached;
	let module: EncodingModule;
	// Lazy on purpose (see the file comment): a static import would load the tables with this file.
	// The `cjs/` paths are gpt-tokenizer's CommonJS entry points (its package exports map
	// `./cjs/*` to `./cjs/*.js`), which TypeScript's node resolution also finds the types for.
	if (encoding === 'cl100k_base') {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		module = require('gpt-tokenizer/cjs/encoding/cl100k_base') as EncodingModule;
	} else if (encoding === 'o200k_base') {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		module = require('gpt-tokenizer/cjs/encoding/o200k_base') as EncodingModule;
	} else {
		throw new Error(`unknown encoding "${String(encoding)}": use o200k_base or cl100k_base`);
	}
	loaded[encoding] = module;
	return module;
}

/** The token ids of `text` (special-token text counts as ordinary text). */
export function encodeText(text: string, encoding: TokenEncoding): number[] {
	return load(encoding).encode(text, ORDINARY_TEXT);
}

/** The number of tokens of `text` in `encoding`. */
export function countTokens(text: string, encoding: TokenEncoding): number {
	if (text.length === 0) return 0;
	return encodeText(text, encoding).length;
}

/**
 * The encoding a model's tokenizer uses, after tiktoken's `tiktoken/model.py` table:
 * gpt-4o*, chatgpt-4o*, gpt-4.1*, gpt-4.5*, gpt-5*, o1*, o3*, o4* → o200k_base;
 * gpt-4 and gpt-4-* (gpt-4-turbo, gpt-4-32k, …), gpt-3.5*, gpt-35-turbo* (Azure), davinci-002,
 * babbage-002 and the text-embedding models → cl100k_base.
 * A fine-tuned model (`ft:BASE:org::id`) uses its base model's encoding; gpt-oss* uses
 * o200k_harmony, which has o200k_base's merges (only its special tokens differ), so o200k_base.
 * Any other name → o200k_base, the encoding of every model OpenAI currently fine-tunes (the
 * cookbook's `num_tokens_from_messages` falls back to it the same way).
 */
export function encodingForModel(model: string): TokenEncoding {
	let name = model.trim().toLowerCase();
	if (name.startsWith('ft:')) name = name.slice(3);
	if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o[134](?![0-9])|gpt-oss)/.test(name)) return 'o200k_base';
	if (/^(gpt-4(?![0-9.o])|gpt-3\.5|gpt-35|davinci-002|babbage-002|text-embedding-)/.test(name)) return 'cl100k_base';
	return 'o200k_base';
}

/** A chat message as it stands in a training file; nothing about it is trusted. */
export type TokenMessage = Record<string, unknown>;

/** The text of a content value: a string, or the `text` of the text parts of a parts array. */
function contentText(content: unknown): string[] {
	if (typeof content === 'string') return [content];
	if (!Array.isArray(content)) return [];
	const texts: string[] = [];
	for (const part of content) {
		if (typeof part === 'string') texts.push(part);
		else if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
			texts.push((part as { text: string }).text);
		}
	}
	return texts;
}

/** The name and arguments strings of a `function_call` object or of each `tool_calls` entry. */
function callTexts(value: unknown): string[] {
	const calls = Array.isArray(value) ? value : [value];
	const texts: string[] = [];
	for (const call of calls) {
		if (!call || typeof call !== 'object') continue;
		const fn = (call as { function?: unknown }).function ?? call;
		if (!fn || typeof fn !== 'object') continue;
		const { name, arguments: args } = fn as { name?: unknown; arguments?: unknown };
		if (typeof name === 'string') texts.push(name);
		if (typeof args === 'string') texts.push(args);
	}
	return texts;
}

/** The texts of one message value that take tokens, as `num_tokens_from_messages` sees them. */
function valueTexts(key: string, value: unknown): string[] {
	if (key === 'content') return contentText(value);
	if (key === 'tool_calls' || key === 'function_call') return callTexts(value);
	// role, name, tool_call_id, refusal…: the cookbook encodes every value, all strings there.
	// Non-string values the cookbook never meets (weight: 0/1, null) take no tokens.
	return typeof value === 'string' ? [value] : [];
}

function textTokens(texts: string[], encoding: TokenEncoding): number {
	let total = 0;
	for (const text of texts) total += countTokens(text, encoding);
	return total;
}

/** Tokens per message and per name, as in the cookbook for every current chat model. */
export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_NAME = 1;
/** Every reply is primed with `<|start|>assistant<|message|>`. */
export const REPLY_PRIMING_TOKENS = 3;

/**
 * The tokens of a conversation, per the cookbook's `num_tokens_from_messages`: 3 per message, the
 * tokens of each string value (role, content, name, tool_call_id, …), +1 per `name`, and +3 for
 * the reply priming. Beyond the cookbook (which only meets strings): content given as parts
 * counts the text of its text parts (images are not counted), and `tool_calls`/`function_call`
 * count their function names and argument strings.
 */
export function countChatTokens(messages: readonly TokenMessage[], encoding: TokenEncoding): number {
	let total = 0;
	for (const message of messages) {
		total += TOKENS_PER_MESSAGE;
		if (!message || typeof message !== 'object') continue;
		for (const [key, value] of Object.entries(message)) {
			total += textTokens(valueTexts(key, value), encoding);
			if (key === 'name') total += TOKENS_PER_NAME;
		}
	}
	return total + REPLY_PRIMING_TOKENS;
}

/**
 * The tokens of the assistant's messages, per the cookbook's `num_assistant_tokens_from_messages`
 * (the content of every assistant message), plus the function names and arguments of their
 * tool calls, which are trained output too.
 */
export function countAssistantTokens(messages: readonly TokenMessage[], encoding: TokenEncoding): number {
	let total = 0;
	for (const message of messages) {
		if (!message || typeof message !== 'object' || message.role !== 'assistant') continue;
		total += textTokens(contentText(message.content), encoding);
		total += textTokens(callTexts(message.tool_calls), encoding);
		total += textTokens(callTexts(message.function_call), encoding);
	}
	return total;
}
