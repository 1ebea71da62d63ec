import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { ResponseFormat } from '../../core/generate/options';
import { logprobStats, OutputError, parseJsonOutput, readUsage, toGenerateResult } from '../../core/generate/result';

interface ChoiceSpec {
	content?: string | null;
	refusal?: string | null;
	finish?: string | null;
	index?: number;
	logprobs?: Array<{ token: string; logprob: number; top?: Array<{ token: string; logprob: number }> }>;
}

function completion(choices: ChoiceSpec[], extra: Record<string, unknown> = {}): ChatCompletion {
	return {
		id: 'chatcmpl-1',
		object: 'chat.completion',
		created: 1_700_000_000,
		model: 'gpt-test-2024',
		choices: choices.map((c, i) => ({
			index: c.index ?? i,
			finish_reason: c.finish === undefined ? 'stop' : c.finish,
			message: { role: 'assistant', content: c.content === undefined ? null : c.content, refusal: c.refusal ?? null },
			logprobs: c.logprobs
				? {
						content: c.logprobs.map((t) => ({
							token: t.token,
							logprob: t.logprob,
							bytes: null,
							top_logprobs: t.top ?? [],
						})),
						refusal: null,
					}
				: null,
		})),
		...extra,
	} as unknown as ChatCompletion;
}

const schemaFormat: ResponseFormat = {
	type: 'json_schema',
	name: 'answer',
	strict: true,
	schema: {
		type: 'object',
		properties: { answer: { type: 'integer' } },
		required: ['answer'],
		additionalProperties: false,
	},
};

describe('toGenerateResult with one choice', () => {
	it('returns the text, finish reason, model, latency and attempts', () => {
		const result = toGenerateResult(completion([{ content: 'Hello there' }]), undefined, 123, 2);
		expect(result).toEqual({
			text: 'Hello there',
			finishReason: 'stop',
			model: 'gpt-test-2024',
			usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0, cachedTokens: 0, reasoningTokens: 0 },
			latencyMs: 123,
			attempts: 2,
		});
		expect(result).not.toHaveProperty('candidates');
		expect(result).not.toHaveProperty('parsed');
		expect(result).not.toHaveProperty('perplexity');
	});

	it('does not parse text output', () => {
		const result = toGenerateResult(completion([{ content: '{"a":1}' }]), { type: 'text' }, 1, 1);
		expect(result.text).toBe('{"a":1}');
		expect(result).not.toHaveProperty('parsed');
	});

	it('reports a refusal as such, never as the text; empty text when there is neither', () => {
		expect(() => toGenerateResult(completion([{ content: null, refusal: 'I cannot help' }]), undefined, 1, 1)).toThrow(new OutputError('the model refused: I cannot help'));
		const mixed = toGenerateResult(completion([{ content: null, refusal: 'I cannot help' }, { content: 'Sure.' }]), undefined, 1, 1);
		expect(mixed.text).toBe('Sure.');
		expect(mixed.candidates?.[0]).toMatchObject({ text: '', refusal: 'I cannot help', error: 'the model refused: I cannot help' });
		// With a JSON format too; the error carries the answer (its candidates and tokens) for the reward loop.
		let thrown: unknown;
		try {
			toGenerateResult(completion([{ content: null, refusal: 'No.' }], { usage: { prompt_tokens: 7, completion_tokens: 1, total_tokens: 8 } }), { type: 'json_object' }, 1, 1);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(OutputError);
		expect((thrown as OutputError).answer?.candidates).toEqual([expect.objectContaining({ refusal: 'No.', text: '' })]);
		expect((thrown as OutputError).answer?.usage.totalTokens).toBe(8);
		expect(toGenerateResult(completion([{ content: null, finish: 'length' }]), undefined, 1, 1)).toMatchObject({
			text: '',
			finishReason: 'length',
		});
	});

	it('keeps a null finish reason', () => {
		expect(toGenerateResult(completion([{ content: 'x', finish: null }]), undefined, 1, 1).finishReason).toBeNull();
	});

	it('throws OutputError when there is no choice', () => {
		expect(() => toGenerateResult(completion([]), undefined, 1, 1)).toThrow(OutputError);
		expect(() => toGenerateResult(completion([]), undefined, 1, 1)).toThrow('the server answered without any choice');
		const noChoices = { ...completion([]), choices: undefined } as unknown as ChatCompletion;
		expect(() => toGenerateResult(noChoices, undefined, 1, 1)).toThrow(OutputError);
	});
});

