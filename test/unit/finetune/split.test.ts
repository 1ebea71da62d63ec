import {
	assignSplit,
	assignSplitCanonical,
	createDeduper,
	dedupeRows,
	mulberry32,
	splitRows,
	validationCount,
} from '../../../core/finetune/split';
import { canonicalJson } from '../../../core/finetune/canonical';

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ messages: [{ role: 'user', content: `question ${i}` }] }));

describe('mulberry32', () => {
	it('gives the same sequence for the same seed, in [0, 1)', () => {
		const a = mulberry32(42);
		const b = mulberry32(42);
		const first = Array.from({ length: 1000 }, () => a());
		expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
		expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
		expect(new Set(first).size).toBe(1000);
		const other = mulberry32(43);
		expect(Array.from({ length: 5 }, () => other())).not.toEqual(first.slice(0, 5));
	});
});

describe('dedupeRows', () => {
	it('keeps the first of rows that differ only in key order, in the input order', () => {
		const input = [
			{ a: 1, b: { c: 2, d: 3 } },
			{ x: 'other' },
			{ b: { d: 3, c: 2 }, a: 1 },
			{ x: 'other' },
			{ a: 1, b: { c: 2, d: 4 } },
		];
		expect(dedupeRows(input)).toEqual([input[0], input[1], input[4]]);
		expect(dedupeRows(input)[0]).toBe(input[0]);
	});

	it('treats arrays in another order, and values of another type, as different rows', () => {
		expect(dedupeRows([{ a: [1, 2] }, { a: [2, 1] }, { a: '1' }, { a: 1 }])).toHaveLength(4);
	});

	it('handles no rows', () => {
		expect(dedupeRows([])).toEqual([]);
	});
});

describe('createDeduper', () => {
	it('says whether each row is new, and counts the distinct rows', () => {
		const deduper = createDeduper();
		expect(deduper.add({ a: 1, b: 2 })).toBe(true);
		expect(deduper.add({ b: 2, a: 1 })).toBe(false);
		expect(deduper.addCanonical(canonicalJson({ b: 2, a: 1 }))).toBe(false);
		expect(deduper.addCanonical('{"a":2}')).toBe(true);
		expect(deduper.add({ a: 2 })).toBe(false);
		expect(deduper.size).toBe(2);
	});

	it('grows past its first table and still finds every row', () => {
		const deduper = createDeduper(4);
		const many = rows(20_000);
		expect(many.every((row) => deduper.add(row))).toBe(true);
		expect(many.every((row) => !deduper.add(row))).toBe(true);
		expect(deduper.size).toBe(20_000);
	});
});

describe('validationCount', () => {
	it.each([
		[100, 0.1, 10],
		[100, 0, 0],
		[10, 0.05, 1],
		[10, 0.04, 1],
		[2, 0.01, 1],
		[2, 0.99, 1],
		[1, 0.5, 0],
		[0, 0.5, 0],
		[7, 0.5, 4],
		[1000, 0.123, 123],
	])('%i rows at %f → %i for validation', (n, fraction, expected) => {
		expect(validationCount(n, fraction)).toBe(expected);
	});

	it.each([1, -0.1, 1.5, NaN])('refuses the fraction %f', (fraction) => {
		expect(() => validationCount(10, fraction)).toThrow(new RangeError(`the validation fraction must be at least 0 and below 1, got ${fraction}`));
	});
});

describe('splitRows', () => {
	const hundred = rows(100);

	it('gives the same split for the same seed', () => {
		expect(splitRows(hundred, { validationFraction: 0.2, seed: 7 })).toEqual(splitRows(hundred, { validationFraction: 0.2, seed: 7 }));
	});

	it('gives a different split for a different seed', () => {
		const a = splitRows(hundred, { validationFraction: 0.2, seed: 7 }).validation;
		const b = splitRows(hundred, { validationFraction: 0.2, seed: 8 }).validation;
		expect(a).not.toEqual(b);
	});

	it('uses the seed modulo 2^32', () => {
		expect(splitRows(hundred, { validationFraction: 0.2, seed: 1 })).toEqual(splitRows(hundred, { validationFraction: 0.2, seed: 2 ** 32 + 1 }));
	});

	it('puts round(n × fraction) rows in validation, the rest in training, both in input order', () => {
		const { train, validation } = splitRows(hundred, { validationFraction: 0.15, seed: 3 });
		expect(validation).toHaveLength(15);
		expect(train).toHaveLength(85);
		const position = (row: object) => hundred.indexOf(row as (typeof hundred)[number]);
		expect(new Set([...train, ...validation].map(position)).size).toBe(100);
		for (const part of [train, validation]) {
			const positions = part.map(position);
			expect(positions).toEqual([...positions].sort((x, y) => x - y));
		}
	});

	it('keeps at least one validation row when the fraction is above 0, and none at 0', () => {
		expect(splitRows(rows(2), { validationFraction: 0.01, seed: 1 }).validation).toHaveLength(1);
		expect(splitRows(rows(10), { validationFraction: 0, seed: 1 })).toEqual({ train: rows(10), validation: [] });
		expect(splitRows(rows(1), { validationFraction: 0.5, seed: 1 })).toEqual({ train: rows(1), validation: [] });
		expect(splitRows([], { validationFraction: 0.5, seed: 1 })).toEqual({ train: [], validation: [] });
	});

	it('spreads validation picks over the positions across seeds', () => {
		const picks = new Array<number>(10).fill(0);
		const ten = Array.from({ length: 10 }, (_, i) => i);
		for (let seed = 0; seed < 2000; seed++) for (const i of splitRows(ten, { validationFraction: 0.1, seed }).validation) picks[i]++;
		for (const count of picks) expect(count).toBeGreaterThan(120);
	});
});

describe('assignSplit', () => {
	it('decides the same way for the same row and seed, whatever the key order', () => {
		const row = { messages: [{ role: 'user', content: 'Hi' }], extra: 1 };
		const same = { extra: 1, messages: [{ content: 'Hi', role: 'user' }] };
		for (let seed = 0; seed < 50; seed++) expect(assignSplit(same, seed, 0.5)).toBe(assignSplit(row, seed, 0.5));
		expect(assignSplitCanonical(canonicalJson(row), 9, 0.5)).toBe(assignSplit(row, 9, 0.5));
	});

	it('sends about the fraction of rows to validation', () => {
		const many = rows(10_000);
		const validation = many.filter((row) => assignSplit(row, 123, 0.1) === 'validation').length;
		expect(validation).toBeGreaterThan(900);
		expect(validation).toBeLessThan(1100);
		const half = many.filter((row) => assignSplit(row, 5, 0.5) === 'validation').length;
		expect(half).toBeGreaterThan(4850);
		expect(half).toBeLessThan(5150);
	});

	it('picks other rows for another seed, and nothing at fraction 0', () => {
		const hundred = rows(100);
		const pick = (seed: number) => hundred.map((row) => assignSplit(row, seed, 0.2));
		expect(pick(1)).not.toEqual(pick(2));
		expect(hundred.every((row) => assignSplit(row, 1, 0) === 'train')).toBe(true);
	});

	it('is monotone in the fraction: a validation row stays one at a larger fraction', () => {
		const hundred = rows(100);
		for (const row of hundred) if (assignSplit(row, 4, 0.1) === 'validation') expect(assignSplit(row, 4, 0.3)).toBe('validation');
	});

	it('refuses a fraction outside [0, 1)', () => {
		expect(() => assignSplit({}, 1, 1)).toThrow(RangeError);
	});
});
