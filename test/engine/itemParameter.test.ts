import type { IDataObject } from 'n8n-workflow';
import { fieldReferencePath } from '../../nodes/shared/itemParameter';
import { outputOf, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };

const testServer = useTestServer();
const { server } = testServer;

describe('which parameter values are read straight from the item', () => {
	it.each([
		['={{ $json.question }}', ['question']],
		['={{$json.a.b}}', ['a', 'b']],
		['={{ $json["a b"] }}', ['a b']],
		["={{ $json['x'].y_1 }}", ['x', 'y_1']],
		['={{ $json.$id }}', ['$id']],
	])('%s is a field reference', (raw, path) => {
		expect(fieldReferencePath(raw)).toEqual(path);
	});

	it.each([
		'{{ $json.question }}', // fixed text, not an expression
		'=Q: {{ $json.question }}',
		'={{ $json.question }} ',
		'={{ $json.question.toUpperCase() }}',
		'={{ $json[0] }}',
		'={{ $json.a || "x" }}',
		'={{ $input.item.json.q }}',
		'={{ $json["a\\"b"] }}',
		'={{ $json }}',
	])('%s goes to n8n', (raw) => {
		expect(fieldReferencePath(raw)).toBeNull();
	});
});

/**
 * Each case runs Generate Text twice in n8n's engine: once with the field reference (read straight
 * from the item) and once with the same reference in parentheses, which only n8n's evaluator
 * reads. The server must receive the same prompts and system messages, and the items the same
 * errors.
 */
describe('a field reference gives what n8n\'s evaluator gives', () => {
	const items: IDataObject[] = [
		{ q: 'plain text', s: 'be brief' },
		{ q: 42, s: true },
		{ q: '  ünïcödé 🧪 中文\nline two ', s: '' },
		{ q: { nested: 'object' }, s: 'x' },
		{ q: ['a', 'b'], s: 'y' },
		{ q: null, s: null },
		{ s: 'the field is missing' },
		{ q: false, s: 0 },
		{ q: '', s: 'empty' },
		{ 'a b': 'spaced key', q: 'z', s: 'w' },
	];

	async function promptsFor(prompt: string, system: string) {
		server.reset();
		const run = await runWorkflow({
			parameters: { model: MODEL, promptSource: 'prompt', prompt, systemMessage: system, options: { concurrency: 1 } },
			items,
			credentials: { apiKey: 'sk-item-parameter-test', baseUrl: testServer.baseUrl },
			continueOnFail: true,
		});
		const sent = server.received.map((request) => (request.body as IDataObject).messages);
		const errors = outputOf(run).map((item) => item.json.error ?? null);
		return { sent, errors };
	}

	it.each([
		['={{ $json.q }}', '={{ ($json.q) }}', '={{ $json.s }}', '={{ ($json.s) }}'],
		['={{ $json["a b"] }}', '={{ ($json["a b"]) }}', '={{ $json.s }}', '={{ ($json.s) }}'],
	])('%s', async (fast, evaluated, fastSystem, evaluatedSystem) => {
		const direct = await promptsFor(fast, fastSystem);
		const byN8n = await promptsFor(evaluated, evaluatedSystem);
		expect(direct.sent.length).toBeGreaterThan(0);
		expect(direct).toEqual(byN8n);
	});

	// "=" is the default of Prompt and System Message (they start as expressions): read as "" without the evaluator.
	it('an empty expression ("=") gives what n8n gives for an expression that is ""', async () => {
		const direct = await promptsFor('={{ $json.q }}', '=');
		const byN8n = await promptsFor('={{ $json.q }}', '={{ "" }}');
		expect(direct.sent.length).toBeGreaterThan(0);
		expect(direct).toEqual(byN8n);
		// An empty prompt sends nothing either way; the error says what to do: nothing typed yet ("="),
		// or an expression that gave nothing.
		const untyped = await promptsFor('=', '=');
		const emptyByN8n = await promptsFor('={{ "" }}', '={{ "" }}');
		expect(untyped.sent).toEqual([]);
		expect(emptyByN8n.sent).toEqual([]);
		expect(untyped.errors[0]).toBe('Item 0: Prompt: is empty: type the prompt, or an expression such as {{ $json.question }}');
		expect(emptyByN8n.errors[0]).toBe('Item 0: Prompt: is empty: its expression gave an empty text for this item (does the item have the field it reads, and is it filled?)');
	});
});

