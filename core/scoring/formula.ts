/**
 * A small, safe expression language that combines scorer scores into one reward, e.g.
 * `0.7 * accuracy + 0.3 * min(style, length_ok)`. It is parsed by hand and compiled to a tree of
 * closures: no `eval`, no `Function`, and nothing reachable but the numbers given to evaluate().
 *
 * Grammar (lowest precedence first):
 *   expression := term (("+" | "-") term)*
 *   term       := unary (("*" | "/") unary)*
 *   unary      := ("-" | "+") unary | power
 *   power      := primary ("^" unary)?          right-associative: 2^3^2 = 2^9; -2^2 = -4; 2^-1 = 0.5
 *   primary    := number | name | name "(" arguments ")" | "(" expression ")"
 *   number     := 12 | 1.5 | .5 | 1e-3 | 2.5E+2
 *   name       := a letter or "_", then letters, digits or "_" (a scorer's name)
 * Functions: min(a, b, ...), max(a, b, ...) (one argument or more), abs, floor, ceil, exp, sqrt,
 * log (natural logarithm), each with exactly one argument.
 *
 * Positions in error messages count characters from 1. A formula may nest 200 levels deep and be
 * 10,000 characters long.
 *
 * evaluate() computes as JavaScript does and does not clamp: 1/0 is Infinity, 0/0 and sqrt(-1)
 * are NaN, log(0) is -Infinity. The caller decides what to do with such results (clamp01 turns
 * them into 0).
 */

export class FormulaError extends Error {
	/** Where the problem is, counting characters from 1; undefined for a formula that is empty. */
	readonly position?: number;

	constructor(message: string, position?: number) {
		super(position === undefined ? message : `${message} at position ${position}`);
		this.name = 'FormulaError';
		this.position = position;
	}
}

export interface CompiledFormula {
	/** The scorer names the formula reads, each once, in order of first appearance. */
	readonly variables: string[];
	/** Computes the formula; throws a FormulaError when a variable is missing or not a number. */
	evaluate(values: Record<string, number>): number;
}

type Evaluate = (values: Record<string, number>) => number;

type TokenKind = 'number' | 'name' | 'operator' | '(' | ')' | ',' | 'end';

interface Token {
	kind: TokenKind;
	text: string;
	/** 0-based offset in the source. */
	start: number;
	value?: number;
}

const MAX_DEPTH = 200;
/** Long sums compile to deep closure chains; this keeps evaluation far from the stack limit. */
const MAX_LENGTH = 10_000;

const FUNCTIONS: Record<string, { arity: number | 'many'; apply: (...args: number[]) => number }> = {
	min: { arity: 'many', apply: Math.min },
	max: { arity: 'many', apply: Math.max },
	abs: { arity: 1, apply: Math.abs },
	floor: { arity: 1, apply: Math.floor },
	ceil: { arity: 1, apply: Math.ceil },
	exp: { arity: 1, apply: Math.exp },
	sqrt: { arity: 1, apply: Math.sqrt },
	log: { arity: 1, apply: Math.log },
};

const isDigit = (char: string) => char >= '0' && char <= '9';
const isNameStart = (char: string) => (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '_';
const isNamePart = (char: string) => isNameStart(char) || isDigit(char);

function tokenize(source: string): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	while (i < source.length) {
		const char = source[i];
		if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
			i++;
			continue;
		}
		const start = i;
		if (isDigit(char) || (char === '.' && isDigit(source[i + 1] ?? ''))) {
			while (isDigit(source[i] ?? '')) i++;
			if (source[i] === '.') {
				i++;
				while (isDigit(source[i] ?? '')) i++;
			}
			if (source[i] === 'e' || source[i] === 'E') {
				let j = i + 1;
				if (source[j] === '+' || source[j] === '-') j++;
				if (!isDigit(source[j] ?? '')) {
					throw new FormulaError(`malformed number "${source.slice(start, j)}": the exponent needs digits`, start + 1);
				}
				while (isDigit(source[j] ?? '')) j++;
				i = j;
			}
			const text = source.slice(start, i);
			tokens.push({ kind: 'number', text, start, value: Number(text) });
		} else if (isNameStart(char)) {
			while (i < source.length && isNamePart(source[i])) i++;
			tokens.push({ kind: 'name', text: source.slice(start, i), start });
		} else if ('+-*/^'.includes(char)) {
			tokens.push({ kind: 'operator', text: char, start });
			i++;
		} else if (char === '(' || char === ')' || char === ',') {
			tokens.push({ kind: char, text: char, start });
			i++;
		} else {
			const codePoint = String.fromCodePoint(source.codePointAt(i) ?? 0);
			throw new FormulaError(`unexpected character ${JSON.stringify(codePoint)}`, start + 1);
		}
	}
	tokens.push({ kind: 'end', text: '', start: source.length });
	return tokens;
}

const describe = (token: Token) => (token.kind === 'end' ? 'end of formula' : `"${token.text}"`);

