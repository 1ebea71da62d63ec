import { AnswerShapeError, checkChatCompletion, checkEmbeddings, formatPath } from '../../core/generate/answerShape';
import { checkUsage, emptyUsage, type Candidate } from '../../core/generate/result';

const ok = { model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };

describe('checkChatCompletion', () => {
	it('passes a completion through as it is (the same object)', () => {
		expect(checkChatCompletion(ok)).toBe(ok);
		const sparse = { choices: [{ message: { content: null, refusal: 'No.' } }] };
		expect(checkChatCompletion(sparse)).toBe(sparse);
	});

	it.each([
		[null, 'expected object, got null'],
		[[], 'expected object, got array'],
		[{ ...ok, choices: null }, 'choices: expected array, got null'],
		[{ ...ok, choices: [{ index: 0, message: null }] }, 'choices[0].message: expected object, got null'],
		[{ ...ok, choices: [ok.choices[0], { index: 1, message: { content: 42 } }] }, 'choices[1].message.content: expected string, got number'],
		[{ ...ok, usage: 'ten' }, 'usage: expected object, got string'],
		[{ ...ok, usage: { completion_tokens: -3 } }, 'usage.completion_tokens: must be >= 0'],
		[{ ...ok, choices: [{ message: { content: 'x' }, logprobs: { content: [{ token: 1, logprob: 0 }] } }] }, 'choices[0].logprobs.content[0].token: expected string, got number'],
	])('%j: names the field', (answer, problem) => {
		let thrown: unknown;
		try {
			checkChatCompletion(answer);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(AnswerShapeError);
		expect((thrown as AnswerShapeError).message).toBe(`the answer is not a chat completion: ${problem}`);
		expect((thrown as AnswerShapeError).status).toBe(200);
	});

	it('checks embeddings answers too', () => {
		expect(() => checkEmbeddings({ data: [{ index: 0, embedding: [0.1, 'x'] }] })).toThrow('the answer is not an embeddings answer: data[0].embedding[1]: expected number, got string');
		expect(() => checkEmbeddings({ object: 'list' })).toThrow('data: expected array, got undefined');
	});

	it('formats zod paths the way JavaScript reads them', () => {
		expect(formatPath(['choices', 0, 'message', 'content'])).toBe('choices[0].message.content');
		expect(formatPath([])).toBe('');
	});
});

describe('checkUsage: a count that cannot be right', () => {
	const candidate = (text: string, logprobs?: number): Candidate => ({ index: 0, text, finishReason: 'stop', ...(logprobs ? { logprobs: Array.from({ length: logprobs }, () => ({ token: 't', logprob: 0 })) } : {}) });
	const usage = (completionTokens: number) => ({ ...emptyUsage(), promptTokens: 10, completionTokens, totalTokens: 10 + completionTokens });
	const text = 'x'.repeat(80);

	it('four choices of 80 characters counted as 20 tokens (one choice): flagged, 80 estimated', () => {
		const checked = checkUsage([candidate(text), candidate(text), candidate(text), candidate(text)], usage(20), true);
		expect(checked?.usageNote).toMatch(/^the server counted 20 completion tokens for 4 choices whose text alone is at least 40 tokens/);
		expect(checked?.estimatedUsage).toEqual({ ...usage(80), totalTokens: 90 });
	});

	it('an honest count, a single choice, or no count at all is taken as it is', () => {
		expect(checkUsage([candidate(text), candidate(text)], usage(40), true)).toBeUndefined();
		expect(checkUsage([candidate(text)], usage(1), true)).toBeUndefined();
		expect(checkUsage([candidate(text), candidate(text)], usage(0), false)).toBeUndefined();
	});

	it('with logprobs the tokens are counted exactly', () => {
		expect(checkUsage([candidate('ab', 30), candidate('cd', 30)], usage(59), true)?.estimatedUsage.completionTokens).toBe(60);
		expect(checkUsage([candidate('ab', 30), candidate('cd', 30)], usage(60), true)).toBeUndefined();
	});
});
