/**
 * Deduplication and the train/validation split, both deterministic. Two rows are duplicates when
 * their canonical JSON (sorted keys) is the same; the deduper keeps a SHA-256 digest of that text
 * per distinct row, never the row, so a stream of any length is deduplicated.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, fnv1a64 } from './canonical';

export interface Deduper {
	/** Records the row; true when it was not seen before. */
	add(row: unknown): boolean;
	/** The same, for a row already written as canonicalJson (saves writing it twice). */
	addCanonical(canonical: string): boolean;
	/** Distinct rows seen. */
	readonly size: number;
}

/** A deduplicator for streams: a Set of the distinct rows' digests. */
export function createDeduper(): Deduper {
	const seen = new Set<string>();
	const addCanonical = (canonical: string): boolean => {
		const digest = createHash('sha256').update(canonical).digest('base64');
		if (seen.has(digest)) return false;
		seen.add(digest);
		return true;
	};
	return {
		add: (row) => addCanonical(canonicalJson(row)),
		addCanonical,
		get size() {
			return seen.size;
		},
	};
}

function checkFraction(fraction: number): void {
	if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`the validation fraction must be at least 0 and below 1, got ${fraction}`);
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(value: number): number {
	let h = value >>> 0;
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
	return (h ^ (h >>> 16)) >>> 0;
}

/** The row's position in [0, 1) for a seed: a hash of (seed, canonical row). */
export function splitPoint(canonical: string, seed: number): number {
	const { hi, lo } = fnv1a64(canonical, seed);
	return fmix32(hi ^ fmix32(lo)) / 4294967296;
}

/**
 * The split: decides one row at a time from a hash of (seed, canonical row), so a file of any size
 * is split without holding it, and a row lands on the same side wherever it appears. Each row goes
 * to validation with probability `fraction`, so the validation share is only approximately the
 * fraction (a binomial count: for 10,000 rows at 0.1, 1,000 ± about 30) and may be 0 for few rows.
 * `canonical` is the row as canonicalJson writes it.
 */
export function assignSplitCanonical(canonical: string, seed: number, fraction: number): 'train' | 'validation' {
	checkFraction(fraction);
	return splitPoint(canonical, seed) < fraction ? 'validation' : 'train';
}
