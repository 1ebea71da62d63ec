import { JsonlBufferWriter, readJsonlLines, releaseJsonlFile, type JsonlLine, type JsonlSource } from '../../../core/finetune/jsonl';

async function linesOf(source: JsonlSource): Promise<JsonlLine[]> {
	const lines: JsonlLine[] = [];
	for await (const line of readJsonlLines(source)) lines.push(line);
	return lines;
}

async function* streamOf(chunks: Array<Buffer | string>): AsyncGenerator<Buffer | string> {
	for (const chunk of chunks) yield chunk;
}

describe('JsonlBufferWriter', () => {
	const rows = Array.from({ length: 200 }, (_, i) => ({ i, text: ['€🎉', '中文\u2028', 'שלום', 'e\u0301', '\ufeffx', 'a\nb'][i % 6].repeat(i % 9) }));
	const expected = rows.map((row) => `${JSON.stringify(row)}\n`).join('');

	it('writes one row a line, each ended by a newline, growing from any capacity', () => {
		for (const capacity of [1, 7, 64, 1 << 20]) {
			const writer = new JsonlBufferWriter(capacity);
			for (const row of rows) writer.write(row);
			const file = writer.end();
			expect(file.toString('utf8')).toBe(expected);
			expect(writer.rowCount).toBe(rows.length);
			expect(writer.byteLength).toBe(Buffer.byteLength(expected));
		}
	});

	it('hands over a large file without copying it, and a small one in a Buffer of its own size', () => {
		const big = new JsonlBufferWriter(1024);
		for (let i = 0; i < 3000; i++) big.write({ i, text: 'x'.repeat(500) });
		const file = big.end();
		expect(file.length).toBeGreaterThan(1024 * 1024);
		expect(big.end().buffer).toBe(file.buffer);
		const small = new JsonlBufferWriter();
		small.write({ a: 1 });
		expect(small.end().buffer.byteLength).toBeLessThan(1024 * 1024);
		expect(new JsonlBufferWriter().end()).toEqual(Buffer.alloc(0));
	});

	it('grows a large file in place (no copy left behind) and gives its memory back on release', () => {
		const writer = new JsonlBufferWriter(1024);
		for (let i = 0; i < 3000; i++) writer.write({ i, text: 'x'.repeat(500) });
		const early = writer.end();
		for (let i = 3000; i < 40_000; i++) writer.write({ i, text: 'x'.repeat(500) });
		const file = writer.end();
		// Grown past its first 16 MiB step, still the same memory: nothing was copied.
		expect(file.length).toBeGreaterThan(16 * 1024 * 1024);
		expect(file.buffer).toBe(early.buffer);
		expect(JSON.parse(file.subarray(0, file.indexOf(0x0a)).toString('utf8'))).toEqual({ i: 0, text: 'x'.repeat(500) });
		releaseJsonlFile(file);
		expect(file.length).toBe(0);
		expect(file.buffer.byteLength).toBe(0);
	});

	it('releases nothing but a large file of its own: a small file and other Buffers are left as they are', () => {
		const small = new JsonlBufferWriter();
		small.write({ a: 1 });
		const file = small.end();
		releaseJsonlFile(file);
		expect(file.toString('utf8')).toBe('{"a":1}\n');
		const other = Buffer.from('{"b":2}\n');
		releaseJsonlFile(other);
		expect(other.toString('utf8')).toBe('{"b":2}\n');
		releaseJsonlFile(undefined);
	});

	it('refuses a value JSON cannot hold, and a capacity below 1', () => {
		expect(() => new JsonlBufferWriter().write(undefined)).toThrow(new TypeError('a JSONL row must be a JSON value, got undefined'));
		expect(() => new JsonlBufferWriter(0)).toThrow(RangeError);
	});
});

