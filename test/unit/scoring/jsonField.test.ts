import { createJsonFieldScorer, parseFieldPath } from '../../../core/scoring/scorers/jsonField';
import { run } from './run';

const order = JSON.stringify({
	status: 'Shipped',
	total: 42.5,
	paid: true,
	note: null,
	items: [
		{ name: 'Blue Widget', qty: 2, tags: ['Sale', 'new'] },
		{ name: 'Gadget', qty: 1, tags: [] },
	],
	meta: { 'content-type': 'json', 'a.b': 1 },
});

describe('parseFieldPath', () => {
	it.each([
		['status', ['status']],
		['items[0].name', ['items', 0, 'name']],
		['$.items[1].tags[0]', ['items', 1, 'tags', 0]],
		['$', []],
		['[2]', [2]],
		['$[0][1]', [0, 1]],
		['meta["content-type"]', ['meta', 'content-type']],
		["meta['a.b']", ['meta', 'a.b']],
		['first name.x', ['first name', 'x']],
		['$price', ['$price']],
		['items.0.name', ['items', '0', 'name']],
	])('parses %s', (path, segments) => {
		expect(parseFieldPath(path)).toEqual(segments);
	});

	it.each([
		['a..b', 'path "a..b" is malformed at position 3: a key is missing'],
		['a.', 'path "a." is malformed at position 3: a key is missing'],
		['a[x]', 'path "a[x]" is malformed at position 3: expected an index (digits) or a quoted key after "["'],
		['a[0', 'path "a[0" is malformed at position 4: expected "]"'],
		['a["b]', 'path "a["b]" is malformed at position 3: the quoted key is not closed by "'],
		['a]', 'path "a]" is malformed at position 2: unexpected "]"'],
		['a[-1]', 'path "a[-1]" is malformed at position 3: expected an index (digits) or a quoted key after "["'],
	])('refuses %s', (path, message) => {
		expect(() => parseFieldPath(path)).toThrow(message);
	});
});

describe('json_field scorer: exists', () => {
	it('has its type', () => {
		expect(createJsonFieldScorer('f', { path: 'a', operator: 'exists' }).type).toBe('json_field');
	});

	it('passes when the field is present, null included', () => {
		expect(run(createJsonFieldScorer('f', { path: 'items[1].name', operator: 'exists' }), order)).toEqual({
			score: 1,
			pass: true,
			reason: 'items[1].name exists',
			details: { path: 'items[1].name', actual: 'Gadget' },
		});
		expect(run(createJsonFieldScorer('f', { path: 'note', operator: 'exists' }), order).pass).toBe(true);
		expect(run(createJsonFieldScorer('f', { path: 'meta["content-type"]', operator: 'exists' }), order).pass).toBe(true);
		expect(run(createJsonFieldScorer('f', { path: '$', operator: 'exists' }), order).pass).toBe(true);
	});

	it('fails when it is missing', () => {
		expect(run(createJsonFieldScorer('f', { path: 'items[2].name', operator: 'exists' }), order)).toEqual({
			score: 0,
			pass: false,
			reason: 'items[2].name is missing',
			details: { path: 'items[2].name' },
		});
		expect(run(createJsonFieldScorer('f', { path: 'status.code', operator: 'exists' }), order).pass).toBe(false);
		expect(run(createJsonFieldScorer('f', { path: 'items.name', operator: 'exists' }), order).pass).toBe(false);
		expect(run(createJsonFieldScorer('f', { path: 'meta[0]', operator: 'exists' }), order).pass).toBe(false);
	});

	it('sees only own fields, never the prototype', () => {
		for (const path of ['constructor', '__proto__', 'toString', 'items.length', 'status.length', 'hasOwnProperty']) {
			expect(run(createJsonFieldScorer('f', { path, operator: 'exists' }), order).pass).toBe(false);
		}
	});

	it('negates: passes when the field is missing', () => {
		const scorer = createJsonFieldScorer('noDebug', { path: 'debug', operator: 'exists', negate: true });
		expect(run(scorer, order)).toEqual({ score: 1, pass: true, reason: 'not: debug is missing', details: { path: 'debug' } });
		expect(run(scorer, '{"debug": false}')).toMatchObject({ score: 0, pass: false, reason: 'not: debug exists' });
	});
});

