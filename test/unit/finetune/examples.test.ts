import {
	ExampleError,
	preferenceFromFields,
	readField,
	reinforcementFromFields,
	supervisedFromFields,
} from '../../../core/finetune/examples';
import { preferencePairs } from '../../../core/loop/preferencePairs';

/** Runs fn and returns the ExampleError it throws. */
function errorOf(fn: () => unknown): ExampleError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(ExampleError);
		expect((error as ExampleError).name).toBe('ExampleError');
		return error as ExampleError;
	}
	throw new Error('no ExampleError was thrown');
}

const weatherTool = {
	type: 'function',
	function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('readField', () => {
	it('reads an own field, a dot path, and prefers an own field whose name has a dot', () => {
		const json = { a: { b: [{ c: 'deep' }] }, 'x.y': 'own', x: { y: 'path' } };
		expect(readField(json, 'a')).toEqual({ found: true, value: { b: [{ c: 'deep' }] } });
		expect(readField(json, 'a.b.0.c')).toEqual({ found: true, value: 'deep' });
		expect(readField(json, 'x.y')).toEqual({ found: true, value: 'own' });
		expect(readField(json, 'a.missing')).toEqual({ found: false });
		expect(readField(json, 'nope')).toEqual({ found: false });
	});
});

describe('supervisedFromFields: prompt and response', () => {
	it('reads the default prompt and response fields into a user and an assistant message', () => {
		expect(supervisedFromFields({ prompt: 'Hi', response: 'Hello' })).toEqual({
			kind: 'supervised',
			messages: [
				{ role: 'user', content: 'Hi' },
				{ role: 'assistant', content: 'Hello' },
			],
		});
	});

	it('puts the system message first and reads named and nested fields', () => {
		const json = { question: { text: 'Hi' }, answer: 'Hello' };
		expect(supervisedFromFields(json, { promptField: 'question.text', responseField: 'answer', systemMessage: 'Be brief.' })).toEqual({
			kind: 'supervised',
			messages: [
				{ role: 'system', content: 'Be brief.' },
				{ role: 'user', content: 'Hi' },
				{ role: 'assistant', content: 'Hello' },
			],
		});
	});

	it('ignores a blank system message', () => {
		expect(supervisedFromFields({ prompt: 'Hi', response: 'Hello' }, { systemMessage: '  ' }).messages).toHaveLength(2);
	});

	it('names a missing, non-text or empty field', () => {
		expect(errorOf(() => supervisedFromFields({ response: 'Hello' }))).toMatchObject({ message: 'the item has no field "prompt"', field: 'prompt' });
		expect(errorOf(() => supervisedFromFields({ prompt: 'Hi', response: 42 }))).toMatchObject({
			message: 'response must be text, got number',
			field: 'response',
		});
		expect(errorOf(() => supervisedFromFields({ q: ' \n', a: 'x' }, { promptField: 'q', responseField: 'a' }))).toMatchObject({
			message: 'q is empty',
			field: 'q',
		});
		expect(errorOf(() => supervisedFromFields({ prompt: null, response: 'x' })).message).toBe('prompt must be text, got null');
		expect(errorOf(() => supervisedFromFields({ prompt: ['x'], response: 'x' })).message).toBe('prompt must be text, got an array');
	});

	it('refuses a messages field together with prompt fields', () => {
		expect(errorOf(() => supervisedFromFields({}, { messagesField: 'messages', promptField: 'prompt' })).message).toBe(
			'choose either a messages field or prompt and response fields, not both',
		);
	});
});

describe('supervisedFromFields: message lists', () => {
	const conversation = [
		{ role: 'user', content: 'Hi' },
		{ role: 'assistant', content: 'Hello' },
	];

	it('reads a `messages` field when no field option is set', () => {
		expect(supervisedFromFields({ messages: conversation, prompt: 'ignored' })).toEqual({ kind: 'supervised', messages: conversation });
	});

	it('reads a named field, also when it holds JSON text', () => {
		expect(supervisedFromFields({ chat: JSON.stringify(conversation) }, { messagesField: 'chat' }).messages).toEqual(conversation);
	});

	it('adds the system message only when the list has no system or developer message first', () => {
		expect(supervisedFromFields({ messages: conversation }, { systemMessage: 'Be brief.' }).messages[0]).toEqual({
			role: 'system',
			content: 'Be brief.',
		});
		const withDeveloper = [{ role: 'developer', content: 'Mine.' }, ...conversation];
		expect(supervisedFromFields({ messages: withDeveloper }, { systemMessage: 'Be brief.' }).messages).toEqual(withDeveloper);
	});

	it('keeps weights on assistant messages, turning true and false into 1 and 0', () => {
		const messages = [
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello', weight: 0 },
			{ role: 'user', content: 'Again' },
			{ role: 'assistant', content: 'Hello again', weight: true },
			{ role: 'user', content: 'Once more' },
			{ role: 'assistant', content: 'Hello once more', weight: false },
		];
		expect(supervisedFromFields({ messages }).messages).toEqual([
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello', weight: 0 },
			{ role: 'user', content: 'Again' },
			{ role: 'assistant', content: 'Hello again', weight: 1 },
			{ role: 'user', content: 'Once more' },
			{ role: 'assistant', content: 'Hello once more', weight: 0 },
		]);
	});

	it('reads weights under another key and stores them as weight', () => {
		const messages = [
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello', train: false },
			{ role: 'user', content: 'Again' },
			{ role: 'assistant', content: 'Hello again' },
		];
		expect(supervisedFromFields({ messages }, { weightField: 'train' }).messages).toEqual([
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello', weight: 0 },
			{ role: 'user', content: 'Again' },
			{ role: 'assistant', content: 'Hello again' },
		]);
	});

	it('drops weight 0 from other messages, as Axolotl-style `train: false` flags have it', () => {
		const messages = [
			{ role: 'system', content: 'Be brief.', train: false },
			{ role: 'user', content: 'Hi', train: false },
			{ role: 'assistant', content: 'Hello', train: true },
		];
		expect(supervisedFromFields({ messages }, { weightField: 'train' }).messages).toEqual([
			{ role: 'system', content: 'Be brief.' },
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello', weight: 1 },
		]);
	});

	it('refuses weight 1 on a non-assistant message and a weight that is not 0 or 1', () => {
		const onUser = [{ role: 'user', content: 'Hi', weight: 1 }, { role: 'assistant', content: 'Hello' }];
		expect(errorOf(() => supervisedFromFields({ messages: onUser }))).toMatchObject({
			message: 'messages[0].weight: only assistant messages are trained on, so only they can have weight 1; this one is "user"',
			field: 'messages',
		});
		expect(errorOf(() => supervisedFromFields({ messages: [{ role: 'user', content: 'Hi', weight: 'yes' }, onUser[1]] })).message).toBe(
			'messages[0].weight: must be 0 or 1, got "yes"',
		);
		const two = [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello', weight: 2 }];
		expect(errorOf(() => supervisedFromFields({ chat: two }, { messagesField: 'chat' }))).toMatchObject({
			message: 'chat[1].weight: must be 0 or 1, got 2',
			field: 'chat',
		});
	});

	it('needs the conversation to end with the assistant', () => {
		expect(errorOf(() => supervisedFromFields({ messages: [{ role: 'user', content: 'Hi' }] }))).toMatchObject({
			message: 'messages: the last message must be from the assistant (the answer to learn), got user',
			field: 'messages',
		});
	});

	it('reports invalid messages with their position', () => {
		expect(errorOf(() => supervisedFromFields({ messages: [{ role: 'bot', content: 'Hi' }] }))).toMatchObject({
			message: 'messages[0].role: must be one of system, developer, user, assistant, tool, got "bot"',
			field: 'messages',
		});
		expect(errorOf(() => supervisedFromFields({ messages: { role: 'user' } })).message).toBe('messages must be an array of messages, got an object');
		expect(errorOf(() => supervisedFromFields({ messages: '[{' })).message).toBe('messages is a string that is not valid JSON');
		expect(errorOf(() => supervisedFromFields({ x: 1 }, { messagesField: 'chat' })).message).toBe('the item has no field "chat"');
	});

	it('reads tool definitions from the tools field, as an array or JSON text', () => {
		const messages = [
			{ role: 'user', content: 'Weather in Paris?' },
			{ role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
			{ role: 'tool', tool_call_id: 'call_1', content: '18C' },
			{ role: 'assistant', content: 'It is 18C.' },
		];
		expect(supervisedFromFields({ messages, tools: [weatherTool] }, { toolsField: 'tools' })).toEqual({ kind: 'supervised', messages, tools: [weatherTool] });
		expect(supervisedFromFields({ messages, tools: JSON.stringify([weatherTool]) }, { toolsField: 'tools' }).tools).toEqual([weatherTool]);
		expect(supervisedFromFields({ messages, tools: [] }, { toolsField: 'tools' })).not.toHaveProperty('tools');
		expect(supervisedFromFields({ messages }, { toolsField: 'tools' })).not.toHaveProperty('tools');
		expect(supervisedFromFields({ messages, tools: [weatherTool] })).not.toHaveProperty('tools');
	});

	it('names a malformed tool definition', () => {
		const json = { prompt: 'Hi', response: 'Hello', tools: [weatherTool, { name: 'loose' }] };
		expect(errorOf(() => supervisedFromFields(json, { toolsField: 'tools' }))).toMatchObject({
			message: 'tools[1]: a tool must be { "type": "function", "function": { "name": ... } }',
			field: 'tools',
		});
		expect(errorOf(() => supervisedFromFields({ ...json, tools: { a: 1 } }, { toolsField: 'tools' })).message).toBe(
			'tools must be an array of tool definitions, got an object',
		);
	});
});

describe('preferenceFromFields: prompt, chosen and rejected fields', () => {
	it('reads the default fields into one example', () => {
		expect(preferenceFromFields({ prompt: 'Hi', chosen: 'Hello', rejected: 'Go away' }, { systemMessage: 'Be brief.' })).toEqual([
			{
				kind: 'preference',
				prompt: [
					{ role: 'system', content: 'Be brief.' },
					{ role: 'user', content: 'Hi' },
				],
				chosen: 'Hello',
				rejected: 'Go away',
			},
		]);
	});

	it('takes a message-list prompt and answers given as assistant messages', () => {
		const prompt = [
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello' },
			{ role: 'user', content: 'Bye' },
		];
		const json = { q: prompt, good: [{ role: 'assistant', content: 'Goodbye!' }], bad: { role: 'assistant', content: 'Whatever.' } };
		expect(preferenceFromFields(json, { promptField: 'q', chosenField: 'good', rejectedField: 'bad' })).toEqual([
			{ kind: 'preference', prompt, chosen: 'Goodbye!', rejected: 'Whatever.' },
		]);
	});

	it('names the field at fault', () => {
		expect(errorOf(() => preferenceFromFields({ prompt: 'Hi', chosen: 'A' }))).toMatchObject({ message: 'the item has no field "rejected"', field: 'rejected' });
		expect(errorOf(() => preferenceFromFields({ prompt: 'Hi', chosen: 'A', rejected: 'A' }))).toMatchObject({
			message: 'rejected: the chosen and rejected answers are identical, so the pair teaches nothing',
			field: 'rejected',
		});
		expect(errorOf(() => preferenceFromFields({ prompt: 'Hi', chosen: { role: 'user', content: 'A' }, rejected: 'B' }))).toMatchObject({
			message: 'chosen must be an assistant message, got role "user"',
			field: 'chosen',
		});
		expect(errorOf(() => preferenceFromFields({ prompt: 'Hi', chosen: [], rejected: 'B' })).message).toBe('chosen must hold one assistant message, got 0');
		expect(errorOf(() => preferenceFromFields({ prompt: 'Hi', chosen: 'A', rejected: ' ' })).message).toBe('rejected is empty');
		expect(errorOf(() => preferenceFromFields({ prompt: 7, chosen: 'A', rejected: 'B' })).message).toBe('prompt must be text or a message list, got number');
		const endsWithAnswer = [
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello' },
		];
		expect(errorOf(() => preferenceFromFields({ prompt: endsWithAnswer, chosen: 'A', rejected: 'B' }))).toMatchObject({
			message: 'prompt: a prompt must end with a user or tool message (the one the model answers), got assistant',
			field: 'prompt',
		});
	});

	it('refuses a pairs field together with prompt fields', () => {
		expect(errorOf(() => preferenceFromFields({}, { pairsField: 'pairs', chosenField: 'c' })).message).toBe(
			'choose either a preference pairs field or prompt, chosen and rejected fields, not both',
		);
	});
});

describe("preferenceFromFields: a Reward Loop's preference pairs", () => {
	const prompt = [{ role: 'user' as const, content: 'Name a colour.' }];
	const pairs = preferencePairs(prompt, { text: 'Blue', reward: 0.9 }, [
		{ text: 'Dunno', reward: 0.1 },
		{ text: 'Blue', reward: 0.9 },
		{ text: 'Bleu', reward: 0.5 },
	]);

	it('makes one example per dpo row, best rejected first', () => {
		expect(preferenceFromFields({ preferencePairs: pairs, prompt: 'ignored' })).toEqual([
			{ kind: 'preference', prompt, chosen: 'Blue', rejected: 'Bleu' },
			{ kind: 'preference', prompt, chosen: 'Blue', rejected: 'Dunno' },
		]);
	});

	it('reads a named field, JSON text, or the dpo rows themselves, and adds the system message', () => {
		const expected = preferenceFromFields({ preferencePairs: pairs });
		expect(preferenceFromFields({ loop: { pairs } }, { pairsField: 'loop.pairs' })).toEqual(expected);
		expect(preferenceFromFields({ p: JSON.stringify(pairs) }, { pairsField: 'p' })).toEqual(expected);
		expect(preferenceFromFields({ rows: pairs.dpo }, { pairsField: 'rows' })).toEqual(expected);
		expect(preferenceFromFields({ preferencePairs: pairs }, { systemMessage: 'Be brief.' })[0].prompt).toEqual([
			{ role: 'system', content: 'Be brief.' },
			...prompt,
		]);
	});

	it('yields no example when the loop found nothing worse than its best', () => {
		expect(preferenceFromFields({ preferencePairs: { dpo: [], trl: [] } })).toEqual([]);
	});

	it('names the malformed part', () => {
		expect(errorOf(() => preferenceFromFields({ preferencePairs: { trl: [] } }))).toMatchObject({
			message: 'preferencePairs.dpo must be an array of preference rows, got undefined',
			field: 'preferencePairs',
		});
		expect(errorOf(() => preferenceFromFields({ preferencePairs: 5 })).message).toBe(
			"preferencePairs must be a Reward Loop's preferencePairs ({ dpo: [...] }), got number",
		);
		expect(errorOf(() => preferenceFromFields({ preferencePairs: { dpo: [{ preferred_output: [] }] } })).message).toBe(
			'preferencePairs.dpo[0].input.messages is missing',
		);
		const badOutput = { ...pairs.dpo[0], non_preferred_output: [{ role: 'assistant', content: 3 }] };
		expect(errorOf(() => preferenceFromFields({ preferencePairs: { dpo: [pairs.dpo[0], badOutput] } }))).toMatchObject({
			message: 'preferencePairs.dpo[1].non_preferred_output must be text, got number',
			field: 'preferencePairs',
		});
		const badMessage = { ...pairs.dpo[0], input: { messages: [{ role: 'user' }] } };
		expect(errorOf(() => preferenceFromFields({ preferencePairs: { dpo: [badMessage] } })).message).toMatch(/^preferencePairs\.dpo\[0\]\.input\.messages\[0\]\.content: /);
	});
});

describe('reinforcementFromFields', () => {
	it('reads a prompt and copies the reference fields under their names', () => {
		const json = { prompt: '2+2?', answer: '4', meta: { level: 1, tags: ['math'] }, 'grading.rubric': null, other: 'not copied' };
		expect(reinforcementFromFields(json, { referenceFields: ['answer', 'meta', 'grading.rubric'], systemMessage: 'Think.' })).toEqual({
			kind: 'reinforcement',
			messages: [
				{ role: 'system', content: 'Think.' },
				{ role: 'user', content: '2+2?' },
			],
			reference: { answer: '4', meta: { level: 1, tags: ['math'] }, 'grading.rubric': null },
		});
	});

	it('reads a nested reference field by its dot path, under that path', () => {
		expect(reinforcementFromFields({ prompt: 'Hi', gold: { text: 'Hello' } }, { referenceFields: ['gold.text'] }).reference).toEqual({ 'gold.text': 'Hello' });
	});

	it('reads a message list, named or the default `messages` field', () => {
		const messages = [
			{ role: 'developer', content: 'Answer with a number.' },
			{ role: 'user', content: '2+2?' },
		];
		expect(reinforcementFromFields({ messages, answer: 4 }, { referenceFields: ['answer'] })).toEqual({
			kind: 'reinforcement',
			messages,
			reference: { answer: 4 },
		});
		expect(reinforcementFromFields({ chat: messages }, { messagesField: 'chat', referenceFields: [] }).messages).toEqual(messages);
	});

	it('needs the prompt to end with a user message', () => {
		const messages = [
			{ role: 'user', content: '2+2?' },
			{ role: 'assistant', content: '4' },
		];
		expect(errorOf(() => reinforcementFromFields({ messages }, { referenceFields: [] }))).toMatchObject({
			message: 'messages: a prompt must end with a user message (the one the model answers), got assistant',
			field: 'messages',
		});
	});

	it('names a missing field and refuses both prompt options', () => {
		expect(errorOf(() => reinforcementFromFields({ prompt: 'Hi' }, { referenceFields: ['answer'] }))).toMatchObject({
			message: 'the item has no field "answer"',
			field: 'answer',
		});
		expect(errorOf(() => reinforcementFromFields({ answer: 1 }, { referenceFields: ['answer'] })).message).toBe('the item has no field "prompt"');
		expect(errorOf(() => reinforcementFromFields({}, { messagesField: 'm', promptField: 'p', referenceFields: [] })).message).toBe(
			'choose either a messages field or a prompt field, not both',
		);
	});
});
