import type { PreferenceExample, ReinforcementExample, SupervisedExample, TrainingExample } from '../../../core/finetune/examples';
import { preferenceFromFields, supervisedFromFields } from '../../../core/finetune/examples';
import { FormatError, TRAINING_FORMATS, supportsKind, toRows, type TrainingFormat } from '../../../core/finetune/formats';
import { preferencePairs } from '../../../core/loop/preferencePairs';

/** Runs toRows and returns the FormatError message it throws. */
function formatProblem(example: TrainingExample, format: TrainingFormat): string {
	try {
		toRows(example, format);
	} catch (error) {
		expect(error).toBeInstanceOf(FormatError);
		expect((error as FormatError).name).toBe('FormatError');
		return (error as Error).message;
	}
	throw new Error('toRows accepted the example');
}

// The examples every format is checked against.

const simple: SupervisedExample = {
	kind: 'supervised',
	messages: [
		{ role: 'system', content: 'Be brief.' },
		{ role: 'user', content: 'Hi' },
		{ role: 'assistant', content: 'Hello' },
	],
};

const multiTurn: SupervisedExample = {
	kind: 'supervised',
	messages: [
		{ role: 'system', content: 'Be brief.' },
		{ role: 'user', content: 'Hi' },
		{ role: 'assistant', content: 'Hello', weight: 0 },
		{ role: 'user', content: 'Hi again' },
		{ role: 'assistant', content: 'Hello again', weight: 1 },
	],
};