describe('json_field scorer: equals', () => {
	it('compares strings ignoring case by default', () => {
		const scorer = createJsonFieldScorer('f', { path: 'status', operator: 'equals', value: 'shipped' });
		expect(run(scorer, order)).toEqual({
			score: 1,
			pass: true,
			reason: 'status equals "shipped"',
			details: { path: 'status', actual: 'Shipped' },
		});
		expect(run(scorer, '{"status": "pending"}')).toMatchObject({ score: 0, pass: false, reason: 'status is "pending", not "shipped"' });
	});

	it('compares case when caseSensitive', () => {
		const scorer = createJsonFieldScorer('f', { path: 'status', operator: 'equals', value: 'shipped', caseSensitive: true });
		expect(run(scorer, order).pass).toBe(false);
		expect(run(scorer, '{"status": "shipped"}').pass).toBe(true);
	});

	it('compares numbers, booleans and null as JSON values', () => {
		expect(run(createJsonFieldScorer('f', { path: 'total', operator: 'equals', value: 42.5 }), order).pass).toBe(true);
		expect(run(createJsonFieldScorer('f', { path: 'total', operator: 'equals', value: '42.5' }), order)).toMatchObject({
			pass: false,
			reason: 'total is 42.5, not "42.5"',
		});
		expect(run(createJsonFieldScorer('f', { path: 'paid', operator: 'equals', value: true }), order).pass).toBe(true);
		expect(run(createJsonFieldScorer('f', { path: 'paid', operator: 'equals', value: 1 }), order).pass).toBe(false);
		expect(run(createJsonFieldScorer('f', { path: 'note', operator: 'equals', value: null }), order).pass).toBe(true);
		expect(run(createJsonFieldScorer('f', { path: 'note', operator: 'equals', value: 0 }), order).pass).toBe(false);
	});

	it('compares objects and arrays deeply, strings inside per caseSensitive', () => {
		const item = { name: 'blue widget', qty: 2, tags: ['SALE', 'New'] };
		expect(run(createJsonFieldScorer('f', { path: 'items[0]', operator: 'equals', value: item }), order).pass).toBe(true);
		expect(run(createJsonFieldScorer('f', { path: 'items[0]', operator: 'equals', value: item, caseSensitive: true }), order).pass).toBe(false);
		expect(run(createJsonFieldScorer('f', { path: 'items[0]', operator: 'equals', value: { ...item, qty: 3 } }), order).pass).toBe(false);
		expect(run(createJsonFieldScorer('f', { path: 'items[0]', operator: 'equals', value: { name: 'blue widget', qty: 2 } }), order).pass).toBe(false);
		expect(run(createJsonFieldScorer('f', { path: 'items[0].tags', operator: 'equals', value: ['sale', 'new'] }), order).pass).toBe(true);
		expect(run(createJsonFieldScorer('f', { path: 'items[0].tags', operator: 'equals', value: ['new', 'sale'] }), order).pass).toBe(false);
		expect(run(createJsonFieldScorer('f', { path: 'items[1].tags', operator: 'equals', value: {} }), order).pass).toBe(false);
		expect(run(createJsonFieldScorer('f', { path: 'meta', operator: 'equals', value: { 'A.B': 1, 'content-type': 'json' } }), order).pass).toBe(false);
	});

	it('fails on a missing field, and passes negated', () => {
		expect(run(createJsonFieldScorer('f', { path: 'carrier', operator: 'equals', value: 'UPS' }), order)).toMatchObject({
			score: 0,
			pass: false,
			reason: 'carrier is missing',
		});
		const negated = createJsonFieldScorer('f', { path: 'carrier', operator: 'equals', value: 'UPS', negate: true });
		expect(run(negated, order)).toMatchObject({ score: 1, pass: true, reason: 'not: carrier is missing' });
		expect(run(negated, '{"carrier": "ups"}')).toMatchObject({ score: 0, pass: false, reason: 'not: carrier equals "UPS"' });
	});

	it('handles Unicode', () => {
		const scorer = createJsonFieldScorer('f', { path: '["città"]', operator: 'equals', value: 'ROMA 🏛' });
		expect(run(scorer, '{"città": "roma 🏛"}').pass).toBe(true);
	});
});

