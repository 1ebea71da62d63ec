/**
 * The similarity scorer (scorers/textSimilarity.ts, similarityMetrics.ts): every option reaches its
 * metric, options that do not apply are refused, references that are missing, null, not text or
 * empty are errors naming the scorer and the field, texts above the size limit are errors, ROUGE
 * explains a text it has no token for, and reasons never contradict the pass flag. The metrics'
 * own values are checked against NLTK and sacrebleu in test/unit/metrics.
 */
import { graderFromSpecs, GraderError, specsFromGrader } from '../../../core/scoring/graders';
import { textBleu } from '../../../core/scoring/metrics/bleu';
import { sentenceChrf } from '../../../core/scoring/metrics/chrf';
import { textGleu } from '../../../core/scoring/metrics/gleu';
import { rouge } from '../../../core/scoring/metrics/rouge';
import { createScorer } from '../../../core/scoring/registry';
import { METRICS } from '../../../core/scoring/scorers/similarityMetrics';
import type { TextSimilarityConfig } from '../../../core/scoring/scorers/textSimilarity';
import type { ScoreResult } from '../../../core/scoring/types';

const similarity = (config: Partial<TextSimilarityConfig> & Pick<TextSimilarityConfig, 'metric'>, name = 'sim') =>
	createScorer({ type: 'text_similarity', name, config: { reference: '{{item.reference}}', ...config } as TextSimilarityConfig });
const score = (config: Partial<TextSimilarityConfig> & Pick<TextSimilarityConfig, 'metric'>, outputText: string, item: Record<string, unknown>) =>
	similarity(config).score({ outputText }, { item }) as ScoreResult;

const EN = { output: 'The quick brown fox jumps over the lazy dog.', reference: 'the fast brown fox jumped over the lazy dog!' };
const ZH = { output: '今天天气很好，我们去公园散步吧！', reference: '今天的天气非常好，我们一起去公园散步吧。' };

describe('options reach the metric', () => {
	it('BLEU: smoothing, max order, tokenisation and lowercasing', () => {
		for (const smoothing of ['method0', 'method2', 'method3', 'method4', 'method5', 'method6', 'method7'] as const) {
			for (const tokenizer of ['whitespace', '13a', 'intl', 'zh', 'char'] as const) {
				const expected = textBleu(EN.reference, EN.output, { smoothing, tokenizer, lowercase: true, weights: [1 / 3, 1 / 3, 1 / 3] });
				const result = score({ metric: 'bleu', smoothing, tokenizer, lowercase: true, maxOrder: 3 }, EN.output, { reference: EN.reference });
				if (smoothing === 'method6' && expected === 0) continue;
				expect([smoothing, tokenizer, result.score]).toEqual([smoothing, tokenizer, Math.min(1, expected)]);
			}
		}
		// The defaults are today's: words, method1, BLEU-4, case kept.
		expect(score({ metric: 'bleu' }, EN.output, { reference: EN.reference }).score).toBe(textBleu(EN.reference, EN.output));
	});

	it('GLEU: max order, tokenisation and lowercasing', () => {
		const result = score({ metric: 'gleu', tokenizer: 'zh', maxOrder: 2 }, ZH.output, { reference: ZH.reference });
		expect(result.score).toBe(textGleu(ZH.reference, ZH.output, 1, 2, { tokenizer: 'zh' }));
		expect(result.score).not.toBe(score({ metric: 'gleu' }, ZH.output, { reference: ZH.reference }).score);
	});

	it("chrF and chrF++: sacrebleu's sentence_chrf, with lowercasing and eps smoothing", () => {
		expect(score({ metric: 'chrf' }, EN.output, { reference: EN.reference }).score).toBe(sentenceChrf(EN.output, EN.reference));
		expect(score({ metric: 'chrf_pp', lowercase: true, epsSmoothing: true }, EN.output, { reference: EN.reference }).score).toBe(
			sentenceChrf(EN.output, EN.reference, { wordOrder: 2, lowercase: true, epsSmoothing: true }),
		);
		expect(score({ metric: 'chrf' }, ZH.output, { reference: ZH.reference }).score).toBeGreaterThan(0.2);
	});

	it('ROUGE: precision, recall or F-measure; the CJK tokenisation', () => {
		for (const rougeMeasure of ['precision', 'recall', 'fmeasure'] as const) {
			expect(score({ metric: 'rouge_2', rougeMeasure }, EN.output, { reference: EN.reference }).score).toBe(rouge(EN.reference, EN.output, 'rouge2')[rougeMeasure]);
		}
		expect(score({ metric: 'rouge_l', rougeTokenizer: 'cjk' }, ZH.output, { reference: ZH.reference }).score).toBe(rouge(ZH.reference, ZH.output, 'rougeL', { tokenizer: 'cjk' }).fmeasure);
	});

	it('clamps what NLTK gives above 1 (method7 on identical texts) and says so', () => {
		const result = score({ metric: 'bleu', smoothing: 'method7' }, EN.output, { reference: EN.output });
		expect(result.score).toBe(1);
		expect(result.reason).toMatch(/^bleu 1\.0000 \(1\.1\d+ clamped to 1\)$/);
		expect(result.details).toEqual({ raw: expect.any(Number) });
	});

	it('method6 without a matching 3-gram is a scorer error (NLTK raises), not a silent 0', () => {
		const result = score({ metric: 'bleu', smoothing: 'method6' }, 'a b x y', { reference: 'a b c d' });
		expect(result).toMatchObject({ score: 0, pass: false, error: true });
		expect(result.reason).toContain('method6 needs at least one matching 3-gram');
	});
});

