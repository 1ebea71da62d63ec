/**
 * validateTrainingFile: each defect is reported once, with its code and its exact 1-based line.
 * The supervised codes are those of OpenAI's cookbook "Data preparation and analysis for chat
 * model fine-tuning" (examples/Chat_finetuning_data_prep.ipynb, "Format validation").
 */
import {
	DEFAULT_MAX_TOKENS_PER_EXAMPLE,
	validateTrainingFile,
	type TrainingLine,
	type ValidateTrainingFileOptions,
	type ValidationReport,
} from '../../../core/finetune/validate';

const json = (value: unknown): string => JSON.stringify(value);

const supervised = (n: number) =>
	json({
		messages: [
			{ role: 'system', content: 'You answer in one sentence.' },
			{ role: 'user', content: `What is ${n} + ${n}?` },
			{ role: 'assistant', content: `${n} + ${n} is ${2 * n}.` },
		],
	});

const preference = (n: number) =>
	json({
		input: { messages: [{ role: 'user', content: `Name a prime above ${n}.` }] },
		preferred_output: [{ role: 'assistant', content: 'Here is one: 101.' }],
		non_preferred_output: [{ role: 'assistant', content: 'No.' }],
	});

const reinforcement = (n: number) =>
	json({
		messages: [
			{ role: 'developer', content: 'Answer with a number.' },
			{ role: 'user', content: `What is ${n} squared?` },
		],
		reference_answer: String(n * n),
	});

function toLines(texts: string[]): TrainingLine[] {
	return texts.map((text, index) => ({ line: index + 1, text }));
}

/** Ten good rows with `defect` put in at 1-based line `at`. */
function fileWith(good: (n: number) => string, defect: string, at: number): TrainingLine[] {
	const texts = Array.from({ length: 10 }, (_, i) => good(i + 1));
	texts.splice(at - 1, 0, defect);
	return toLines(texts);
}

function issues(report: ValidationReport) {
	return report.errors.map(({ line, code }) => ({ line, code }));
}

async function expectSingleIssue(
	lines: TrainingLine[],
	line: number,
	code: string,
	options: ValidateTrainingFileOptions = {},
): Promise<ValidationReport> {
	const report = await validateTrainingFile(lines, options);
	expect(issues(report)).toEqual([{ line, code }]);
	expect(report.errorCounts).toEqual({ [code]: 1 });
	expect(report.ok).toBe(false);
	expect(report.errors[0].message.length).toBeGreaterThan(0);
	return report;
}

const assistant = { role: 'assistant', content: 'Sure.' };
const user = { role: 'user', content: 'Hi' };

describe('a valid supervised file', () => {
	it('passes with no issues and the supervised kind', async () => {
		const report = await validateTrainingFile(toLines(Array.from({ length: 10 }, (_, i) => supervised(i))));
		expect(report).toMatchObject({ ok: true, kind: 'supervised', encoding: 'o200k_base', examples: 10, errors: [], errorCounts: {} });
		expect(report.errorsTruncated).toBe(false);
		expect(report.summary.examples).toBe(10);
	});

	it('accepts tool calls with null content, tool messages, weights 0/1, developer/name/refusal and content parts', async () => {
		const rows = [
			{
				tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: {} } } }],
				parallel_tool_calls: false,
				messages: [
					{ role: 'developer', content: 'Use tools.' },
					{ role: 'user', name: 'ann', content: [{ type: 'text', text: 'Weather in Paris?' }] },
					{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
					{ role: 'tool', tool_call_id: 'c1', content: 'sunny' },
					{ role: 'assistant', content: 'Sunny.', weight: 1 },
				],
			},
			{ messages: [user, { role: 'assistant', content: 'Old answer', weight: 0 }, user, assistant] },
			{ messages: [user, { role: 'assistant', tool_calls: [{ id: 'x', type: 'function', function: { name: 'f', arguments: '{}' } }] }] },
			{ messages: [user, { role: 'assistant', content: '', refusal: 'I cannot help with that.', function_call: { name: 'f', arguments: '{}' } }] },
			{ messages: [user, { role: 'function', name: 'f', content: '42' }, assistant] },
		];
		const texts = rows.map(json);
		while (texts.length < 10) texts.push(supervised(texts.length));
		const report = await validateTrainingFile(toLines(texts));
		expect(report.errors).toEqual([]);
		expect(report.ok).toBe(true);
	});
});

