/**
 * Expected tokens: Python's re.findall(r'[\w]+|[^\w\s]', text) (Python 3.11, Unicode 14), printed by
 *
 *     /usr/bin/python3 test/unit/metrics/reference/word_tokens.py
 *
 * (the table below is its output), and the token lists in fixtures/bleu_gleu.json, made by
 * reference/bleu_gleu.py with the same expression.
 */
import { tokenize } from '../../../core/scoring/metrics/tokenize';
import { fixture } from './bleuGleuFixture';

// [text, Python's tokens]
const PYTHON_TOKENS: [string, string[]][] = [
	["Hello, world!", ["Hello", ",", "world", "!"]],
	["caf\u00e9 na\u00efve \u00dcber stra\u00dfe", ["caf\u00e9", "na\u00efve", "\u00dcber", "stra\u00dfe"]],
	["cafe\u0301 (decomposed accent)", ["cafe", "\u0301", "(", "decomposed", "accent", ")"]],
	["l'\u00e9l\u00e8ve n'est pas l\u00e0...", ["l", "'", "\u00e9l\u00e8ve", "n", "'", "est", "pas", "l\u00e0", ".", ".", "."]],
	["snake_case_var = 42; x2 += 3.14", ["snake_case_var", "=", "42", ";", "x2", "+", "=", "3", ".", "14"]],
	["\u00bd \u216b \u00b2\u00b3 \u0663\u0664 \u65e5\u672c\u8a9e\u30c6\u30ad\u30b9\u30c8", ["\u00bd", "\u216b", "\u00b2\u00b3", "\u0663\u0664", "\u65e5\u672c\u8a9e\u30c6\u30ad\u30b9\u30c8"]],
	["\ud83d\ude00\ud83d\udc4d\ud83c\udffd emoji", ["\ud83d\ude00", "\ud83d\udc4d", "\ud83c\udffd", "emoji"]],
	["tabs\tand\nnewlines\u00a0nbsp\u2003em-space", ["tabs", "and", "newlines", "nbsp", "em", "-", "space"]],
	["", []],
	["   ", []],
	["\u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3 \u1f08\u03b8\u1fc6\u03bd\u03b1\u03b9", ["\u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3", "\u1f08\u03b8\u1fc6\u03bd\u03b1\u03b9"]],
];

describe('tokenize', () => {
	it.each(PYTHON_TOKENS)('splits %j as Python does', (text, expected) => {
		expect(tokenize(text)).toEqual(expected);
	});

	it('gives the same tokens as Python for every text of the BLEU/GLEU fixture', () => {
		for (const testCase of fixture.cases) {
			if (testCase.referenceTokens === null || testCase.hypothesisTokens === null) continue;
			expect(testCase.references.map(tokenize)).toEqual(testCase.referenceTokens);
			expect(tokenize(testCase.hypothesis)).toEqual(testCase.hypothesisTokens);
		}
	});

	it('keeps case and does not normalise', () => {
		expect(tokenize('The THE the')).toEqual(['The', 'THE', 'the']);
		expect(tokenize('caf\u00e9')).not.toEqual(tokenize('cafe\u0301'));
	});

	it('documents where it differs from Python: U+001C..U+001F, U+0085, U+FEFF and post-Unicode-14 letters', () => {
		// Python's str.isspace() counts the information separators and NEL as white space.
		expect(tokenize('a\u001cb')).toEqual(['a', '\u001c', 'b']);
		expect(tokenize('a\u0085b')).toEqual(['a', '\u0085', 'b']);
		// JavaScript's \s counts the byte-order mark as white space.
		expect(tokenize('a\ufeffb')).toEqual(['a', 'b']);
	});

	it('keeps every token of a long text (5,000 words)', () => {
		const text = 'word, '.repeat(5000);
		const tokens = tokenize(text);
		expect(tokens).toHaveLength(10000);
	});
});
