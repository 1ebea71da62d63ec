/**
 * ROUGE with the CJK tokeniser (rouge.ts): tokens and ROUGE-1/2/L precision, recall and F-measure
 * against reference/similarity_options.py (the `regex` module's tokens, then rouge-score's
 * arithmetic with the textbook LCS), for Chinese, Japanese, Korean, mixed and English texts; and
 * rouge-score's own tokeniser on the same texts, which keeps nothing of CJK.
 */
import { rouge, rougeFromTokens, rougeTokenize } from '../../../core/scoring/metrics/rouge';
import { fixture } from './similarityOptionsFixture';

const TYPES = ['rouge1', 'rouge2', 'rougeL'] as const;

describe.each(fixture.rouge.map((entry) => [`${entry.name}, ${entry.tokenizer}`, entry] as const))('%s', (_label, entry) => {
	it('tokens equal the Python reference', () => {
		expect(rougeTokenize(entry.reference, false, entry.tokenizer)).toEqual(entry.referenceTokens);
		expect(rougeTokenize(entry.candidate, false, entry.tokenizer)).toEqual(entry.candidateTokens);
	});

	it.each(TYPES.map((type) => [type]))('%s precision, recall and F-measure equal the reference', (type) => {
		const expected = entry.scores[type];
		const actual = rouge(entry.reference, entry.candidate, type, { tokenizer: entry.tokenizer });
		for (const measure of ['precision', 'recall', 'fmeasure'] as const) expect(Math.abs(actual[measure] - expected[measure])).toBeLessThan(1e-12);
		expect(rougeFromTokens(entry.referenceTokens, entry.candidateTokens, type)).toEqual(actual);
	});
});

describe('the CJK tokeniser', () => {
	it('makes Chinese score: identical texts 1 where rouge-score\'s tokeniser gives 0', () => {
		expect(rouge('今天天气很好', '今天天气很好', 'rougeL', { tokenizer: 'cjk' }).fmeasure).toBe(1);
		expect(rouge('今天天气很好', '今天天气很好', 'rougeL').fmeasure).toBe(0);
		expect(rougeTokenize('今天天气很好')).toEqual([]);
	});

	it('splits Han and kana into characters, keeps other words whole, lowercases, drops punctuation', () => {
		expect(rougeTokenize('我用Python写了「コーヒー」。한국어 Café 2024々', false, 'cjk')).toEqual(['我', '用', 'python', '写', '了', 'コ', 'ー', 'ヒ', 'ー', '한국어', 'café', '2024', '々']);
	});

	it('stems ASCII words longer than 3 characters only', () => {
		expect(rougeTokenize('Running cafés 我们 jumps', true, 'cjk')).toEqual(['run', 'cafés', '我', '们', 'jump']);
	});

	it('rejects an unknown tokeniser', () => {
		expect(() => rougeTokenize('a', false, 'jieba' as never)).toThrow(RangeError);
	});
});
