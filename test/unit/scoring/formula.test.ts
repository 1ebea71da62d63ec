import { compileFormula, FormulaError } from '../../../core/scoring/formula';

const calc = (source: string, values: Record<string, number> = {}) => compileFormula(source).evaluate(values);

/** The FormulaError `run` throws, for checking its message and position. */
function errorOf(run: () => unknown): FormulaError {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(FormulaError);
		return error as FormulaError;
	}
	throw new Error('expected a FormulaError');
}

describe('compileFormula: numbers', () => {
	it.each([
		['0', 0],
		['42', 42],
		['3.25', 3.25],
		['.5', 0.5],
		['5.', 5],
		['1e3', 1000],
		['1e-3', 0.001],
		['2.5E+2', 250],
		['007', 7],
		['  7\n', 7],
	])('%s = %s', (source, value) => {
		expect(calc(source)).toBe(value);
	});
});

describe('compileFormula: operators', () => {
	it.each([
		['1 + 2 * 3', 7],
		['(1 + 2) * 3', 9],
		['10 - 4 - 3', 3],
		['100 / 10 / 5', 2],
		['8 / 2 * 4', 16],
		['2 * 3 + 4 * 5', 26],
		['2 ^ 3', 8],
		['2 ^ 3 ^ 2', 512],
		['(2 ^ 3) ^ 2', 64],
		['-2 ^ 2', -4],
		['(-2) ^ 2', 4],
		['2 ^ -1', 0.5],
		['2 ^ -1 ^ 2', 0.5],
		['-3', -3],
		['+3', 3],
		['--3', 3],
		['-+-3', 3],
		['1 - -1', 2],
		['2 * -3', -6],
		['3 * 2 ^ 2', 12],
		['-2 * 3 ^ 2 + 1', -17],
		['4 ^ 0.5', 2],
		['1 + 2 ^ 2 * 3', 13],
		['((((1))))', 1],
	])('%s = %s', (source, value) => {
		expect(calc(source)).toBe(value);
	});

	it('follows JavaScript for division by zero and NaN, without clamping', () => {
		expect(calc('1 / 0')).toBe(Infinity);
		expect(calc('-1 / 0')).toBe(-Infinity);
		expect(calc('0 / 0')).toBeNaN();
		expect(calc('sqrt(-1)')).toBeNaN();
		expect(calc('log(0)')).toBe(-Infinity);
		expect(calc('(-8) ^ (1 / 3)')).toBeNaN();
		expect(calc('2 ^ 2000')).toBe(Infinity);
	});
});

describe('compileFormula: functions', () => {
	it.each([
		['min(3, 1, 2)', 1],
		['max(3, 1, 2)', 3],
		['min(4)', 4],
		['max(-1, -2)', -1],
		['min(1, 2, 3, 4, 5, 0.5)', 0.5],
		['abs(-2.5)', 2.5],
		['floor(2.7)', 2],
		['floor(-2.5)', -3],
		['ceil(2.1)', 3],
		['exp(0)', 1],
		['sqrt(16)', 4],
		['log(1)', 0],
		['max(1, min(5, 3)) * 2', 6],
		['min( 1 ,2 )', 1],
		['abs(1 - 3) ^ 2', 4],
		['-abs(-2)', -2],
	])('%s = %s', (source, value) => {
		expect(calc(source)).toBe(value);
	});

	it('computes exp and log as natural functions', () => {
		expect(calc('log(exp(2))')).toBeCloseTo(2, 12);
		expect(calc('exp(1)')).toBeCloseTo(Math.E, 12);
	});
});

describe('compileFormula: variables', () => {
	it('lists each variable once, in order of first appearance, without function names', () => {
		expect(compileFormula('0.7 * accuracy + 0.3 * min(style, accuracy) - _penalty2').variables).toEqual(['accuracy', 'style', '_penalty2']);
		expect(compileFormula('1 + 2').variables).toEqual([]);
	});

	it('evaluates with the given values, many times', () => {
		const formula = compileFormula('0.7 * accuracy + 0.3 * min(style, length_ok)');
		expect(formula.evaluate({ accuracy: 1, style: 0.5, length_ok: 1 })).toBeCloseTo(0.85, 12);
		expect(formula.evaluate({ accuracy: 0, style: 1, length_ok: 0 })).toBe(0);
		expect(formula.evaluate({ accuracy: 0.5, style: 1, length_ok: 1, unused: 3 })).toBeCloseTo(0.65, 12);
	});

	it('treats a function name without parentheses as a variable', () => {
		expect(calc('min + 1', { min: 2 })).toBe(3);
		expect(compileFormula('log * 2').variables).toEqual(['log']);
	});

	it('is case-sensitive in names', () => {
		expect(calc('Bleu - bleu', { Bleu: 1, bleu: 0.25 })).toBe(0.75);
	});

	it('throws on a missing variable at evaluation, with its position', () => {
		const formula = compileFormula('rouge + bleu');
		const error = errorOf(() => formula.evaluate({ rouge: 1 }));
		expect(error.message).toBe('unknown variable "bleu" at position 9');
		expect(error.position).toBe(9);
	});

	it('throws on a value that is not a number', () => {
		const formula = compileFormula('x * 2');
		expect(() => formula.evaluate({ x: '3' as unknown as number })).toThrow('variable "x" is not a number at position 1');
		expect(formula.evaluate({ x: NaN })).toBeNaN();
	});

	it('reaches no globals or prototype properties: they are unknown variables', () => {
		for (const name of ['constructor', '__proto__', 'process', 'globalThis', 'toString', 'hasOwnProperty', 'Math', 'this']) {
			const formula = compileFormula(`${name} + 1`);
			expect(formula.variables).toEqual([name]);
			expect(() => formula.evaluate({})).toThrow(`unknown variable "${name}" at position 1`);
		}
		expect(() => compileFormula('constructor(1)')).toThrow('unknown function "constructor" at position 1');
		expect(() => compileFormula('toString(1)')).toThrow('unknown function "toString" at position 1');
		expect(() => compileFormula('process.exit(1)')).toThrow('unexpected character "." at position 8');
	});

	it('reads a variable named like a prototype property when it is given', () => {
		expect(calc('constructor * 3', JSON.parse('{"constructor": 2}'))).toBe(6);
		expect(calc('__proto__ + 1', JSON.parse('{"__proto__": 4}'))).toBe(5);
	});
});

