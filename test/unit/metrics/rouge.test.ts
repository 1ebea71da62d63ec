/**
 * Expected values:
 * - Ported from rouge-score's own tests in google-research/google-research:
 *   rouge/rouge_scorer_test.py (commit 61ce9f0ca76025dac5b671c0631e443a9975a8a3), whose "ground
 *   truth" for the *AgainstRouge155 cases comes from runs of the official ROUGE-1.5.5 perl script,
 *   on the first two lines of rouge/testdata/target.txt and rouge/testdata/prediction.txt
 *   (commit 10bf941a5a0625bf27bb8443aa849e9b48fdd5f9), copied below;
 *   rouge/tokenize_test.py (commit 0c1bbe5fc971a1de1a427debc814e66ab4f1e7fa) and
 *   rouge/tokenizers_test.py (commit 30adf0ec5f35f9609c2f1d896005e184195d9146).
 * - ROUGE_TOKENS: printed by `/usr/bin/python3 test/unit/metrics/reference/rouge_tokens.py`, which
 *   runs rouge/tokenize.py's code with NLTK 3.8's default PorterStemmer, as rouge/tokenizers.py does.
 * - The rest (empty, unicode and long texts) follow from the definitions in rouge_scorer.py; each
 *   says how.
 */
import { longestCommonSubsequenceLength, rouge, rougeTokenize, type RougeScore, type RougeType } from '../../../core/scoring/metrics/rouge';
import { longText } from './bleuGleuFixture';

// rouge/testdata/target.txt and prediction.txt, lines 1 and 2 (with their newlines, as readlines() gives them).
const TARGETS = [
	"ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n",
	"KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n",
];
const PREDICTIONS = [
	"rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n",
	"n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n",
];

// [text, tokens, tokens with the stemmer]
const ROUGE_TOKENS: [string, string[], string[]][] = [
	["The quick brown fox jumps over the lazy dog.", ["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"], ["the", "quick", "brown", "fox", "jump", "over", "the", "lazi", "dog"]],
	["Possibly, the dying generously sayings were happily forgotten.", ["possibly", "the", "dying", "generously", "sayings", "were", "happily", "forgotten"], ["possibl", "the", "die", "gener", "say", "were", "happili", "forgotten"]],
	["Le café n'est pas naïve — l'élève İstanbul \u212aelvin", ["le", "caf", "n", "est", "pas", "na", "ve", "l", "l", "ve", "i", "stanbul", "kelvin"], ["le", "caf", "n", "est", "pas", "na", "ve", "l", "l", "ve", "i", "stanbul", "kelvin"]],
	["Numbers 123 and mixed a1b2 tokens under_scored, COVID-19!", ["numbers", "123", "and", "mixed", "a1b2", "tokens", "under", "scored", "covid", "19"], ["number", "123", "and", "mix", "a1b2", "token", "under", "score", "covid", "19"]],
	["日本語のテキスト", [], []],
	["", [], []],
];

/** assertAlmostEqual(expected, actual, places): round(actual − expected, places) == 0. */
function expectAlmostEqual(actual: number, expected: number, places = 7): void {
	expect(Math.abs(actual - expected)).toBeLessThan(0.5 * 10 ** -places);
}

function expectScore(actual: RougeScore, expected: RougeScore, places = 7): void {
	expectAlmostEqual(actual.precision, expected.precision, places);
	expectAlmostEqual(actual.recall, expected.recall, places);
	expectAlmostEqual(actual.fmeasure, expected.fmeasure, places);
}

describe('rouge: rouge_scorer_test.py', () => {
	it('testRouge1', () => {
		expectScore(rouge('testing one two', 'testing', 'rouge1'), { precision: 1, recall: 1 / 3, fmeasure: 1 / 2 });
	});

	it.each(['rouge1', 'rouge2', 'rougeL'] as const)('testRougeEmpty %s', (type) => {
		expectScore(rouge('testing one two', '', type), { precision: 0, recall: 0, fmeasure: 0 });
	});

	it('testRouge2', () => {
		expectScore(rouge('testing one two', 'testing one', 'rouge2'), { precision: 1, recall: 1 / 2, fmeasure: 2 / 3 });
	});

	it('testRougeLConsecutive', () => {
		expectScore(rouge('testing one two', 'testing one', 'rougeL'), { precision: 1, recall: 2 / 3, fmeasure: 4 / 5 });
	});

	it('testRougeLNonConsecutive', () => {
		expectScore(rouge('testing one two', 'testing two', 'rougeL'), { precision: 1, recall: 2 / 3, fmeasure: 4 / 5 });
	});

	it('testMultipleRougeTypes', () => {
		expectScore(rouge('testing one two', 'testing one', 'rouge1'), { precision: 1, recall: 2 / 3, fmeasure: 4 / 5 });
		expectScore(rouge('testing one two', 'testing one', 'rougeL'), { precision: 1, recall: 2 / 3, fmeasure: 4 / 5 });
	});

	// [test, type, stemmer, [recall, precision, fmeasure] for line 1, the same for line 2]
	const AGAINST_ROUGE_155: [string, RougeType, boolean, number[], number[]][] = [
		['testRouge1AgainstRouge155', 'rouge1', false, [0.40741, 0.6875, 0.51163], [0.40476, 0.65385, 0.5]],
		['testRouge1AgainstRouge155WithStemming', 'rouge1', true, [0.40741, 0.6875, 0.51163], [0.42857, 0.69231, 0.52941]],
		['testRouge2AgainstRouge155', 'rouge2', false, [0.30769, 0.53333, 0.39024], [0.29268, 0.48, 0.36364]],
		['testRouge2AgainstRouge155WithStemming', 'rouge2', true, [0.30769, 0.53333, 0.39024], [0.29268, 0.48, 0.36364]],
		['testRougeLAgainstRouge155', 'rougeL', false, [0.40741, 0.6875, 0.51163], [0.40476, 0.65385, 0.5]],
	];

	it.each(AGAINST_ROUGE_155)('%s', (_test, type, stemmer, ...lines) => {
		lines.forEach(([recall, precision, fmeasure], index) => {
			expectScore(rouge(TARGETS[index], PREDICTIONS[index], type, { stemmer }), { precision, recall, fmeasure }, 5);
		});
	});

	it('testRougeTokenizerInit', () => {
		expect(rouge('this is a test', 'this is a test', 'rouge1').fmeasure).toBe(1);
	});

	it('testLcsTable (the LCS length)', () => {
		const reference = ['1', '2', '3', '4', '5'];
		expect(longestCommonSubsequenceLength(reference, ['2', '5', '3', '4'])).toBe(3);
		expect(longestCommonSubsequenceLength(reference, ['8', '9'])).toBe(0);
	});

	it.each(['rougen', 'rouge0', 'rouge10'])('testInvalidRougeTypes %s', (type) => {
		expect(() => rouge('testing one two', 'testing', type as RougeType)).toThrow(RangeError);
	});
});

