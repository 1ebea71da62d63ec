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

/**
 * tiktoken's pre-tokenizer patterns (tiktoken_ext/openai_public.py), written for JavaScript.
 * gpt-tokenizer 4.0.0 writes them with JavaScript's `\s`, which is not tiktoken's: Rust's `\s`
 * is Unicode White_Space, which has U+0085 (NEL) and not U+FEFF (BOM), while JavaScript's `\s`
 * has U+FEFF and not U+0085. So `\p{White_Space}` stands for tiktoken's `\s` here.
 */
const WS = String.raw`\p{White_Space}`;
const NOT_WS = String.raw`\P{White_Space}`;
/** tiktoken's `(?i:'s|'t|'re|'ve|'m|'ll|'d)` (JavaScript before Node 23 has no inline flags). */
const CONTRACTION = String.raw`'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])`;
const SPLIT_PATTERNS: Record<TokenEncoding, string> = {
	cl100k_base: [
		CONTRACTION,
		String.raw`[^\r\n\p{L}\p{N}]?\p{L}+`,
		String.raw`\p{N}{1,3}`,
		String.raw` ?[^${WS}\p{L}\p{N}]+[\r\n]*`,
		String.raw`${WS}+$`,
		String.raw`${WS}*[\r\n]`,
		String.raw`${WS}+(?!${NOT_WS})`,
		WS,
	].join('|'),
	o200k_base: [
		String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:${CONTRACTION})?`,
		String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:${CONTRACTION})?`,
		String.raw`\p{N}{1,3}`,
		String.raw` ?[^${WS}\p{L}\p{N}]+[\r\n/]*`,
		String.raw`${WS}*[\r\n]+`,
		String.raw`${WS}+(?!${NOT_WS})`,
		String.raw`${WS}+`,
	].join('|'),
};

/** The `<|endoftext|>` id; never produced here (special-token text is ordinary text), but the core wants one. */
const END_OF_TEXT: Record<TokenEncoding, number> = { cl100k_base: 100_257, o200k_base: 199_999 };

/** What this module uses of gpt-tokenizer's BytePairEncodingCore. */
interface BpeCore {
	encodeNative(text: string): number[];
	countNative(text: string): number;
}
type RankTable = ReadonlyArray<string | readonly number[]>;
type RankFromBytes = (key: Uint8Array) => number | undefined;

function startsWithBom(bytes: ArrayLike<number>): boolean {
	return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * gpt-tokenizer 4.0.0 looks a byte sequence up by decoding it with a `TextDecoder` made without
 * `ignoreBOM: true`, which drops a leading U+FEFF: the bytes EF BB BF decode to '' and are never
 * found, so no token starting with a BOM (U+FEFF alone, BOM+"using", BOM+"//", …) is ever merged.
 * Those tokens are few (10 in o200k_base, 9 in cl100k_base), so a sequence starting with EF BB BF
 * is looked up in a table of them instead; every other lookup is gpt-tokenizer's own.
 */
function fixBomLookup(core: BpeCore, ranks: RankTable): void {
	const lookup = core as unknown as { getBpeRankFromBytes?: RankFromBytes };
	const original = lookup.getBpeRankFromBytes;
	if (typeof original !== 'function') throw new Error('gpt-tokenizer changed: BytePairEncodingCore has no getBpeRankFromBytes to correct');
	const bomTokens = new Map<string, number>();
	ranks.forEach((value, rank) => {
		const bytes = typeof value === 'string' ? (value.charCodeAt(0) === 0xfeff ? Buffer.from(value, 'utf8') : undefined) : value;
		if (bytes && startsWithBom(bytes)) bomTokens.set(Buffer.from(bytes).toString('latin1'), rank);
	});
	const bound = original.bind(core);
	lookup.getBpeRankFromBytes = (key) => (startsWithBom(key) ? bomTokens.get(Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1')) : bound(key));
}

const loaded: Partial<Record<TokenEncoding, BpeCore>> = {};

function ranksOf(encoding: TokenEncoding): RankTable {
	// Lazy on purpose (see the file comment): a static import would load the tables with this file.
	// The `cjs/` paths are gpt-tokenizer's CommonJS entry points (its package exports map
	// `./cjs/*` to `./cjs/*.js`), which TypeScript's node resolution also finds the types for.
	if (encoding === 'cl100k_base') {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		return (require('gpt-tokenizer/cjs/bpeRanks/cl100k_base') as { default: RankTable }).default;
	}
	if (encoding === 'o200k_base') {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		return (require('gpt-tokenizer/cjs/bpeRanks/o200k_base') as { default: RankTable }).default;
	}
	throw new Error(`unknown encoding "${String(encoding)}": use o200k_base or cl100k_base`);
}

/**
 * gpt-tokenizer's byte-pair core with tiktoken's split pattern and the BOM lookup corrected, so
 * that its counts are tiktoken's (test/unit/finetune/tokens.test.ts compares them on edge cases).
 */
function load(encoding: TokenEncoding): BpeCore {
	const cached = loaded[encoding];
	if (cached) return cached;
	const ranks = ranksOf(encoding);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { BytePairEncodingCore } = require('gpt-tokenizer/cjs/BytePairEncodingCore') as typeof import('gpt-tokenizer/cjs/BytePairEncodingCore');
	const core = new BytePairEncodingCore({
		bytePairRankDecoder: ranks,
		// Special-token text such as `<|endoftext|>` in a training file is ordinary text to count,
		// not a control token (tiktoken's `encode_ordinary`): none is ever allowed below.
		specialTokensEncoder: new Map([['<|endoftext|>', END_OF_TEXT[encoding]]]),
		tokenSplitRegex: new RegExp(SPLIT_PATTERNS[encoding], 'gu'),
	});
	fixBomLookup(core, ranks);
	loaded[encoding] = core;
	return core;
}

/** The token ids of `text` (special-token text counts as ordinary text). */
export function encodeText(text: string, encoding: TokenEncoding): number[] {
	return load(encoding).encodeNative(text);
}

/** The number of tokens of `text` in `encoding`. */
export function countTokens(text: string, encoding: TokenEncoding): number {
	if (text.length === 0) return 0;
	return load(encoding).countNative(text);
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

const ASSISTANT_OUTPUT_KEYS = new Set(['content', 'tool_calls', 'function_call']);

/**
 * countChatTokens and countAssistantTokens of the same messages at once, each text encoded once
 * (the assistant's texts are most of a training file's).
 */
export function countConversationTokens(messages: readonly TokenMessage[], encoding: TokenEncoding): { total: number; assistant: number } {
	let total = 0;
	let assistant = 0;
	for (const message of messages) {
		total += TOKENS_PER_MESSAGE;
		if (!message || typeof message !== 'object') continue;
		const isAssistant = message.role === 'assistant';
		for (const [key, value] of Object.entries(message)) {
			const tokens = textTokens(valueTexts(key, value), encoding);
			total += tokens;
			if (key === 'name') total += TOKENS_PER_NAME;
			if (isAssistant && ASSISTANT_OUTPUT_KEYS.has(key)) assistant += tokens;
		}
	}
	return { total: total + REPLY_PRIMING_TOKENS, assistant };
}
