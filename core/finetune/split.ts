/**
 * Deduplication and the train/validation split, both deterministic. Two rows are duplicates when
 * their canonical JSON (sorted keys) is the same; rows are compared by a 64-bit hash of that text,
 * so a stream of any length is deduplicated in about 16 bytes per distinct row. Two different rows
 * share a hash with a probability of about n² / 2^65 (below 3·10⁻⁸ for a million rows), in which
 * case the later one is dropped as a duplicate.
 */
import { canonicalJson, fnv1a64, type Hash64 } from './canonical';

import { mulberry32 } from '../random';

export { mulberry32 };

export interface Deduper {
	/** Records the row; true when it was not seen before. */
	add(row: unknown): boolean;
	/** The same, for a row already written as canonicalJson (saves writing it twice). */
	addCanonical(canonical: string): boolean;
	/** Distinct rows seen. */
	readonly size: number;
}

/**
 * A deduplicator for streams: it keeps each distinct row's 64-bit hash in an open-addressing table
 * of two Uint32Arrays (8 bytes a slot, 3/8 to 3/4 full, so 11 to 21 bytes a row), never the rows.
 */
export function createDeduper(initialCapacity = 1024): Deduper {
	let capacity = 1;
	while (capacity < initialCapacity) capacity *= 2;
	let his = new Uint32Array(capacity);
	let los = new Uint32Array(capacity);
	// (0, 0) marks an empty slot; the one row whose hash is (0, 0) is remembered apart.
	let zeroSeen = false;
	let size = 0;

	const slotOf = (hi: number, lo: number, mask: number): number => (Math.imul(lo ^ hi, 0x9e3779b1) >>> 0) & mask;

	/** Puts the hash in the table; false if it was there. */
	const insert = (hi: number, lo: number): boolean => {
		const mask = capacity - 1;
		let slot = slotOf(hi, lo, mask);
		while (his[slot] !== 0 || los[slot] !== 0) {
			if (his[slot] === hi && los[slot] === lo) return false;
			slot = (slot + 1) & mask;
		}
		his[slot] = hi;
		los[slot] = lo;
		return true;
	};

	const grow = (): void => {
		const oldHis = his;
		const oldLos = los;
		capacity *= 2;
		his = new Uint32Array(capacity);
		los = new Uint32Array(capacity);
		for (let i = 0; i < oldHis.length; i++) if (oldHis[i] !== 0 || oldLos[i] !== 0) insert(oldHis[i], oldLos[i]);
	};

	const addHash = ({ hi, lo }: Hash64): boolean => {
		if (hi === 0 && lo === 0) {
			if (zeroSeen) return false;
			zeroSeen = true;
			size++;
			return true;
		}
		if (!insert(hi, lo)) return false;
		size++;
		if (size * 4 > capacity * 3) grow();
		return true;
	};

	return {
		add: (row) => addHash(fnv1a64(canonicalJson(row))),
		addCanonical: (canonical) => addHash(fnv1a64(canonical)),
		get size() {
			return size;
		},
	};
}

/** The rows without duplicates, first occurrences kept, in their order. */
export function dedupeRows<T>(rows: readonly T[]): T[] {
	const deduper = createDeduper(rows.length * 2);
	return rows.filter((row) => deduper.add(row));
}

export interface SplitOptions {
	/** The share of rows for validation, from 0 (none) up to but excluding 1. */
	validationFraction: number;
	/** Any integer; it is used modulo 2^32. */
	seed: number;
}

export interface SplitResult<T> {
	train: T[];
	validation: T[];
}

function checkFraction(fraction: number): void {
	if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`the validation fraction must be at least 0 and below 1, got ${fraction}`);
}

/** How many of n rows go to validation: round(n × fraction), at least 1 when fraction > 0 and n ≥ 2, leaving training at least 1. */
export function validationCount(n: number, fraction: number): number {
	checkFraction(fraction);
	if (fraction === 0 || n < 2) return 0;
	return Math.min(Math.max(Math.round(n * fraction), 1), n - 1);
}

/**
 * A seeded split: validationCount(n, fraction) rows, chosen by a partial Fisher-Yates shuffle of
 * the positions driven by mulberry32(seed), go to validation. Both parts keep the input order. The
 * same rows and seed always give the same split.
 */
export function splitRows<T>(rows: readonly T[], options: SplitOptions): SplitResult<T> {
	const n = rows.length;
	const k = validationCount(n, options.validationFraction);
	const random = mulberry32(options.seed);
	const positions = Array.from({ length: n }, (_, i) => i);
	const chosen = new Uint8Array(n);
	for (let i = 0; i < k; i++) {
		const j = i + Math.floor(random() * (n - i));
		[positions[i], positions[j]] = [positions[j], positions[i]];
		chosen[positions[i]] = 1;
	}
	const result: SplitResult<T> = { train: [], validation: [] };
	rows.forEach((row, i) => (chosen[i] ? result.validation : result.train).push(row));
	return result;
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
 * The streaming split: decides one row at a time from a hash of (seed, canonical row), so a file
 * of any size is split without holding it, and a row lands on the same side wherever it appears.
 * Each row goes to validation with probability `fraction`, so the validation share is only
 * approximately the fraction (a binomial count: for 10,000 rows at 0.1, 1,000 ± about 30) and may
 * be 0 for few rows; use splitRows when the rows fit in memory and the count must be exact.
 */
export function assignSplit(row: unknown, seed: number, fraction: number): 'train' | 'validation' {
	return assignSplitCanonical(canonicalJson(row), seed, fraction);
}

/** assignSplit for a row already written as canonicalJson. */
export function assignSplitCanonical(canonical: string, seed: number, fraction: number): 'train' | 'validation' {
	checkFraction(fraction);
	return splitPoint(canonical, seed) < fraction ? 'validation' : 'train';
}
