import { MessageListError, parseMessageList, promptMessages } from '../../core/generate/messages';

/** Runs parseMessageList and returns the MessageListError it throws. */
function problemOf(value: unknown, fieldName?: string): string {
	try {
		parseMessageList(value, fieldName);
	} catch (error) {
		expect(error).toBeInstanceOf(MessageListError);
		expect((error as MessageListError).name).toBe('MessageListError');
		expect((error as MessageListError).problem).toBe((error as Error).message);
		return (error as Error).message;
	}
	throw new Error('parseMessageList accepted the value');
}

describe('parseMessageList: valid lists', () => {
	it('accepts messages with string content and returns them unchanged', () => {
		const list = [
			{ role: 'system', content: 'Be brief.' },
			{ role: 'developer', content: 'Answer in English.' },
			{ role: 'user', content: 'Hi', name: 'ada' },
			{ role: 'assistant', content: 'Hello!' },
		];
		expect(parseMessageList(list)).toEqual(list);
	});

	it('accepts content parts', () => {
		const list = [
			{ role: 'system', content: [{ type: 'text', text: 'rules' }] },
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'What is this?' },
					{ type: 'image_url', image_url: { url: 'https://example.test/cat.png', detail: 'low' } },
					{ type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } },
					{ type: 'file', file: { file_id: 'file-1' } },
				],
			},
		];
		expect(parseMessageList(list)).toEqual(list);
	});

	it('accepts an assistant message with tool_calls and no content, followed by the tool answer', () => {
		const list = [
			{ role: 'user', content: 'Weather in Paris?' },
			{
				role: 'assistant',
				content: null,
				tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
			},
			{ role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
			{ role: 'assistant', content: 'It is 21 °C.', refusal: null },
		];
		expect(parseMessageList(list)).toEqual(list);
	});

	it('accepts a JSON string holding the list', () => {
		const list = [{ role: 'user', content: 'from a string' }];
		expect(parseMessageList(JSON.stringify(list))).toEqual(list);
	});
});