describe('supervised defects, each on its line', () => {
	it.each<[string, string, number]>([
		['invalid_json', '{"messages": [', 3],
		['invalid_json', "{'messages': []}", 11],
		['blank_line', '', 4],
		['blank_line', '   \t', 1],
		['data_type', '[1, 2]', 5],
		['data_type', 'null', 2],
		['data_type', '"just text"', 9],
		['missing_messages_list', json({}), 6],
		['missing_messages_list', json({ messages: [] }), 7],
		['missing_messages_list', json({ messages: 'hello' }), 8],
		['message_data_type', json({ messages: ['hello', assistant] }), 2],
		['message_missing_key', json({ messages: [{ content: 'no role' }, assistant] }), 3],
		['message_missing_key', json({ messages: [{ role: 'user' }, assistant] }), 10],
		['message_unrecognized_key', json({ messages: [{ ...user, timestamp: 1 }, assistant] }), 4],
		['unrecognized_role', json({ messages: [{ role: 'bot', content: 'Hi' }, assistant] }), 5],
		['unrecognized_role', json({ messages: [{ role: 7, content: 'Hi' }, assistant] }), 6],
		['missing_content', json({ messages: [user, { role: 'assistant', content: 42 }] }), 7],
		['missing_content', json({ messages: [user, { role: 'assistant', content: null }] }), 8],
		['missing_content', json({ messages: [user, { role: 'assistant', content: { text: 'x' } }] }), 9],
		['empty_content', json({ messages: [user, { role: 'assistant', content: '  \n' }] }), 2],
		['empty_content', json({ messages: [user, { role: 'assistant', content: [] }] }), 3],
		['invalid_content_part', json({ messages: [{ role: 'user', content: [{ text: 'no type' }] }, assistant] }), 4],
		['example_missing_assistant_message', json({ messages: [{ role: 'system', content: 'Be kind.' }, user] }), 5],
		['invalid_weight', json({ messages: [user, { ...assistant, weight: 0.5 }] }), 6],
		['invalid_weight', json({ messages: [user, { ...assistant, weight: true }] }), 7],
		['weight_on_non_assistant', json({ messages: [{ ...user, weight: 1 }, assistant] }), 8],
		['unrecognized_key', json({ messages: [user, assistant], metadata: { source: 'x' } }), 9],
		['invalid_tools', json({ messages: [user, assistant], tools: 'weather' }), 10],
		['invalid_parallel_tool_calls', json({ messages: [user, assistant], parallel_tool_calls: 'yes' }), 11],
		['invalid_tool_calls', json({ messages: [user, { role: 'assistant', content: 'x', tool_calls: [{ id: 'c' }] }] }), 2],
		['invalid_function_call', json({ messages: [user, { role: 'assistant', content: 'x', function_call: 'f' }] }), 3],
		['missing_tool_call_id', json({ messages: [user, { role: 'tool', content: 'sunny' }, assistant] }), 4],
		['invalid_name', json({ messages: [{ ...user, name: 42 }, assistant] }), 5],
	])('%s: %s at line %i', async (code, defect, line) => {
		await expectSingleIssue(fileWith(supervised, defect, line), line, code, { kind: 'supervised' });
	});

	it('reports every bad message of a row, each with the same line', async () => {
		const defect = json({ messages: [{ role: 'bot', content: 'a' }, { role: 'user', content: ' ' }, { role: 'user', content: 'b', extra: 1 }] });
		const report = await validateTrainingFile(fileWith(supervised, defect, 4));
		expect(issues(report)).toEqual([
			{ line: 4, code: 'unrecognized_role' },
			{ line: 4, code: 'empty_content' },
			{ line: 4, code: 'message_unrecognized_key' },
			{ line: 4, code: 'example_missing_assistant_message' },
		]);
		expect(report.errors[0].message).toContain('messages[0]');
		expect(report.errors[1].message).toContain('messages[1]');
	});

	it('takes line numbers from the input, not from the position', async () => {
		const lines = toLines(Array.from({ length: 10 }, (_, i) => supervised(i))).map((l) => ({ ...l, line: l.line * 2 }));
		lines.push({ line: 23, text: 'not json' });
		await expectSingleIssue(lines, 23, 'invalid_json');
	});

	it('strips a byte-order mark from the first line', async () => {
		const lines = toLines(Array.from({ length: 10 }, (_, i) => supervised(i)));
		lines[0] = { line: 1, text: `\ufeff${lines[0].text}` };
		expect((await validateTrainingFile(lines)).ok).toBe(true);
	});
});

