/**
 * Text-similarity metrics: pure functions with no n8n types and no dependencies. Each file documents
 * its definition and edge cases, and names the reference implementation its tests compare against.
 */
export { sentenceBleu, textBleu, type BleuOptions, type BleuSmoothing } from './bleu';
export { cosineScore, cosineSimilarity } from './cosine';
export { sentenceGleu, textGleu } from './gleu';
export { fuzzyRatio, levenshteinDistance } from './levenshtein';
export { porterStem, type PorterMode } from './porterStemmer';
export { longestCommonSubsequenceLength, rouge, rougeTokenize, type RougeOptions, type RougeScore, type RougeType } from './rouge';
export { tokenize } from './tokenize';
