/**
 * Text-similarity metrics: pure functions with no n8n types and no dependencies. Each file documents
 * its definition and edge cases, and names the reference implementation its tests compare against.
 */
export { BLEU_SMOOTHINGS, BleuUndefinedError, corpusBleu, sentenceBleu, textBleu, type BleuOptions, type BleuSmoothing } from './bleu';
export { chrfFromStatistics, chrfStatistics, chrfWords, sentenceChrf, type ChrfOptions } from './chrf';
export { cosineScore, cosineSimilarity } from './cosine';
export { sentenceGleu, textGleu } from './gleu';
export { fuzzyRatio, levenshteinDistance } from './levenshtein';
export { porterStem, type PorterMode } from './porterStemmer';
export {
	longestCommonSubsequenceLength,
	rouge,
	rougeFromTokens,
	rougeTokenize,
	ROUGE_TOKENIZERS,
	type RougeOptions,
	type RougeScore,
	type RougeTokenizer,
	type RougeType,
} from './rouge';
export { isZhCharacter, sacrebleuTokens, ZH_CHARACTER_RANGES, type SacrebleuTokenizer } from './sacrebleuTokenizers';
export { tokenize, tokenizeText, WORD_TOKENIZERS, type TokenizeOptions, type WordTokenizer } from './tokenize';
export { pythonRstrip, pythonSplit, pythonStrip, removePythonWhitespace } from './whitespace';
