/**
 * Cosine similarity of two vectors (embeddings): a·b / (|a| |b|), in [−1, 1].
 *
 * - Vectors of different lengths are a mistake (two embedding models mixed up): RangeError.
 * - A zero vector has no direction; its cosine with anything is defined here as 0 (neither alike
 *   nor opposite). Two empty vectors are zero vectors: 0.
 * - A non-finite component (NaN, ±Infinity) makes the cosine meaningless: RangeError.
 * - Rounding can put |a·b| a hair above |a| |b|; the result is clamped to [−1, 1].
 */

/** Cosine similarity in [−1, 1]; 0 when either vector is all zeros. */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
	if (a.length !== b.length) throw new RangeError(`cosine similarity needs vectors of the same length (got ${a.length} and ${b.length})`);
	let dot = 0;
	let squaredNormA = 0;
	let squaredNormB = 0;
	for (let index = 0; index < a.length; index++) {
		dot += a[index] * b[index];
		squaredNormA += a[index] * a[index];
		squaredNormB += b[index] * b[index];
	}
	if (!Number.isFinite(dot) || !Number.isFinite(squaredNormA) || !Number.isFinite(squaredNormB)) {
		// Either a component is not finite, or squares of huge components overflowed: scaling tells which.
		return scaledCosine(a, b);
	}
	if (squaredNormA === 0 || squaredNormB === 0) {
		// Squares of tiny components (below ~1e-154) can underflow to 0 although the vector is not zero.
		return a.some((value) => value !== 0) && b.some((value) => value !== 0) ? scaledCosine(a, b) : 0;
	}
	return clampToUnit(dot / (Math.sqrt(squaredNormA) * Math.sqrt(squaredNormB)));
}

function clampToUnit(cosine: number): number {
	return Math.min(1, Math.max(-1, cosine));
}

/** The cosine after dividing each vector by its largest absolute component, which keeps the sums finite and non-zero. */
function scaledCosine(a: readonly number[], b: readonly number[]): number {
	const largestA = largestMagnitude(a);
	const largestB = largestMagnitude(b);
	if (!Number.isFinite(largestA) || !Number.isFinite(largestB)) throw new RangeError('cosine similarity needs finite numbers');
	if (largestA === 0 || largestB === 0) return 0;
	let dot = 0;
	let squaredNormA = 0;
	let squaredNormB = 0;
	for (let index = 0; index < a.length; index++) {
		const scaledA = a[index] / largestA;
		const scaledB = b[index] / largestB;
		dot += scaledA * scaledB;
		squaredNormA += scaledA * scaledA;
		squaredNormB += scaledB * scaledB;
	}
	return clampToUnit(dot / (Math.sqrt(squaredNormA) * Math.sqrt(squaredNormB)));
}

/** The largest |component|, or NaN/Infinity when a component is not finite. */
function largestMagnitude(vector: readonly number[]): number {
	let largest = 0;
	for (const value of vector) {
		if (!Number.isFinite(value)) return Number.NaN;
		largest = Math.max(largest, Math.abs(value));
	}
	return largest;
}
