/**
 * Issue 17, the chat request: every option is checked against OpenAI's limits before anything is
 * sent (n8n's engine does not enforce minValue/maxValue, so expressions deliver any value), stop
 * sequences in both forms, assistant messages with empty content, strict-mode schemas, and a
 * grader's sampling_params in a judge's request.
 */
import type { IDataObject } from 'n8n-workflow';
import type { ChatBody } from '../server/mockOpenAiServer';
import { outputOf, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };
const GENERATE = 'n8n-nodes-reward-loop.generateText';
const LOOP = 'n8n-nodes-reward-loop.rewardLoop';
const SCORE = 'n8n-nodes-reward-loop.scoreOutput';

const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({});
	server.reset();
});

const credentials = () => ({ apiKey: 'sk-limits-engine-6b2e', baseUrl: testServer.baseUrl });
const bodies = () => server.received.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body as ChatBody);

/** Every sampling option from the item, so that each item can break one of them. */
const SAMPLING = ['temperature', 'topP', 'presencePenalty', 'frequencyPenalty', 'n', 'topLogprobs', 'maxCompletionTokens', 'maxTokens', 'seed'];
const fromItem = Object.fromEntries(SAMPLING.map((key) => [key, `={{ $json.${key} }}`]));
const VALID = { temperature: 1, topP: 1, presencePenalty: 0, frequencyPenalty: 0, n: 1, topLogprobs: 0, maxCompletionTokens: 100, maxTokens: 100, seed: 7 };

describe('Generate Text refuses what the API would refuse, before any request', () => {
	const cases: Array<[IDataObject, string]> = [
		[{ temperature: 2.5 }, 'Temperature: 2.5 is outside the limit (a number from 0 to 2)'],
		[{ temperature: -0.5 }, 'Temperature: -0.5 is outside the limit (a number from 0 to 2)'],
		[{ topP: 1.5 }, 'Top P: 1.5 is outside the limit (a number from 0 to 1)'],
		[{ presencePenalty: -3 }, 'Presence Penalty: -3 is outside the limit (a number from -2 to 2)'],
		[{ frequencyPenalty: 2.5 }, 'Frequency Penalty: 2.5 is outside the limit (a number from -2 to 2)'],
		[{ n: 129 }, 'Candidates (N): 129 is outside the limit (an integer from 1 to 128)'],
		[{ n: 1.5 }, 'Candidates (N): 1.5 is not a whole number (an integer from 1 to 128)'],
		[{ topLogprobs: 21 }, 'Top Log Probabilities: 21 is outside the limit (an integer from 0 to 20)'],
		[{ topLogprobs: 2.5 }, 'Top Log Probabilities: 2.5 is not a whole number (an integer from 0 to 20)'],
		[{ maxCompletionTokens: 10.5 }, 'Max Completion Tokens: 10.5 is not a whole number (an integer at least 1)'],
		[{ maxTokens: 0 }, 'Max Tokens (Legacy): 0 is outside the limit (an integer at least 1)'],
		[{ seed: 1.5 }, 'Seed: 1.5 is not a whole number (an integer from -9007199254740991 to 9007199254740991)'],
		[{ seed: 2 ** 63 }, 'Seed: 9223372036854776000 is outside the limit (an integer from -9007199254740991 to 9007199254740991)'],
		[{ seed: 2 ** 53 + 2 }, 'Seed: 9007199254740994 is outside the limit (an integer from -9007199254740991 to 9007199254740991)'],
		[{ temperature: 'hot' }, 'Temperature: "hot" is not a number (a number from 0 to 2)'],
		[{ topP: [0.5] }, 'Top P: [0.5] is not a number (a number from 0 to 1)'],
	];

	it('names the item, the field, the value and the limit; the other items are sent', async () => {
		const items = [{ q: 'fine', ...VALID }, ...cases.map(([bad], i) => ({ q: `bad-${i}`, ...VALID, ...bad }))];
		const run = await runWorkflow({
			nodeType: GENERATE,
			parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { ...fromItem, logprobs: true } },
			items,
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(runError(run)).toBeUndefined();
		const output = outputOf(run);
		expect(output[0].json.text).toBe('Echo: fine');
		expect(output.slice(1).map((item) => item.json.error)).toEqual(cases.map(([, message], i) => `Item ${i + 1}: ${message}`));
		expect(output.map((item) => item.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));
		expect(bodies()).toHaveLength(1);
		expect(bodies()[0]).toMatchObject({ temperature: 1, top_p: 1, top_logprobs: 0, max_completion_tokens: 100, max_tokens: 100, seed: 7 });
	});

	it('the edges of each range are sent', async () => {
		const edges = [
			{ ...VALID, temperature: 0, topP: 0, presencePenalty: -2, frequencyPenalty: 2, n: 128, topLogprobs: 20, maxCompletionTokens: 1, maxTokens: 1, seed: -Number.MAX_SAFE_INTEGER },
			{ ...VALID, temperature: 2, topP: 1, presencePenalty: 2, frequencyPenalty: -2, n: 1, topLogprobs: 0, seed: Number.MAX_SAFE_INTEGER },
		];
		const run = await runWorkflow({
			nodeType: GENERATE,
			parameters: { model: MODEL, promptSource: 'prompt', prompt: 'edge', options: { ...fromItem, logprobs: true } },
			items: edges,
			credentials: credentials(),
		});
		expect(runError(run)).toBeUndefined();
		expect(bodies()).toHaveLength(2);
		expect(bodies().map((body) => body.seed).sort()).toEqual([-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER].sort());
	});

	it('without Continue On Fail the node stops at the item and sends nothing', async () => {
		const run = await runWorkflow({
			nodeType: GENERATE,
			parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { n: '={{ $json.n }}' } },
			items: [{ q: 'a', n: 129 }, { q: 'b', n: 129 }],
			credentials: credentials(),
		});
		expect(runError(run)?.message).toBe('Item 0: Candidates (N): 129 is outside the limit (an integer from 1 to 128)');
		expect(server.counters.chatRequests).toBe(0);
	});
});