describe('readJsonlLines', () => {
	it('numbers lines from 1 and counts a last line without a newline', async () => {
		expect(await linesOf('{"a":1}\n{"b":2}')).toEqual([
			{ line: 1, text: '{"a":1}' },
			{ line: 2, text: '{"b":2}' },
		]);
	});

	it('adds no line for a newline at the very end', async () => {
		expect(await linesOf('{"a":1}\n{"b":2}\n')).toEqual([
			{ line: 1, text: '{"a":1}' },
			{ line: 2, text: '{"b":2}' },
		]);
	});

	it('drops \\r before \\n and keeps a lone \\r inside a line', async () => {
		expect(await linesOf('a\r\nb\r\nc\rd\r\n')).toEqual([
			{ line: 1, text: 'a' },
			{ line: 2, text: 'b' },
			{ line: 3, text: 'c\rd' },
		]);
		expect(await linesOf('a\r')).toEqual([{ line: 1, text: 'a' }]);
	});

	it('reports blank lines with empty text so the numbers stay right', async () => {
		expect(await linesOf('a\n\n\r\n  \nb')).toEqual([
			{ line: 1, text: 'a' },
			{ line: 2, text: '' },
			{ line: 3, text: '' },
			{ line: 4, text: '  ' },
			{ line: 5, text: 'b' },
		]);
		expect(await linesOf('\n')).toEqual([{ line: 1, text: '' }]);
		expect(await linesOf('\n\n')).toEqual([
			{ line: 1, text: '' },
			{ line: 2, text: '' },
		]);
	});

	it('yields nothing for an empty source', async () => {
		expect(await linesOf('')).toEqual([]);
		expect(await linesOf(Buffer.alloc(0))).toEqual([]);
		expect(await linesOf(streamOf([]))).toEqual([]);
	});

	it('reads a Buffer as UTF-8 and drops a byte order mark', async () => {
		expect(await linesOf(Buffer.from('\ufeff{"t":"é"}\n{"t":"€"}\n', 'utf8'))).toEqual([
			{ line: 1, text: '{"t":"é"}' },
			{ line: 2, text: '{"t":"€"}' },
		]);
		expect(await linesOf('\ufeffa')).toEqual([{ line: 1, text: 'a' }]);
		expect(await linesOf(streamOf(['', '\ufeffa\n']))).toEqual([{ line: 1, text: 'a' }]);
	});

	it('joins characters, \\r\\n and lines split across stream chunks', async () => {
		const bytes = Buffer.from('{"t":"€🎉"}\r\n{"long":"' + 'y'.repeat(50) + '"}\r\n\r\nlast', 'utf8');
		const chunks: Buffer[] = [];
		for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.subarray(i, i + 3));
		expect(await linesOf(streamOf(chunks))).toEqual([
			{ line: 1, text: '{"t":"€🎉"}' },
			{ line: 2, text: `{"long":"${'y'.repeat(50)}"}` },
			{ line: 3, text: '' },
			{ line: 4, text: 'last' },
		]);
		expect(await linesOf(streamOf(['a\r', '\nb', '\r', '\n', 'c']))).toEqual([
			{ line: 1, text: 'a' },
			{ line: 2, text: 'b' },
			{ line: 3, text: 'c' },
		]);
		expect(await linesOf(streamOf([Buffer.from([0xe2, 0x82]), Buffer.from([0xac, 0x0a])]))).toEqual([{ line: 1, text: '€' }]);
	});

	it('yields a line before reading the rest of a stream', async () => {
		let pulled = 0;
		async function* source() {
			for (let i = 0; i < 1000; i++) {
				pulled++;
				yield Buffer.from(`{"i":${i}}\n`);
			}
		}
		const lines = readJsonlLines(source());
		expect((await lines.next()).value).toEqual({ line: 1, text: '{"i":0}' });
		expect(pulled).toBe(1);
		await lines.return(undefined);
	});

	it('reads back what JsonlBufferWriter wrote, streamed in chunks that cut rows and characters', async () => {
		const rowList = Array.from({ length: 500 }, (_, i) => ({ i, text: `row ${i} ✓\nsecond line` }));
		const writer = new JsonlBufferWriter(64);
		for (const row of rowList) writer.write(row);
		const file = writer.end();
		const chunks: Buffer[] = [];
		for (let at = 0; at < file.length; at += 100) chunks.push(file.subarray(at, at + 100));
		const lines = await linesOf(streamOf(chunks));
		expect(lines.map((l) => l.line)).toEqual(rowList.map((_, i) => i + 1));
		expect(lines.map((l) => JSON.parse(l.text))).toEqual(rowList);
	});
});
