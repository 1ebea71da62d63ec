import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { ChatMessage } from './messages';
import type { GenerationOptions } from './options';

export interface GenerateRequest {
	model: string;
	messages: ChatMessage[];
	options: GenerationOptions;
}

/** Maps a request to the chat completions body, sending only what the user set. */
export function buildChatParams(request: GenerateRequest): ChatCompletionCreateParamsNonStreaming {
	const o = request.options;
	const params: Record<string, unknown> = { model: request.model, messages: request.messages };
	const set = (key: string, value: unknown) => {
		if (value !== undefined) params[key] = value;
	};
	set('temperature', o.temperature);
	set('top_p', o.topP);
	set('max_completion_tokens', o.maxCompletionTokens);
	set('max_tokens', o.maxTokens);
	if (o.stop && o.stop.length > 0) params.stop = o.stop;
	set('seed', o.seed);
	set('presence_penalty', o.presencePenalty);
	set('frequency_penalty', o.frequencyPenalty);
	if (o.n !== undefined && o.n !== 1) params.n = o.n;
	if (o.logprobs) {
		params.logprobs = true;
		set('top_logprobs', o.topLogprobs);
	}
	const format = o.responseFormat;
	if (format?.type === 'json_object') params.response_format = { type: 'json_object' };
	if (format?.type === 'json_schema') {
		params.response_format = {
			type: 'json_schema',
			json_schema: {
				name: format.name,
				schema: format.schema,
				strict: format.strict,
				...(format.description ? { description: format.description } : {}),
			},
		};
	}
	// Extra parameters win: they exist to reach knobs this node does not model.
	Object.assign(params, o.extraBody ?? {});
	return params as unknown as ChatCompletionCreateParamsNonStreaming;
}
