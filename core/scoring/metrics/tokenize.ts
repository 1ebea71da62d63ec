/**
 * The tokenisers that textBleu and textGleu use (ROUGE has its own, in rouge.ts, because
 * rouge-score defines one). `words` (the default, `tokenize` below) is this project's own;
 * `whitespace` is Python's `str.split()` (sacrebleu's `none`); `13a`, `intl`, `zh` and `char` are
 * sacrebleu's (sacrebleuTokenizers.ts). Lowercasing, when asked, comes first, as in sacrebleu.
 *
 * The `words` tokeniser:
 *
 * Definition: the tokens of a text are the successive matches of
 *
 *     /[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]/gu
 *
 * that is, every maximal run of letters (any script), numbers (categories Nd, Nl and No) and
 * underscores is one token, and every other character that is not white space (punctuation,
 * symbols, emoji, combining marks standing alone) is a token of its own. White space separates
 * tokens and is dropped. Case is kept (NLTK's BLEU and GLEU compare tokens exactly) and the text
 * is not Unicode-normalised: "café" typed with a combining accent (e + U+0301) gives the tokens
 * "cafe" and "\u0301", as Python does. Characters are code points, so an astral emoji is one token.
 *
 * Python equivalent, used for the reference values in test/unit/metrics:
 *
 *     re.findall(r'[\w]+|[^\w\s]', text)
 *
 * Python's `\w` for str patterns is "alphanumeric (str.isalnum) or underscore", which for every code
 * point of Unicode 14 (Python 3.11's database) is exactly [\p{L}\p{N}_]. A check over all 1,114,112
 * code points against Node 20 (Unicode 17) finds differences only in: letters assigned after
 * Unicode 14 (Python treats them as punctuation), U+001C..U+001F and U+0085 (white space for
 * Python, punctuation here) and U+FEFF (white space here, punctuation for Python).
 */

import { sacrebleuTokens } from './sacrebleuTokenizers';
import { pythonSplit } from './whitespace';

export const WORD_TOKENIZERS = ['words', 'whitespace', '13a', 'intl', 'zh', 'char'] as const;
export type WordTokenizer = (typeof WORD_TOKENIZERS)[number];

export interface TokenizeOptions {
	/** Default 'words'. */
	tokenizer?: WordTokenizer;
	/** Lowercase the text first (JavaScript's toLowerCase, which equals Python's str.lower() but for a few characters). Default false. */
	lowercase?: boolean;
}

const TOKEN_PATTERN = /[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]/gu;

/** Splits a text into word and punctuation tokens (see the definition above). */
export function tokenize(text: string): string[] {
	return text.match(TOKEN_PATTERN) ?? [];
}

/** The tokens of a text with the chosen tokeniser; an unknown tokeniser name throws a RangeError. */
export function tokenizeText(text: string, options: TokenizeOptions = {}): string[] {
	const tokenizer = options.tokenizer ?? 'words';
	const line = options.lowercase ? text.toLowerCase() : text;
	switch (tokenizer) {
		case 'words':
			return tokenize(line);
		case 'whitespace':
			return pythonSplit(line);
		case '13a':
		case 'intl':
		case 'zh':
		case 'char':
			return sacrebleuTokens(line, tokenizer);
		default:
			throw new RangeError(`unknown tokenizer ${JSON.stringify(tokenizer)} (known: ${WORD_TOKENIZERS.join(', ')})`);
	}
}
