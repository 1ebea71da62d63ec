/**
 * Generate Text's JSON Schema output in n8n's engine, for the keywords a hand-written subset let
 * through: an answer that meets the schema is parsed, one that breaks it is that item's error with
 * the failing path; a schema that cannot be used is a clear error before any request is sent.
 */
import { KEYWORD_CASES } from '../fixtures/schemaKeywords';
import { outputOf, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };

const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({});
	server.reset();
});

// Each item carries its schema and which answer the test server gives ("good" or "bad").
const parameters = {
	model: MODEL,
	promptSource: 'prompt',
	prompt: '={{ $json.case }}:{{ $json.answer }}',
	responseFormat: 'json_schema',
	schemaName: 'answer',
	jsonSchema: '={{ JSON.stringify($json.schema) }}',
	// Off: these schemas use keywords strict mode does not take (allOf, minLength, …); this file is about checking answers.
	strict: false,
	options: {},
};

describe('Generate Text JSON Schema output in n8n\'s engine', () => {
	it('parses answers that meet each keyword and fails those that break it, naming the path', async () => {
		server.configure({
			answer: ({ lastUserText }) => {
				const [index, answer] = lastUserText.split(':');
				const chosen = KEYWORD_CASES[Number(index)];
				return JSON.stringify(answer === 'good' ? chosen.good : chosen.bad);
			},
		});
		const items = KEYWORD_CASES.flatMap((c, index) => ['good', 'bad'].map((answer) => ({ case: index, answer, schema: c.schema })));
		const run = await runWorkflow({ parameters, items, credentials: { apiKey: 'sk-schema-0000', baseUrl: testServer.baseUrl }, continueOnFail: true });
		expect(runError(run)).toBeUndefined();
		const output = outputOf(run);
		expect(output).toHaveLength(items.length);
		KEYWORD_CASES.forEach((c, index) => {
			const [good, bad] = [output[2 * index], output[2 * index + 1]];
			expect({ name: c.name, parsed: good.json.parsed, error: good.json.error }).toEqual({ name: c.name, parsed: c.good, error: undefined });
			const reasons = c.violations.map((v) => `${v.path} ${v.message}`).join('; ');
			expect({ name: c.name, error: bad.json.error }).toEqual({
				name: c.name,
				error: `Item ${2 * index + 1}: the model's answer does not match the JSON schema "answer": ${reasons}`,
			});
			expect(bad.pairedItem).toEqual({ item: 2 * index + 1 });
		});
	});

	it('a schema that cannot be used is the item\'s error, naming the field, before any request', async () => {
		const run = await runWorkflow({
			parameters,
			items: [
				{ case: 0, answer: 'good', schema: { type: 'object', properties: { rating: { type: 'int' } } } },
				{ case: 0, answer: 'good', schema: { $ref: '#/$defs/missing' } },
			],
			credentials: { apiKey: 'sk-schema-0000', baseUrl: testServer.baseUrl },
			continueOnFail: true,
		});
		expect(outputOf(run).map((item) => item.json.error)).toEqual([
			'Item 0: JSON Schema: is not a valid JSON Schema (draft 2020-12): #/properties/rating/type must be equal to one of the allowed values',
			'Item 1: JSON Schema: $ref "#/$defs/missing" does not resolve (references are followed only inside the schema; nothing is fetched)',
		]);
		expect(server.counters.chatRequests).toBe(0);

		const stopped = await runWorkflow({ parameters, items: [{ case: 0, answer: 'good', schema: { $schema: 'http://json-schema.org/draft-04/schema#' } }], credentials: { apiKey: 'sk-schema-0000', baseUrl: testServer.baseUrl } });
		expect(runError(stopped)?.message).toMatch(/^Item 0: JSON Schema: \$schema "http:\/\/json-schema.org\/draft-04\/schema#" is not a draft this package checks/);
		expect(server.counters.chatRequests).toBe(0);
	});
});