describe('Stop sequences', () => {
	const runStop = (stop: Array<string | string[]>) =>
		runWorkflow({
			nodeType: GENERATE,
			parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { stop: '={{ $json.stop }}' } },
			items: stop.map((value, i) => ({ q: `stop-${i}`, stop: value })),
			credentials: credentials(),
			continueOnFail: true,
		});
	const sentStop = (i: number) => bodies().find((body) => JSON.stringify(body.messages).includes(`stop-${i}`))?.stop;

	it('at most 4 in either form', async () => {
		const run = await runStop(['["a", "b", "c", "d", "e"]', 'a\nb\nc\nd\ne', ['a', 'b', 'c', 'd', 'e'], '["a", "b", "c", "d"]']);
		expect(outputOf(run).map((item) => item.json.error)).toEqual([
			'Item 0: Stop Sequences: 5 entries, more than the limit of 4',
			'Item 1: Stop Sequences: 5 entries, more than the limit of 4',
			'Item 2: Stop Sequences: 5 entries, more than the limit of 4',
			undefined,
		]);
		expect(bodies()).toHaveLength(1);
		expect(sentStop(3)).toEqual(['a', 'b', 'c', 'd']);
	});

	it('only a value that parses as a JSON array of strings is the array form: [/INST] is a stop sequence', async () => {
		const run = await runStop(['[/INST]\n</s>', '["END", "###"]', '["a", 1]', '[INST]', ['x', 'y']]);
		expect(outputOf(run).map((item) => item.json.error)).toEqual([undefined, undefined, undefined, undefined, undefined]);
		expect(sentStop(0)).toEqual(['[/INST]', '</s>']);
		expect(sentStop(1)).toEqual(['END', '###']);
		expect(sentStop(2)).toEqual(['["a", 1]']);
		expect(sentStop(3)).toEqual(['[INST]']);
		expect(sentStop(4)).toEqual(['x', 'y']);
		expect(bodies()).toHaveLength(5);
	});
});

