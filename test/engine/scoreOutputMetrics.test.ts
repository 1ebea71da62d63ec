/**
 * Score Output's similarity options and the defects of issue 16, through n8n's engine (the built
 * package, loaded as n8n loads it). Expected values come from reference/similarity_options.py
 * (NLTK 3.8, sacrebleu's definitions), the same fixture the unit tests use.
 */
import type { IDataObject } from 'n8n-workflow';
import { rouge } from '../../core/scoring/metrics/rouge';
import { findOptionCase, fixture, NLTK_SMOOTHINGS } from '../unit/metrics/similarityOptionsFixture';
import { outputOf, runError, runWorkflow } from './harness';

const NODE = 'n8n-nodes-reward-loop.scoreOutput';
const scorers = (...entries: IDataObject[]) => ({ scorer: entries });
const run = (parameters: IDataObject, items: IDataObject[], continueOnFail = false) =>
	runWorkflow({ nodeType: NODE, parameters: { mode: 'scorers', textField: 'text', ...parameters }, items, continueOnFail });
const scoresOf = (item: IDataObject) => item.scores as Record<string, IDataObject>;
const similarity = (name: string, metric: string, extra: IDataObject = {}): IDataObject => ({ name, type: 'text_similarity', metric, reference: '{{item.reference}}', ...extra });

const tokenization = (caseName: string, tokenizer: string, lowercase = false) => {
	const found = findOptionCase(caseName).tokenizations.find((t) => t.tokenizer === tokenizer && t.lowercase === lowercase);
	if (!found) throw new Error(`no ${tokenizer} tokenization of ${caseName}`);
	return found;
};
const itemOf = (caseName: string) => {
	const testCase = findOptionCase(caseName);
	return { text: testCase.hypothesis, reference: testCase.references[0] };
};
const expectClose = (actual: unknown, expected: number) => expect(Math.abs((actual as number) - expected)).toBeLessThan(1e-9);

