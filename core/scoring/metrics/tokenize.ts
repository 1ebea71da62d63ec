/**
 * The word tokeniser that textBleu and textGleu use (ROUGE has its own, in rouge.ts, because
 * rouge-score defines one).
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

const TOKEN_PATTERN = /[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]/gu;

/** Splits a text into word and punctuation tokens (see the definition above). */
export function tokenize(text: string): string[] {
	return text.match(TOKEN_PATTERN) ?? [];
}
