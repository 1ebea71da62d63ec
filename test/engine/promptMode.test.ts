/**
 * Prompt and System Message start as expressions (issue 18): `{{ $json.question }}` typed into a new
 * node's prompt is filled in, as in Basic LLM Chain. A fixed prompt that holds `{{ … $json … }}` is
 * still sent as typed (n8n evaluates only values that start with "="), but the editor shows a notice
 * and the output item a warning. Workflows saved before keep working.
 */
import { NodeHelpers, type IDataObject, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';
import { loadPackage, outputOf, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };
const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({});
	server.reset();
});
const credentials = () => ({ apiKey: 'sk-prompt-mode-5e6f7a', baseUrl: testServer.baseUrl });
const sentMessages = () => server.received.filter((r) => r.path === '/chat/completions').map((r) => (r.body as IDataObject).messages);

async function description(name: string): Promise<INodeTypeDescription> {
	const loader = await loadPackage();
	return loader.nodeTypes[name].type.description as INodeTypeDescription;
}
const property = (node: INodeTypeDescription, name: string) => node.properties.find((p) => p.name === name) as INodeProperties;

describe('Prompt and System Message start as expressions', () => {
	it.each(['generateText', 'rewardLoop'])('%s: both defaults start with "="', async (name) => {
		const node = await description(name);
		expect(String(property(node, 'prompt').default).startsWith('=')).toBe(true);
		expect(String(property(node, 'systemMessage').default).startsWith('=')).toBe(true);
	});

	it('a new node\'s prompt, typed as {{ $json.q }} into the expression default, is filled in; no system message is sent', async () => {
		// What the editor stores when a person types into the field as it starts: "=" + the text.
		const run = await runWorkflow({
			parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}' },
			items: [{ q: 'What is 2 + 2?' }, { q: 'Name a colour' }],
			credentials: credentials(),
		});
		expect(runError(run)).toBeUndefined();
		expect(outputOf(run).map((item) => item.json.text)).toEqual(['Echo: What is 2 + 2?', 'Echo: Name a colour']);
		expect(sentMessages()).toEqual([[{ role: 'user', content: 'What is 2 + 2?' }], [{ role: 'user', content: 'Name a colour' }]]);
		expect(outputOf(run)[0].json).not.toHaveProperty('warnings');
	});

	it('a workflow saved with fixed prompts (no expression) still sends them as they are, with no warning', async () => {
		const run = await runWorkflow({
			parameters: { model: MODEL, promptSource: 'prompt', prompt: 'How long does the battery last?', systemMessage: 'Be brief.' },
			items: [{}],
			credentials: credentials(),
		});
		expect(runError(run)).toBeUndefined();
		expect(sentMessages()).toEqual([[{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'How long does the battery last?' }]]);
		expect(outputOf(run)[0].json).not.toHaveProperty('warnings');
	});

	it('a prompt left at its default is still "is empty", naming the field', async () => {
		const run = await runWorkflow({ parameters: { model: MODEL, promptSource: 'prompt' }, items: [{ q: 'x' }], credentials: credentials() });
		expect(runError(run)?.message).toContain('Prompt');
		expect(runError(run)?.message).toContain('is empty');
		expect(server.received).toHaveLength(0);
	});

	it('Generate Text: a fixed prompt with {{ $json.q }} is sent as typed and the item warns about it', async () => {
		const run = await runWorkflow({
			parameters: { model: MODEL, promptSource: 'prompt', prompt: '{{ $json.q }}', systemMessage: 'Answer {{ $json.style }}' },
			items: [{ q: 'What is 2 + 2?', style: 'briefly' }],
			credentials: credentials(),
		});
		expect(runError(run)).toBeUndefined();
		expect(sentMessages()[0]).toEqual([{ role: 'system', content: 'Answer {{ $json.style }}' }, { role: 'user', content: '{{ $json.q }}' }]);
		const warnings = outputOf(run)[0].json.warnings as string[];
		expect(warnings).toHaveLength(2);
		expect(warnings[0]).toMatch(/^Prompt is fixed text .*sent as typed.*switch the Prompt field to Expression/);
		expect(warnings[1]).toMatch(/^System Message is fixed text/);
	});

	it('Reward Loop: the same warning on the Done item', async () => {
		const run = await runWorkflow({
			nodeType: 'n8n-nodes-reward-loop.rewardLoop',
			parameters: {
				rewardSource: 'scorers',
				model: MODEL,
				promptSource: 'prompt',
				prompt: 'Describe {{ $json.product }}',
				candidatesPerRound: 1,
				maxRounds: 1,
				mode: 'scorers',
				scorers: { scorer: [{ name: 'any', type: 'contains', values: 'Describe' }] },
				threshold: 0.5,
			},
			items: [{ product: 'the phone' }],
			credentials: credentials(),
		});
		expect(runError(run)).toBeUndefined();
		const [done] = outputOf(run);
		expect(done.json).toMatchObject({ pass: true });
		expect(done.json.warnings).toEqual([expect.stringMatching(/^Prompt is fixed text/)]);
	});
});

describe('the editor\'s notice under a fixed prompt that looks like an expression', () => {
	// The editor resolves expressions before it checks displayOptions, so an expression prompt
	// reaches this check as its resolved text; a fixed one as it is.
	const shown = async (name: string, values: IDataObject) => {
		const node = await description('generateText');
		return NodeHelpers.displayParameter({ promptSource: 'prompt', prompt: 'x', systemMessage: '', ...values } as never, property(node, name), null, node);
	};

	it.each([
		['{{ $json.question }}', true],
		['Summarize: {{ $json.body }}', true],
		['$json.a then {{ x }}', true],
		['What is 2 + 2?', false],
		['Use {{ braces }} here', false],
		['costs $json', false],
	])('prompt %j: notice shown %s', async (prompt, expected) => {
		expect(await shown('promptFixedTextNotice', { prompt })).toBe(expected);
	});

	it('the System Message has its own notice', async () => {
		expect(await shown('systemMessageFixedTextNotice', { systemMessage: 'Answer {{ $json.style }}' })).toBe(true);
		expect(await shown('systemMessageFixedTextNotice', { systemMessage: 'Answer briefly' })).toBe(false);
		expect(await shown('promptFixedTextNotice', { systemMessage: 'Answer {{ $json.style }}' })).toBe(false);
	});
});