describe('similarity options through the node equal the reference values', () => {
	it('BLEU: every smoothing method, each tokenisation, lowercasing, the max n-gram order; GLEU\'s order', async () => {
		const english = 'en: near paraphrase';
		const chinese = 'zh: longer sentence';
		const result = await run(
			{
				scorers: scorers(
					...NLTK_SMOOTHINGS.map((smoothing) => similarity(`bleu_${smoothing}`, 'bleu', { smoothing })),
					similarity('bleu_whitespace', 'bleu', { tokenizer: 'whitespace' }),
					similarity('bleu_13a_lower', 'bleu', { tokenizer: '13a', lowercase: true, smoothing: 'method3' }),
					similarity('bleu_intl', 'bleu', { tokenizer: 'intl', smoothing: 'method2' }),
					similarity('bleu_zh', 'bleu', { tokenizer: 'zh', smoothing: 'method4' }),
					similarity('bleu_char', 'bleu', { tokenizer: 'char', smoothing: 'method5' }),
					similarity('bleu_2', 'bleu', { maxOrder: 2 }),
					similarity('gleu_zh_2', 'gleu', { tokenizer: 'zh', maxOrder: 2 }),
				),
			},
			[itemOf(english), itemOf(chinese)],
		);
		expect(runError(result)).toBeUndefined();
		const [en, zh] = outputOf(result).map((item) => scoresOf(item.json));
		NLTK_SMOOTHINGS.forEach((smoothing) => {
			const expected = tokenization(english, 'words').bleu[smoothing];
			if (expected === null) expect(en[`bleu_${smoothing}`]).toMatchObject({ score: 0, error: true });
			else expectClose(en[`bleu_${smoothing}`].score, Math.min(1, expected));
		});
		for (const [scores, caseName] of [
			[en, english],
			[zh, chinese],
		] as const) {
			expectClose(scores.bleu_whitespace.score, tokenization(caseName, 'whitespace').bleu.method1 as number);
			expectClose(scores.bleu_13a_lower.score, tokenization(caseName, '13a', true).bleu.method3 as number);
			expectClose(scores.bleu_intl.score, tokenization(caseName, 'intl').bleu.method2 as number);
			expectClose(scores.bleu_zh.score, tokenization(caseName, 'zh').bleu.method4 as number);
			expectClose(scores.bleu_char.score, Math.min(1, tokenization(caseName, 'char').bleu.method5 as number));
			expectClose(scores.bleu_2.score, tokenization(caseName, 'words').bleuByOrder?.['2'].method1 as number);
			expectClose(scores.gleu_zh_2.score, tokenization(caseName, 'zh').gleu['2']);
		}
		// The default tokeniser makes a Chinese sentence one or two long tokens; zh tokens score it.
		expect(zh.bleu_zh.score).toBeGreaterThan(0.1);
		expect(zh.bleu_zh.score).toBeGreaterThan(zh.bleu_method1.score as number);
	});

	it('chrF and chrF++, with lowercasing and eps smoothing, in English and Chinese', async () => {
		const cases = ['en: case', 'zh: mixed with Latin and digits'];
		const result = await run(
			{
				scorers: scorers(
					similarity('chrf', 'chrf'),
					similarity('chrf_lower', 'chrf', { lowercase: true }),
					similarity('chrfpp', 'chrf_pp'),
					similarity('chrfpp_eps', 'chrf_pp', { epsSmoothing: true }),
				),
			},
			cases.map(itemOf),
		);
		expect(runError(result)).toBeUndefined();
		outputOf(result).forEach((item, index) => {
			const scores = scoresOf(item.json);
			const reference = (wordOrder: number, lowercase: boolean, epsSmoothing: boolean) =>
				fixture.chrf.find((entry) => entry.case === cases[index] && entry.wordOrder === wordOrder && entry.lowercase === lowercase && entry.epsSmoothing === epsSmoothing)?.value as number;
			expectClose(scores.chrf.score, reference(0, false, false));
			expectClose(scores.chrf_lower.score, reference(0, true, false));
			expectClose(scores.chrfpp.score, reference(2, false, false));
			expectClose(scores.chrfpp_eps.score, reference(2, false, true));
		});
	});

	it('ROUGE: precision, recall or F-measure; the CJK tokenisation; stemming', async () => {
		const cjk = fixture.rouge.find((entry) => entry.name === 'zh: longer sentence' && entry.tokenizer === 'cjk');
		if (!cjk) throw new Error('no CJK ROUGE case');
		const english = { text: 'The cats were running over the mats.', reference: 'A cat runs over the mat.' };
		const result = await run(
			{
				scorers: scorers(
					similarity('p', 'rouge_l', { rougeMeasure: 'precision', rougeTokenizer: 'cjk' }),
					similarity('r', 'rouge_2', { rougeMeasure: 'recall', rougeTokenizer: 'cjk' }),
					similarity('f', 'rouge_1', { rougeTokenizer: 'cjk' }),
					similarity('stemmed', 'rouge_1', { stemmer: true }),
				),
			},
			[{ text: cjk.candidate, reference: cjk.reference }, english],
		);
		expect(runError(result)).toBeUndefined();
		const [zh, en] = outputOf(result).map((item) => scoresOf(item.json));
		expectClose(zh.p.score, cjk.scores.rougeL.precision);
		expectClose(zh.r.score, cjk.scores.rouge2.recall);
		expectClose(zh.f.score, cjk.scores.rouge1.fmeasure);
		expect(en.stemmed.score).toBe(rouge(english.reference, english.text, 'rouge1', { stemmer: true }).fmeasure);
		expect(en.stemmed.score).toBeGreaterThan(rouge(english.reference, english.text, 'rouge1').fmeasure);
	});
});

