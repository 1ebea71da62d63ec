/**
 * JSON Lines: one JSON value per line, each line ended by \n (https://jsonlines.org). Writing fills
 * one Buffer (n8n's binary data is one Buffer); reading yields numbered lines from text, a Buffer or
 * a stream of chunks.
 */
import { StringDecoder } from 'string_decoder';

/**
 * Writes rows as JSON Lines straight into one Buffer, for a file that is wanted whole (n8n's
 * binary data in memory mode is one Buffer): no chunks to concatenate at the end, so the file is
 * never held twice. The Buffer's capacity doubles as needed; a large Buffer.allocUnsafe is given
 * physical pages only as they are written, so the unused capacity costs address space, not memory.
 */
const SMALL_FILE = 1024 * 1024;

export class JsonlBufferWriter {
	private buffer: Buffer;
	private length = 0;
	private rows = 0;

	constructor(initialCapacity = 16 * 1024 * 1024) {
		if (!(initialCapacity >= 1)) throw new RangeError(`initialCapacity must be at least 1, got ${initialCapacity}`);
		this.buffer = Buffer.allocUnsafe(initialCapacity);
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

	/** The file so far: a view of the writer's Buffer, or for a small file a copy of its own size. */
	end(): Buffer {
		if (this.length <= SMALL_FILE) return Buffer.from(this.buffer.subarray(0, this.length));
		return this.buffer.subarray(0, this.length);
	}

	get rowCount(): number {
		return this.rows;
	}

	get byteLength(): number {
		return this.length;
	}

	private grow(needed: number): void {
		const next = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
		this.buffer.copy(next, 0, 0, this.length);
		this.buffer = next;
	}
}

export interface JsonlLine {
	/** 1-based. */
	line: number;
	/** The line without its \n or \r\n; '' for a blank line. */
	text: string;
}

export type JsonlSource = string | Uint8Array | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

const DECODE_CHUNK = 1024 * 1024;

async function* chunksOf(source: JsonlSource): AsyncGenerator<string> {
	if (typeof source === 'string') {
		yield source;
		return;
	}
	const decoder = new StringDecoder('utf8');
	if (source instanceof Uint8Array) {
		// A slice at a time: decoding a whole 150 MB file at once would hold it again as one string
		// (twice its size in UTF-16 once it has a character beyond Latin-1).
		for (let start = 0; start < source.length; start += DECODE_CHUNK) {
			yield decoder.write(source.subarray(start, start + DECODE_CHUNK));
		}
	} else {
		for await (const chunk of source) yield typeof chunk === 'string' ? chunk : decoder.write(chunk);
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
