import { ChatOptionError, chatBodyProblem, chatOptionsProblem, readLimitedNumber, stopProblem } from '../../core/generate/checkChat';
import { CHAT_LIMITS, relabel } from '../../core/requestLimits/chat';
import { numberTypeOptions } from '../../core/requestLimits/limit';

const thrown = (work: () => unknown): string => {
	try {
		work();
	} catch (error) {
		expect(error).toBeInstanceOf(ChatOptionError);
		return (error as Error).message;
	}
	throw new Error('nothing was thrown');
};

describe('chat request limits (OpenAI chat/create)', () => {
	it('keeps the published ranges', () => {
		const range = (key: keyof typeof CHAT_LIMITS) => {
			const { min, max, integer } = CHAT_LIMITS[key] as { min?: number; max?: number; integer?: boolean };
			return [min, max, integer === true];
		};
		expect(range('temperature')).toEqual([0, 2, false]);
		expect(range('topP')).toEqual([0, 1, false]);
		expect(range('presencePenalty')).toEqual([-2, 2, false]);
		expect(range('frequencyPenalty')).toEqual([-2, 2, false]);
		expect(range('n')).toEqual([1, 128, true]);
		expect(range('topLogprobs')).toEqual([0, 20, true]);
		expect(range('maxCompletionTokens')).toEqual([1, undefined, true]);
		expect(range('maxTokens')).toEqual([1, undefined, true]);
		expect(range('seed')).toEqual([-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true]);
	});

	it('gives the editor the same bounds', () => {
		expect(numberTypeOptions(CHAT_LIMITS.temperature, { numberPrecision: 2 })).toEqual({ minValue: 0, maxValue: 2, numberPrecision: 2 });
		expect(numberTypeOptions(CHAT_LIMITS.n)).toEqual({ minValue: 1, maxValue: 128 });
		expect(numberTypeOptions(relabel(CHAT_LIMITS.n, 'Candidates Per Round (N)'))).toEqual({ minValue: 1, maxValue: 128 });
	});
});

describe('readLimitedNumber', () => {
	it('reads numbers and numeric strings within the limit; empty is not set', () => {
		expect(readLimitedNumber(0.7, CHAT_LIMITS.temperature)).toBe(0.7);
		expect(readLimitedNumber('1.5', CHAT_LIMITS.temperature)).toBe(1.5);
		expect(readLimitedNumber(2, CHAT_LIMITS.temperature)).toBe(2);
		expect(readLimitedNumber(Number.MAX_SAFE_INTEGER, CHAT_LIMITS.seed)).toBe(Number.MAX_SAFE_INTEGER);
		for (const empty of [undefined, null, '']) expect(readLimitedNumber(empty, CHAT_LIMITS.temperature)).toBeUndefined();
	});

	it('refuses out-of-range, fractional and wrongly typed values, naming the field, the value and the limit', () => {
		expect(thrown(() => readLimitedNumber(2.5, CHAT_LIMITS.temperature))).toBe('Temperature: 2.5 is outside the limit (a number from 0 to 2)');
		expect(thrown(() => readLimitedNumber(-0.1, CHAT_LIMITS.topP))).toBe('Top P: -0.1 is outside the limit (a number from 0 to 1)');
		expect(thrown(() => readLimitedNumber(129, CHAT_LIMITS.n))).toBe('Candidates (N): 129 is outside the limit (an integer from 1 to 128)');
		expect(thrown(() => readLimitedNumber(1.5, CHAT_LIMITS.n))).toBe('Candidates (N): 1.5 is not a whole number (an integer from 1 to 128)');
		expect(thrown(() => readLimitedNumber(21, CHAT_LIMITS.topLogprobs))).toBe('Top Log Probabilities: 21 is outside the limit (an integer from 0 to 20)');
		expect(thrown(() => readLimitedNumber(0, CHAT_LIMITS.maxCompletionTokens))).toBe('Max Completion Tokens: 0 is outside the limit (an integer at least 1)');
		expect(thrown(() => readLimitedNumber(2 ** 63, CHAT_LIMITS.seed))).toBe(
			'Seed: 9223372036854776000 is outside the limit (an integer from -9007199254740991 to 9007199254740991)',
		);
		expect(thrown(() => readLimitedNumber(2 ** 53, CHAT_LIMITS.seed))).toMatch(/^Seed: 9007199254740992 is outside the limit/);
		expect(thrown(() => readLimitedNumber('hot', CHAT_LIMITS.temperature))).toBe('Temperature: "hot" is not a number (a number from 0 to 2)');
		expect(thrown(() => readLimitedNumber(true, CHAT_LIMITS.temperature))).toBe('Temperature: true is not a number (a number from 0 to 2)');
		expect(thrown(() => readLimitedNumber([1], CHAT_LIMITS.n))).toBe('Candidates (N): [1] is not a number (an integer from 1 to 128)');
	});
});

