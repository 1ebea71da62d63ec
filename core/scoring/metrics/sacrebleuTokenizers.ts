/**
 * sacrebleu's tokenisers `13a`, `intl`, `zh` and `char` (sacrebleu 2.x, sacrebleu/tokenizers/),
 * each returning the tokens that sacrebleu's BLEU then counts (it splits the tokenised line with
 * Python's `str.split()`). Written from their definitions:
 *
 * - **13a** (mteval-v13a.pl, WMT's standard): remove `<skipped>`, join lines broken after a hyphen
 *   (`-\n`), turn the other line breaks into spaces, unescape `&quot;` `&amp;` `&lt;` `&gt;` (only
 *   when the text has an `&`), pad with a space on each side, then the four "regexp" rules:
 *   1. put spaces around each of `{ | } ~ [ \ ] ^ _ \``, the space, `! " # $ % &`, `( ) * +`,
 *      `: ; < = > ? @` and `/` (ASCII punctuation except `'`, `,`, `-` and `.`);
 *   2. split off `.` or `,` after a character that is not a digit: `X.` → `X . `;
 *   3. split off `.` or `,` before a character that is not a digit: `.X` → ` . X`;
 *   4. split off `-` after a digit: `9-` → `9 - `;
 *   each rule is one left-to-right pass with non-overlapping matches (Python's `re.sub`, which
 *   JavaScript's global `replace` equals here).
 * - **intl** (mteval-v14.pl's international tokenisation): split off Unicode punctuation (\p{P})
 *   that follows a non-number (\P{N}) and punctuation that precedes a non-number, then put spaces
 *   around every symbol (\p{S}). So `3.14` and `1,000` stay whole, and a number followed by a
 *   final dot (`in 2019.`) keeps it, as mteval-v14.pl does.
 * - **zh** (Shujian Huang's Chinese tokeniser in sacrebleu): strip the text, put spaces around
 *   every "Chinese character", then apply the four regexp rules above (without 13a's unescaping
 *   and padding). "Chinese characters" are those of sacrebleu's table `_UCODE_RANGES`, as Python
 *   reads it: two entries are written with five hex digits (`\u20000`, `\u2a6d6`, `\u2f800`,
 *   `\u2fa1d`), which Python reads as a four-digit escape and one more character, so that
 *   sacrebleu compares each character with two-character strings. In effect U+2001..U+2A6D
 *   (general punctuation such as — “ ” …, currency signs, arrows, mathematical operators, box
 *   drawing, dingbats) count as Chinese characters, and CJK Extension B (U+20000..U+2A6D6) does not.
 *   The ranges below are that effect, checked against Python over every code point
 *   (test/unit/metrics/reference/similarity_options.py).
 * - **char**: every character (code point) that is not white space is a token.
 *
 * sacrebleu's BLEU lowercases (when asked) and strips white space at the end of the text
 * (`rstrip`) before tokenising; `sacrebleuTokens` does the same. Unicode categories (\p{P},
 * \p{N}, \p{S}) are Node's (its ICU's Unicode version), which may differ from the `regex` module's
 * for characters added in recent Unicode versions.
 */
import { isPythonSpace, pythonRstrip, pythonSplit, pythonStrip } from './whitespace';

export type SacrebleuTokenizer = '13a' | 'intl' | 'zh' | 'char';

/** Rule 1 of the regexp tokeniser: the ASCII punctuation that is always split off. */
const ALWAYS_SPLIT = /[{-~[-` -&(-+:-@/]/gu;
/** Rules 2 and 3: a period or comma next to a non-digit. */
const PERIOD_COMMA_AFTER_NON_DIGIT = /([^0-9])([.,])/gu;
const PERIOD_COMMA_BEFORE_NON_DIGIT = /([.,])([^0-9])/gu;
/** Rule 4: a dash after a digit. */
const DASH_AFTER_DIGIT = /([0-9])(-)/gu;

/** sacrebleu's TokenizerRegexp: the four rules, then single spaces (here: the tokens). */
function regexpTokens(line: string): string[] {
	const spaced = line
		.replace(ALWAYS_SPLIT, ' $& ')
		.replace(PERIOD_COMMA_AFTER_NON_DIGIT, '$1 $2 ')
		.replace(PERIOD_COMMA_BEFORE_NON_DIGIT, ' $1 $2')
		.replace(DASH_AFTER_DIGIT, '$1 $2 ');
	return pythonSplit(spaced);
}

function tokens13a(line: string): string[] {
	let text = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
	if (text.includes('&')) text = text.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
	return regexpTokens(` ${text} `);
}

const PUNCTUATION_AFTER_NON_NUMBER = /(\P{N})(\p{P})/gu;
const PUNCTUATION_BEFORE_NON_NUMBER = /(\p{P})(\P{N})/gu;
const SYMBOL = /\p{S}/gu;

function tokensIntl(line: string): string[] {
	const spaced = line.replace(PUNCTUATION_AFTER_NON_NUMBER, '$1 $2 ').replace(PUNCTUATION_BEFORE_NON_NUMBER, ' $1 $2').replace(SYMBOL, ' $& ');
	return pythonSplit(spaced);
}

/**
 * The code points sacrebleu's zh tokeniser treats as Chinese characters (see above), merged into
 * ranges. All are in the Basic Multilingual Plane, so a UTF-16 pattern finds them.
 */
export const ZH_CHARACTER_RANGES: readonly (readonly [number, number])[] = [
	[0x2001, 0x2a6d],
	[0x2e80, 0x2fdf],
	[0x2ff0, 0x303f],
	[0x3100, 0x312f],
	[0x31a0, 0x31ef],
	[0x3200, 0x4db5],
	[0x4e00, 0x9fbb],
	[0xf900, 0xfa2d],
	[0xfa30, 0xfa6a],
	[0xfa70, 0xfad9],
	[0xfe10, 0xfe1f],
	[0xfe30, 0xfe4f],
	[0xff00, 0xffef],
];

const hex = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;
const ZH_CHARACTER = new RegExp(`[${ZH_CHARACTER_RANGES.map(([low, high]) => `${hex(low)}-${hex(high)}`).join('')}]`, 'g');

/** Whether sacrebleu's zh tokeniser treats the code point as a Chinese character. */
export function isZhCharacter(codePoint: number): boolean {
	for (const [low, high] of ZH_CHARACTER_RANGES) if (codePoint >= low && codePoint <= high) return true;
	return false;
}

function tokensZh(line: string): string[] {
	return regexpTokens(pythonStrip(line).replace(ZH_CHARACTER, ' $& '));
}

function tokensChar(line: string): string[] {
	const tokens: string[] = [];
	for (const character of line) if (!isPythonSpace(character.charCodeAt(0))) tokens.push(character);
	return tokens;
}

/** The tokens sacrebleu's BLEU counts for `text` with that tokeniser (after rstrip, as sacrebleu). */
export function sacrebleuTokens(text: string, tokenizer: SacrebleuTokenizer): string[] {
	const line = pythonRstrip(text);
	switch (tokenizer) {
		case '13a':
			return tokens13a(line);
		case 'intl':
			return tokensIntl(line);
		case 'zh':
			return tokensZh(line);
		case 'char':
			return tokensChar(line);
	}
}
