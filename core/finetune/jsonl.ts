/**
 * JSON Lines: one JSON value per line, each line ended by \n (https://jsonlines.org). Writing fills
 * one Buffer (n8n's binary data is one Buffer); reading yields numbered lines from text, a Buffer or
 * a stream of chunks.
 */
import { StringDecoder } from 'string_decoder';

/**
 * Writes rows as JSON Lines straight into one Buffer, for a file that is wanted whole (n8n's
 * binary data in memory mode is one Buffer): no chunks to concatenate at the end, so the file is
 * never held twice.
 *
 * The Buffer is a view of a resizable ArrayBuffer (ES2024): it grows in place, a step at a time,
 * so growing copies nothing and leaves no old Buffer behind for the garbage collector (a doubling
 * Buffer left 16 + 32 + 64 + 128 MB of them on the way to a 153 MB file, and kept up to twice the
 * file's size at its last copy); and `releaseJsonlFile` gives its memory back at once, instead of
 * whenever the next full collection comes (a 153 MB file was still held when Validate ran next).
 * Only address space is reserved beyond the file; where resizable ArrayBuffers are missing or the
 * reservation is refused, and for files beyond it, the Buffer doubles and is copied as before.
 */
const SMALL_FILE = 1024 * 1024;
/** Address space reserved for a file (not memory: pages are committed as the file grows into them). */
const RESERVE = 2 ** 32;
/** A growth step: the file's committed but unwritten tail stays below this. */
const GROW_STEP = 16 * 1024 * 1024;

/** The ES2024 resizable ArrayBuffer, which TypeScript's es2022 lib does not describe. */
interface ResizableArrayBuffer extends ArrayBuffer {
	readonly resizable: boolean;
	readonly maxByteLength: number;
	resize(byteLength: number): void;
}

/** The writers' own memory: releaseJsonlFile touches nothing else. */
const owned = new WeakSet<ArrayBuffer>();

function reserve(capacity: number): ResizableArrayBuffer | undefined {
	try {
		const Constructor = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ResizableArrayBuffer;
		const buffer = new Constructor(Math.min(capacity, RESERVE), { maxByteLength: RESERVE });
		if (buffer.resizable !== true || typeof buffer.resize !== 'function') return undefined;
		owned.add(buffer);
		return buffer;
	} catch {
		return undefined;
	}
}

export class JsonlBufferWriter {
	private resizable: ResizableArrayBuffer | undefined;
	private buffer: Buffer;
	private length = 0;
	private rows = 0;

	constructor(initialCapacity = GROW_STEP) {
		if (!(initialCapacity >= 1)) throw new RangeError(`initialCapacity must be at least 1, got ${initialCapacity}`);
		this.resizable = reserve(initialCapacity);
		this.buffer = this.resizable ? Buffer.from(this.resizable, 0, this.resizable.byteLength) : Buffer.allocUnsafe(initialCapacity);
	}

	/** Appends one row. JSON.stringify escapes newlines inside strings, so a row is always one line. */
	write(row: unknown): void {
		const text = JSON.stringify(row);
		if (text === undefined) throw new TypeError(`a JSONL row must be a JSON value, got ${typeof row}`);
		// A UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair, 2 units, takes 4).
		const room = text.length * 3 + 1;
		if (this.length + room > this.buffer.length) this.grow(this.length + room);
		this.length += this.buffer.write(text, this.length, 'utf8');
		this.buffer[this.length++] = 0x0a;
		this.rows++;
	}

	/**
	 * The file so far: a view of the writer's memory (give it back with releaseJsonlFile once done
	 * with it), or for a small file a copy of its own size.
	 */
	end(): Buffer {
		if (this.length <= SMALL_FILE) {
			const copy = Buffer.from(this.buffer.subarray(0, this.length));
			if (this.resizable) {
				this.resizable.resize(0);
				this.resizable = undefined;
				this.buffer = copy;
			}
			return copy;
		}
		return this.resizable ? Buffer.from(this.resizable, 0, this.length) : this.buffer.subarray(0, this.length);
	}

	get rowCount(): number {
		return this.rows;
	}

	get byteLength(): number {
		return this.length;
	}