describe('options that cannot be honoured are refused, naming the scorer', () => {
	it.each([
		[{ metric: 'rouge_l', smoothing: 'method3' }, 'sim: "smoothing" does not apply to rouge_l (it applies to bleu)'],
		[{ metric: 'bleu', stemmer: true }, 'sim: "stemmer" does not apply to bleu (it applies to rouge_1, rouge_2, rouge_l)'],
		[{ metric: 'chrf', maxOrder: 3 }, 'sim: "maxOrder" does not apply to chrf (it applies to bleu, gleu)'],
		[{ metric: 'fuzzy_match', lowercase: true }, 'sim: "lowercase" does not apply to fuzzy_match (it applies to bleu, gleu, chrf, chrf_pp)'],
		[{ metric: 'bleu', smoothingMethod: 'method3' }, 'sim: text_similarity has no option "smoothingMethod"'],
		[{ metric: 'bleu', smoothing: 'method8' }, 'sim: bleu: the BLEU smoothing must be one of'],
		[{ metric: 'bleu', smoothing: 'method6', maxOrder: 2 }, 'sim: bleu: BLEU smoothing method6 needs a max n-gram order of at least 3'],
		[{ metric: 'gleu', maxOrder: 11 }, 'sim: gleu: the max n-gram order must be an integer from 1 to 10'],
		[{ metric: 'bleu', tokenizer: 'moses' }, 'sim: bleu: the tokenizer must be one of words, whitespace, 13a, intl, zh, char'],
		[{ metric: 'rouge_1', rougeMeasure: 'f1' }, 'sim: rouge_1: the ROUGE measure must be one of fmeasure, precision, recall'],
		[{ metric: 'cosine', embeddingModel: 'e', lowercase: true }, 'sim: "lowercase" does not apply to cosine'],
		[{ metric: 'bleu', reference: '' }, 'sim: similarity needs a reference'],
		[{ metric: 'bleu', reference: 'Answer: {{reference}}' }, 'sim: Reference: {{reference}} is not a placeholder: write {{item.<path>}}, {{sample.output_text}} or {{sample.output_json.<path>}} (to read the item\'s field, write {{item.reference}})'],
		[{ metric: 'bleu', reference: '{{item.a[}}' }, 'sim: Reference: {{item.a[}}: path "$.a[" is malformed'],
		[{ metric: 'bleu', input: '{{sample.text}}' }, 'sim: Input: {{sample.text}} is not a placeholder: the sample has output_text and output_json only'],
	])('%j', (config, message) => {
		expect(() => similarity(config as never)).toThrow(message);
	});
});

