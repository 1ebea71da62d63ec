import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { jsonSchemaProblem, type JsonSchema } from '../../core/json/validateJsonSchema';
import { promptMessages, safeParseMessageList, type ChatMessage } from '../../core/generate/messages';
import { readField } from '../../core/json/readPath';
import { tryParseJson } from '../../core/json/tryParseJson';
import type { GenerationOptions, ResponseFormat } from '../../core/generate/options';
import type { GenerateRequest } from '../../core/generate/request';
import { readItemParameter } from './itemParameter';
import { ParameterError } from './transportOptions';
import { ChatOptionError, checkChatOptions, readLimitedNumber, stopProblem } from '../../core/generate/checkChat';
import { CHAT_LIMITS, SCHEMA_NAME_LIMIT, SCHEMA_NAME_PATTERN, type ChatNumberOption } from '../../core/requestLimits/chat';

function parseJsonParameter(field: string, raw: unknown): unknown {
	if (typeof raw !== 'string') return raw;
	if (raw.trim() === '') return undefined;
	const parsed = tryParseJson(raw);
	if (!parsed.ok) throw new ParameterError(field, `is not valid JSON (${parsed.problem})`);
	return parsed.value;
}

/**
 * One per line, or a JSON array of strings. Only a value that parses as a JSON array of strings is
 * the array form: a first line such as `[/INST]` is a stop sequence, not broken JSON. Either way at
 * most 4 (checked with the other limits, checkChatOptions).
 */
function parseStop(raw: unknown): string[] | undefined {
	if (raw === undefined || raw === null || raw === '') return undefined;
	if (Array.isArray(raw)) {
		const problem = stopProblem(raw);
		if (problem) throw new ChatOptionError(problem);
		return raw as string[];
	}
	if (typeof raw === 'object') throw new ParameterError('Stop Sequences', 'must be text (one per line) or a JSON array of strings');
	const text = String(raw);
	if (text.trim().startsWith('[')) {
		const parsed = tryParseJson(text);
		if (parsed.ok && Array.isArray(parsed.value) && parsed.value.every((s) => typeof s === 'string')) return parsed.value as string[];
	}
	return text.split('\n').filter((line) => line.length > 0);
}

/**
 * Why a text parameter came out empty: a fixed value that is empty, or an expression that gave
 * nothing for this item (a field the item does not have, or an empty one). The expression itself is
 * not repeated: the field shows it, and n8n's evaluator and the direct field read must say the same.
 */
function emptyBecause(raw: unknown): string {
	if (typeof raw === 'string' && raw.startsWith('=') && raw.slice(1).trim()) {
		return 'is empty: its expression gave an empty text for this item (does the item have the field it reads, and is it filled?)';
	}
	return 'is empty: type the prompt, or an expression such as {{ $json.question }}';
}

/**
 * A text parameter's value as text: a number or a boolean (from an expression) as written; an object
 * or a list is the item's error naming the field, not the text "[object Object]" sent to the model
 * (found by the property suite, seed 987654321: a System Message given as {}).
 */
function textOf(field: string, value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'object') {
		const shown = JSON.stringify(value) ?? '';
		throw new ParameterError(field, `is ${Array.isArray(value) ? 'a list' : 'an object'} (${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}), not text`);
	}
	return String(value);
}

function readMessages(ctx: IExecuteFunctions, index: number): ChatMessage[] {
	if (ctx.getNodeParameter('promptSource', index) !== 'messages') {
		const prompt = textOf('Prompt', readItemParameter(ctx, 'prompt', index));
		if (!prompt.trim()) throw new ParameterError('Prompt', emptyBecause(ctx.getNode().parameters.prompt));
		return promptMessages(prompt, textOf('System Message', readItemParameter(ctx, 'systemMessage', index, '')));
	}
	const rawField: unknown = ctx.getNodeParameter('messagesField', index);
	// An expression can give anything; the field's name is text.
	if (typeof rawField !== 'string') throw new ParameterError('Messages Field', `is ${rawField === null ? 'null' : typeof rawField}, not the name of a field (text such as messages)`);
	const field = rawField.trim();
	if (!field) throw new ParameterError('Messages Field', 'is empty');
	const value = readField(ctx.getInputData()[index].json, field);
	if (value === undefined) throw new ParameterError('Messages Field', `the item has no field "${field}"`);
	const parsed = safeParseMessageList(value, field);
	if (!parsed.ok) throw new ParameterError('Messages', parsed.problem);
	return parsed.messages;
}

function readResponseFormat(ctx: IExecuteFunctions, index: number): ResponseFormat {
	const type = ctx.getNodeParameter('responseFormat', index, 'text') as string;
	if (type === 'json_object') return { type };
	if (type !== 'json_schema') return { type: 'text' };
	const name = String(ctx.getNodeParameter('schemaName', index, 'response')).trim();
	if (!SCHEMA_NAME_PATTERN.test(name)) {
		throw new ParameterError(SCHEMA_NAME_LIMIT.label, `use 1 to ${SCHEMA_NAME_LIMIT.max} letters, digits, _ or -`);
	}
	const schema = parseJsonParameter('JSON Schema', ctx.getNodeParameter('jsonSchema', index));
	if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
		throw new ParameterError('JSON Schema', 'must be a JSON object');
	}
	// Compiled (once, then cached) before any request: a schema that cannot check the answer is the item's error.
	const problem = jsonSchemaProblem(schema as JsonSchema);
	if (problem) throw new ParameterError('JSON Schema', problem);
	const strict: unknown = ctx.getNodeParameter('strict', index, true);
	// An expression can give "true" or 1; the API takes only a boolean.
	if (typeof strict !== 'boolean') throw new ParameterError('Strict', `${JSON.stringify(strict)} is not true or false`);
	return { type, name, schema: schema as JsonSchema, strict };
}

/**
 * Reads one item's parameters into a request for the core; throws ParameterError on bad input. An
 * empty Model is the credential's Default Model (`defaultModel`).
 */
export function readGenerateRequest(ctx: IExecuteFunctions, index: number, defaultModel = ''): GenerateRequest {
	const model = textOf('Model', ctx.getNodeParameter('model', index, '', { extractValue: true })).trim() || defaultModel;
	if (!model) throw new ParameterError('Model', 'is empty: pick a model or type its ID, or set a Default Model in the credential');
	const options = ctx.getNodeParameter('options', index, {}) as IDataObject;
	const extraBody = parseJsonParameter('Extra Body Parameters', options.extraBody);
	if (extraBody !== undefined && (typeof extraBody !== 'object' || extraBody === null || Array.isArray(extraBody))) {
		throw new ParameterError('Extra Body Parameters', 'must be a JSON object');
	}
	const limited = (key: ChatNumberOption) => readLimitedNumber(options[key], CHAT_LIMITS[key]);
	const generation: GenerationOptions = {
		temperature: limited('temperature'),
		topP: limited('topP'),
		maxCompletionTokens: limited('maxCompletionTokens'),
		maxTokens: limited('maxTokens'),
		stop: parseStop(options.stop),
		seed: limited('seed'),
		presencePenalty: limited('presencePenalty'),
		frequencyPenalty: limited('frequencyPenalty'),
		n: limited('n'),
		logprobs: options.logprobs === true,
		topLogprobs: options.logprobs === true ? limited('topLogprobs') : undefined,
		responseFormat: readResponseFormat(ctx, index),
		extraBody: extraBody as Record<string, unknown> | undefined,
	};
	// Every limit again on what will be sent (the stop count, strict mode's schema rules).
	checkChatOptions(generation);
	return { model, messages: readMessages(ctx, index), options: generation };
}
