/**
 * A row's identity: canonical JSON (object keys sorted, so `{a,b}` and `{b,a}` are the same row)
 * and a 64-bit FNV-1a hash of it, used for deduplication and for per-row split decisions.
 */

/**
 * JSON text with every object's keys in sorted (UTF-16 code unit) order, otherwise as
 * JSON.stringify writes it: undefined, function and symbol properties are left out (null in
 * arrays), non-finite numbers become null, toJSON is honoured. Throws on cycles and BigInt.
 */
export function canonicalJson(value: unknown): string {
	const out: string[] = [];
	write(value, out, new Set());
	return out.join('');
}

function write(value: unknown, out: string[], ancestors: Set<object>): boolean {
	if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
		value = (value as { toJSON: () => unknown }).toJSON();
	}
	switch (typeof value) {
		case 'string':
			out.push(JSON.stringify(value));
			return true;
		case 'number':
			out.push(Number.isFinite(value) ? JSON.stringify(value) : 'null');
			return true;
		case 'boolean':
			out.push(value ? 'true' : 'false');
			return true;
		case 'bigint':
			throw new TypeError('canonicalJson cannot write a BigInt');
		case 'undefined':
		case 'function':
		case 'symbol':
			return false;
	}
	if (value === null) {
		out.push('null');
		return true;
	}
	const object = value as object;
	if (ancestors.has(object)) throw new TypeError('canonicalJson cannot write a circular structure');
	ancestors.add(object);
	if (Array.isArray(object)) {
		out.push('[');
		object.forEach((item, index) => {
			if (index > 0) out.push(',');
			if (!write(item, out, ancestors)) out.push('null');
		});
		out.push(']');
	} else {
		out.push('{');
		let first = true;
		const record = object as Record<string, unknown>;
		for (const key of Object.keys(record).sort()) {
			const mark = out.length;
			out.push(first ? '' : ',', JSON.stringify(key), ':');
			if (write(record[key], out, ancestors)) first = false;
			else out.length = mark;
		}
		out.push('}');
	}
	ancestors.delete(object);
	return true;
}

/** A 64-bit hash as two unsigned 32-bit halves. */
export interface Hash64 {
	hi: number;
	lo: number;
}

const encoder = new TextEncoder();
// Reused for every hash: Build hashes each row twice, and a new Uint8Array each time (an
// allocation and a copy) was about a quarter of Build's time on realistic rows.
let scratch = new Uint8Array(64 * 1024);

/**
 * FNV-1a 64 over the UTF-8 bytes of `text`, preceded by the 4 bytes of `seed` when one is given
 * (so the same text hashes differently per seed). The 64-bit product is computed on four 16-bit
 * limbs in plain numbers, which is much faster than BigInt.
 */
export function fnv1a64(text: string, seed?: number): Hash64 {
	// Offset basis 0xcbf29ce484222325, least significant limb first.
	let h0 = 0x2325;
	let h1 = 0x8422;
	let h2 = 0x9ce4;
	let h3 = 0xcbf2;
	// A UTF-16 code unit is at most 3 bytes of UTF-8.
	if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
	const length = encoder.encodeInto(text, scratch).written;
	const bytes = scratch;
	const prefix = seed === undefined ? 0 : 4;
	const s = seed === undefined ? 0 : seed >>> 0;
	for (let i = -prefix; i < length; i++) {
		h0 ^= i < 0 ? (s >>> ((i + prefix) * 8)) & 0xff : bytes[i];
		// Multiply by the prime 0x100000001b3 = 2^40 + 0x1b3: limb 0 of the prime is 0x1b3, limb 2 is 0x100.
		const t0 = h0 * 0x1b3;
		const t1 = h1 * 0x1b3 + (t0 >>> 16);
		const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
		const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
		h0 = t0 & 0xffff;
		h1 = t1 & 0xffff;
		h2 = t2 & 0xffff;
		h3 = t3 & 0xffff;
	}
	return { hi: ((h3 << 16) | h2) >>> 0, lo: ((h1 << 16) | h0) >>> 0 };
}

/** The hash as 16 hexadecimal digits. */
export function hashHex(hash: Hash64): string {
	return hash.hi.toString(16).padStart(8, '0') + hash.lo.toString(16).padStart(8, '0');
}
