import { mulberry32 } from '../../core/random';

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
