/**
 * The n-gram index behind BLEU and GLEU, checked against a plain count with string keys (tokens
 * joined by a character no test token contains). No external reference: bleu.test.ts and
 * gleu.test.ts compare the metrics built on it with NLTK.
 */
import { sentenceBleu } from '../../../core/scoring/metrics/bleu';
import { NgramIndex } from '../../../core/scoring/metrics/ngrams';

const SEPARATOR = '\u0001';

function plainCounts(tokens: readonly string[], minOrder: number, maxOrder: number): Map<string, number> {
	const counts = new Map<string, number>();
	for (let order = minOrder; order <= maxOrder; order++) {
		for (let start = 0; start + order <= tokens.length; start++) {
			const key = tokens.slice(start, start + order).join(SEPARATOR);
			counts.set(key, (counts.get(key) ?? 0) + 1);
		}
	}
	return counts;
}

/** Σ min(hypothesis count, reference count) over n-grams of orders minOrder..maxOrder. */
function plainOverlap(hypothesis: readonly string[], reference: readonly string[], minOrder: number, maxOrder: number): number {
	const hypothesisCounts = plainCounts(hypothesis, minOrder, maxOrder);
	let overlap = 0;
	for (const [key, count] of plainCounts(reference, minOrder, maxOrder)) overlap += Math.min(count, hypothesisCounts.get(key) ?? 0);
	return overlap;
}

function indexedOverlap(hypothesis: readonly string[], reference: readonly string[], minOrder: number, maxOrder: number): number {
	const index = new NgramIndex([hypothesis, reference], maxOrder);
	const hypothesisCounts = index.countNgrams(minOrder, maxOrder);
	const { ids, counts } = index.countKnownNgrams(index.sentences[1], minOrder, maxOrder, hypothesisCounts);
	let overlap = 0;
	for (const id of ids) overlap += Math.min(counts[id], hypothesisCounts.counts[id]);
	return overlap;
}

let seed = 7;
function nextRandom(): number {
	seed = (seed * 16807) % 2147483647;
	return seed / 2147483647;
}

function randomTokens(length: number, vocabulary: number): string[] {
	return Array.from({ length }, () => `t${Math.floor(nextRandom() * vocabulary)}`);
}

describe('NgramIndex', () => {
	it('counts overlaps as a plain string-keyed count does, on 300 random pairs', () => {
		for (let trial = 0; trial < 300; trial++) {
			const vocabulary = 1 + Math.floor(nextRandom() * 12);
			const hypothesis = randomTokens(Math.floor(nextRandom() * 40), vocabulary);
			const reference = randomTokens(Math.floor(nextRandom() * 40), vocabulary);
			const minOrder = 1 + Math.floor(nextRandom() * 3);
			const maxOrder = minOrder + Math.floor(nextRandom() * 3);
			expect([trial, indexedOverlap(hypothesis, reference, minOrder, maxOrder)]).toEqual([trial, plainOverlap(hypothesis, reference, minOrder, maxOrder)]);
		}
	});

	it('gives the same counts after a very long text has grown its shared buffers', () => {
		const hypothesis = randomTokens(30, 5);
		const reference = randomTokens(30, 5);
		const before = indexedOverlap(hypothesis, reference, 1, 4);
		indexedOverlap(randomTokens(50_000, 30_000), randomTokens(50_000, 30_000), 1, 4);
		expect(indexedOverlap(hypothesis, reference, 1, 4)).toBe(before);
		expect(before).toBe(plainOverlap(hypothesis, reference, 1, 4));
	});

	it('keeps lookup keys exact past 2^32 (a vocabulary of 60,000 tokens)', () => {
		// Key = n-gram id · vocabulary + token id reaches about 240,000 · 60,000 ≈ 1.4e10.
		const tokens = Array.from({ length: 60_000 }, (_unused, index) => `w${index}`);
		expect(sentenceBleu([tokens], tokens)).toBe(1);
		const shifted = [...tokens.slice(1), tokens[0]];
		expect(indexedOverlap(shifted, tokens, 4, 4)).toBe(60_000 - 4);
	});

	it('refuses to be used after a newer index took over the shared buffers', () => {
		const older = new NgramIndex([['a', 'b']], 2);
		const newer = new NgramIndex([['c']], 2);
		expect(() => older.countNgrams(1, 2)).toThrow(/newer/);
		expect(() => newer.countNgrams(1, 2)).not.toThrow();
	});

	it('counts the hypothesis once, before any reference', () => {
		const index = new NgramIndex([['a'], ['a']], 1);
		const counts = index.countNgrams(1, 1);
		expect(() => index.countNgrams(1, 1)).toThrow();
		expect(index.countKnownNgrams(index.sentences[1], 1, 1, counts).ids).toHaveLength(1);
		const fresh = new NgramIndex([['a'], ['a']], 1);
		expect(() => fresh.countKnownNgrams(fresh.sentences[1], 1, 1, counts)).toThrow(/first/);
	});
});
