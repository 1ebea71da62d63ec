/**
 * Token counts against published values:
 * - openai/tiktoken, tests/test_encoding.py (test_simple, test_simple_regex, test_basic_encode,
 *   test_encode_surrogate_pairs): cl100k_base ids;
 * - OpenAI cookbook "How to count tokens with tiktoken"
 *   (openai/openai-cookbook, examples/How_to_count_tokens_with_tiktoken.ipynb): the o200k_base ids
 *   of "tiktoken is great!" (section 3), the cl100k_base and o200k_base ids of its
 *   compare_encodings strings (section 5), and its example conversation (section 6), which
 *   num_tokens_from_messages and the OpenAI API both count as 129 prompt tokens for gpt-3.5-turbo
 *   and gpt-4 (cl100k_base) and 124 for gpt-4o and gpt-4o-mini (o200k_base).
 */
import { get_encoding, type Tiktoken } from 'tiktoken';
import {
	countAssistantTokens,
	countChatTokens,
	countConversationTokens,
	countTokens,
	encodeText,
	encodingForModel,
	type TokenEncoding,
} from '../../../core/finetune/tokens';

describe('encodeText and countTokens against tiktoken', () => {
	// tiktoken tests/test_encoding.py
	it.each<[string, number[]]>([
		['hello world', [15339, 1917]],
		['rer', [38149]],
		["'rer", [2351, 81]],
		['today\n ', [31213, 198, 220]],
		['today\n \n', [31213, 27907]],
		['today\n  \n', [31213, 14211]],
		['👍', [9468, 239, 235]],
	])('cl100k_base encodes %j as tiktoken does', (text, ids) => {
		expect(encodeText(text, 'cl100k_base')).toEqual(ids);
		expect(countTokens(text, 'cl100k_base')).toBe(ids.length);
	});

	// The cookbook's "How to count tokens with tiktoken", sections 3 and 5.
	it.each<[string, TokenEncoding, number[]]>([
		['tiktoken is great!', 'o200k_base', [83, 8251, 2488, 382, 2212, 0]],
		['antidisestablishmentarianism', 'cl100k_base', [519, 85342, 34500, 479, 8997, 2191]],
		['antidisestablishmentarianism', 'o200k_base', [493, 129901, 376, 160388, 21203, 2367]],
		['2 + 2 = 4', 'cl100k_base', [17, 489, 220, 17, 284, 220, 19]],
		['2 + 2 = 4', 'o200k_base', [17, 659, 220, 17, 314, 220, 19]],
		['お誕生日おめでとう', 'cl100k_base', [33334, 45918, 243, 21990, 9080, 33334, 62004, 16556, 78699]],
		['お誕生日おめでとう', 'o200k_base', [8930, 9697, 243, 128225, 8930, 17693, 4344, 48669]],
	])('%j in %s is the cookbook\'s ids', (text, encoding, ids) => {
		expect(encodeText(text, encoding)).toEqual(ids);
		expect(countTokens(text, encoding)).toBe(ids.length);
	});

	it('encodes U+0085 (NEL) as whitespace, as tiktoken does', () => {
		// tiktoken's test_basic_encode: " \x850" → [220, 126, 227, 15] (its \s is Unicode White_Space).
		expect(encodeText(' \x850', 'cl100k_base')).toEqual([220, 126, 227, 15]);
	});

	it('counts the empty string as no tokens', () => {
		expect(countTokens('', 'o200k_base')).toBe(0);
	});

	it('counts special-token text as ordinary text instead of throwing', () => {
		// tiktoken: "hello <|endoftext|>" is [15339, 220, 100257] only with allowed_special="all".
		const ids = encodeText('hello <|endoftext|>', 'cl100k_base');
		expect(ids).not.toContain(100257);
		expect(ids.slice(0, 1)).toEqual([15339]);
		expect(countTokens('a <|endoftext|> b', 'o200k_base')).toBeGreaterThan(3);
	});
});