describe('logprob statistics', () => {
	const tokens = [
		{ token: 'The', logprob: -0.1 },
		{ token: ' cat', logprob: -1.2, top: [{ token: ' cat', logprob: -1.2 }, { token: ' dog', logprob: -1.5 }] },
		{ token: '.', logprob: -0.05 },
	];
	const mean = (-0.1 + -1.2 + -0.05) / 3;

	it('computes mean logprob and perplexity = exp(-mean)', () => {
		const result = toGenerateResult(completion([{ content: 'The cat.', logprobs: tokens }]), undefined, 1, 1);
		expect(result.meanLogprob).toBeCloseTo(mean, 12);
		expect(result.perplexity).toBeCloseTo(Math.exp(-mean), 12);
		expect(result.perplexity).toBeGreaterThan(1);
	});

	it('lists token logprobs, with top logprobs only when the server sent some', () => {
		const result = toGenerateResult(completion([{ content: 'The cat.', logprobs: tokens }]), undefined, 1, 1);
		expect(result.logprobs).toEqual([
			{ token: 'The', logprob: -0.1 },
			{
				token: ' cat',
				logprob: -1.2,
				topLogprobs: [
					{ token: ' cat', logprob: -1.2 },
					{ token: ' dog', logprob: -1.5 },
				],
			},
			{ token: '.', logprob: -0.05 },
		]);
		expect(result.logprobs?.[0]).not.toHaveProperty('topLogprobs');
	});

	it('gives perplexity 1 for a fully certain answer', () => {
		expect(logprobStats([{ token: 'a', logprob: 0 }, { token: 'b', logprob: 0 }])).toEqual({ meanLogprob: 0, perplexity: 1 });
	});

	it('has no statistics without tokens', () => {
		expect(logprobStats([])).toBeUndefined();
		const result = toGenerateResult(completion([{ content: 'x', logprobs: [] }]), undefined, 1, 1);
		expect(result).not.toHaveProperty('logprobs');
		expect(result).not.toHaveProperty('meanLogprob');
	});
});

describe('readUsage', () => {
	it('maps usage, including cached and reasoning tokens', () => {
		const c = completion([{ content: 'x' }], {
			usage: {
				prompt_tokens: 120,
				completion_tokens: 80,
				total_tokens: 200,
				prompt_tokens_details: { cached_tokens: 64 },
				completion_tokens_details: { reasoning_tokens: 50 },
			},
		});
		const expected = { promptTokens: 120, completionTokens: 80, totalTokens: 200, cachedTokens: 64, reasoningTokens: 50 };
		expect(readUsage(c)).toEqual(expected);
		expect(toGenerateResult(c, undefined, 1, 1).usage).toEqual(expected);
	});

	it('adds prompt and completion tokens when the total is missing, and defaults the rest to 0', () => {
		const c = completion([{ content: 'x' }], { usage: { prompt_tokens: 7, completion_tokens: 5 } });
		expect(readUsage(c)).toEqual({ promptTokens: 7, completionTokens: 5, totalTokens: 12, cachedTokens: 0, reasoningTokens: 0 });
	});

	it('gives zeros without usage', () => {
		expect(readUsage(completion([{ content: 'x' }]))).toEqual({
			promptTokens: 0,
			completionTokens: 0,
			totalTokens: 0,
			cachedTokens: 0,
			reasoningTokens: 0,
		});
	});
});

