/**
 * White space as Python's `str.split()`, `str.strip()` and `str.rstrip()` see it, for the
 * tokenisers and metrics whose reference implementations are Python (sacrebleu's tokenisers and
 * chrF, whitespace splitting).
 *
 * Python's white space (`str.isspace()`) is exactly these 29 code points: U+0009..U+000D,
 * U+001C..U+001F, U+0020, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F
 * and U+3000 (checked over every code point with Python 3.11). JavaScript's `\s` differs: it lacks
 * U+001C..U+001F and U+0085 and has U+FEFF, so it is not used here.
 */

const PYTHON_WHITESPACE = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const RUN = new RegExp(`[${PYTHON_WHITESPACE}]+`);
const ALL_RUNS = new RegExp(`[${PYTHON_WHITESPACE}]+`, 'g');

/** Whether a UTF-16 unit is Python white space (all 29 are in the BMP). */
export function isPythonSpace(unit: number): boolean {
	if (unit <= 0x20) return unit === 0x20 || (unit >= 0x09 && unit <= 0x0d) || (unit >= 0x1c && unit <= 0x1f);
	if (unit < 0x85) return false;
	return (
		unit === 0x85 ||
		unit === 0xa0 ||
		unit === 0x1680 ||
		(unit >= 0x2000 && unit <= 0x200a) ||
		unit === 0x2028 ||
		unit === 0x2029 ||
		unit === 0x202f ||
		unit === 0x205f ||
		unit === 0x3000
	);
}

/** Python's `text.split()`: the non-empty runs between white space. */
export function pythonSplit(text: string): string[] {
	const parts = text.split(RUN);
	// Only the first and the last part can be empty (white space at the start or the end).
	if (parts.length > 0 && parts[0] === '') parts.shift();
	if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
	return parts;
}

/** Python's `text.strip()`. */
export function pythonStrip(text: string): string {
	let start = 0;
	while (start < text.length && isPythonSpace(text.charCodeAt(start))) start++;
	return pythonRstrip(text.slice(start));
}

/** Python's `text.rstrip()`. */
export function pythonRstrip(text: string): string {
	let end = text.length;
	while (end > 0 && isPythonSpace(text.charCodeAt(end - 1))) end--;
	return end === text.length ? text : text.slice(0, end);
}

/** Python's `''.join(text.split())`: the text without any white space. */
export function removePythonWhitespace(text: string): string {
	return text.replace(ALL_RUNS, '');
}