describe('parseMessageList: invalid lists', () => {
	it('rejects values that are not arrays', () => {
		expect(problemOf({ role: 'user', content: 'x' })).toBe('messages must be an array of messages, got object');
		expect(problemOf(null)).toBe('messages must be an array of messages, got null');
		expect(problemOf(42)).toBe('messages must be an array of messages, got number');
		expect(problemOf(undefined)).toBe('messages must be an array of messages, got undefined');
		expect(problemOf('{"role":"user"}')).toBe('messages must be an array of messages, got object');
	});

	it('rejects a string that is not JSON', () => {
		expect(problemOf('[{"role": "user",')).toBe('messages is a string that is not valid JSON');
	});

	it('rejects an empty list', () => {
		expect(problemOf([])).toBe('messages is empty');
		expect(problemOf('[]')).toBe('messages is empty');
	});

	it('uses the given field name', () => {
		expect(problemOf([], 'conversation')).toBe('conversation is empty');
		expect(problemOf([{ role: 'user', content: 'a' }, { role: 'bot', content: 'b' }], 'chat')).toMatch(/^chat\[1\]\.role: /);
	});

	it('rejects entries that are not objects', () => {
		expect(problemOf([{ role: 'user', content: 'a' }, 'hello'])).toBe('messages[1]: must be an object with role and content');
		expect(problemOf([null])).toBe('messages[0]: must be an object with role and content');
		expect(problemOf([[{ role: 'user', content: 'a' }]])).toBe('messages[0]: must be an object with role and content');
	});

	it('rejects an unknown or missing role, naming the roles allowed', () => {
		expect(problemOf([{ role: 'user', content: 'a' }, { role: 'robot', content: 'b' }])).toBe(
			'messages[1].role: must be one of system, developer, user, assistant, tool, got "robot"',
		);
		expect(problemOf([{ content: 'no role' }])).toMatch(/^messages\[0\]\.role: must be one of .*, got undefined$/);
	});

	it('rejects a tool message without tool_call_id', () => {
		const problem = problemOf([
			{ role: 'user', content: 'a' },
			{ role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
			{ role: 'tool', content: 'result' },
		]);
		expect(problem).toMatch(/^messages\[2\]\.tool_call_id: /);
		expect(problem).toContain('Required');
	});

	it('rejects unknown keys on a message', () => {
		const problem = problemOf([
			{ role: 'user', content: 'a' },
			{ role: 'user', content: 'b', temperature: 0.2 },
		]);
		expect(problem).toMatch(/^messages\[1\]: /);
		expect(problem).toContain('temperature');
	});

	it('rejects a tool_call_id on a user message', () => {
		expect(problemOf([{ role: 'user', content: 'b', tool_call_id: 'x' }])).toContain('tool_call_id');
	});

	it('rejects an assistant message with neither content nor tool_calls', () => {
		expect(problemOf([{ role: 'assistant' }])).toBe('messages[0]: an assistant message needs content or tool_calls');
		expect(problemOf([{ role: 'assistant', content: null, tool_calls: [] }])).toBe(
			'messages[0]: an assistant message needs content or tool_calls',
		);
	});

	it('rejects an assistant message whose content is an empty list (the API wants at least one part)', () => {
		expect(problemOf([{ role: 'user', content: 'a' }, { role: 'assistant', content: [] }])).toBe(
			'messages[1].content: an empty list is not content: an assistant message needs content or tool_calls',
		);
	});

	it('sends empty content beside tool_calls as null, as the API returns such a message', () => {
		const call = { id: 'c1', type: 'function' as const, function: { name: 'f', arguments: '{}' } };
		for (const content of [[], '']) {
			const [message] = parseMessageList([{ role: 'assistant', content, tool_calls: [call] }]);
			expect(message).toEqual({ role: 'assistant', content: null, tool_calls: [call] });
		}
		const [spoken] = parseMessageList([{ role: 'assistant', content: 'Let me look.', tool_calls: [call] }]);
		expect(spoken).toEqual({ role: 'assistant', content: 'Let me look.', tool_calls: [call] });
	});

	it('points into a malformed tool call', () => {
		const problem = problemOf([
			{ role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f' } }] },
		]);
		expect(problem).toMatch(/^messages\[0\]\.tool_calls\[0\]\.function\.arguments: /);
	});

	it('rejects wrong content types', () => {
		expect(problemOf([{ role: 'user', content: 5 }])).toMatch(/^messages\[0\]\.content: /);
		expect(problemOf([{ role: 'system', content: [] }])).toMatch(/^messages\[0\]\.content: /);
		expect(problemOf([{ role: 'user' }])).toMatch(/^messages\[0\]\.content: /);
	});

	it('rejects a system message with an image part', () => {
		expect(() =>
			parseMessageList([{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x.test/a.png' } }] }]),
		).toThrow(MessageListError);
	});
});

describe('promptMessages', () => {
	it('builds a single user message without a system prompt', () => {
		expect(promptMessages('Tell me a joke')).toEqual([{ role: 'user', content: 'Tell me a joke' }]);
	});

	it('puts the system prompt first when given', () => {
		expect(promptMessages('Tell me a joke', 'You are funny.')).toEqual([
			{ role: 'system', content: 'You are funny.' },
			{ role: 'user', content: 'Tell me a joke' },
		]);
	});

	it('skips a blank system prompt', () => {
		expect(promptMessages('Q', '   ')).toEqual([{ role: 'user', content: 'Q' }]);
		expect(promptMessages('Q', '')).toEqual([{ role: 'user', content: 'Q' }]);
	});

	it('keeps the prompts as written (no trimming)', () => {
		expect(promptMessages('  spaced  ', ' sys ')).toEqual([
			{ role: 'system', content: ' sys ' },
			{ role: 'user', content: '  spaced  ' },
		]);
	});

	it('rejects an empty or blank prompt', () => {
		expect(() => promptMessages('')).toThrow(MessageListError);
		expect(() => promptMessages(' \n\t ', 'system')).toThrow('the prompt is empty');
	});
});