describe('JSON output', () => {
	it('parses json_object output', () => {
		const result = toGenerateResult(completion([{ content: '{"a": [1, 2], "b": null}' }]), { type: 'json_object' }, 1, 1);
		expect(result.parsed).toEqual({ a: [1, 2], b: null });
		expect(result.text).toBe('{"a": [1, 2], "b": null}');
	});

	it('parses an answer wrapped in a ```json fence', () => {
		const text = '```json\n{"answer": 42}\n```';
		const result = toGenerateResult(completion([{ content: text }]), schemaFormat, 1, 1);
		expect(result.parsed).toEqual({ answer: 42 });
		expect(result.text).toBe(text);
		expect(parseJsonOutput('  ```\n[1,2]\n```  \n', { type: 'json_object' })).toEqual([1, 2]);
	});

	it('keeps a parsed value of null where the schema allows it', () => {
		const result = toGenerateResult(completion([{ content: 'null' }]), { type: 'json_schema', name: 'any', strict: false, schema: {} }, 1, 1);
		expect(result).toHaveProperty('parsed', null);
	});

	it('"JSON Object" accepts only an object: null, a string, a number or an array is an OutputError', () => {
		for (const [content, kind] of [['null', 'null'], ['"He,"', 'a string'], ['42', 'a number'], ['[1, 2]', 'an array']]) {
			expect(() => toGenerateResult(completion([{ content }]), { type: 'json_object' }, 1, 1)).toThrow(new OutputError(`the model's answer is JSON but not a JSON object (it is ${kind})`));
		}
		expect(toGenerateResult(completion([{ content: '{}' }]), { type: 'json_object' }, 1, 1).parsed).toEqual({});
	});

	it('throws OutputError for an answer that is not JSON', () => {
		expect(() => toGenerateResult(completion([{ content: 'Sure! Here it is: {' }]), { type: 'json_object' }, 1, 1)).toThrow(
			/^the model's answer is not valid JSON \(/,
		);
		expect(() => parseJsonOutput('', { type: 'json_object' })).toThrow(OutputError);
	});

	it('throws OutputError naming the schema and the violation', () => {
		let error: unknown;
		try {
			toGenerateResult(completion([{ content: '{"answer": "forty-two", "extra": 1}' }]), schemaFormat, 1, 1);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(OutputError);
		expect((error as OutputError).name).toBe('OutputError');
		expect((error as OutputError).message).toBe(
			'the model\'s answer does not match the JSON schema "answer": $.answer expected integer, got string; $.extra is not an allowed property',
		);
	});

	it('does not check a schema for json_object', () => {
		expect(parseJsonOutput('{"anything": true}', { type: 'json_object' })).toEqual({ anything: true });
	});
});

describe('toGenerateResult with several choices', () => {
	it('lists every candidate in index order with its own scores; the top level is the first', () => {
		const c = completion([
			{ index: 2, content: 'third', finish: 'length', logprobs: [{ token: 'third', logprob: -2 }] },
			{ index: 0, content: 'first', logprobs: [{ token: 'fi', logprob: -0.2 }, { token: 'rst', logprob: -0.4 }] },
			{ index: 1, content: 'second', logprobs: [{ token: 'second', logprob: -1 }] },
		]);
		const result = toGenerateResult(c, undefined, 50, 1);
		expect(result.text).toBe('first');
		expect(result.finishReason).toBe('stop');
		expect(result.meanLogprob).toBeCloseTo(-0.3, 12);
		expect(result.perplexity).toBeCloseTo(Math.exp(0.3), 12);
		expect(result.candidates).toHaveLength(3);
		expect(result.candidates?.map((x) => [x.index, x.text, x.finishReason])).toEqual([
			[0, 'first', 'stop'],
			[1, 'second', 'stop'],
			[2, 'third', 'length'],
		]);
		expect(result.candidates?.[1].meanLogprob).toBe(-1);
		expect(result.candidates?.[1].perplexity).toBeCloseTo(Math.E, 12);
		expect(result.candidates?.[2].perplexity).toBeCloseTo(Math.exp(2), 12);
		expect(result.candidates?.every((x) => x.error === undefined)).toBe(true);
	});

	it('does not reorder the completion it was given', () => {
		const c = completion([
			{ index: 1, content: 'b' },
			{ index: 0, content: 'a' },
		]);
		toGenerateResult(c, undefined, 1, 1);
		expect(c.choices.map((x) => x.index)).toEqual([1, 0]);
	});

	it('falls back to the first valid candidate when the first is invalid, and keeps its error', () => {
		const c = completion([
			{ content: 'not json' },
			{ content: '{"answer": "x"}' },
			{ content: '{"answer": 7}' },
			{ content: '{"answer": 8}' },
		]);
		const result = toGenerateResult(c, schemaFormat, 1, 1);
		expect(result.text).toBe('{"answer": 7}');
		expect(result.parsed).toEqual({ answer: 7 });
		const [first, second, third, fourth] = result.candidates ?? [];
		expect(first.error).toMatch(/^the model's answer is not valid JSON/);
		expect(first).not.toHaveProperty('parsed');
		expect(second.error).toBe('the model\'s answer does not match the JSON schema "answer": $.answer expected integer, got string');
		expect(third.error).toBeUndefined();
		expect(third.parsed).toEqual({ answer: 7 });
		expect(fourth.parsed).toEqual({ answer: 8 });
	});

	it('takes the fallback candidate logprobs and finish reason for the top level', () => {
		const c = completion([
			{ content: 'oops', finish: 'length', logprobs: [{ token: 'oops', logprob: -3 }] },
			{ content: '{"answer": 1}', logprobs: [{ token: '{', logprob: -0.5 }] },
		]);
		const result = toGenerateResult(c, schemaFormat, 1, 1);
		expect(result.finishReason).toBe('stop');
		expect(result.meanLogprob).toBe(-0.5);
		expect(result.perplexity).toBeCloseTo(Math.exp(0.5), 12);
		expect(result.logprobs).toEqual([{ token: '{', logprob: -0.5 }]);
	});

	it('throws the first candidate error when no candidate is valid', () => {
		const c = completion([{ content: '{"answer": 1.5}' }, { content: 'nope' }, { content: '[]' }]);
		expect(() => toGenerateResult(c, schemaFormat, 1, 1)).toThrow(OutputError);
		expect(() => toGenerateResult(c, schemaFormat, 1, 1)).toThrow(
			'the model\'s answer does not match the JSON schema "answer": $.answer expected integer, got number',
		);
	});
});