describe('references: never a silent 0', () => {
	const errorOf = (item: Record<string, unknown>, config: Partial<TextSimilarityConfig> = {}) => {
		try {
			score({ metric: 'bleu', ...config }, 'some output', item);
		} catch (error) {
			return (error as Error).message;
		}
		return 'no error';
	};

	it('a missing, null or non-text field is an error naming the scorer and the field', () => {
		expect(errorOf({})).toBe('sim: Reference: {{item.reference}} does not resolve: the item has no such field');
		expect(errorOf({ reference: null })).toBe('sim: Reference: {{item.reference}} is null, not text');
		expect(errorOf({ reference: { text: 'x' } })).toBe('sim: Reference: {{item.reference}} is an object, not text');
		expect(errorOf({ reference: ['x'] })).toBe('sim: Reference: {{item.reference}} is an array, not text');
		expect(errorOf({ reference: true })).toBe('sim: Reference: {{item.reference}} is a boolean, not text');
		expect(errorOf({ reference: '' })).toBe('sim: Reference {{item.reference}} is an empty text: there is nothing to compare with');
		expect(errorOf({ answer: { text: 'x' } }, { reference: '{{item.answer.txt}}' })).toBe('sim: Reference: {{item.answer.txt}} does not resolve: the item has no such field');
		expect(errorOf({ reference: 'x' }, { input: '{{item.draft}}' })).toBe('sim: Input: {{item.draft}} does not resolve: the item has no such field');
	});

	it('a number is accepted and written as JSON writes it', () => {
		expect(score({ metric: 'exact' }, '42', { reference: 42 }).score).toBe(1);
		expect(score({ metric: 'exact' }, '0.5', { reference: 0.5 }).score).toBe(1);
	});

	it('paths have JSON Field\'s syntax: quoted keys, indexes, a leading $', () => {
		const item = { meta: { 'content-type': 'text/plain', 'a.b': 'dotted' }, refs: ['first', 'second'] };
		expect(score({ metric: 'exact', reference: '{{item.meta["content-type"]}}' }, 'text/plain', item).score).toBe(1);
		expect(score({ metric: 'exact', reference: "{{ item.meta['a.b'] }}" }, 'dotted', item).score).toBe(1);
		expect(score({ metric: 'exact', reference: '{{item.refs[1]}}' }, 'second', item).score).toBe(1);
	});
});

describe('size limits', () => {
	it.each(Object.entries(METRICS).map(([metric, definition]) => [metric, definition.maxLength] as const))('%s takes texts of up to %s characters', (metric, limit) => {
		if (limit > 1_000_000) return;
		const atLimit = 'a '.repeat(limit / 2);
		expect(() => score({ metric: metric as never }, atLimit, { reference: atLimit })).not.toThrow();
		expect(() => score({ metric: metric as never }, `${atLimit}a`, { reference: 'a' })).toThrow(
			`sim: the output is ${limit + 1} characters long; ${metric} takes texts of at most ${limit} characters`,
		);
		expect(() => score({ metric: metric as never }, 'a', { reference: `${atLimit}a` })).toThrow(`sim: the reference is ${limit + 1} characters long`);
	});

	it('the limits are 10,000 characters for fuzzy_match, BLEU, GLEU and ROUGE-L, 20,000 for ROUGE-1/2 and chrF', () => {
		expect(Object.fromEntries(Object.entries(METRICS).map(([metric, definition]) => [metric, definition.maxLength]))).toEqual({
			exact: 10_000_000,
			fuzzy_match: 10_000,
			bleu: 10_000,
			gleu: 10_000,
			chrf: 20_000,
			chrf_pp: 20_000,
			rouge_1: 20_000,
			rouge_2: 20_000,
			rouge_l: 10_000,
		});
	});
});

