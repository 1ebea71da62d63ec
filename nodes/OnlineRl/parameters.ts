import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { parseMessageList, promptMessages, type ChatMessage } from '../../core/generate/messages';
import { readPath } from '../../core/json/readPath';
import { readItemParameter } from '../shared/itemParameter';

export interface Settings {
	input: 'rewardLoop' | 'messages';
	baseModel: string;
	modelName: string;
	equalRewards: 'skip' | 'fail';
	learningRate?: number;
	pollMs: number;
	timeoutMs: number;
}

function text(ctx: IExecuteFunctions, name: string, label: string): string {
	const value = ctx.getNodeParameter(name, 0, '') as unknown;
	if (typeof value !== 'string' || !value.trim()) throw new Error(`${label} is empty`);
	return value.trim();
}

function positive(label: string, value: unknown, fallback: number): number {
	if (value === undefined || value === '' || value === null) return fallback;
	const number = typeof value === 'string' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0) throw new Error(`${label}: ${JSON.stringify(value)} is not a positive number`);
	return number;
}

/** The node-wide settings, read from the first item (they say how the one step is sent). */
export function readSettings(ctx: IExecuteFunctions): Settings {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const input = ctx.getNodeParameter('input', 0, 'rewardLoop');
	if (input !== 'rewardLoop' && input !== 'messages') throw new Error(`Input: ${JSON.stringify(input)} is not one of rewardLoop, messages`);
	const equalRewards = ctx.getNodeParameter('equalRewards', 0, 'skip');
	if (equalRewards !== 'skip' && equalRewards !== 'fail') throw new Error(`Groups With Equal Rewards: ${JSON.stringify(equalRewards)} is not one of skip, fail`);
	let learningRate: number | undefined;
	if (options.learningRate !== undefined && options.learningRate !== '') {
		learningRate = Number(options.learningRate);
		if (!Number.isFinite(learningRate) || learningRate <= 0) throw new Error(`Learning Rate: ${JSON.stringify(options.learningRate)} is not a positive number`);
	}
	return {
		input,
		baseModel: text(ctx, 'baseModel', 'Base Model'),
		modelName: text(ctx, 'modelName', 'Model Name'),
		equalRewards,
		learningRate,
		pollMs: positive('Poll Every (Seconds)', options.pollSeconds, 10) * 1000,
		timeoutMs: positive('Timeout (Minutes)', options.timeoutMinutes, 60) * 60_000,
	};
}

/** The prompt an item's candidates answered, as the Reward Loop was given it; or what is wrong with it. */
export function promptOf(ctx: IExecuteFunctions, index: number): ChatMessage[] | string {
	try {
		if (ctx.getNodeParameter('promptSource', index, 'prompt') === 'messages') {
			const path = String(ctx.getNodeParameter('promptMessagesField', index, 'messages'));
			return parseMessageList(readPath(ctx.getInputData()[index].json, path), `the prompt messages field "${path}"`);
		}
		const prompt = readItemParameter(ctx, 'prompt', index, '');
		const system = readItemParameter(ctx, 'systemMessage', index, '');
		if (typeof prompt !== 'string' || !prompt.trim()) {
			const raw = ctx.getNode().parameters.prompt;
			const expression = typeof raw === 'string' && raw.startsWith('=') && raw.length > 1 ? ` (its expression ${raw.slice(1).trim()} found nothing in this item: keep the Reward Loop's Include Input option on)` : '';
			return `Prompt is empty${expression}`;
		}
		return promptMessages(prompt, typeof system === 'string' ? system : String(system ?? ''));
	} catch (error) {
		return (error as Error).message;
	}
}

