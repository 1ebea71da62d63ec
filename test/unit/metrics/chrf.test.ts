/**
 * chrF and chrF++ against sacrebleu's published figures, reproduced literally with the file each
 * comes from (sacrebleu cannot be installed here), and against reference/similarity_options.py's
 * values for English and Chinese (sacrebleu's definition in Python, itself checked against the
 * same published figures before it prints anything).
 */
import { chrfFromStatistics, chrfStatistics, chrfWords, sentenceChrf, type ChrfOptions } from '../../../core/scoring/metrics/chrf';
import { findOptionCase, fixture } from './similarityOptionsFixture';

/** sacrebleu's corpus_chrf / 100: the best reference's statistics of each sentence, summed. */
function corpusChrf(hypotheses: string[], references: string[][], options: ChrfOptions): number {
	const sums = hypotheses
		.map((hypothesis, sentence) => chrfStatistics(hypothesis, references[sentence], options))
		.reduce((total, statistics) => total.map((value, index) => value + statistics[index]));
	return chrfFromStatistics(sums, options);
}

describe('chrF: mjpost/sacrebleu test/test_chrf.py (EPSILON 1e-4 on 0–100)', () => {
	// test_cases: corpus_chrf(..., char_order=6, word_order=0, beta=3, eps_smoothing=True)
	const epsCases: [string[], string[], number][] = [
		[['abcdefg'], ['hijklmnop'], 0.0],
		[['a'], ['b'], 0.0],
		[[''], ['b'], 0.0],
		[[''], ['ref'], 0.0],
		[[''], ['reference'], 0.0],
		[['aa'], ['ab'], 8.3333],
		[['a', 'b'], ['a', 'c'], 8.3333],
		[['a'], ['a'], 16.6667],
		[['a b c'], ['a b c'], 50.0],
		[['a b c'], ['abc'], 50.0],
		[
			[' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'],
			['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'],
			63.36173,
		],
		[[' Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. '], ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'], 64.1302698],
		[['Niemand hat die Absicht, eine Mauer zu errichten'], ['Niemand hat die Absicht, eine Mauer zu errichten'], 100.0],
	];
	it.each(epsCases)('test_chrf: %j against %j, eps smoothing: %s', (hypotheses, references, expected) => {
		const value = corpusChrf(hypotheses, references.map((reference) => [reference]), { charOrder: 6, wordOrder: 0, beta: 3, epsSmoothing: true });
		expect(Math.abs(100 * value - expected)).toBeLessThan(1e-4);
	});

	// test_cases_effective_order: eps_smoothing=False (the effective order, sacrebleu's default)
	const effectiveCases: [string[], string[], number][] = [
		[['a'], ['a'], 100.0],
		[[''], ['reference'], 0.0],
		[['a b c'], ['a b c'], 100.0],
		[['a b c'], ['abc'], 100.0],
		[[''], ['c'], 0.0],
		[['a', 'b'], ['a', 'c'], 50.0],
		[['aa'], ['ab'], 25.0],
	];
	it.each(effectiveCases)('test_chrf_eff_order: %j against %j: %s', (hypotheses, references, expected) => {
		const value = corpusChrf(hypotheses, references.map((reference) => [reference]), { charOrder: 6, wordOrder: 0, beta: 3 });
		expect(Math.abs(100 * value - expected)).toBeLessThan(1e-4);
	});

	// test_cases_keep_whitespace: remove_whitespace=False (sacrebleu 2's whitespace=True)
	const whitespaceCases: [string, string, number][] = [
		['Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.', 'Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.', 67.3481606],
		[
			'risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .',
			'risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .',
			65.2414427,
		],
	];
	it.each(whitespaceCases)('test_chrf_keep_whitespace: %j: %s', (hypothesis, reference, expected) => {
		expect(Math.abs(100 * sentenceChrf(hypothesis, reference, { beta: 3, whitespace: true }) - expected)).toBeLessThan(1e-4);
	});

	// test_sentence_level_chrf: sentence_chrf(hypothesis, references, eps_smoothing=True), defaults otherwise (β 2)
	const sentenceCases: [string, string, number][] = [
		['Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.', 'Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.', 39.14078509],
		['Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.', 'A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.', 31.22557079],
		['Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.', 'Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.', 57.15704367],
	];
	it.each(sentenceCases)('test_chrf_sentence_level: %j: %s', (hypothesis, reference, expected) => {
		expect(Math.abs(100 * sentenceChrf(hypothesis, [reference], { epsSmoothing: true }) - expected)).toBeLessThan(1e-4);
	});
});

describe('chrF and chrF++: published figures computed with sacrebleu by others', () => {
	// huggingface/evaluate metrics/chrf/chrf.py, the docstring's examples 1–3 (sacrebleu's CHRF.corpus_score).
	const predictions = ['The relationship between cats and dogs is not exactly friendly.', 'a good bookshop is just a genteel black hole that knows how to read.'];
	const references = [['The relationship between dogs and cats is not exactly friendly.'], ['A good bookshop is just a genteel Black Hole that knows how to read.']];
	it('evaluate\'s chrf card: chrF 84.64214891738334, chrF++ 82.87263732906315, chrF++ lowercased 92.12853119829202', () => {
		expect(Math.abs(100 * corpusChrf(predictions, references, {}) - 84.64214891738334)).toBeLessThan(1e-9);
		expect(Math.abs(100 * corpusChrf(predictions, references, { wordOrder: 2 }) - 82.87263732906315)).toBeLessThan(1e-9);
		expect(Math.abs(100 * corpusChrf(predictions, references, { wordOrder: 2, lowercase: true }) - 92.12853119829202)).toBeLessThan(1e-9);
	});

	// Lightning-AI/torchmetrics CHRFScore docstring (defaults: char order 6, word order 2, β 2; two references):
	// tensor(0.8640), printed to 4 decimals. torchmetrics averages the orders' F-scores as chrF++.py
	// does, which is sacrebleu's eps_smoothing=True; sacrebleu's default (effective order) gives 0.8648.
	it("torchmetrics' CHRFScore example: chrF++ of 'the cat is on the mat' against two references is 0.8640 (eps smoothing)", () => {
		const references = ['there is a cat on the mat', 'a cat is on the mat'];
		expect(sentenceChrf('the cat is on the mat', references, { wordOrder: 2, epsSmoothing: true })).toBeCloseTo(0.864, 4);
		expect(sentenceChrf('the cat is on the mat', references, { wordOrder: 2 })).toBeCloseTo(0.8648, 4);
	});
});

describe('chrF and chrF++ against sacrebleu\'s definition (reference/similarity_options.py), English and Chinese', () => {
	it('covers both metrics, both cases and both smoothings for Chinese and English', () => {
		const languages = new Set(fixture.chrf.map((entry) => findOptionCase(entry.case).language));
		expect(languages.has('zh') && languages.has('en')).toBe(true);
		expect(new Set(fixture.chrf.map((entry) => `${entry.wordOrder}/${entry.lowercase}/${entry.epsSmoothing}`)).size).toBe(8);
	});

	it.each(fixture.chrf.map((entry) => [`${entry.case}, word order ${entry.wordOrder}${entry.lowercase ? ', lowercased' : ''}${entry.epsSmoothing ? ', eps' : ''}`, entry] as const))(
		'%s',
		(_label, entry) => {
			const testCase = findOptionCase(entry.case);
			const value = sentenceChrf(testCase.hypothesis, testCase.references, { wordOrder: entry.wordOrder, lowercase: entry.lowercase, epsSmoothing: entry.epsSmoothing });
			expect(Math.abs(value - entry.value)).toBeLessThan(1e-12);
		},
	);
});

describe('chrF details', () => {
	it("chrF++'s words: ASCII punctuation split off one end, as sacrebleu's _remove_punctuation", () => {
		expect(chrfWords('(hi) "quoted" a. , end... 😀! x')).toEqual(['(hi', ')', '"quoted', '"', 'a', '.', ',', 'end..', '.', '😀', '!', 'x']);
	});

	it('scores identical texts 1 and disjoint texts 0; empty texts 0', () => {
		expect(sentenceChrf('我喜欢吃苹果', '我喜欢吃苹果')).toBe(1);
		expect(sentenceChrf('abc', 'xyz', { wordOrder: 2 })).toBe(0);
		expect(sentenceChrf('', 'abc')).toBe(0);
		expect(sentenceChrf('abc', '')).toBe(0);
		expect(sentenceChrf('', '')).toBe(0);
	});

	it('picks the reference with the best score, the first on a tie', () => {
		const best = sentenceChrf('the cat', ['a dog', 'the cat', 'the cat']);
		expect(best).toBe(1);
		expect(chrfStatistics('the cat', ['a dog', 'the cats'])).toEqual(chrfStatistics('the cat', ['the cats']));
	});

	it('rejects bad options', () => {
		expect(() => sentenceChrf('a', 'a', { charOrder: 0 })).toThrow(RangeError);
		expect(() => sentenceChrf('a', 'a', { wordOrder: 1.5 })).toThrow(RangeError);
		expect(() => sentenceChrf('a', 'a', { beta: -1 })).toThrow(RangeError);
		expect(() => sentenceChrf('a', [])).toThrow(RangeError);
		expect(() => chrfFromStatistics([1, 2, 3], {})).toThrow(RangeError);
	});
});