describe('rougeTokenize', () => {
	it('tokenize_test.py', () => {
		expect(rougeTokenize('one Two three')).toEqual(['one', 'two', 'three']);
		expect(rougeTokenize('one\n Two \nthree')).toEqual(['one', 'two', 'three']);
	});

	it('tokenizers_test.py', () => {
		expect(rougeTokenize('this is a test')).toEqual(['this', 'is', 'a', 'test']);
		expect(rougeTokenize('the friends had a meeting', true)).toEqual(['the', 'friend', 'had', 'a', 'meet']);
	});

	it.each(ROUGE_TOKENS)('%j as rouge-score', (text, tokens, stemmedTokens) => {
		expect(rougeTokenize(text)).toEqual(tokens);
		expect(rougeTokenize(text, true)).toEqual(stemmedTokens);
	});

	it("stems with NLTK's extensions, as rouge-score's PorterStemmer() does", () => {
		// ORIGINAL_ALGORITHM would give 'dy' and 'possibli'.
		expect(rougeTokenize('dying possibly', true)).toEqual(['die', 'possibl']);
	});

	it('does not stem tokens of 3 characters or fewer', () => {
		expect(rougeTokenize('cats dogs ties', true)).toEqual(['cat', 'dog', 'tie']);
		expect(rougeTokenize('is was', true)).toEqual(['is', 'was']);
	});
});

describe('rouge edge cases', () => {
	const zero: RougeScore = { precision: 0, recall: 0, fmeasure: 0 };

	it.each(['rouge1', 'rouge2', 'rougeL'] as const)('%s: an empty reference, an empty candidate or both score 0', (type) => {
		expect(rouge('', 'testing one two', type)).toEqual(zero);
		expect(rouge('testing one two', '', type)).toEqual(zero);
		expect(rouge('', '', type)).toEqual(zero);
		// Text with no ASCII letter or digit has no token.
		expect(rouge('日本語のテキスト', '日本語のテキスト', type)).toEqual(zero);
		expect(rouge('!!!', '...', type)).toEqual(zero);
	});

	it('rouge2 of one-token texts: no bigram, so 0 even when equal', () => {
		expect(rouge('hello', 'hello', 'rouge2')).toEqual(zero);
		expect(rouge('hello', 'hello', 'rouge1').fmeasure).toBe(1);
	});

	it('keeps only ASCII letters and digits of unicode text', () => {
		// "café naïve" gives caf, na, ve and "cafe naive" gives cafe, naive: nothing in common.
		expect(rouge('café naïve', 'cafe naive', 'rouge1')).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
		expectScore(rouge('café naïve', 'café naïve', 'rouge1'), { precision: 1, recall: 1, fmeasure: 1 });
	});

	it('counts clipped n-gram overlaps', () => {
		// Reference "the cat the cat": the ×2, cat ×2; candidate "the the the": overlap min(2, 3) = 2.
		expectScore(rouge('the cat the cat', 'the the the', 'rouge1'), { precision: 2 / 3, recall: 2 / 4, fmeasure: (2 * (2 / 3) * (2 / 4)) / (2 / 3 + 2 / 4) });
	});

	it('handles long texts (5,000 words each) with sane values', () => {
		const reference = longText(5000, false);
		const candidate = longText(5000, true);
		for (const type of ['rouge1', 'rouge2', 'rougeL'] as const) {
			const score = rouge(reference, candidate, type, { stemmer: true });
			expect(score.fmeasure).toBeGreaterThan(0.7);
			expect(score.fmeasure).toBeLessThan(1);
		}
		// Every 10th word differs, so the LCS keeps 9 words of 10: 4,500 of 5,000.
		expectScore(rouge(reference, candidate, 'rougeL'), { precision: 0.9, recall: 0.9, fmeasure: 0.9 }, 3);
		expect(rouge(reference, reference, 'rougeL').fmeasure).toBe(1);
	});

	it('is not symmetric in precision and recall: recall is against the reference', () => {
		const score = rouge('one two three four', 'one two', 'rouge1');
		expect(score.precision).toBe(1);
		expect(score.recall).toBe(0.5);
	});
});
