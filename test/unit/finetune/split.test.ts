import { assignSplitCanonical, createDeduper } from '../../../core/finetune/split';
import { canonicalJson } from '../../../core/finetune/canonical';

/** The split of a row, as the dataset builder calls it (with the row's canonical JSON). */
const assignSplit = (row: unknown, seed: number, fraction: number) => assignSplitCanonical(canonicalJson(row), seed, fraction);

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ messages: [{ role: 'user', content: `question ${i}` }] }));

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

	it('finds every row of many', () => {
		const deduper = createDeduper();
		const many = rows(20_000);
		expect(many.every((row) => deduper.add(row))).toBe(true);
		expect(many.every((row) => !deduper.add(row))).toBe(true);
		expect(deduper.size).toBe(20_000);
	});
});

describe('assignSplitCanonical', () => {
	it('decides the same way for the same row and seed, whatever the key order', () => {
		const row = { messages: [{ role: 'user', content: 'Hi' }], extra: 1 };
		const same = { extra: 1, messages: [{ content: 'Hi', role: 'user' }] };
		for (let seed = 0; seed < 50; seed++) expect(assignSplit(same, seed, 0.5)).toBe(assignSplit(row, seed, 0.5));
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