describe('ROUGE explains a text it has no token for', () => {
	it('with the default tokeniser, Chinese text gets a note pointing to the CJK tokenisation', () => {
		const result = score({ metric: 'rouge_l' }, '今天天气很好', { reference: '今天天气很好' });
		expect(result.score).toBe(0);
		expect(result.reason).toBe(
			"rouge_l 0.0000; note: the reference and the output have no token to compare (rouge-score's tokeniser keeps only ASCII letters and digits); for Chinese, Japanese or Korean choose the CJK tokenisation",
		);
		expect(result.details).toEqual({ note: expect.stringContaining('no token') });
		expect(score({ metric: 'rouge_l', rougeTokenizer: 'cjk' }, '今天天气很好', { reference: '今天天气很好' })).toMatchObject({ score: 1, reason: 'rouge_l 1.0000' });
	});

	it('no note where both texts have tokens, or where the output is empty', () => {
		expect(score({ metric: 'rouge_1' }, 'the cat', { reference: 'a dog' }).reason).toBe('rouge_1 0.0000');
		expect(score({ metric: 'rouge_1' }, '', { reference: 'a dog' }).reason).toBe('rouge_1 0.0000');
		expect(score({ metric: 'rouge_1' }, '!!!', { reference: 'a dog' }).reason).toContain('note: the output has no token');
	});
});

describe('reasons agree with the pass flag', () => {
	it('prints enough digits when 4 would round across the threshold', () => {
		const near = similarity({ metric: 'exact', passThreshold: 0.99995 });
		expect(near.score({ outputText: 'a' }, { item: { reference: 'a' } })).toMatchObject({ pass: true, reason: 'exact 1.0000' });
		// ROUGE-1 recall 2/3 against 0.66667: "0.6667" and "0.66667" would read as passing.
		const result = score({ metric: 'rouge_1', rougeMeasure: 'recall', passThreshold: 0.66667 }, 'a b', { reference: 'a b c' });
		expect(result.pass).toBe(false);
		expect(result.reason).toBe('rouge_1 0.666667');
		const passing = score({ metric: 'rouge_1', rougeMeasure: 'recall', passThreshold: 0.66666 }, 'a b', { reference: 'a b c' });
		expect(passing).toMatchObject({ pass: true, reason: 'rouge_1 0.6667' });
	});
});

describe('OpenAI grader JSON', () => {
	it('refuses keys OpenAI\'s text_similarity does not have, instead of dropping them', () => {
		expect(() =>
			specsFromGrader({ type: 'text_similarity', name: 's', input: '{{sample.output_text}}', reference: '{{item.r}}', evaluation_metric: 'bleu', smoothing: 'method3' }, 0.5),
		).toThrow(GraderError);
		expect(() =>
			specsFromGrader({ type: 'text_similarity', name: 's', input: '{{sample.output_text}}', reference: '{{item.r}}', evaluation_metric: 'bleu', smoothing: 'method3' }, 0.5),
		).toThrow(/smoothing/);
		expect(() => specsFromGrader({ type: 'text_similarity', name: 's', input: 'a', reference: 'b', evaluation_metric: 'chrf' }, 0.5)).toThrow('evaluation_metric "chrf" is not supported here');
	});

	it('exports only configurations OpenAI can run the same way', () => {
		const exported = (config: Partial<TextSimilarityConfig>) =>
			graderFromSpecs([{ spec: { type: 'text_similarity', name: 'sim', config: { metric: 'bleu', reference: '{{item.r}}', ...config } as TextSimilarityConfig }, weight: 1, mustPass: false }], {
				mode: 'weighted',
				threshold: 0.5,
			});
		expect(exported({}).grader).toMatchObject({ type: 'text_similarity', evaluation_metric: 'bleu' });
		expect(exported({ smoothing: 'method1', maxOrder: 4, tokenizer: 'words' }).grader).toMatchObject({ type: 'text_similarity' });
		expect(exported({ smoothing: 'method3' })).toEqual({ grader: null, reason: "sim: OpenAI's text_similarity has no option for a BLEU smoothing other than method1" });
		expect(exported({ tokenizer: '13a', lowercase: true })).toEqual({ grader: null, reason: "sim: OpenAI's text_similarity has no option for a BLEU/GLEU tokenization, lowercasing" });
		expect(exported({ metric: 'chrf' })).toEqual({ grader: null, reason: "sim: OpenAI's text_similarity has no chrf" });
		expect(exported({ metric: 'rouge_l', rougeMeasure: 'recall' })).toEqual({ grader: null, reason: "sim: OpenAI's text_similarity has no option for a ROUGE measure other than F-measure" });
	});
});