describe('Assistant messages with empty content', () => {
	const call = { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } };
	const runMessages = (lists: IDataObject[][]) =>
		runWorkflow({
			nodeType: GENERATE,
			parameters: { model: MODEL, promptSource: 'messages', messagesField: 'messages', options: {} },
			items: lists.map((messages) => ({ messages })),
			credentials: credentials(),
			continueOnFail: true,
		});

	it('content [] without tool_calls is refused; beside tool_calls, empty content is sent as null', async () => {
		const run = await runMessages([
			[{ role: 'user', content: 'hi' }, { role: 'assistant', content: [] }, { role: 'user', content: 'again' }],
			[{ role: 'user', content: 'weather?' }, { role: 'assistant', content: [], tool_calls: [call] }, { role: 'tool', content: '21 °C', tool_call_id: 'call_1' }],
			[{ role: 'user', content: 'time?' }, { role: 'assistant', content: '', tool_calls: [call] }, { role: 'tool', content: 'noon', tool_call_id: 'call_1' }],
		]);
		const output = outputOf(run);
		expect(output[0].json.error).toBe('Item 0: Messages: messages[1].content: an empty list is not content: an assistant message needs content or tool_calls');
		expect(output[1].json.error).toBeUndefined();
		expect(output[2].json.error).toBeUndefined();
		expect(bodies()).toHaveLength(2);
		for (const body of bodies()) {
			expect(body.messages?.[1]).toEqual({ role: 'assistant', content: null, tool_calls: [call] });
		}
		expect(JSON.stringify(bodies())).not.toContain('"content":[]');
	});
	it('a Messages Field expression that gives no text is the item\'s error, not a crash (Generate Text and Reward Loop)', async () => {
		for (const nodeType of [GENERATE, LOOP]) {
			for (const [expression, what] of [['={{ null }}', 'null'], ['={{ 5 }}', 'number'], ['={{ $json.messages }}', 'object']]) {
				const run = await runWorkflow({
					nodeType,
					parameters: {
						model: MODEL,
						promptSource: 'messages',
						messagesField: expression,
						options: {},
						...(nodeType === LOOP ? { rewardSource: 'scorers', maxRounds: 1, mode: 'scorers', scorers: { scorer: [{ name: 'any', type: 'contains', values: 'a' }] }, combine: 'weighted', threshold: 0.5, loopOptions: {} } : {}),
					},
					items: [{ messages: [{ role: 'user', content: 'hi' }] }],
					credentials: credentials(),
					continueOnFail: true,
				});
				expect(outputOf(run)[0].json.error).toBe(`Item 0: Messages Field: is ${what}, not the name of a field (text such as messages)`);
			}
		}
		expect(bodies()).toHaveLength(0);
	});
});

describe('Prompt, System Message and Model are text', () => {
	const LOOP_PARAMETERS = { rewardSource: 'scorers', maxRounds: 1, mode: 'scorers', scorers: { scorer: [{ name: 'any', type: 'contains', values: 'a' }] }, combine: 'weighted', threshold: 0.5, loopOptions: {} };
	it('an object or a list (an imported workflow, an expression) is the item\'s error, never sent as "[object Object]" (found by the property suite, seed 2098498576; Generate Text and Reward Loop)', async () => {
		const cases: Array<[IDataObject, string]> = [
			[{ prompt: '={{ $json.q }}', systemMessage: {} }, 'Item 0: System Message: is an object ({}), not text'],
			[{ prompt: '={{ $json.q }}', systemMessage: '={{ $json.parts }}' }, 'Item 0: System Message: is a list ([{"type":"text","text":"Hi"}]), not text'],
			[{ prompt: '={{ $json.parts }}' }, 'Item 0: Prompt: is a list ([{"type":"text","text":"Hi"}]), not text'],
			[{ prompt: '={{ $json.q }}', model: '={{ $json.settings }}' }, 'Item 0: Model: is an object ({"model":"mock-small"}), not text'],
		];
		for (const nodeType of [GENERATE, LOOP]) {
			for (const [parameters, message] of cases) {
				const run = await runWorkflow({
					nodeType,
					parameters: { model: MODEL, promptSource: 'prompt', options: {}, ...(nodeType === LOOP ? LOOP_PARAMETERS : {}), ...parameters },
					items: [{ q: 'phone', parts: [{ type: 'text', text: 'Hi' }], settings: { model: 'mock-small' } }],
					credentials: credentials(),
					continueOnFail: true,
				});
				expect(outputOf(run)[0].json.error).toBe(message);
			}
		}
		expect(bodies()).toHaveLength(0);
		// A number or a boolean is its text, as before.
		const run = await runWorkflow({
			nodeType: GENERATE,
			parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.n }}', systemMessage: '={{ $json.flag }}', options: {} },
			items: [{ n: 42, flag: true }],
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(outputOf(run)[0].json.error).toBeUndefined();
		expect(bodies()[0].messages).toEqual([
			{ role: 'system', content: 'true' },
			{ role: 'user', content: '42' },
		]);
	});
});

