import type { JobSpec } from '../../../core/finetune/providers/types';
import {
	autoNumber,
	FIREWORKS_FINE_TUNE_LIMITS as FIREWORKS,
	jobSpecProblems,
	metadataProblem,
	OPENAI_FINE_TUNE_LIMITS as OPENAI,
	optionalNumber,
	TOGETHER_FINE_TUNE_LIMITS as TOGETHER,
} from '../../../core/requestLimits/fineTune';
import { numberTypeOptions } from '../../../core/requestLimits/limit';

const spec = (extra: Partial<JobSpec> = {}): JobSpec => ({ model: 'gpt-4.1-mini', trainingFile: 'file-1', method: 'supervised', ...extra });

describe('fine-tuning request limits', () => {
	it('reads a hyperparameter as nothing, auto, a number or numeric text, and refuses the rest with the limit', () => {
		expect(autoNumber(OPENAI.nEpochs, undefined)).toEqual({ ok: true, value: undefined });
		expect(autoNumber(OPENAI.nEpochs, '  ')).toEqual({ ok: true, value: undefined });
		expect(autoNumber(OPENAI.nEpochs, 'auto')).toEqual({ ok: true, value: 'auto' });
		expect(autoNumber(OPENAI.nEpochs, ' 3 ')).toEqual({ ok: true, value: 3 });
		expect(autoNumber(OPENAI.nEpochs, 50)).toEqual({ ok: true, value: 50 });
		expect(autoNumber(OPENAI.learningRateMultiplier!, '1e-3')).toEqual({ ok: true, value: 0.001 });
		expect(autoNumber(OPENAI.nEpochs, '3 epochs')).toEqual({ ok: false, problem: 'Epochs: "3 epochs" is not a number or auto (an integer from 1 to 50, or auto)' });
		expect(autoNumber(OPENAI.nEpochs, true)).toEqual({ ok: false, problem: 'Epochs: true is not a number or auto (an integer from 1 to 50, or auto)' });
		expect(autoNumber(OPENAI.nEpochs, 'Infinity')).toMatchObject({ ok: false });
		expect(autoNumber(OPENAI.beta, 2)).toEqual({ ok: true, value: 2 });
		expect(autoNumber(OPENAI.beta, 0)).toEqual({ ok: false, problem: 'Beta (DPO): 0 is outside the limit (a number above 0 and at most 2)' });
		expect(autoNumber(TOGETHER.nEpochs, 21)).toEqual({ ok: false, problem: 'Epochs: 21 is outside the limit (an integer from 1 to 20)' });
		expect(autoNumber(TOGETHER.batchSize, 4096)).toEqual({ ok: true, value: 4096 });
	});

	it('checks seeds and list limits as numbers, and 0 is a seed', () => {
		expect(optionalNumber(OPENAI.seed, 0)).toEqual({ ok: true, value: 0 });
		expect(optionalNumber(OPENAI.seed, 2 ** 31 - 1)).toEqual({ ok: true, value: 2 ** 31 - 1 });
		expect(optionalNumber(OPENAI.seed, 2 ** 31)).toMatchObject({ ok: false });
		expect(optionalNumber(TOGETHER.seed, 2 ** 31)).toEqual({ ok: true, value: 2 ** 31 });
		expect(optionalNumber(OPENAI.listLimit, '5')).toEqual({ ok: false, problem: 'Limit: "5" is not a number (an integer at least 1)' });
		expect(optionalNumber(OPENAI.listLimit, 0)).toEqual({ ok: false, problem: 'Limit: 0 is outside the limit (an integer at least 1)' });
	});

	it('metadata: an object of at most 16 text values, keys of 64 and values of 512 characters', () => {
		expect(metadataProblem(OPENAI, { a: 'b' })).toBeUndefined();
		expect(metadataProblem(OPENAI, Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v'])))).toBeUndefined();
		expect(metadataProblem(OPENAI, { ['é'.repeat(64)]: 'é'.repeat(512) })).toBeUndefined();
		expect(metadataProblem(OPENAI, { a: null })).toBe('Metadata (JSON): the value of "a" is null, not text (metadata values are strings of at most 512 characters)');
		expect(metadataProblem(OPENAI, { a: { b: 'c' } })).toBe('Metadata (JSON): the value of "a" is {"b":"c"}, not text (metadata values are strings of at most 512 characters)');
		expect(metadataProblem(OPENAI, ['a'])).toBe('Metadata (JSON): ["a"] is not a JSON object of text values');
		expect(metadataProblem(TOGETHER, {})).toBe('Metadata (JSON): Together AI takes no metadata; remove it');
	});

	it('lists every problem of a spec, empty when it may be sent', () => {
		expect(jobSpecProblems(spec({ hyperparameters: { nEpochs: 'auto', batchSize: 256, learningRateMultiplier: 0.1 }, seed: 0, suffix: 'x'.repeat(64), metadata: { a: 'b' } }), OPENAI)).toEqual([]);
		expect(
			jobSpecProblems(spec({ model: ' ', trainingFile: '', hyperparameters: { nEpochs: 0, evalSamples: 0.5, computeMultiplier: 11, reasoningEffort: 'extreme' as never }, suffix: 'x'.repeat(65) }), OPENAI),
		).toEqual([
			'Model: is empty',
			'Training File ID: is empty',
			'Epochs: 0 is outside the limit (an integer from 1 to 50)',
			'Compute Multiplier: 11 is outside the limit (a number above 0.00001 and at most 10)',
			'Eval Samples: 0.5 is not a whole number (an integer at least 1)',
			'Reasoning Effort (Reinforcement): "extreme" is not one of default, low, medium, high',
			'Suffix: 65 characters, more than the limit of 64',
		]);
		expect(jobSpecProblems(spec({ suffix: 'x'.repeat(41) }), TOGETHER)).toEqual(['Suffix: 41 characters, more than the limit of 40']);
	});

	it('Fireworks AI: int32 integers, positive learning rate and KL beta, a suffix that is a 63-character model ID', () => {
		expect(jobSpecProblems(spec({ suffix: 'x'.repeat(63), hyperparameters: { nEpochs: 3, batchSize: 65536, learningRate: 0.0001, loraRank: 32, maxContextLength: 131072, beta: 0.05 } }), FIREWORKS)).toEqual([]);
		expect(
			jobSpecProblems(spec({ suffix: 'x'.repeat(64), hyperparameters: { nEpochs: 2 ** 31, learningRate: 0, loraRank: 8.5, maxContextLength: 0, beta: 0 } }), FIREWORKS),
		).toEqual([
			'Epochs: 2147483648 is outside the limit (an integer from 1 to 2147483647)',
			'Beta (DPO): 0 is outside the limit (a number above 0)',
			'Learning Rate: 0 is outside the limit (a number above 0)',
			'LoRA Rank: 8.5 is not a whole number (an integer from 1 to 2147483647)',
			'Max Context Length: 0 is outside the limit (an integer from 1 to 2147483647)',
			'Suffix: 64 characters, more than the limit of 63',
		]);
		// The other providers carry no limit for Fireworks' options: the node refuses a value for them by name.
		expect(OPENAI.loraRank).toBeUndefined();
		expect(TOGETHER.learningRate).toBeUndefined();
		expect(metadataProblem(FIREWORKS, {})).toBe('Metadata (JSON): Fireworks AI takes no metadata; remove it');
	});

	it('gives the editor the same bounds (the exclusive ones by the smallest step)', () => {
		expect(numberTypeOptions(OPENAI.seed)).toEqual({ minValue: 0, maxValue: 2147483647 });
		expect(numberTypeOptions(OPENAI.listLimit)).toEqual({ minValue: 1 });
	});
});