describe('countChatTokens (num_tokens_from_messages)', () => {
	// The cookbook's "How to count tokens with tiktoken", section 6.
	const exampleMessages = [
		{ role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
		{ role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
		{ role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
		{
			role: 'system',
			name: 'example_user',
			content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
		},
		{ role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
		{ role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
	];

	it('counts the cookbook conversation as 129 tokens in cl100k_base (gpt-4, gpt-3.5-turbo)', () => {
		expect(countChatTokens(exampleMessages, 'cl100k_base')).toBe(129);
	});

	it('counts the cookbook conversation as 124 tokens in o200k_base (gpt-4o, gpt-4o-mini)', () => {
		expect(countChatTokens(exampleMessages, 'o200k_base')).toBe(124);
	});

	it('adds 3 per message, 1 per name and 3 for the reply priming', () => {
		const hello = countTokens('hello world', 'cl100k_base');
		const user = countTokens('user', 'cl100k_base');
		const bob = countTokens('bob', 'cl100k_base');
		expect(countChatTokens([], 'cl100k_base')).toBe(3);
		expect(countChatTokens([{ role: 'user', content: 'hello world' }], 'cl100k_base')).toBe(3 + user + hello + 3);
		expect(countChatTokens([{ role: 'user', name: 'bob', content: 'hello world' }], 'cl100k_base')).toBe(
			3 + user + bob + 1 + hello + 3,
		);
	});

	it('counts text parts, tool calls and string fields, and gives numbers (weight) no tokens', () => {
		const enc: TokenEncoding = 'o200k_base';
		const t = (text: string) => countTokens(text, enc);
		const parts = [{ role: 'user', content: [{ type: 'text', text: 'hello' }, { type: 'image_url', image_url: { url: 'x' } }] }];
		expect(countChatTokens(parts, enc)).toBe(3 + t('user') + t('hello') + 3);
		const call = [
			{
				role: 'assistant',
				content: null,
				weight: 1,
				tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
			},
			{ role: 'tool', tool_call_id: 'c1', content: 'sunny' },
		];
		expect(countChatTokens(call, enc)).toBe(
			3 + t('assistant') + t('get_weather') + t('{"city":"Paris"}') + 3 + t('tool') + t('c1') + t('sunny') + 3,
		);
	});
});

describe('countAssistantTokens (num_assistant_tokens_from_messages)', () => {
	it('counts only the assistant messages, with their tool calls', () => {
		const enc: TokenEncoding = 'cl100k_base';
		const messages = [
			{ role: 'system', content: 'Be brief.' },
			{ role: 'user', content: 'Weather?' },
			{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'w', arguments: '{}' } }] },
			{ role: 'tool', tool_call_id: 'c', content: 'rain' },
			{ role: 'assistant', content: 'It rains.' },
		];
		expect(countAssistantTokens(messages, enc)).toBe(countTokens('w', enc) + countTokens('{}', enc) + countTokens('It rains.', enc));
		expect(countAssistantTokens([{ role: 'user', content: 'hi' }], enc)).toBe(0);
	});
});

describe('encodingForModel', () => {
	it.each<[string, TokenEncoding]>([
		['gpt-4o', 'o200k_base'],
		['gpt-4o-mini-2024-07-18', 'o200k_base'],
		['chatgpt-4o-latest', 'o200k_base'],
		['gpt-4.1-nano-2025-04-14', 'o200k_base'],
		['gpt-4.5-preview', 'o200k_base'],
		['gpt-5', 'o200k_base'],
		['gpt-5-mini', 'o200k_base'],
		['o1', 'o200k_base'],
		['o3-mini', 'o200k_base'],
		['o4-mini-2025-04-16', 'o200k_base'],
		['ft:gpt-4o-mini-2024-07-18:acme::abc123', 'o200k_base'],
		['gpt-4', 'cl100k_base'],
		['gpt-4-0613', 'cl100k_base'],
		['gpt-4-turbo', 'cl100k_base'],
		['gpt-4-32k', 'cl100k_base'],
		['gpt-3.5-turbo-0125', 'cl100k_base'],
		['gpt-35-turbo', 'cl100k_base'],
		['ft:gpt-3.5-turbo-0125:acme::xyz', 'cl100k_base'],
		['davinci-002', 'cl100k_base'],
		['babbage-002', 'cl100k_base'],
		['GPT-4', 'cl100k_base'],
		['llama-3.1-8b-instruct', 'o200k_base'],
		['', 'o200k_base'],
	])('%j → %s', (model, encoding) => {
		expect(encodingForModel(model)).toBe(encoding);
	});
});

/**
 * Against OpenAI's tiktoken itself (the `tiktoken` npm package, its Rust core built to WASM; a
 * devDependency): strings where JavaScript and tiktoken's Rust regex or gpt-tokenizer's byte
 * lookups could part ways.
 */
describe('counts equal tiktoken on edge-case strings', () => {
	const EDGE_CASES: string[] = [
		// U+FEFF (BOM / zero-width no-break space) alone, around text, doubled, after spaces, and
		// where tokens start with it (BOM+"using", BOM+"//", BOM+"#", BOM+"\n").
		'\ufeff',
		'\ufeffa',
		'a\ufeff',
		'\ufeff\ufeff',
		'x \ufeff y',
		'  \ufeff',
		'hi\ufeff there',
		'\ufeffusing System;',
		'\ufeff// comment',
		'\ufeff#!/bin/sh',
		'\ufeff\n\nnamespace',
		'\ufeff{"a": 1}',
		// U+0085 (NEL), Unicode White_Space but not JavaScript's \s.
		'\u0085',
		'a\u0085b',
		'  \u0085x',
		// ZWJ emoji sequences, flags, skin tones, variation selectors.
		'👨‍👩‍👧‍👦 family',
		'🏳️‍🌈 ok',
		'👍🏽👍🏿',
		'🇫🇷🇯🇵',
		'❤️\ufe0f',
		// CJK, RTL, combining marks, zero-width characters.
		'中文测试，你好世界。日本語のテキスト、한국어 문장',
		'مرحبا بالعالم ١٢٣٤٥',
		'שָׁלוֹם עוֹלָם',
		'\u202eRTL override\u202c',
		'e\u0301\u0301 n\u0303 Z\u0336\u0336',
		'a\u200db\u200cc\u200bd',
		'\u2060word\u2060',
		// Line and paragraph separators, other Unicode spaces.
		'\u2028\u2029',
		'a\u2028b\u2029c',
		'\u3000\u3000a\u00a0\u00a0b\u202f\u205fc',
		'\u180ex\u180e',
		// Lone surrogates (both tokenizers see U+FFFD).
		'\ud800',
		'x\udc00y',
		'\ud83d',
		// Whitespace runs, line endings, digits.
		' '.repeat(1000),
		'\t\t\tx',
		'     \n\n   x',
		'a   \r\n  b\r\n\r\n',
		'\n'.repeat(300) + 'end',
		'12345678901234567890',
		'3.14159 1,000,000 ٣٫١٤',
		// Contractions and cases, special-token text as ordinary text.
		"don't I'LL they've WE'RE it'S",
		'ǄǅǆDŽ ǅa',
		'<|endoftext|><|fim_prefix|>',
	];

	const reference: Partial<Record<TokenEncoding, Tiktoken>> = {};
	afterAll(() => Object.values(reference).forEach((encoding) => encoding.free()));

	it.each<TokenEncoding>(['o200k_base', 'cl100k_base'])('%s', (encoding) => {
		const tiktoken = (reference[encoding] ??= get_encoding(encoding));
		const mismatches = EDGE_CASES.filter((text) => encodeText(text, encoding).join() !== Array.from(tiktoken.encode_ordinary(text)).join());
		expect(mismatches).toEqual([]);
		for (const text of EDGE_CASES) expect(countTokens(text, encoding)).toBe(tiktoken.encode_ordinary(text).length);
	});

	it("counts '\\ufeff' as one token, as tiktoken does", () => {
		expect(encodeText('\ufeff', 'o200k_base')).toEqual([5574]);
		expect(encodeText('\ufeff', 'cl100k_base')).toEqual([3305]);
	});
});

describe('lazy loading of the encodings', () => {
	afterEach(() => {
		jest.dontMock('gpt-tokenizer/cjs/bpeRanks/o200k_base');
		jest.dontMock('gpt-tokenizer/cjs/bpeRanks/cl100k_base');
	});

	it('loads an encoding on its first use only, and never one that is not used', () => {
		const loads = { o200k: 0, cl100k: 0 };
		jest.isolateModules(() => {
			// A tiny table: the bytes a, b, c, d, e, one token each.
			jest.doMock('gpt-tokenizer/cjs/bpeRanks/o200k_base', () => {
				loads.o200k++;
				return { default: ['a', 'b', 'c', 'd', 'e'] };
			});
			jest.doMock('gpt-tokenizer/cjs/bpeRanks/cl100k_base', () => {
				loads.cl100k++;
				return { default: [] };
			});
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const tokens = require('../../../core/finetune/tokens') as typeof import('../../../core/finetune/tokens');
			expect(loads).toEqual({ o200k: 0, cl100k: 0 });
			expect(tokens.encodingForModel('gpt-4')).toBe('cl100k_base');
			expect(loads).toEqual({ o200k: 0, cl100k: 0 });
			expect(tokens.countTokens('abc', 'o200k_base')).toBe(3);
			expect(tokens.countTokens('de', 'o200k_base')).toBe(2);
			expect(loads).toEqual({ o200k: 1, cl100k: 0 });
		});
	});
});

describe('countConversationTokens', () => {
	it('is countChatTokens and countAssistantTokens at once', () => {
		const messages = [
			{ role: 'system', content: 'Be brief.' },
			{ role: 'user', content: 'Hi', name: 'bob' },
			{ role: 'assistant', content: [{ type: 'text', text: 'Hello 👋' }], weight: 0 },
			{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{"q":"中文"}' } }] },
			{ role: 'tool', tool_call_id: 'c1', content: '\ufeff{"ok":true}' },
			{ role: 'assistant', content: 'Done.' },
		];
		for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
			expect(countConversationTokens(messages, encoding)).toEqual({ total: countChatTokens(messages, encoding), assistant: countAssistantTokens(messages, encoding) });
		}
	});
});