describe('Strict JSON Schema', () => {
	const runSchema = (schemas: IDataObject[], strict: boolean) =>
		runWorkflow({
			nodeType: GENERATE,
			parameters: {
				model: MODEL,
				promptSource: 'prompt',
				prompt: 'answer',
				responseFormat: 'json_schema',
				schemaName: 'answer',
				jsonSchema: '={{ JSON.stringify($json.schema) }}',
				strict,
				options: {},
			},
			items: schemas.map((schema) => ({ schema })),
			credentials: credentials(),
			continueOnFail: true,
		});
	const nested = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
	const breaking = [
		{ type: 'object', properties: { answer: { type: 'string' }, note: { type: 'string' } }, required: ['answer'], additionalProperties: false },
		{ type: 'object', properties: { address: nested }, required: ['address'], additionalProperties: false },
		{ type: 'object', properties: { answer: { type: 'string', allOf: [{ minLength: 1 }] } }, required: ['answer'], additionalProperties: false },
		{ type: 'array', items: { type: 'string' } },
	];

	it('Strict from an expression must be true or false, not the text "true" (found by the property suite)', async () => {
		const run = await runWorkflow({
			nodeType: GENERATE,
			parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', responseFormat: 'json_schema', schemaName: 'answer', jsonSchema: JSON.stringify({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false }), strict: '={{ "true" }}', options: {} },
			items: [{ q: 'hi' }],
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(outputOf(run)[0].json.error).toBe('Item 0: Strict: "true" is not true or false');
		expect(bodies()).toHaveLength(0);
	});

	it('a schema that breaks strict mode\'s rules is refused, naming the field and the path in the schema', async () => {
		const run = await runSchema(breaking, true);
		expect(outputOf(run).map((item) => item.json.error)).toEqual([
			'Item 0: JSON Schema: with Strict on, at #: strict mode needs every property listed in "required"; not listed: "note" (an optional field is a required one that may be null)',
			'Item 1: JSON Schema: with Strict on, at #/properties/address: strict mode needs "additionalProperties": false on every object (it is missing)',
			'Item 2: JSON Schema: with Strict on, at #/properties/answer: strict mode does not support "allOf"',
			'Item 3: JSON Schema: with Strict on, at #: strict mode needs the root to be "type": "object", not "array"',
		]);
		expect(server.counters.chatRequests).toBe(0);
	});

	it('with Strict off the same schemas are sent', async () => {
		await runSchema(breaking, false);
		expect(server.counters.chatRequests).toBe(breaking.length);
		expect(bodies().every((body) => (body.response_format?.json_schema as IDataObject | undefined)?.strict === false)).toBe(true);
	});
});

describe('Reward Loop', () => {
	const KEYWORDS = { mode: 'scorers', scorers: { scorer: [{ name: 'battery', type: 'contains', values: 'battery' }] }, combine: 'weighted', threshold: 0.5 };
	const loop = (extra: IDataObject, items: IDataObject[], continueOnFail = true) =>
		runWorkflow({
			nodeType: LOOP,
			parameters: { rewardSource: 'scorers', model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { maxRetries: 0 }, maxRounds: 1, ...KEYWORDS, loopOptions: {}, ...extra },
			items,
			credentials: credentials(),
			continueOnFail,
		});

	it('Candidates Per Round is checked as n: whole, 1 to 128, before any request', async () => {
		const run = await loop({ candidatesPerRound: '={{ $json.c }}' }, [{ q: 'ok', c: 2 }, { q: 'half', c: 1.5 }, { q: 'many', c: 129 }, { q: 'none', c: 0 }]);
		expect(outputOf(run).map((item) => item.json.error)).toEqual([
			undefined,
			'Item 1: Candidates Per Round (N): 1.5 is not a whole number (an integer from 1 to 128)',
			'Item 2: Candidates Per Round (N): 129 is outside the limit (an integer from 1 to 128)',
			'Item 3: Candidates Per Round (N): 0 is outside the limit (an integer from 1 to 128)',
		]);
		expect(bodies()).toHaveLength(1);
		expect(bodies()[0]).toMatchObject({ n: 2 });
	});

	it('one request per candidate is held to the same limit; a sampling option too', async () => {
		const many = await loop({ candidatesPerRound: 129 }, [{ q: 'x' }], false);
		expect(runError(many)?.message).toBe('Item 0: Candidates Per Round (N): 129 is outside the limit (an integer from 1 to 128)');
		const apart = await loop({ candidatesPerRound: 129, loopOptions: { useN: false } }, [{ q: 'x' }], false);
		expect(runError(apart)?.message).toBe('Item 0: Candidates Per Round (N): 129 is outside the limit (an integer from 1 to 128)');
		const hot = await loop({ candidatesPerRound: 2, options: { maxRetries: 0, temperature: '={{ $json.t }}' } }, [{ q: 'x', t: 3 }], false);
		expect(runError(hot)?.message).toBe('Item 0: Temperature: 3 is outside the limit (a number from 0 to 2)');
		expect(server.counters.chatRequests).toBe(0);
	});
});

describe('Score Output: a grader\'s sampling_params in the judge\'s request', () => {
	const grader = (samplingParams: IDataObject) => ({
		type: 'score_model',
		name: 'closeness',
		model: 'judge',
		input: [{ role: 'user', content: 'Rate: {{sample.output_text}}' }],
		range: [0, 1],
		sampling_params: samplingParams,
	});
	const score = (samplingParams: IDataObject) =>
		runWorkflow({
			nodeType: SCORE,
			parameters: { mode: 'grader', textField: 'text', grader: JSON.stringify(grader(samplingParams)) },
			items: [{ text: 'an answer' }],
			credentials: credentials(),
			continueOnFail: true,
		});

	it('values the chat API refuses fail the item before any request; good ones are sent', async () => {
		for (const [params, message] of [
			[{ temperature: 3 }, 'closeness: sampling_params.temperature: 3 is outside the limit (a number from 0 to 2)'],
			[{ top_p: 2 }, 'closeness: sampling_params.top_p: 2 is outside the limit (a number from 0 to 1)'],
			[{ max_completions_tokens: 0.5 }, 'closeness: sampling_params.max_completions_tokens: 0.5 is not a whole number (an integer at least 1)'],
			[{ seed: 'abc' }, 'closeness: sampling_params.seed: "abc" is not a number (an integer from -9007199254740991 to 9007199254740991)'],
			// Found by the property suite (seed 2098498576) in a reinforcement job's grader; the judge's chat request takes the same list.
			[{ reasoning_effort: 'bogus' }, 'closeness: sampling_params.reasoning_effort: "bogus" is not one of none, minimal, low, medium, high, xhigh, max'],
		] as Array<[IDataObject, string]>) {
			const run = await score(params);
			// The grader is a node-wide setting (no expression): its error names no item.
			expect(outputOf(run)[0].json.error).toBe(message);
		}
		expect(server.counters.chatRequests).toBe(0);

		server.configure({ answer: () => JSON.stringify({ steps: [], result: 1 }) });
		// A grader names it max_completions_tokens; chat's request carries it as max_completion_tokens.
		const good = await score({ temperature: 0.5, max_completions_tokens: 50, seed: 3, reasoning_effort: 'low' });
		expect(outputOf(good)[0].json).toMatchObject({ reward: 1 });
		expect(bodies()[0]).toMatchObject({ temperature: 0.5, max_completion_tokens: 50, seed: 3, reasoning_effort: 'low' });
	});
});
