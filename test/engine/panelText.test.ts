/**
 * What the editor's panel and forms show (issue 18): the Fine-Tune entry's description, action
 * names, canvas subtitles, the Reward Loop's form in three parts with distinct threshold labels,
 * the scorer types in groups, and the judges' model through the model picker. The package is loaded
 * from dist as n8n loads it.
 */
import type { IDataObject, INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';
import type { ChatBody } from '../server/mockOpenAiServer';
import { loadPackage, outputOf, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const testServer = useTestServer();
const { server } = testServer;

async function descriptionOf(name: string): Promise<INodeTypeDescription> {
	const loader = await loadPackage();
	return loader.nodeTypes[name].type.description as INodeTypeDescription;
}
const propertyOf = (node: INodeTypeDescription, name: string) => node.properties.find((p) => p.name === name) as INodeProperties;

/** A subtitle is one `={{ … }}` JavaScript expression over $parameter. */
function subtitle(node: INodeTypeDescription, parameters: IDataObject): string {
	const expression = String(node.subtitle);
	const body = /^=\{\{([\s\S]*)\}\}$/.exec(expression)?.[1];
	if (body === undefined) return expression;
	return String(new Function('$parameter', `return (${body});`)(parameters));
}

/** n8n's node panel names an option by its action, else lodash's startCase of its name. */
const panelActions = (node: INodeTypeDescription, property: string) =>
	((propertyOf(node, property)?.options ?? []) as INodePropertyOptions[]).map((option) => option.action);

describe('the node panel', () => {
	it('the Fine-Tune entry, which n8n merges with Fine-Tune Trigger and describes by the trigger, reads as Fine-Tune', async () => {
		const fineTune = await descriptionOf('fineTune');
		const trigger = await descriptionOf('fineTuneTrigger');
		expect(trigger.description).toBe(fineTune.description);
		expect(fineTune.description).toMatch(/^Training files from items/);
		// What the trigger does is said in its form instead (its first own field; n8n adds Poll Times before it).
		expect(propertyOf(trigger, 'webhookNotice')).toMatchObject({ type: 'notice' });
		expect(propertyOf(trigger, 'webhookNotice').displayName).toMatch(/^Starts the workflow when a fine-tuning job succeeds, fails or is cancelled/);
	});

	it('action names read right: apostrophes, OpenAI', async () => {
		const fineTune = await descriptionOf('fineTune');
		const actions = panelActions(fineTune, 'operation');
		expect(actions).toContain("List a job's checkpoints");
		expect(actions).toContain("List a job's events");
		for (const name of ['scoreOutput', 'rewardLoop']) {
			const modes = panelActions(await descriptionOf(name), 'mode');
			expect(modes.every((action) => typeof action === 'string' && action.includes(' '))).toBe(true);
			expect(modes.join(' | ')).toContain('OpenAI grader JSON');
		}
		const everything = JSON.stringify(await Promise.all(['fineTune', 'scoreOutput', 'rewardLoop', 'generateText'].map(descriptionOf)));
		expect(everything).not.toMatch(/ s (checkpoints|events)|Open AI/);
	});

	it.each([
		['fineTune', { operation: 'buildDataset', provider: 'openai' }, 'Build dataset'],
		['fineTune', { operation: 'createJob', provider: 'together' }, 'Create job · Together AI'],
		['fineTune', { operation: 'waitForCompletion', provider: 'openai' }, 'Wait for job · OpenAI-compatible'],
		['fineTune', { operation: 'uploadFile', provider: 'fireworks' }, 'Upload file · Fireworks AI'],
		['rewardLoop', { rewardSource: 'scorers', candidatesPerRound: 4, maxRounds: 1 }, 'best of 4, one round'],
		['rewardLoop', { rewardSource: 'scorers', candidatesPerRound: 3, maxRounds: 2 }, 'best of 3, up to 2 rounds'],
		['rewardLoop', { rewardSource: 'external', candidatesPerRound: 1, maxRounds: 5 }, 'external reward, up to 5 rounds'],
		['scoreOutput', { mode: 'scorers', route: true }, 'reward from scorers, pass / fail'],
		['scoreOutput', { mode: 'grader', route: false }, 'reward from an OpenAI grader'],
		['fineTuneTrigger', { provider: 'together' }, 'when a job finishes, polling Together AI'],
		['fineTuneTrigger', { provider: 'fireworks' }, 'when a job finishes, polling Fireworks AI'],
		['fineTuneTrigger', { provider: 'openai' }, 'when a job finishes, polling the OpenAI-compatible API'],
	])('%s subtitle for %j: %s', async (name, parameters, expected) => {
		expect(subtitle(await descriptionOf(name), parameters)).toBe(expected);
	});
});

describe('the forms', () => {
	it('Reward Loop: generation, scoring and loop parts, in that order, with section notices', async () => {
		const loop = await descriptionOf('rewardLoop');
		const names = loop.properties.map((p) => p.name);
		const at = (name: string) => names.indexOf(name);
		const order = ['generationSection', 'model', 'prompt', 'options', 'scoringSection', 'rewardSource', 'mode', 'scorers', 'threshold', 'externalThreshold', 'loopSection', 'candidatesPerRound', 'maxRounds', 'loopOptions'];
		expect(order.map(at).every((position) => position >= 0)).toBe(true);
		expect([...order].sort((a, b) => at(a) - at(b))).toEqual(order);
		for (const section of ['generationSection', 'scoringSection', 'loopSection']) expect(propertyOf(loop, section).type).toBe('notice');
		expect(propertyOf(loop, 'mode').displayName).not.toBe(propertyOf(loop, 'rewardSource').displayName);
	});

	it('Reward Loop keeps every parameter name saved workflows hold', async () => {
		const loop = await descriptionOf('rewardLoop');
		const names = new Set(loop.properties.filter((p) => p.type !== 'notice').map((p) => p.name));
		for (const name of ['rewardSource', 'model', 'promptSource', 'prompt', 'systemMessage', 'messagesField', 'responseFormat', 'schemaName', 'jsonSchema', 'strict', 'options', 'candidatesPerRound', 'maxRounds', 'mode', 'scorers', 'combine', 'formula', 'grader', 'threshold', 'rewardField', 'externalThreshold', 'loopOptions']) {
			expect(names.has(name)).toBe(true);
		}
	});

	it('the reward\'s threshold and a scorer\'s threshold have different labels', async () => {
		for (const name of ['scoreOutput', 'rewardLoop']) {
			const node = await descriptionOf(name);
			const scorerFields = ((propertyOf(node, 'scorers').options as Array<{ values: INodeProperties[] }>)[0]).values;
			const scorerThreshold = scorerFields.find((field) => field.name === 'passThreshold') as INodeProperties;
			expect(propertyOf(node, 'threshold').displayName).toContain('0 to 1');
			expect(scorerThreshold.displayName).not.toBe(propertyOf(node, 'threshold').displayName);
		}
	});

	it('scorer types come in groups: rules, structure, similarity, judges, custom', async () => {
		const node = await descriptionOf('scoreOutput');
		const scorerFields = ((propertyOf(node, 'scorers').options as Array<{ values: INodeProperties[] }>)[0]).values;
		const types = (scorerFields.find((field) => field.name === 'type')?.options ?? []) as INodePropertyOptions[];
		const groups = types.map((option) => option.name.split(':')[0]);
		expect([...new Set(groups)]).toEqual(['Rule', 'Structure', 'Similarity', 'Judge', 'Custom']);
		// Each group in one run.
		expect(groups.filter((group, i) => i === 0 || groups[i - 1] !== group)).toEqual(['Rule', 'Structure', 'Similarity', 'Judge', 'Custom']);
		expect(types).toHaveLength(17);
	});

	it('hints are placeholders too: one per line, comma-separated', async () => {
		const node = await descriptionOf('scoreOutput');
		const scorerFields = ((propertyOf(node, 'scorers').options as Array<{ values: INodeProperties[] }>)[0]).values;
		const field = (name: string) => scorerFields.find((f) => f.name === name) as INodeProperties;
		expect(field('values').placeholder).toMatch(/^One per line/);
		expect(field('terms').placeholder).toMatch(/^One per line/);
		expect(field('max').displayName).toContain('0 = No Maximum');
	});
});

describe('the judges\' model picker', () => {
	beforeEach(() => {
		server.configure({ answer: () => JSON.stringify({ steps: [], result: 8 }) });
		server.reset();
	});
	const judgeRun = (model: unknown) =>
		runWorkflow({
			nodeType: 'n8n-nodes-reward-loop.scoreOutput',
			parameters: { mode: 'scorers', textField: 'text', scorers: { scorer: [{ name: 'quality', type: 'score_model', model, rubric: 'Good?', rangeMin: 0, rangeMax: 10, passThreshold: 6 }] } },
			items: [{ text: 'an answer' }],
			credentials: { apiKey: 'sk-panel-text-1c2d3e', baseUrl: testServer.baseUrl },
		});

	it('is the same resource locator as Generate Text\'s model, listing the endpoint\'s models', async () => {
		const score = await descriptionOf('scoreOutput');
		const generate = await descriptionOf('generateText');
		const scorerFields = ((propertyOf(score, 'scorers').options as Array<{ values: INodeProperties[] }>)[0]).values;
		const judge = scorerFields.find((field) => field.name === 'model') as INodeProperties;
		expect(judge.type).toBe('resourceLocator');
		expect(judge.modes).toEqual(propertyOf(generate, 'model').modes);
		const loader = await loadPackage();
		for (const name of ['scoreOutput', 'rewardLoop']) {
			expect(typeof (loader.nodeTypes[name].type as { methods?: { listSearch?: Record<string, unknown> } }).methods?.listSearch?.searchModels).toBe('function');
		}
	});

	it.each([
		['a value picked from the list', { __rl: true, mode: 'list', value: 'judge-from-list' }, 'judge-from-list'],
		['a typed ID', { __rl: true, mode: 'id', value: 'judge-by-id' }, 'judge-by-id'],
		['a plain string, as workflows saved before the picker hold', 'judge-saved-before', 'judge-saved-before'],
	])('reads %s', async (_what, model, expected) => {
		const run = await judgeRun(model);
		expect(runError(run)).toBeUndefined();
		expect(outputOf(run)[0].json).toMatchObject({ reward: 0.8, pass: true });
		expect((server.received.find((r) => r.path === '/chat/completions')?.body as ChatBody).model).toBe(expected);
	});
});