describe('token and size checks', () => {
	it('flags an example over maxTokensPerExample as a too_long warning on its line, which does not fail the file', async () => {
		const long = json({ messages: [user, { role: 'assistant', content: 'word '.repeat(200) }] });
		const report = await validateTrainingFile(fileWith(supervised, long, 7), { maxTokensPerExample: 100 });
		expect(report.errors).toEqual([{ line: 7, code: 'too_long', severity: 'warning', message: expect.stringContaining('100-token limit') }]);
		expect(report.ok).toBe(true);
		expect(report.summary.examplesTooLong).toBe(1);
	});

	it('defaults maxTokensPerExample to 65,536', async () => {
		expect(DEFAULT_MAX_TOKENS_PER_EXAMPLE).toBe(65_536);
		const report = await validateTrainingFile(toLines(Array.from({ length: 10 }, (_, i) => supervised(i))));
		expect(report.estimate.maxTokensPerExample).toBe(65_536);
	});

	it('requires at least 10 examples (too_few_examples, line 0)', async () => {
		const nine = toLines(Array.from({ length: 9 }, (_, i) => supervised(i)));
		await expectSingleIssue(nine, 0, 'too_few_examples');
		const none = await validateTrainingFile([]);
		expect(issues(none)).toEqual([{ line: 0, code: 'too_few_examples' }]);
		expect(none.kind).toBeNull();
		expect(none.summary.totalTokensPerExample).toBeNull();
	});

	it('does not count blank lines as examples', async () => {
		const texts = Array.from({ length: 9 }, (_, i) => supervised(i));
		texts.push('');
		const report = await validateTrainingFile(toLines(texts));
		expect(issues(report)).toEqual([
			{ line: 10, code: 'blank_line' },
			{ line: 0, code: 'too_few_examples' },
		]);
		expect(report.examples).toBe(9);
	});
});

