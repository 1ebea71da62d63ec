/**
 * Numbers in reasons. A reason such as "reward 1.0000 < threshold 1" contradicts itself: the value
 * was printed rounded while the comparison used it unrounded. `formatAgainst` prints 4 decimals,
 * or as many more as it takes for the printed number to compare with the threshold as the value
 * does (at worst the shortest text that reads back as the exact value).
 */

const DIGITS = 4;
const MOST_DIGITS = 20;

/** `value` written so that the printed number is on the same side of `threshold` as the value. */
export function formatAgainst(value: number, threshold: number, digits = DIGITS): string {
	const passes = value >= threshold;
	for (let places = digits; places <= MOST_DIGITS; places++) {
		const text = value.toFixed(places);
		if (Number(text) >= threshold === passes) return text;
	}
	return String(value);
}