describe('compileFormula: errors', () => {
	it.each([
		['', 'the formula is empty', undefined],
		['   ', 'the formula is empty', undefined],
		['1 + 2)', 'unexpected ")" at position 6', 6],
		['(1 + 2))', 'unexpected ")" at position 8', 8],
		['1 +', 'unexpected end of formula at position 4', 4],
		['* 2', 'unexpected "*" at position 1', 1],
		['1 + * 2', 'unexpected "*" at position 5', 5],
		['(1 + 2', 'unclosed "(" at position 1', 1],
		['1 + (2 * (3 - 1)', 'unclosed "(" at position 5', 5],
		['2 (3)', 'unexpected "(" at position 3', 3],
		['2x', 'unexpected "x" at position 2', 2],
		['a b', 'unexpected "b" at position 3', 3],
		['1 # 2', 'unexpected character "#" at position 3', 3],
		['1 % 2', 'unexpected character "%" at position 3', 3],
		['x == 1', 'unexpected character "=" at position 3', 3],
		['1e', 'malformed number "1e": the exponent needs digits at position 1', 1],
		['2e+x', 'malformed number "2e+": the exponent needs digits at position 1', 1],
		['1.2.3', 'unexpected ".3" at position 4', 4],
		['.', 'unexpected character "." at position 1', 1],
		['foo(1)', 'unknown function "foo" at position 1', 1],
		['1 + Max(1, 2)', 'unknown function "Max" at position 5', 5],
		['abs(1, 2)', 'abs() takes 1 argument, got 2 at position 1', 1],
		['2 * sqrt()', 'sqrt() takes 1 argument, got 0 at position 5', 5],
		['log(8, 2)', 'log() takes 1 argument, got 2 at position 1', 1],
		['min()', 'min() takes at least 1 argument, got 0 at position 1', 1],
		['max(1, 2', 'unclosed "(" of max() at position 4', 4],
		['1 + min(a, max(b', 'unclosed "(" of max() at position 15', 15],
		['max(1,, 2)', 'unexpected "," at position 7', 7],
		['max(1, 2,)', 'unexpected ")" at position 10', 10],
		['max(1 2)', 'unexpected "2" at position 7', 7],
		['()', 'unexpected ")" at position 2', 2],
		['1, 2', 'unexpected "," at position 2', 2],
		['é + 1', 'unexpected character "é" at position 1', 1],
		['🙂', 'unexpected character "🙂" at position 1', 1],
	])('%j fails: %s', (source, message, position) => {
		const error = errorOf(() => compileFormula(source));
		expect(error.message).toBe(message);
		expect(error.position).toBe(position);
		expect(error.name).toBe('FormulaError');
	});

	it('refuses a formula nested too deeply or too long', () => {
		expect(() => compileFormula(`${'('.repeat(500)}1${')'.repeat(500)}`)).toThrow('the formula nests more than 200 levels deep at position 201');
		expect(() => compileFormula(`${'-'.repeat(300)}1`)).toThrow(/^the formula nests more than 200 levels deep/);
		expect(() => compileFormula(Array(300).fill('2').join('^'))).toThrow(/^the formula nests more than 200 levels deep/);
		expect(() => compileFormula(`1${' + 1'.repeat(3000)}`)).toThrow('the formula is longer than 10000 characters');
		expect(calc(`${'('.repeat(150)}1${')'.repeat(150)}`)).toBe(1);
		expect(calc(`1${' + 1'.repeat(2000)}`)).toBe(2001);
	});

	it('refuses a formula that is not text', () => {
		expect(() => compileFormula(undefined as never)).toThrow('the formula is empty');
	});
});

describe('compileFormula: speed', () => {
	it('a compiled formula can be evaluated again and again with the same result (its speed is the benchmark\'s business)', () => {
		const formula = compileFormula('0.5 * a + 0.3 * min(b, c) + 0.2 * (1 - abs(d - 0.5) ^ 2)');
		const values = { a: 0.9, b: 0.8, c: 0.7, d: 0.4 };
		let sum = 0;
		for (let i = 0; i < 10_000; i++) sum += formula.evaluate(values);
		expect(sum / 10_000).toBeCloseTo(0.5 * 0.9 + 0.3 * 0.7 + 0.2 * (1 - 0.01), 9);
	});
});