describe('preference (DPO) rows', () => {
	it('passes a valid file, detected as preference', async () => {
		const report = await validateTrainingFile(toLines(Array.from({ length: 10 }, (_, i) => preference(i))));
		expect(report).toMatchObject({ ok: true, kind: 'preference', errors: [] });
		// Each example: 1 input message + 1 output.
		expect(report.summary.messagesPerExample).toMatchObject({ min: 2, max: 2 });
		expect(report.summary.examplesMissingAssistant).toBe(0);
	});

	const input = { messages: [user] };
	const good = [{ role: 'assistant', content: 'Yes.' }];
	it.each<[string, string, number]>([
		['missing_input', json({ preferred_output: good, non_preferred_output: good }), 3],
		['missing_input', json({ input: [user], preferred_output: good, non_preferred_output: good }), 4],
		['missing_messages_list', json({ input: {}, preferred_output: good, non_preferred_output: good }), 5],
		['unrecognized_key', json({ input, preferred_output: good, non_preferred_output: good, score: 1 }), 6],
		['unrecognized_key', json({ input: { ...input, temperature: 1 }, preferred_output: good, non_preferred_output: good }), 7],
		['missing_preferred_output', json({ input, non_preferred_output: good }), 8],
		['missing_non_preferred_output', json({ input, preferred_output: good, non_preferred_output: [] }), 9],
		['invalid_preferred_output', json({ input, preferred_output: [...good, ...good], non_preferred_output: good }), 10],
		['output_not_assistant', json({ input, preferred_output: good, non_preferred_output: [user] }), 11],
		['unrecognized_role', json({ input: { messages: [{ role: 'human', content: 'x' }] }, preferred_output: good, non_preferred_output: good }), 2],
		['empty_content', json({ input, preferred_output: [{ role: 'assistant', content: '' }], non_preferred_output: good }), 1],
	])('%s: %s at line %i', async (code, defect, line) => {
		await expectSingleIssue(fileWith(preference, defect, line), line, code, { kind: 'preference' });
	});

	it('reports a supervised row in a preference file', async () => {
		const report = await validateTrainingFile(fileWith(preference, supervised(1), 5));
		expect(report.kind).toBe('preference');
		expect(issues(report)).toEqual([
			{ line: 5, code: 'unrecognized_key' },
			{ line: 5, code: 'missing_input' },
			{ line: 5, code: 'missing_preferred_output' },
			{ line: 5, code: 'missing_non_preferred_output' },
		]);
	});
});

describe('reinforcement (RFT) rows', () => {
	it('passes a valid file with reference fields, detected as reinforcement', async () => {
		const report = await validateTrainingFile(toLines(Array.from({ length: 10 }, (_, i) => reinforcement(i))));
		expect(report).toMatchObject({ ok: true, kind: 'reinforcement', errors: [] });
		expect(report.summary.examplesMissingAssistant).toBe(10);
	});

	it.each<[string, string, number]>([
		['last_message_assistant', json({ messages: [user, assistant], reference_answer: '1' }), 4],
		['missing_messages_list', json({ reference_answer: '1' }), 6],
		['unrecognized_role', json({ messages: [{ role: 'grader', content: 'x' }, user], reference_answer: '1' }), 9],
	])('%s: %s at line %i', async (code, defect, line) => {
		await expectSingleIssue(fileWith(reinforcement, defect, line), line, code, { kind: 'reinforcement' });
	});

	it('auto-detects a supervised file even with a reinforcement-looking later row', async () => {
		const report = await validateTrainingFile(fileWith(supervised, reinforcement(1), 3));
		expect(report.kind).toBe('supervised');
		expect(issues(report)).toEqual([
			{ line: 3, code: 'unrecognized_key' },
			{ line: 3, code: 'example_missing_assistant_message' },
		]);
	});
});