describe('issue 16 defects, each an item error or a right value now', () => {
	it('a missing or null reference is that item\'s error naming the scorer and the field; the others finish', async () => {
		const parameters = { scorers: scorers(similarity('sim', 'bleu')) };
		const items = [{ text: 'the cat sat on the mat', reference: 'the cat sat on the mat' }, { text: 'the cat sat' }, { text: 'the cat sat', reference: null }];
		const stopped = await run(parameters, items);
		expect(runError(stopped)?.message).toBe('Item 1: sim: Reference: {{item.reference}} does not resolve: the item has no such field');
		const tolerant = await run(parameters, items, true);
		expect(outputOf(tolerant).map((item) => [item.pairedItem, item.json.reward ?? item.json.error])).toEqual([
			[{ item: 0 }, 1],
			[{ item: 1 }, 'Item 1: sim: Reference: {{item.reference}} does not resolve: the item has no such field'],
			[{ item: 2 }, 'Item 2: sim: Reference: {{item.reference}} is null, not text'],
		]);
	});

	it('a template typo ({{reference}}) is an error, not compared as literal text', async () => {
		const result = await run({ scorers: scorers({ ...similarity('sim', 'fuzzy_match'), reference: '{{reference}}' }) }, [{ text: '{{reference}}', reference: 'x' }]);
		expect(runError(result)?.message).toBe(
			// A Reference without an expression is a node-wide setting: its error names no item (issue 18).
			"sim: Reference: {{reference}} is not a placeholder: write {{item.<path>}}, {{sample.output_text}} or {{sample.output_json.<path>}} (to read the item's field, write {{item.reference}})",
		);
	});

	it('an object is never scored: an error through a template and through an expression; a number is compared as its text', async () => {
		const items = [{ text: '{"a":1}', reference: { a: 1 } }];
		const template = await run({ scorers: scorers(similarity('sim', 'exact')) }, items);
		expect(runError(template)?.message).toBe('Item 0: sim: Reference: {{item.reference}} is an object, not text');
		const expression = await run({ scorers: scorers({ ...similarity('sim', 'exact'), reference: '={{ $json.reference }}' }) }, items);
		expect(runError(expression)?.message).toBe('Item 0: Scorer "sim" Reference: is an object, not text');
		const number = await run({ scorers: scorers(similarity('sim', 'exact')) }, [{ text: '42', reference: 42 }]);
		expect(outputOf(number)[0].json).toMatchObject({ reward: 1 });
	});

	it('templates take the paths JSON Field takes: {{item.meta["content-type"]}}', async () => {
		const result = await run({ scorers: scorers({ ...similarity('sim', 'exact'), reference: '{{item.meta["content-type"]}}' }) }, [{ text: 'text/plain', meta: { 'content-type': 'text/plain' } }]);
		expect(runError(result)).toBeUndefined();
		expect(outputOf(result)[0].json).toMatchObject({ reward: 1, pass: true });
	});

	it('six scorers all at 1 give reward 1 and pass a Pass Threshold of 1', async () => {
		const result = await run(
			{
				scorers: scorers(
					similarity('a', 'exact'),
					similarity('b', 'fuzzy_match'),
					similarity('c', 'rouge_l'),
					similarity('d', 'gleu'),
					similarity('e', 'bleu'),
					{ name: 'f', type: 'contains', values: 'cat' },
				),
				threshold: 1,
			},
			[{ text: 'the cat sat on the mat', reference: 'the cat sat on the mat' }],
		);
		expect(outputOf(result)[0].json).toMatchObject({ reward: 1, pass: true, reason: 'reward 1.0000 >= threshold 1' });
	});

	it('ROUGE on Chinese with the default tokeniser says why it scores 0; the CJK tokenisation scores it', async () => {
		const result = await run(
			{ scorers: scorers(similarity('plain', 'rouge_l'), similarity('cjk', 'rouge_l', { rougeTokenizer: 'cjk' })) },
			[{ text: '今天天气很好', reference: '今天天气很好' }],
		);
		const scores = scoresOf(outputOf(result)[0].json);
		expect(scores.plain.score).toBe(0);
		expect(scores.plain.reason).toContain("no token to compare (rouge-score's tokeniser keeps only ASCII letters and digits); for Chinese, Japanese or Korean choose the CJK tokenisation");
		expect(scores.cjk).toMatchObject({ score: 1, reason: 'rouge_l 1.0000' });
	});

	it('a text above the size limit is that item\'s error (two 1 MB texts used to block n8n for seconds)', async () => {
		const long = 'lorem ipsum '.repeat(87_382);
		const result = await run({ scorers: scorers(similarity('sim', 'rouge_l')) }, [{ text: 'short', reference: 'short' }, { text: long, reference: long }], true);
		expect(outputOf(result).map((item) => item.json.reward ?? item.json.error)).toEqual([
			1,
			`Item 1: sim: the output is ${long.length} characters long; rouge_l takes texts of at most 10000 characters (see README: Similarity metrics, size limits)`,
		]);
	});

	it('a smoothing in the workflow\'s JSON is honoured (it used to be dropped)', async () => {
		const item = itemOf('en: one 3-gram matches at most');
		const result = await run({ scorers: scorers(similarity('m1', 'bleu'), similarity('m3', 'bleu', { smoothing: 'method3' })) }, [item]);
		const scores = scoresOf(outputOf(result)[0].json);
		const words = tokenization('en: one 3-gram matches at most', 'words');
		expectClose(scores.m3.score, words.bleu.method3 as number);
		expect(scores.m3.score).not.toBe(scores.m1.score);
	});
});