const weatherTool = {
	type: 'function',
	function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

const withTools: SupervisedExample = {
	kind: 'supervised',
	messages: [
		{ role: 'user', content: 'Weather in Paris?' },
		{ role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
		{ role: 'tool', tool_call_id: 'call_1', content: '18C' },
		{ role: 'assistant', content: 'It is 18C.' },
	],
	tools: [weatherTool],
};

const preference: PreferenceExample = {
	kind: 'preference',
	prompt: [
		{ role: 'system', content: 'Be brief.' },
		{ role: 'user', content: 'Hi' },
	],
	chosen: 'Hello',
	rejected: 'Go away',
};

const multiTurnPreference: PreferenceExample = {
	kind: 'preference',
	prompt: [
		{ role: 'user', content: 'Hi' },
		{ role: 'assistant', content: 'Hello' },
		{ role: 'user', content: 'Bye' },
	],
	chosen: 'Goodbye!',
	rejected: 'Whatever.',
};

const reinforcement: ReinforcementExample = {
	kind: 'reinforcement',
	messages: [
		{ role: 'developer', content: 'Answer with a number.' },
		{ role: 'user', content: '2+2?' },
	],
	reference: { reference_answer: '4', meta: { level: 1 } },
};

describe('toRows: openai (OpenAI, Azure OpenAI, Together)', () => {
	it('writes a supervised example as its messages', () => {
		expect(toRows(simple, 'openai')).toEqual([
			{
				messages: [
					{ role: 'system', content: 'Be brief.' },
					{ role: 'user', content: 'Hi' },
					{ role: 'assistant', content: 'Hello' },
				],
			},
		]);
	});

	it('keeps weights on assistant messages', () => {
		expect(toRows(multiTurn, 'openai')).toEqual([
			{
				messages: [
					{ role: 'system', content: 'Be brief.' },
					{ role: 'user', content: 'Hi' },
					{ role: 'assistant', content: 'Hello', weight: 0 },
					{ role: 'user', content: 'Hi again' },
					{ role: 'assistant', content: 'Hello again', weight: 1 },
				],
			},
		]);
	});

	it('writes tool calls as they are and the tools beside the messages', () => {
		expect(toRows(withTools, 'openai')).toEqual([
			{
				messages: [
					{ role: 'user', content: 'Weather in Paris?' },
					{ role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
					{ role: 'tool', tool_call_id: 'call_1', content: '18C' },
					{ role: 'assistant', content: 'It is 18C.' },
				],
				tools: [weatherTool],
			},
		]);
	});

	it('writes a preference example as a DPO row', () => {
		const [row] = toRows(preference, 'openai');
		expect(row).toEqual({
			input: {
				messages: [
					{ role: 'system', content: 'Be brief.' },
					{ role: 'user', content: 'Hi' },
				],
			},
			preferred_output: [{ role: 'assistant', content: 'Hello' }],
			non_preferred_output: [{ role: 'assistant', content: 'Go away' }],
		});
		expect(Object.keys(row)).toEqual(['input', 'preferred_output', 'non_preferred_output']);
	});

	it('drops weights from a preference prompt', () => {
		const weighted: PreferenceExample = { ...multiTurnPreference, prompt: multiTurnPreference.prompt.map((m) => (m.role === 'assistant' ? { ...m, weight: 0 as const } : m)) };
		expect(toRows(weighted, 'openai')[0].input).toEqual({ messages: multiTurnPreference.prompt });
	});

	it('writes a reinforcement example as its messages and the reference fields at the top level', () => {
		expect(toRows(reinforcement, 'openai')).toEqual([
			{
				messages: [
					{ role: 'developer', content: 'Answer with a number.' },
					{ role: 'user', content: '2+2?' },
				],
				reference_answer: '4',
				meta: { level: 1 },
			},
		]);
	});

	it('refuses reference fields named like the reserved keys', () => {
		expect(formatProblem({ ...reinforcement, reference: { messages: 'x' } }, 'openai')).toBe(
			'the reference field "messages" clashes with the openai row\'s own "messages" key; rename it (openai reserves messages, tools)',
		);
		expect(formatProblem({ ...reinforcement, reference: { answer: 1, tools: [] } }, 'openai')).toMatch(/^the reference field "tools" clashes/);
	});
});

describe('toRows: trl', () => {
	it('writes a supervised example in the conversational language-modeling format', () => {
		expect(toRows(simple, 'trl')).toEqual([
			{
				messages: [
					{ role: 'system', content: 'Be brief.' },
					{ role: 'user', content: 'Hi' },
					{ role: 'assistant', content: 'Hello' },
				],
			},
		]);
	});

	it('drops weights', () => {
		expect(toRows(multiTurn, 'trl')).toEqual([
			{
				messages: [
					{ role: 'system', content: 'Be brief.' },
					{ role: 'user', content: 'Hi' },
					{ role: 'assistant', content: 'Hello' },
					{ role: 'user', content: 'Hi again' },
					{ role: 'assistant', content: 'Hello again' },
				],
			},
		]);
	});

	it('writes tool-call arguments as objects and keeps the tools column', () => {
		expect(toRows(withTools, 'trl')).toEqual([
			{
				messages: [
					{ role: 'user', content: 'Weather in Paris?' },
					{ role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
					{ role: 'tool', tool_call_id: 'call_1', content: '18C' },
					{ role: 'assistant', content: 'It is 18C.' },
				],
				tools: [weatherTool],
			},
		]);
	});

	it('leaves arguments that are not JSON of an object as text', () => {
		const odd: SupervisedExample = {
			kind: 'supervised',
			messages: [
				{ role: 'user', content: 'Go' },
				{
					role: 'assistant',
					tool_calls: [
						{ id: 'a', type: 'function', function: { name: 'f', arguments: 'not json' } },
						{ id: 'b', type: 'function', function: { name: 'g', arguments: '[1,2]' } },
					],
				},
			],
		};
		const calls = (toRows(odd, 'trl')[0].messages as any[])[1].tool_calls;
		expect(calls.map((call: any) => call.function.arguments)).toEqual(['not json', '[1,2]']);
	});

	it('writes a preference example in the conversational preference format', () => {
		expect(toRows(preference, 'trl')).toEqual([
			{
				prompt: [
					{ role: 'system', content: 'Be brief.' },
					{ role: 'user', content: 'Hi' },
				],
				chosen: [{ role: 'assistant', content: 'Hello' }],
				rejected: [{ role: 'assistant', content: 'Go away' }],
			},
		]);
	});

	it('writes a reinforcement example as a GRPO prompt with the reference columns', () => {
		expect(toRows(reinforcement, 'trl')).toEqual([
			{
				prompt: [
					{ role: 'developer', content: 'Answer with a number.' },
					{ role: 'user', content: '2+2?' },
				],
				reference_answer: '4',
				meta: { level: 1 },
			},
		]);
	});

	it('refuses reference columns that clash with the GRPO reward-function arguments', () => {
		for (const name of ['prompt', 'completions', 'completion_ids']) {
			expect(formatProblem({ ...reinforcement, reference: { [name]: 'x' } }, 'trl')).toMatch(new RegExp(`^the reference field "${name}" clashes with the trl row`));
		}
	});
});

describe('toRows: sharegpt (LLaMA-Factory, Axolotl)', () => {
	it('writes a supervised example as conversations, the system prompt first', () => {
		expect(toRows(simple, 'sharegpt')).toEqual([
			{
				conversations: [
					{ from: 'system', value: 'Be brief.' },
					{ from: 'human', value: 'Hi' },
					{ from: 'gpt', value: 'Hello' },
				],
			},
		]);
	});

	it('writes every turn of a multi-turn conversation, without weights', () => {
		expect(toRows(multiTurn, 'sharegpt')).toEqual([
			{
				conversations: [
					{ from: 'system', value: 'Be brief.' },
					{ from: 'human', value: 'Hi' },
					{ from: 'gpt', value: 'Hello' },
					{ from: 'human', value: 'Hi again' },
					{ from: 'gpt', value: 'Hello again' },
				],
			},
		]);
	});

	it('writes tool calls as function_call turns, results as observations, and the tools as JSON text', () => {
		expect(toRows(withTools, 'sharegpt')).toEqual([
			{
				conversations: [
					{ from: 'human', value: 'Weather in Paris?' },
					{ from: 'function_call', value: '{"name":"get_weather","arguments":{"city":"Paris"}}' },
					{ from: 'observation', value: '18C' },
					{ from: 'gpt', value: 'It is 18C.' },
				],
				tools: JSON.stringify([weatherTool]),
			},
		]);
	});

	it('writes parallel calls as a list and joins their results into one observation', () => {
		const parallel: SupervisedExample = {
			kind: 'supervised',
			messages: [
				{ role: 'user', content: 'Paris and Rome?' },
				{
					role: 'assistant',
					content: '',
					tool_calls: [
						{ id: 'a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
						{ id: 'b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
					],
				},
				{ role: 'tool', tool_call_id: 'a', content: '18C' },
				{ role: 'tool', tool_call_id: 'b', content: [{ type: 'text', text: '25C' }] },
				{ role: 'assistant', content: 'Paris 18C, Rome 25C.' },
			],
		};
		expect(toRows(parallel, 'sharegpt')).toEqual([
			{
				conversations: [
					{ from: 'human', value: 'Paris and Rome?' },
					{
						from: 'function_call',
						value: '[{"name":"get_weather","arguments":{"city":"Paris"}},{"name":"get_weather","arguments":{"city":"Rome"}}]',
					},
					{ from: 'observation', value: '18C\n25C' },
					{ from: 'gpt', value: 'Paris 18C, Rome 25C.' },
				],
			},
		]);
	});

	it('writes a preference example in the ranking format', () => {
		expect(toRows(preference, 'sharegpt')).toEqual([
			{
				conversations: [
					{ from: 'system', value: 'Be brief.' },
					{ from: 'human', value: 'Hi' },
				],
				chosen: { from: 'gpt', value: 'Hello' },
				rejected: { from: 'gpt', value: 'Go away' },
			},
		]);
		expect(toRows(multiTurnPreference, 'sharegpt')).toEqual([
			{
				conversations: [
					{ from: 'human', value: 'Hi' },
					{ from: 'gpt', value: 'Hello' },
					{ from: 'human', value: 'Bye' },
				],
				chosen: { from: 'gpt', value: 'Goodbye!' },
				rejected: { from: 'gpt', value: 'Whatever.' },
			},
		]);
	});

	it('writes a developer message first as the system turn and joins text parts', () => {
		const example: SupervisedExample = {
			kind: 'supervised',
			messages: [
				{ role: 'developer', content: [{ type: 'text', text: 'Be ' }, { type: 'text', text: 'brief.' }] },
				{ role: 'user', content: 'Hi' },
				{ role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
			],
		};
		expect(toRows(example, 'sharegpt')[0].conversations).toEqual([
			{ from: 'system', value: 'Be brief.' },
			{ from: 'human', value: 'Hi' },
			{ from: 'gpt', value: 'Hello' },
		]);
	});

	it('has no reinforcement rows', () => {
		expect(formatProblem(reinforcement, 'sharegpt')).toBe('the sharegpt format has no reinforcement (RFT) rows; write reinforcement examples as openai or trl');
	});

	it('refuses what it cannot express, naming the message', () => {
		const image: SupervisedExample = {
			kind: 'supervised',
			messages: [
				{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.test/cat.png' } }] },
				{ role: 'assistant', content: 'A cat.' },
			],
		};
		expect(formatProblem(image, 'sharegpt')).toBe('messages[0]: sharegpt rows hold text only, and this user message has an image_url part');
		const lateSystem: SupervisedExample = { kind: 'supervised', messages: [simple.messages[1], simple.messages[0], simple.messages[2]] };
		expect(formatProblem(lateSystem, 'sharegpt')).toBe('messages[1]: sharegpt rows take one system prompt, before the conversation; this system message is at position 1');
		const twoUsers: SupervisedExample = { kind: 'supervised', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }, { role: 'assistant', content: 'c' }] };
		expect(formatProblem(twoUsers, 'sharegpt')).toBe(
			'messages[1]: sharegpt turns must alternate a human (or tool result) turn and an assistant turn, and this message gives a human turn where a gpt or function_call turn belongs',
		);
		const textAndCall: SupervisedExample = {
			kind: 'supervised',
			messages: [
				{ role: 'user', content: 'Go' },
				{ role: 'assistant', content: 'Calling.', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }] },
			],
		};
		expect(formatProblem(textAndCall, 'sharegpt')).toBe('messages[1]: a sharegpt function_call turn holds tool calls only, and this assistant message also has text');
	});
});

describe('toRows: alpaca (LLaMA-Factory, Axolotl)', () => {
	it('writes a supervised example as instruction, empty input, output and system', () => {
		const [row] = toRows(simple, 'alpaca');
		expect(row).toEqual({ instruction: 'Hi', input: '', output: 'Hello', system: 'Be brief.' });
		expect(Object.keys(row)).toEqual(['instruction', 'input', 'output', 'system']);
	});

	it('leaves system out when there is none', () => {
		expect(toRows({ kind: 'supervised', messages: simple.messages.slice(1) }, 'alpaca')).toEqual([{ instruction: 'Hi', input: '', output: 'Hello' }]);
	});

	it('writes the earlier turns of a conversation as history, without weights', () => {
		expect(toRows(multiTurn, 'alpaca')).toEqual([
			{ instruction: 'Hi again', input: '', output: 'Hello again', system: 'Be brief.', history: [['Hi', 'Hello']] },
		]);
	});

	it('writes a preference example with chosen and rejected answers', () => {
		expect(toRows(preference, 'alpaca')).toEqual([{ instruction: 'Hi', input: '', chosen: 'Hello', rejected: 'Go away', system: 'Be brief.' }]);
		expect(toRows(multiTurnPreference, 'alpaca')).toEqual([
			{ instruction: 'Bye', input: '', chosen: 'Goodbye!', rejected: 'Whatever.', history: [['Hi', 'Hello']] },
		]);
	});

	it('has no reinforcement rows', () => {
		expect(formatProblem(reinforcement, 'alpaca')).toBe('the alpaca format has no reinforcement (RFT) rows; write reinforcement examples as openai or trl');
	});

	it('refuses tools and conversations that do not take turns', () => {
		expect(formatProblem(withTools, 'alpaca')).toBe('alpaca rows have no tool definitions; write examples with tools as openai, trl or sharegpt');
		expect(formatProblem({ ...withTools, tools: undefined }, 'alpaca')).toBe(
			'messages[1]: alpaca rows have no tool calls or tool results; write this conversation as openai, trl or sharegpt',
		);
		const twoUsers: SupervisedExample = { kind: 'supervised', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }, { role: 'assistant', content: 'c' }] };
		expect(formatProblem(twoUsers, 'alpaca')).toBe('messages[1]: alpaca rows need user and assistant messages taking turns, and this user message is where an assistant message belongs');
		const toolPrompt: PreferenceExample = { ...preference, prompt: [{ role: 'user', content: 'a' }, { role: 'tool', tool_call_id: 'x', content: 'r' }] };
		expect(formatProblem(toolPrompt, 'alpaca')).toMatch(/^messages\[1\]: alpaca rows have no tool calls/);
	});
});

describe('toRows and supportsKind', () => {
	it('says which formats have reinforcement rows', () => {
		expect(TRAINING_FORMATS.filter((format) => supportsKind(format, 'reinforcement'))).toEqual(['openai', 'trl']);
		expect(TRAINING_FORMATS.every((format) => supportsKind(format, 'supervised') && supportsKind(format, 'preference'))).toBe(true);
	});

	it('refuses an unknown format', () => {
		expect(formatProblem(simple, 'jsonl' as TrainingFormat)).toBe('unknown training format "jsonl"; use one of openai, trl, sharegpt, alpaca');
	});

	it("turns a Reward Loop item's preference pairs into rows in every format", () => {
		const pairs = preferencePairs([{ role: 'user', content: 'Name a colour.' }], { text: 'Blue', reward: 1 }, [{ text: 'Dunno', reward: 0 }]);
		const [example] = preferenceFromFields({ preferencePairs: pairs });
		expect(toRows(example, 'openai')).toEqual(pairs.dpo);
		expect(toRows(example, 'trl')).toEqual(pairs.trl);
		expect(toRows(example, 'sharegpt')).toEqual([
			{ conversations: [{ from: 'human', value: 'Name a colour.' }], chosen: { from: 'gpt', value: 'Blue' }, rejected: { from: 'gpt', value: 'Dunno' } },
		]);
		expect(toRows(example, 'alpaca')).toEqual([{ instruction: 'Name a colour.', input: '', chosen: 'Blue', rejected: 'Dunno' }]);
	});

	it('turns prompt and response fields into the same conversation in every format', () => {
		const example = supervisedFromFields({ q: 'Hi', a: 'Hello' }, { promptField: 'q', responseField: 'a', systemMessage: 'Be brief.' });
		expect(example).toEqual(simple);
		expect(toRows(example, 'alpaca')).toEqual([{ instruction: 'Hi', input: '', output: 'Hello', system: 'Be brief.' }]);
	});
});