describe('stop sequences', () => {
	it('allows at most 4 strings', () => {
		expect(stopProblem(['a', 'b', 'c', 'd'])).toBeUndefined();
		expect(stopProblem(['a', 'b', 'c', 'd', 'e'])).toBe('Stop Sequences: 5 entries, more than the limit of 4');
		expect(stopProblem(['a', 7])).toBe('Stop Sequences: entry 1 is number, not a string');
	});
});

describe('chatOptionsProblem', () => {
	it('passes what the API takes and names the first field it would refuse', () => {
		expect(chatOptionsProblem({ temperature: 0, topP: 1, n: 128, topLogprobs: 20, seed: -5, stop: ['x'] })).toBeUndefined();
		expect(chatOptionsProblem({ presencePenalty: -2.01 })).toBe('Presence Penalty: -2.01 is outside the limit (a number from -2 to 2)');
		expect(chatOptionsProblem({ n: 200 }, { n: 'Candidates Per Round (N)' })).toBe('Candidates Per Round (N): 200 is outside the limit (an integer from 1 to 128)');
		expect(chatOptionsProblem({ stop: ['1', '2', '3', '4', '5'] })).toBe('Stop Sequences: 5 entries, more than the limit of 4');
	});

	it('checks a strict schema against strict mode, and leaves a non-strict one alone', () => {
		const schema = { type: 'object', properties: { a: { type: 'string' } } };
		expect(chatOptionsProblem({ responseFormat: { type: 'json_schema', name: 's', schema, strict: true } })).toBe(
			'JSON Schema: with Strict on, at #: strict mode needs "additionalProperties": false on every object (it is missing)',
		);
		expect(chatOptionsProblem({ responseFormat: { type: 'json_schema', name: 's', schema, strict: false } })).toBeUndefined();
	});
});

describe('chatBodyProblem', () => {
	it('checks API field names in a body built elsewhere', () => {
		const label = (field: string) => `sampling_params.${field}`;
		expect(chatBodyProblem({ temperature: 0, max_completion_tokens: 100, seed: 1, top_p: 0.5 }, label)).toBeUndefined();
		expect(chatBodyProblem({ temperature: 3 }, label)).toBe('sampling_params.temperature: 3 is outside the limit (a number from 0 to 2)');
		expect(chatBodyProblem({ max_completion_tokens: 10.5 }, label)).toBe('sampling_params.max_completion_tokens: 10.5 is not a whole number (an integer at least 1)');
		expect(chatBodyProblem({ top_p: 'high' }, label)).toBe('sampling_params.top_p: "high" is not a number (a number from 0 to 1)');
		expect(chatBodyProblem({ stop: ['a', 'b', 'c', 'd', 'e'] }, label)).toBe('sampling_params.stop: 5 entries, more than the limit of 4');
		expect(chatBodyProblem({ stop: 'END' }, label)).toBeUndefined();
		// Fields with no published chat limit (a provider's own) pass as they are.
		expect(chatBodyProblem({ reasoning_effort: 'high', top_k: 40 }, label)).toBeUndefined();
	});
});
