import { canonicalJson, fnv1a64, hashHex } from '../../../core/finetune/canonical';

/** FNV-1a 64 with BigInt, straight from the definition, to check the 16-bit-limb version against. */
function referenceFnv(bytes: Uint8Array): string {
	let hash = 0xcbf29ce484222325n;
	for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
	return hash.toString(16).padStart(16, '0');
}

describe('canonicalJson', () => {
	it('sorts keys at every depth and keeps array order', () => {
		expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
	});

	it('gives the same text for the same row written with keys in another order', () => {
		expect(canonicalJson({ messages: [{ role: 'user', content: 'Hi' }], tools: [] })).toBe(canonicalJson({ tools: [], messages: [{ content: 'Hi', role: 'user' }] }));
	});

	it('follows JSON.stringify for values JSON has no place for', () => {
		const value = { u: undefined, f: () => 1, n: NaN, i: -Infinity, list: [undefined, () => 1], date: new Date(0), s: 'line\n"quoted" ☃ \u2028' };
		expect(canonicalJson(value)).toBe('{"date":"1970-01-01T00:00:00.000Z","i":null,"list":[null,null],"n":null,"s":"line\\n\\"quoted\\" ☃ \u2028"}');
		expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
		expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
		expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
		expect(canonicalJson('text')).toBe('"text"');
	});

	it('lets a repeated (not circular) object through and refuses cycles and BigInt', () => {
		const shared = { x: 1 };
		expect(canonicalJson([shared, shared])).toBe('[{"x":1},{"x":1}]');
		const cyclic: Record<string, unknown> = {};
		cyclic.self = cyclic;
		expect(() => canonicalJson(cyclic)).toThrow('canonicalJson cannot write a circular structure');
		expect(() => canonicalJson({ n: 1n })).toThrow('canonicalJson cannot write a BigInt');
	});
});

describe('fnv1a64', () => {
	it('matches the published FNV-1a 64 test vectors', () => {
		expect(hashHex(fnv1a64(''))).toBe('cbf29ce484222325');
		expect(hashHex(fnv1a64('a'))).toBe('af63dc4c8601ec8c');
		expect(hashHex(fnv1a64('foobar'))).toBe('85944171f73967e8');
	});

	it('hashes UTF-8 bytes, as the BigInt definition does', () => {
		for (const text of ['héllo wörld', '日本語 🎉', '{"messages":[]}'.repeat(50)]) {
			expect(hashHex(fnv1a64(text))).toBe(referenceFnv(new TextEncoder().encode(text)));
		}
	});

	it('hashes each text alone, whatever was hashed before it (long or short, any script)', () => {
		const texts = ['short', '🎉中文'.repeat(12_000), 'short', 'é'.repeat(70_000), '', 'x'];
		for (const text of texts) expect(hashHex(fnv1a64(text))).toBe(referenceFnv(new TextEncoder().encode(text)));
	});

	it('hashes the seed as 4 little-endian bytes before the text', () => {
		const seed = 0xdeadbeef;
		const bytes = new Uint8Array([0xef, 0xbe, 0xad, 0xde, ...new TextEncoder().encode('row')]);
		expect(hashHex(fnv1a64('row', seed))).toBe(referenceFnv(bytes));
		expect(hashHex(fnv1a64('row', 1))).not.toBe(hashHex(fnv1a64('row', 2)));
		expect(hashHex(fnv1a64('row', 0))).not.toBe(hashHex(fnv1a64('row')));
		expect(fnv1a64('row', -1)).toEqual(fnv1a64('row', 0xffffffff));
	});
});
