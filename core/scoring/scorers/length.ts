/**
 * `length`: the output's length in characters, words or tokens lies within [min, max]. An output
 * out of bounds fails (score 0); the error flag is never set, since nothing here can stop the
 * scorer from working (see shared.ts).
 *
 * Units:
 * - characters: Unicode code points (an emoji is 1, not 2 UTF-16 units; a letter with a
 *   combining accent is 2).
 * - words: runs of non-whitespace (whitespace as in JavaScript's `\s`, Unicode spaces included).
 * - tokens: an estimate, not a tokeniser: ceil(characters / 4), the usual rule of thumb for
 *   English text with OpenAI's tokenisers. It undercounts code and most non-Latin scripts
 *   (Chinese or Japanese run close to one token per character).
 */
import { ruleResult, type NegatableConfig } from '../types';
import type { SyncScorer } from './shared';

export type LengthUnit = 'characters' | 'words' | 'tokens';

export interface LengthConfig extends NegatableConfig {
	unit: LengthUnit;
	/** Inclusive lower bound. At least one of min and max is needed. */
	min?: number;
	/** Inclusive upper bound. */
	max?: number;
}

/** Unicode code points, counted without copying the text. */
export function countCodePoints(text: string): number {
	let count = text.length;
	for (let i = 0; i < text.length - 1; i++) {
		const unit = text.charCodeAt(i);
		if (unit >= 0xd800 && unit <= 0xdbff) {
			const next = text.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				count--;
				i++;
			}
		}
	}
	return count;
}

/** The UTF-16 units JavaScript's `\s` matches. */
function isSpace(unit: number): boolean {
	if (unit <= 0x20) return unit === 0x20 || (unit >= 0x09 && unit <= 0x0d);
	if (unit < 0xa0) return false;
	return (
		unit === 0xa0 ||
		unit === 0x1680 ||
		(unit >= 0x2000 && unit <= 0x200a) ||
		unit === 0x2028 ||
		unit === 0x2029 ||
		unit === 0x202f ||
		unit === 0x205f ||
		unit === 0x3000 ||
		unit === 0xfeff
	);
}

/** Runs of non-whitespace, counted without copying the text. */
export function countWords(text: string): number {
	let count = 0;
	let inWord = false;
	for (let i = 0; i < text.length; i++) {
		const space = isSpace(text.charCodeAt(i));
		if (!space && !inWord) count++;
		inWord = !space;
	}
	return count;
}

/** ceil(code points / 4): see the note at the top of this file. */
export function estimateTokens(text: string): number {
	return Math.ceil(countCodePoints(text) / 4);
}

const MEASURE: Record<LengthUnit, (text: string) => number> = {
	characters: countCodePoints,
	words: countWords,
	tokens: estimateTokens,
};

const UNIT_NAME: Record<LengthUnit, string> = {
	characters: 'characters',
	words: 'words',
	tokens: 'tokens (estimated as characters / 4, rounded up)',
};

function readBound(name: string, field: 'min' | 'max', value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const number = typeof value === 'string' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) {
		throw new Error(`${name}: length needs "${field}" as a number >= 0, got ${JSON.stringify(value)}`);
	}
	return number;
}

/** Passes when the output's length in `unit` is within [min, max]; the measured length is in details. */
export function createLengthScorer(name: string, config: LengthConfig): SyncScorer {
	const unit = config.unit;
	if (!Object.hasOwn(MEASURE, unit)) {
		throw new Error(`${name}: length needs "unit" to be characters, words or tokens, got ${JSON.stringify(unit)}`);
	}
	const min = readBound(name, 'min', config.min);
	const max = readBound(name, 'max', config.max);
	if (min === undefined && max === undefined) throw new Error(`${name}: length needs a min, a max or both`);
	if (min !== undefined && max !== undefined && min > max) {
		throw new Error(`${name}: length has min ${min} above max ${max}`);
	}
	const measure = MEASURE[unit];
	const unitName = UNIT_NAME[unit];
	const low = min ?? 0;
	const high = max ?? Infinity;
	const range = max === undefined ? `at least ${low}` : min === undefined ? `at most ${high}` : `within [${low}, ${high}]`;
	const details = (length: number) => ({ length, unit, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
	return {
		name,
		type: 'length',
		score(sample) {
			const length = measure(sample.outputText);
			const matched = length >= low && length <= high;
			const reason = `${length} ${unitName}, ${matched ? '' : 'not '}${range}`;
			return ruleResult(matched, config.negate, reason, details(length));
		},
	};
}
