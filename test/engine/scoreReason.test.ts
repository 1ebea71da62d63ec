/**
 * Score Output's top-level reason says which scorers failed and why, in one line (issue 18), and
 * reward, pass and reason are the item's first fields (the first columns of n8n's table view).
 */
import type { IDataObject } from 'n8n-workflow';
import { outputOf, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const NODE = 'n8n-nodes-reward-loop.scoreOutput';
const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({});
	server.reset();
});
const credentials = () => ({ apiKey: 'sk-score-reason-8a9b0c', baseUrl: testServer.baseUrl });
const run = (parameters: IDataObject, items: IDataObject[], withCredentials = false) =>
	runWorkflow({ nodeType: NODE, parameters: { mode: 'scorers', textField: 'text', ...parameters }, items, ...(withCredentials ? { credentials: credentials() } : {}) });
const reasonOf = (json: IDataObject, name: string) => String(((json.scores as IDataObject)[name] as IDataObject).reason);

describe('Score Output\'s reason', () => {
	const scorers = {
		scorer: [
			{ name: 'on_topic', type: 'contains', values: 'battery', weight: 3 },
			{ name: 'brief', type: 'length', unit: 'words', max: 5, weight: 1 },
			{ name: 'polite', type: 'contains', values: 'please', weight: 1 },
		],
	};

	it('below the threshold: names each failed scorer with its own reason, on one line', async () => {
		const result = await run({ scorers, threshold: 0.7 }, [{ text: 'The phone is nice and it has a very good screen.' }]);
		expect(runError(result)).toBeUndefined();
		const [item] = outputOf(result);
		expect(item.json.pass).toBe(false);
		expect(item.json.reason).toBe(
			`reward 0.0000 < threshold 0.7; failed: on_topic (${reasonOf(item.json, 'on_topic')}); brief (${reasonOf(item.json, 'brief')}); polite (${reasonOf(item.json, 'polite')})`,
		);
		expect(reasonOf(item.json, 'brief')).toContain('not within [0, 5]');
		expect(String(item.json.reason)).not.toContain('\n');
	});

	it('a pass with every scorer passing keeps the short reason; a pass with a failed scorer names it', async () => {
		const result = await run({ scorers, threshold: 0.5 }, [{ text: 'Battery lasts, please.' }, { text: 'Battery lasts two days.' }]);
		const [all, most] = outputOf(result);
		expect(all.json.reason).toBe('reward 1.0000 >= threshold 0.5');
		expect(most.json.reason).toBe(`reward 0.8000 >= threshold 0.5; failed: polite (${reasonOf(most.json, 'polite')})`);
	});

	it('below the threshold with no scorer failed on its own: the lowest-scoring one is named', async () => {
		const graded = { scorer: [{ name: 'close', type: 'text_similarity', metric: 'fuzzy_match', reference: 'abcdefghij', passThreshold: 0.1 }] };
		const result = await run({ scorers: graded, threshold: 0.9 }, [{ text: 'abcdexxxxx' }]);
		const [item] = outputOf(result);
		expect(item.json.pass).toBe(false);
		expect(item.json.reason).toMatch(/^reward 0\.\d+ < threshold 0\.9; lowest: close scored 0\.\d+ \(.+\)$/);
	});

	it('a failed must-pass rule is named with why, then any other failed scorer', async () => {
		const gated = { scorer: [{ name: 'no_ads', type: 'banned_terms', terms: 'discount', mustPass: true }, ...scorers.scorer] };
		const result = await run({ scorers: gated, threshold: 0.5 }, [{ text: 'Battery discount today only, hurry up friends.' }]);
		const [item] = outputOf(result);
		expect(item.json).toMatchObject({ reward: 0, pass: false });
		expect(item.json.reason).toBe(
			`must pass: no_ads failed (${reasonOf(item.json, 'no_ads')}); also failed: brief (${reasonOf(item.json, 'brief')}); polite (${reasonOf(item.json, 'polite')})`,
		);
		expect(reasonOf(item.json, 'no_ads')).toContain('discount');
	});

	it('reward, pass and reason are the first fields, before the input\'s, and win over input fields of the same name', async () => {
		const result = await run({ scorers, threshold: 0.5 }, [{ question: 'q', text: 'Battery lasts, please.', reason: 'from an earlier node', extra: 1 }]);
		const [item] = outputOf(result);
		expect(Object.keys(item.json).slice(0, 3)).toEqual(['reward', 'pass', 'reason']);
		expect(item.json).toMatchObject({ question: 'q', text: 'Battery lasts, please.', extra: 1, reason: 'reward 1.0000 >= threshold 0.5' });
		expect(Object.keys(item.json).indexOf('scores')).toBeGreaterThan(Object.keys(item.json).indexOf('extra'));
	});

	it('a judge that does not answer in JSON: the reason names it and says response_format may be unsupported, and what to do', async () => {
		server.configure({ answer: () => 'I would give this a 7 out of 10.' });
		const judged = { scorer: [{ name: 'quality', type: 'score_model', model: 'judge-model', rubric: 'Is it good?', rangeMin: 0, rangeMax: 10, passThreshold: 6 }] };
		const result = await run({ scorers: judged, threshold: 0.5 }, [{ text: 'an answer' }], true);
		expect(runError(result)).toBeUndefined();
		const [item] = outputOf(result);
		expect(item.json.pass).toBe(false);
		const reason = String(item.json.reason);
		expect(reason).toMatch(/^reward 0\.0000 < threshold 0\.5; failed: quality \(the judge did not answer in JSON; the server may not support response_format/);
		expect(reason).toContain('use a judge model and server with structured outputs');
		expect(reasonOf(item.json, 'quality')).toContain('It answered: "I would give this a 7 out of 10."');
	});
});
