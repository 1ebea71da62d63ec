/**
 * The credential's Default Model (issue 18): a node whose model is left empty uses it, so that the
 * examples switch endpoint and model in one place (the credential, or OPENAI_MODEL for `npm start`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import type { ChatBody } from '../server/mockOpenAiServer';
import { loadPackage, outputOf, PACKAGE_ROOT, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({});
	server.reset();
});
const EMPTY = { __rl: true, mode: 'list', value: '' };
const credentials = (defaultModel?: string) => ({ apiKey: 'sk-default-model-2b3c4d', baseUrl: testServer.baseUrl, ...(defaultModel === undefined ? {} : { defaultModel }) });
const models = () => server.received.filter((r) => r.path === '/chat/completions').map((r) => (r.body as ChatBody).model);

describe('the credential\'s Default Model', () => {
	it('is a field of the credential, gpt-4.1-mini unless changed', async () => {
		const loader = await loadPackage();
		const credential = loader.credentialTypes.openAiCompatibleApi.type;
		expect(credential.properties.find((p) => p.name === 'defaultModel')).toMatchObject({ type: 'string', default: 'gpt-4.1-mini' });
	});

	it('Generate Text: an empty Model uses it; a chosen one wins', async () => {
		const run = await runWorkflow({ parameters: { model: EMPTY, promptSource: 'prompt', prompt: '={{ $json.q }}' }, items: [{ q: 'a' }], credentials: credentials('llama3.1:8b') });
		expect(runError(run)).toBeUndefined();
		const chosen = await runWorkflow({ parameters: { model: { __rl: true, mode: 'id', value: 'mock-small' }, promptSource: 'prompt', prompt: 'b' }, items: [{}], credentials: credentials('llama3.1:8b') });
		expect(runError(chosen)).toBeUndefined();
		expect(models()).toEqual(['llama3.1:8b', 'mock-small']);
	});

	it('without one, an empty Model is the item\'s error, saying where to set it', async () => {
		const run = await runWorkflow({ parameters: { model: EMPTY, promptSource: 'prompt', prompt: 'x' }, items: [{}], credentials: credentials() });
		expect(runError(run)?.message).toContain('Model');
		expect(runError(run)?.message).toContain('Default Model in the credential');
		expect(server.received).toHaveLength(0);
	});

	it('Score Output and Reward Loop: a judge and a generation left without a model use it', async () => {
		server.configure({ answer: ({ body }) => (body.response_format?.json_schema?.name === 'score' ? JSON.stringify({ steps: [], result: 9 }) : 'an answer') });
		const judge = { scorer: [{ name: 'quality', type: 'score_model', model: EMPTY, rubric: 'Good?', rangeMin: 0, rangeMax: 10, passThreshold: 6 }] };
		const scored = await runWorkflow({
			nodeType: 'n8n-nodes-reward-loop.scoreOutput',
			parameters: { mode: 'scorers', textField: 'text', scorers: judge },
			items: [{ text: 'x' }],
			credentials: credentials('judge-default'),
		});
		expect(runError(scored)).toBeUndefined();
		expect(outputOf(scored)[0].json).toMatchObject({ pass: true });
		const looped = await runWorkflow({
			nodeType: 'n8n-nodes-reward-loop.rewardLoop',
			parameters: { rewardSource: 'scorers', model: EMPTY, promptSource: 'prompt', prompt: 'q', candidatesPerRound: 1, maxRounds: 1, mode: 'scorers', scorers: judge, threshold: 0.5 },
			items: [{}],
			credentials: credentials('loop-default'),
		});
		expect(runError(looped)).toBeUndefined();
		expect(models()).toEqual(['judge-default', 'loop-default', 'loop-default']);
	});

	it('the examples take every generation and judge model from it, except the fine-tuning ones, which name their base model', () => {
		const found: string[] = [];
		const walk = (value: unknown, path: string) => {
			if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
			else if (value && typeof value === 'object') {
				for (const [key, v] of Object.entries(value as IDataObject)) {
					if (key === 'model' && (typeof v === 'string' || (v && typeof v === 'object' && '__rl' in (v as IDataObject)))) {
						const text = typeof v === 'string' ? v : String((v as IDataObject).value);
						if (text && !text.startsWith('=')) found.push(`${path}: ${text}`);
					}
					walk(v, `${path}.${key}`);
				}
			}
		};
		for (const file of readdirSync(join(PACKAGE_ROOT, 'examples')).filter((f) => f !== 'closed-loop.json')) {
			walk(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'examples', file), 'utf8')), file);
		}
		expect(found).toEqual([]);
	});
});