describe('json_field scorer: contains', () => {
	it('finds a substring of a string field, ignoring case by default', () => {
		const scorer = createJsonFieldScorer('f', { path: 'items[0].name', operator: 'contains', value: 'WIDGET' });
		expect(run(scorer, order)).toEqual({
			score: 1,
			pass: true,
			reason: 'items[0].name contains "WIDGET"',
			details: { path: 'items[0].name', actual: 'Blue Widget' },
		});
		expect(run(createJsonFieldScorer('f', { path: 'items[0].name', operator: 'contains', value: 'WIDGET', caseSensitive: true }), order).pass).toBe(false);
		expect(run(createJsonFieldScorer('f', { path: 'items[1].name', operator: 'contains', value: 'widget' }), order)).toMatchObject({
			pass: false,
			reason: 'items[1].name ("Gadget") does not contain "widget"',
		});
	});

	it('finds an element of an array field', () => {
		expect(run(createJsonFieldScorer('f', { path: 'items[0].tags', operator: 'contains', value: 'sale' }), order).pass).toBe(true);
		expect(run(createJsonFieldScorer('f', { path: 'items[0].tags', operator: 'contains', value: 'sal' }), order).pass).toBe(false);
		expect(run(createJsonFieldScorer('f', { path: 'items[1].tags', operator: 'contains', value: 'sale' }), order).pass).toBe(false);
		expect(run(createJsonFieldScorer('f', { path: 'items', operator: 'contains', value: { name: 'gadget', qty: 1, tags: [] } }), order).pass).toBe(true);
		expect(run(createJsonFieldScorer('f', { path: '$', operator: 'contains', value: 2 }), '[1, 2, 3]').pass).toBe(true);
		expect(run(createJsonFieldScorer('f', { path: '$', operator: 'contains', value: '2' }), '[1, 2, 3]').pass).toBe(false);
	});

	it('fails on a field that is neither a string nor an array', () => {
		expect(run(createJsonFieldScorer('f', { path: 'total', operator: 'contains', value: '4' }), order)).toMatchObject({
			score: 0,
			pass: false,
			reason: 'total is a number, not a string or an array',
		});
		expect(run(createJsonFieldScorer('f', { path: 'meta', operator: 'contains', value: 'json' }), order).reason).toBe(
			'meta is an object, not a string or an array',
		);
		expect(run(createJsonFieldScorer('f', { path: 'note', operator: 'contains', value: 'x' }), order).reason).toBe(
			'note is null, not a string or an array',
		);
	});

	it('negates', () => {
		const scorer = createJsonFieldScorer('f', { path: 'items[0].tags', operator: 'contains', value: 'sale', negate: true });
		expect(run(scorer, order)).toMatchObject({ score: 0, pass: false, reason: 'not: items[0].tags contains "sale"' });
		expect(run(scorer, '{"items": [{"tags": []}]}')).toMatchObject({ score: 1, pass: true });
	});
});

describe('json_field scorer: outputs', () => {
	const scorer = createJsonFieldScorer('f', { path: 'status', operator: 'exists' });

	it('fails without the error flag on an output that is not JSON, negated or not', () => {
		const result = run(scorer, 'status: shipped');
		expect(result).toMatchObject({ score: 0, pass: false });
		expect(result.reason).toMatch(/^not JSON: Unexpected token/);
		expect(result.error).toBeUndefined();
		const negated = createJsonFieldScorer('f', { path: 'status', operator: 'exists', negate: true });
		expect(run(negated, '')).toEqual({ score: 0, pass: false, reason: 'not JSON: Unexpected end of JSON input' });
	});

	it('uses outputJson and accepts a fenced block', () => {
		expect(run(scorer, 'ignored', { outputJson: { status: 1 } }).pass).toBe(true);
		expect(run(scorer, '```json\n{"status": 1}\n```').pass).toBe(true);
	});

	it('reads a field of a very large output', () => {
		const big = JSON.stringify({ items: Array.from({ length: 50_000 }, (_, i) => ({ id: i })) });
		expect(run(createJsonFieldScorer('f', { path: 'items[49999].id', operator: 'equals', value: 49_999 }), big).pass).toBe(true);
	});

	it('cuts a long value in the reason', () => {
		const result = run(createJsonFieldScorer('f', { path: 'text', operator: 'equals', value: 'short' }), JSON.stringify({ text: 'x'.repeat(1000) }));
		expect(result.reason).toBe(`text is "${'x'.repeat(59)}…, not "short"`);
	});
});

describe('json_field scorer: configuration', () => {
	it('refuses a bad configuration, naming the scorer', () => {
		expect(() => createJsonFieldScorer('f', { path: '', operator: 'exists' })).toThrow('f: json_field needs a path');
		expect(() => createJsonFieldScorer('f', { path: 'a..b', operator: 'exists' })).toThrow('f: json_field path "a..b" is malformed at position 3');
		expect(() => createJsonFieldScorer('f', { path: 'a', operator: 'matches' as never })).toThrow(
			'f: json_field needs "operator" to be equals, contains or exists, got "matches"',
		);
		expect(() => createJsonFieldScorer('f', { path: 'a', operator: 'equals' })).toThrow('f: json_field needs a value to compare with (equals)');
		expect(() => createJsonFieldScorer('f', { path: 'a', operator: 'contains' })).toThrow('f: json_field needs a value to compare with (contains)');
	});
});