describe('the training method is the setting, or the whole file\'s, never the first line\'s', () => {
	// The first line has a user message and a metadata key: alone it looks like reinforcement data.
	const userOnly = json({ messages: [{ role: 'user', content: 'Tag this.' }], metadata: { source: 'crm' } });
	const file = () => toLines([userOnly, ...Array.from({ length: 10 }, (_, i) => supervised(i + 1))]);

	it('detects supervised from the majority, with a note, and judges the first line as supervised', async () => {
		const report = await validateTrainingFile(file());
		expect(report.kind).toBe('supervised');
		expect(report.kindFrom).toBe('detected');
		expect(issues(report)).toEqual([
			{ line: 1, code: 'unrecognized_key' },
			{ line: 1, code: 'example_missing_assistant_message' },
		]);
		expect(report.summary.examples).toBe(10);
		expect(report.notes).toEqual([expect.stringMatching(/^Training method detected from the whole file: supervised \(10 of 11 rows look supervised; 1 look reinforcement\)/)]);
	});

	it('judges every line as the method set on the node', async () => {
		const report = await validateTrainingFile(file(), { kind: 'reinforcement' });
		expect(report.kind).toBe('reinforcement');
		expect(report.kindFrom).toBe('setting');
		expect(report.notes).toEqual([]);
		expect(report.errorCounts).toEqual({ last_message_assistant: 10, too_few_examples: 1 });
		expect(report.summary.examples).toBe(1);
	});

	it('detects the majority however the lines are ordered', async () => {
		const texts = [reinforcement(1), reinforcement(2), ...Array.from({ length: 10 }, (_, i) => preference(i)), reinforcement(3)];
		const report = await validateTrainingFile(toLines(texts));
		expect(report.kind).toBe('preference');
		expect(issues(report).map((issue) => issue.line)).toEqual(expect.arrayContaining([1, 2, 13]));
		expect(issues(report).every((issue) => [1, 2, 13].includes(issue.line))).toBe(true);
	});

	it('too_few_examples counts valid examples, not lines', async () => {
		const texts = [...Array.from({ length: 9 }, (_, i) => supervised(i)), '{oops', json({ messages: [user] })];
		const report = await validateTrainingFile(toLines(texts));
		expect(report.errorCounts).toMatchObject({ invalid_json: 1, too_few_examples: 1 });
		expect(report.errors.find((issue) => issue.code === 'too_few_examples')?.message).toBe(
			'the file has 9 valid example(s) among 11 line(s); OpenAI fine-tuning requires at least 10',
		);
	});

	it('rejects a row whose every assistant message has weight 0 (nothing to train on)', async () => {
		const weightless = json({ messages: [user, { ...assistant, weight: 0 }, user, { role: 'assistant', content: 'Bye.', weight: 0 }] });
		await expectSingleIssue(fileWith(supervised, weightless, 4), 4, 'nothing_to_train');
	});
});

describe('streaming and limits', () => {
	it('reads an async iterable the same as an array', async () => {
		const texts = Array.from({ length: 12 }, (_, i) => (i === 5 ? '{oops' : supervised(i)));
		async function* stream() {
			for (const line of toLines(texts)) {
				await Promise.resolve();
				yield line;
			}
		}
		const fromStream = await validateTrainingFile(stream());
		const fromArray = await validateTrainingFile(toLines(texts));
		expect(fromStream).toEqual(fromArray);
		expect(issues(fromStream)).toEqual([{ line: 6, code: 'invalid_json' }]);
	});

	it('keeps at most maxErrors issues but counts them all', async () => {
		const texts = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'nope' : supervised(i)));
		const report = await validateTrainingFile(toLines(texts), { maxErrors: 5 });
		expect(report.errors).toHaveLength(5);
		expect(report.errors.map((e) => e.line)).toEqual([1, 3, 5, 7, 9]);
		expect(report.errorCounts).toEqual({ invalid_json: 20 });
		expect(report.errorsTruncated).toBe(true);
		expect(report.examples).toBe(40);
		expect(report.summary.examples).toBe(20);
	});

	it('chooses the encoding from the model, and an explicit encoding over it', async () => {
		const lines = toLines(Array.from({ length: 10 }, (_, i) => supervised(i)));
		expect((await validateTrainingFile(lines, { model: 'gpt-3.5-turbo-0125' })).encoding).toBe('cl100k_base');
		expect((await validateTrainingFile(lines, { model: 'gpt-4.1-mini' })).encoding).toBe('o200k_base');
		expect((await validateTrainingFile(lines, { model: 'gpt-4', encoding: 'o200k_base' })).encoding).toBe('o200k_base');
	});

	it.each<[ValidateTrainingFileOptions]>([
		[{ maxTokensPerExample: 0 }],
		[{ maxTokensPerExample: 1.5 }],
		[{ epochs: 0 }],
		[{ epochs: 2.5 }],
		[{ pricePerMillionTokens: -1 }],
		[{ pricePerMillionTokens: Number.NaN }],
		[{ maxErrors: -1 }],
		[{ kind: 'dpo' as never }],
	])('rejects the options %j', async (options) => {
		await expect(validateTrainingFile([], options)).rejects.toThrow(RangeError);
	});
});
