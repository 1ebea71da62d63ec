import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { jsonSchemaProblem, type JsonSchema } from '../../core/json/validateJsonSchema';
import { promptMessages, safeParseMessageList, type ChatMessage } from '../../core/generate/messages';
import { readField } from '../../core/json/readPath';
import { tryParseJson } from '../../core/json/tryParseJson';
import type { GenerationOptions, ResponseFormat } from '../../core/generate/options';
import type { GenerateRequest } from '../../core/generate/request';
import { readItemParameter } from '../shared/itemParameter';
import { numberOption, ParameterError } from '../shared/transportOptions';

function parseJsonParameter(field: string, raw: unknown): unknown {
	if (typeof raw !== 'string') return raw;
	if (raw.trim() === '') return undefined;
	const parsed = tryParseJson(raw);
	if (!parsed.ok) throw new ParameterError(field, `is not valid JSON (${parsed.problem})`);
	return parsed.value;
}

function parseStop(raw: unknown): string[] | undefined {
	if (raw === undefined || raw === '') return undefined;
	if (Array.isArray(raw)) return raw.map(String);
	const text = String(raw);
	if (text.trim().startsWith('[')) {
		const parsed = parseJsonParameter('Stop Sequences', text);
		if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) {
			throw new ParameterError('Stop Sequences', 'must be a JSON array of strings');
		}
		return parsed as string[];
	}
	const lines = text.split('\n').filter((line) => line.length > 0);
	if (lines.length > 4) throw new ParameterError('Stop Sequences', `at most 4 are allowed, got ${lines.length}`);
	return lines;
}

function readMessages(ctx: IExecuteFunctions, index: number): ChatMessage[] {
	if (ctx.getNodeParameter('promptSource', index) !== 'messages') {
		const prompt = String(readItemParameter(ctx, 'prompt', index) ?? '');
		if (!prompt.trim()) throw new ParameterError('Prompt', 'is empty');
		return promptMessages(prompt, String(readItemParameter(ctx, 'systemMessage', index, '') ?? ''));
	}
	const field = (ctx.getNodeParameter('messagesField', index) as string).trim();
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
	if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
		throw new ParameterError('Schema Name', 'use 1 to 64 letters, digits, _ or -');
	}
	const schema = parseJsonParameter('JSON Schema', ctx.getNodeParameter('jsonSchema', index));
	if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
		throw new ParameterError('JSON Schema', 'must be a JSON object');
	}
	// Compiled (once, then cached) before any request: a schema that cannot check the answer is the item's error.
	const problem = jsonSchemaProblem(schema as JsonSchema);
	if (problem) throw new ParameterError('JSON Schema', problem);
	return { type, name, schema: schema as JsonSchema, strict: ctx.getNodeParameter('strict', index, true) as boolean };
}

/**
 * Reads one item's parameters into a request for the core; throws ParameterError on bad input. An
 * empty Model is the credential's Default Model (`defaultModel`).
 */
export function readGenerateRequest(ctx: IExecuteFunctions, index: number, defaultModel = ''): GenerateRequest {
	const model = String(ctx.getNodeParameter('model', index, '', { extractValue: true }) ?? '').trim() || defaultModel;
	if (!model) throw new ParameterError('Model', 'is empty: pick a model or type its ID, or set a Default Model in the credential');
	const options = ctx.getNodeParameter('options', index, {}) as IDataObject;
	const extraBody = parseJsonParameter('Extra Body Parameters', options.extraBody);
	if (extraBody !== undefined && (typeof extraBody !== 'object' || extraBody === null || Array.isArray(extraBody))) {
		throw new ParameterError('Extra Body Parameters', 'must be a JSON object');
	}
	const generation: GenerationOptions = {
		temperature: numberOption(options, 'temperature', 'Temperature'),
		topP: numberOption(options, 'topP', 'Top P'),
		maxCompletionTokens: numberOption(options, 'maxCompletionTokens', 'Max Completion Tokens'),
		maxTokens: numberOption(options, 'maxTokens', 'Max Tokens (Legacy)'),
		stop: parseStop(options.stop),
		seed: numberOption(options, 'seed', 'Seed'),
		presencePenalty: numberOption(options, 'presencePenalty', 'Presence Penalty'),
		frequencyPenalty: numberOption(options, 'frequencyPenalty', 'Frequency Penalty'),
		n: numberOption(options, 'n', 'Candidates (N)'),
		logprobs: options.logprobs === true,
		topLogprobs: options.logprobs === true ? numberOption(options, 'topLogprobs', 'Top Log Probabilities') : undefined,
		responseFormat: readResponseFormat(ctx, index),
		extraBody: extraBody as Record<string, unknown> | undefined,
	};
	if (generation.n !== undefined && (!Number.isInteger(generation.n) || generation.n < 1)) {
		throw new ParameterError('Candidates (N)', 'must be a whole number of at least 1');
	}
	return { model, messages: readMessages(ctx, index), options: generation };
}