	private grow(needed: number): void {
		const resizable = this.resizable;
		if (resizable && needed <= resizable.maxByteLength) {
			resizable.resize(Math.min(resizable.maxByteLength, Math.max(needed, resizable.byteLength + GROW_STEP)));
			this.buffer = Buffer.from(resizable, 0, resizable.byteLength);
			return;
		}
		const next = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
		this.buffer.copy(next, 0, 0, this.length);
		this.buffer = next;
		if (resizable) {
			resizable.resize(0);
			this.resizable = undefined;
		}
	}
}

/**
 * Gives the memory of a file from JsonlBufferWriter.end (or buildDataset) back at once. The file,
 * and every view of it, reads as empty afterwards: call it once nothing needs the bytes any more
 * (in n8n, once prepareBinaryData has its copy or has stored it). A Buffer of any other kind is
 * left alone, for the garbage collector.
 */
export function releaseJsonlFile(file: Buffer | undefined): void {
	const memory = file?.buffer as ResizableArrayBuffer | undefined;
	if (memory && owned.has(memory)) memory.resize(0);
}

export interface JsonlLine {
	/** 1-based. */
	line: number;
	/** The line without its \n or \r\n; '' for a blank line. */
	text: string;
}

export type JsonlSource = string | Uint8Array | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/**
 * Bytes decoded at a time: 32 KiB make a string of at most 64 KiB (two bytes a character), below
 * V8's large-object size (128 KiB), so each piece of text dies in the young generation. Decoding
 * a megabyte or more at a time put every piece straight into the old generation, where it stayed
 * until a full collection (about 200 MB of them at a time while a 150 MB file was read).
 */
const DECODE_CHUNK = 32 * 1024;

function* decodeSlices(decoder: StringDecoder, bytes: Uint8Array): Generator<string> {
	if (bytes.length <= DECODE_CHUNK) {
		yield decoder.write(bytes);
		return;
	}
	for (let start = 0; start < bytes.length; start += DECODE_CHUNK) yield decoder.write(bytes.subarray(start, start + DECODE_CHUNK));
}

async function* chunksOf(source: JsonlSource): AsyncGenerator<string> {
	if (typeof source === 'string') {
		yield source;
		return;
	}
	const decoder = new StringDecoder('utf8');
	// A slice at a time, from a whole Buffer as from a stream's chunks: decoding a whole 150 MB file
	// at once would hold it again as one string (twice its size in UTF-16 once it has a character
	// beyond Latin-1).
	if (source instanceof Uint8Array) yield* decodeSlices(decoder, source);
	else {
		for await (const chunk of source) {
			if (typeof chunk === 'string') yield chunk;
			else yield* decodeSlices(decoder, chunk);
		}
	}
	yield decoder.end();
}

/**
 * The lines of a JSONL source, numbered from 1. Lines end at \n, and a \r before it is dropped;
 * a last line without a newline is still a line, and a newline at the very end adds none. Blank
 * lines are yielded with text '' so their numbers count. A UTF-8 byte order mark at the start is
 * dropped. From a stream, a UTF-8 character or a \r\n split across chunks is joined, and only the
 * current line is held in memory.
 */
export async function* readJsonlLines(source: JsonlSource): AsyncGenerator<JsonlLine> {
	let line = 0;
	let parts: string[] = [];
	let atStart = true;
	for await (let text of chunksOf(source)) {
		if (atStart && text.length > 0) {
			atStart = false;
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
		}
		let start = 0;
		let newline = text.indexOf('\n');
		while (newline !== -1) {
			const piece = text.slice(start, newline);
			const whole = parts.length > 0 ? parts.join('') + piece : piece;
			parts = [];
			yield { line: ++line, text: whole.endsWith('\r') ? whole.slice(0, -1) : whole };
			start = newline + 1;
			newline = text.indexOf('\n', start);
		}
		if (start < text.length) parts.push(start === 0 ? text : text.slice(start));
	}
	if (parts.length > 0) {
		const whole = parts.join('');
		yield { line: ++line, text: whole.endsWith('\r') ? whole.slice(0, -1) : whole };
	}
}