class Parser {
	private index = 0;
	private depth = 0;
	readonly variables: string[] = [];

	constructor(private readonly tokens: Token[]) {}

	parse(): Evaluate {
		const root = this.expression();
		const token = this.peek();
		if (token.kind !== 'end') throw this.unexpected(token);
		return root;
	}

	private peek(): Token {
		return this.tokens[this.index];
	}

	private next(): Token {
		return this.tokens[this.index++];
	}

	private unexpected(token: Token): FormulaError {
		return new FormulaError(`unexpected ${describe(token)}`, token.start + 1);
	}

	private isOperator(...operators: string[]): boolean {
		const token = this.peek();
		return token.kind === 'operator' && operators.includes(token.text);
	}

	private nest<T>(token: Token, parse: () => T): T {
		if (++this.depth > MAX_DEPTH) throw new FormulaError(`the formula nests more than ${MAX_DEPTH} levels deep`, token.start + 1);
		try {
			return parse();
		} finally {
			this.depth--;
		}
	}

	private expression(): Evaluate {
		let left = this.term();
		while (this.isOperator('+', '-')) {
			const operator = this.next().text;
			const a = left;
			const b = this.term();
			left = operator === '+' ? (v) => a(v) + b(v) : (v) => a(v) - b(v);
		}
		return left;
	}

	private term(): Evaluate {
		let left = this.unary();
		while (this.isOperator('*', '/')) {
			const operator = this.next().text;
			const a = left;
			const b = this.unary();
			left = operator === '*' ? (v) => a(v) * b(v) : (v) => a(v) / b(v);
		}
		return left;
	}

	private unary(): Evaluate {
		if (this.isOperator('-', '+')) {
			const token = this.next();
			const operand = this.nest(token, () => this.unary());
			return token.text === '-' ? (v) => -operand(v) : operand;
		}
		return this.power();
	}

	private power(): Evaluate {
		const base = this.primary();
		if (!this.isOperator('^')) return base;
		const token = this.next();
		const exponent = this.nest(token, () => this.unary());
		return (v) => base(v) ** exponent(v);
	}

	private primary(): Evaluate {
		const token = this.next();
		switch (token.kind) {
			case 'number': {
				const value = token.value as number;
				return () => value;
			}
			case 'name':
				return this.peek().kind === '(' ? this.call(token) : this.variable(token);
			case '(': {
				const inner = this.nest(token, () => this.expression());
				const close = this.next();
				if (close.kind !== ')') {
					throw close.kind === 'end' ? new FormulaError('unclosed "("', token.start + 1) : this.unexpected(close);
				}
				return inner;
			}
			default:
				throw this.unexpected(token);
		}
	}

	private variable(token: Token): Evaluate {
		const name = token.text;
		if (!this.variables.includes(name)) this.variables.push(name);
		const position = token.start + 1;
		return (values) => {
			// Own properties only: `constructor`, `__proto__` and the like are unknown variables.
			if (!Object.hasOwn(values, name)) throw new FormulaError(`unknown variable "${name}"`, position);
			const value = values[name];
			if (typeof value !== 'number') throw new FormulaError(`variable "${name}" is not a number`, position);
			return value;
		};
	}

	private call(token: Token): Evaluate {
		const name = token.text;
		const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
		if (!fn) throw new FormulaError(`unknown function "${name}"`, token.start + 1);
		const open = this.next();
		const args: Evaluate[] = [];
		if (this.peek().kind !== ')') {
			for (;;) {
				args.push(this.nest(token, () => this.expression()));
				const separator = this.next();
				if (separator.kind === ')') break;
				if (separator.kind !== ',') {
					throw separator.kind === 'end' ? new FormulaError(`unclosed "(" of ${name}()`, open.start + 1) : this.unexpected(separator);
				}
			}
		} else {
			this.next();
		}
		if (fn.arity === 'many' ? args.length === 0 : args.length !== fn.arity) {
			const wanted = fn.arity === 'many' ? 'at least 1 argument' : `${fn.arity} argument${fn.arity === 1 ? '' : 's'}`;
			throw new FormulaError(`${name}() takes ${wanted}, got ${args.length}`, token.start + 1);
		}
		const apply = fn.apply;
		if (args.length === 1) {
			const [a] = args;
			return (v) => apply(a(v));
		}
		if (args.length === 2) {
			const [a, b] = args;
			return (v) => apply(a(v), b(v));
		}
		return (v) => apply(...args.map((arg) => arg(v)));
	}
}

/** Parses `source` once; the result evaluates it as often as needed. Throws a FormulaError on bad syntax. */
export function compileFormula(source: string): CompiledFormula {
	if (typeof source !== 'string' || source.trim() === '') throw new FormulaError('the formula is empty');
	if (source.length > MAX_LENGTH) throw new FormulaError(`the formula is longer than ${MAX_LENGTH} characters`);
	const parser = new Parser(tokenize(source));
	const evaluate = parser.parse();
	return { variables: parser.variables, evaluate };
}
