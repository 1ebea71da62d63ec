import type { ChatMessage } from '../../core/generate/messages';
import type { GenerationOptions } from '../../core/generate/options';
import { buildChatParams } from '../../core/generate/request';

const messages: ChatMessage[] = [{ role: 'user', content: 'Hi' }];
const build = (options: GenerationOptions) =>
	buildChatParams({ model: 'gpt-test', messages, options }) as unknown as Record<string, unknown>;

describe('buildChatParams', () => {
	it('sends only model and messages when no option is set', () => {
		const params = build({});
		expect(params).toEqual({ model: 'gpt-test', messages });
		expect(Object.keys(params)).toEqual(['model', 'messages']);
	});

	it('maps option names to the API names', () => {
		expect(
			build({
				temperature: 0.7,
				topP: 0.9,
				maxCompletionTokens: 256,
				maxTokens: 128,
				stop: ['\n\n', 'END'],
				seed: 42,
				presencePenalty: 0.5,
				frequencyPenalty: -0.5,
			}),
		).toEqual({
			model: 'gpt-test',
			messages,
			temperature: 0.7,
			top_p: 0.9,
			max_completion_tokens: 256,
			max_tokens: 128,
			stop: ['\n\n', 'END'],
			seed: 42,
			presence_penalty: 0.5,
			frequency_penalty: -0.5,
		});
	});

	it('keeps zero values, which are set', () => {
		expect(build({ temperature: 0, seed: 0, presencePenalty: 0 })).toEqual({
			model: 'gpt-test',
			messages,
			temperature: 0,
			seed: 0,
			presence_penalty: 0,
		});
	});

	it('never sends the camelCase names', () => {
		const params = build({ topP: 1, maxCompletionTokens: 1, presencePenalty: 1, frequencyPenalty: 1, topLogprobs: 2 });
		for (const key of ['topP', 'maxCompletionTokens', 'presencePenalty', 'frequencyPenalty', 'topLogprobs']) {
			expect(params).not.toHaveProperty(key);
		}
	});

	it('omits an empty stop list', () => {
		expect(build({ stop: [] })).not.toHaveProperty('stop');
	});

	it('omits n when it is 1 and sends it otherwise', () => {
		expect(build({ n: 1 })).not.toHaveProperty('n');
		expect(build({ n: 3 }).n).toBe(3);
	});

	it('sends top_logprobs only together with logprobs', () => {
		expect(build({ topLogprobs: 5 })).toEqual({ model: 'gpt-test', messages });
		expect(build({ logprobs: false, topLogprobs: 5 })).toEqual({ model: 'gpt-test', messages });
		expect(build({ logprobs: true })).toEqual({ model: 'gpt-test', messages, logprobs: true });
		expect(build({ logprobs: true, topLogprobs: 5 })).toEqual({ model: 'gpt-test', messages, logprobs: true, top_logprobs: 5 });
	});

	it('sends no response_format for text', () => {
		expect(build({ responseFormat: { type: 'text' } })).not.toHaveProperty('response_format');
	});

	it('sends json_object', () => {
		expect(build({ responseFormat: { type: 'json_object' } }).response_format).toEqual({ type: 'json_object' });
	});

	it('sends the json_schema shape, with a description only when given', () => {
		const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false };
		expect(build({ responseFormat: { type: 'json_schema', name: 'answer', schema, strict: true } }).response_format).toEqual({
			type: 'json_schema',
			json_schema: { name: 'answer', schema, strict: true },
		});
		const withDescription = build({
			responseFormat: { type: 'json_schema', name: 'answer', schema, strict: false, description: 'The answer' },
		}).response_format as { json_schema: Record<string, unknown> };
		expect(withDescription).toEqual({
			type: 'json_schema',
			json_schema: { name: 'answer', schema, strict: false, description: 'The answer' },
		});
		expect(withDescription.json_schema.strict).toBe(false);
	});

	it('merges extraBody last, so it can override mapped fields', () => {
		expect(
			build({
				temperature: 0.2,
				n: 2,
				extraBody: { temperature: 1.1, top_k: 40, reasoning_effort: 'low' },
			}),
		).toEqual({ model: 'gpt-test', messages, temperature: 1.1, n: 2, top_k: 40, reasoning_effort: 'low' });
		expect(build({ responseFormat: { type: 'json_object' }, extraBody: { response_format: { type: 'text' } } }).response_format).toEqual({
			type: 'text',
		});
	});

	it('does not modify the options or the messages it was given', () => {
		const options: GenerationOptions = { temperature: 0.5, extraBody: { top_k: 3 } };
		const snapshot = JSON.parse(JSON.stringify(options));
		const params = build(options);
		expect(options).toEqual(snapshot);
		expect(params.messages).toBe(messages);
	});
});
