import type { IDataObject } from 'n8n-workflow';
import type { ChatBody } from '../server/mockOpenAiServer';
import { CODE_TYPE, NODE_NAME, outputOf, outputsOfAllRuns, runError, runWorkflow, startWorkflow, taskOf } from './harness';
import { useTestServer } from './testServer';

const NODE = 'n8n-nodes-reward-loop.rewardLoop';
const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };

const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({});
	server.reset();
});

const credentials = () => ({ apiKey: 'sk-loop-engine-0a1b2c3d', baseUrl: testServer.baseUrl });
const userTurns = (body: ChatBody) => (body.messages ?? []).filter((m) => m.role === 'user').length;
/** The round a refine prompt belongs to, told by the previous best answer it carries. */
const roundOf = (body: ChatBody, answers: string[]) => {
	const previous = (body.messages ?? []).find((m) => m.role === 'assistant')?.content;
	return previous === undefined ? 0 : answers.findIndex((a) => String(previous).startsWith(a)) + 1;
};
/** Scores by keywords: each of battery, hours, charge adds a third. */
const KEYWORDS = {
	mode: 'scorers',
	scorers: {
		scorer: [
			{ name: 'battery', type: 'contains', values: 'battery' },
			{ name: 'hours', type: 'contains', values: 'hours' },
			{ name: 'charge', type: 'contains', values: 'charge' },
		],
	},
	combine: 'weighted',
	threshold: 0.99,
};
const loopParameters = (extra: IDataObject = {}, loopOptions: IDataObject = {}) => ({
	rewardSource: 'scorers',
	model: MODEL,
	promptSource: 'prompt',
	prompt: '={{ $json.q }}',
	options: { maxRetries: 0 },
	candidatesPerRound: 4,
	maxRounds: 1,
	...KEYWORDS,
	loopOptions,
	...extra,
});
const runLoop = (parameters: IDataObject, items: IDataObject[] = [{ q: 'Describe the phone' }], continueOnFail = false) =>
	runWorkflow({ nodeType: NODE, parameters, items, credentials: credentials(), continueOnFail });

describe('Reward Loop in n8n\'s engine', () => {
	it('best-of-N with one request per round (n) picks the top reward', async () => {
		const texts = ['a battery', 'battery for 10 hours', 'nothing', 'battery, 10 hours, fast charge'];
		server.configure({ answer: () => ({ choices: texts.map((content) => ({ content })) }) });
		const run = await runLoop(loopParameters({ threshold: 0.5 }));
		expect(runError(run)).toBeUndefined();
		const [done] = outputOf(run);
		expect(done.json).toMatchObject({ text: texts[3], reward: 1, pass: true, stopReason: 'threshold', roundsUsed: 1, candidatesTried: 4, requests: 1 });
		expect(server.counters.chatRequests).toBe(1);
		expect(server.received[0].body).toMatchObject({ n: 4 });
		expect((done.json.history as IDataObject[]).map((h) => h.reward)).toEqual([1 / 3, 2 / 3, 0, 1]);
		expect(done.pairedItem).toEqual({ item: 0 });
	});

	it('without n, sends N requests, and ties go to the earliest candidate', async () => {
		let served = 0;
		server.configure({ answer: () => ['battery one', 'battery two', 'none', 'battery three'][served++ % 4] });
		const run = await runLoop(loopParameters({ threshold: 0.2 }, { useN: false }));
		const [done] = outputOf(run);
		expect(server.counters.chatRequests).toBe(4);
		expect(server.received.every((r) => (r.body as ChatBody).n === undefined)).toBe(true);
		expect(done.json).toMatchObject({ requests: 4, candidatesTried: 4, reward: 1 / 3 });
		const history = done.json.history as IDataObject[];
		const firstTop = history.find((h) => h.reward === 1 / 3);
		expect(done.json.text).toBe(firstTop?.text);
	});

	it('refine reaches the threshold in round 3, each round\'s prompt carrying the previous round\'s feedback', async () => {
		const byRound = ['a phone', 'a battery phone', 'battery lasts 20 hours, quick charge'];
		server.configure({ answer: ({ body }) => byRound[roundOf(body, byRound)] });
		const run = await runLoop(loopParameters({ candidatesPerRound: 1, maxRounds: 5 }));
		const [done] = outputOf(run);
		expect(done.json).toMatchObject({ text: byRound[2], reward: 1, pass: true, roundsUsed: 3, stopReason: 'threshold' });
		expect(server.counters.chatRequests).toBe(3);
		const prompts = server.received.map((r) => (r.body as ChatBody).messages ?? []);
		expect(prompts[0]).toEqual([{ role: 'user', content: 'Describe the phone' }]);
		const feedback = done.json.feedback as string[];
		expect(feedback).toHaveLength(2);
		for (const round of [1, 2]) {
			// Round k+1 is the original prompt, round k's best answer, then round k's feedback.
			expect(prompts[round]).toEqual([
				{ role: 'user', content: 'Describe the phone' },
				{ role: 'assistant', content: byRound[round - 1] },
				{ role: 'user', content: feedback[round - 1] },
			]);
		}
		expect(feedback[0]).toContain('Your previous answer scored 0.000. It needs 0.99.');
		expect(feedback[0]).toContain('- battery: does not contain any of ["battery"]');
		expect(feedback[1]).toContain('scored 0.333');
		expect(feedback[1]).not.toContain('- battery:');
		expect(feedback[1]).toContain('- hours: does not contain any of ["hours"]');
	});

	it('budget exhaustion returns the best so far, or fails the item, as configured', async () => {
		server.configure({ answer: ({ body }) => ({ choices: ['battery', 'nothing'].slice(0, body.n ?? 1).map((content) => ({ content })) }) });
		const best = await runLoop(loopParameters({ candidatesPerRound: 2, maxRounds: 5 }, { maxCandidates: 5 }));
		expect(outputOf(best)[0].json).toMatchObject({ text: 'battery', pass: false, stopReason: 'candidates', candidatesTried: 5, roundsUsed: 3 });
		const lastRequest = server.received[server.received.length - 1].body as ChatBody;
		expect(lastRequest.n).toBeUndefined();

		server.reset();
		const failed = await runLoop(loopParameters({ candidatesPerRound: 2, maxRounds: 2 }, { onExhausted: 'fail' }), [{ q: 'x' }, { q: 'y' }], true);
		const outputs = outputOf(failed);
		expect(outputs.map((o) => o.json.error)).toEqual([
			'Item 0: the budget ended (rounds) below the threshold: best reward 0.333',
			'Item 1: the budget ended (rounds) below the threshold: best reward 0.333',
		]);
		expect((outputs[0].json.loop as IDataObject).candidatesTried).toBe(4);

		server.reset();
		const tokens = await runLoop(loopParameters({ candidatesPerRound: 2, maxRounds: 5 }, { maxTokens: 1 }));
		expect(outputOf(tokens)[0].json).toMatchObject({ stopReason: 'tokens', roundsUsed: 1 });
	});

	it('tolerates errors up to Max Errors, then fails the item', async () => {
		let calls = 0;
		server.configure({
			fault: () => (calls++ === 0 ? { status: 500, message: 'flaky' } : undefined),
			answer: () => 'battery hours charge',
		});
		const tolerated = await runLoop(loopParameters({ candidatesPerRound: 1, maxRounds: 3 }, { maxErrors: 1 }));
		expect(outputOf(tolerated)[0].json).toMatchObject({ pass: true, errors: 1, roundsUsed: 2, text: 'battery hours charge' });

		server.configure({ fault: () => ({ status: 500, message: 'down' }) });
		const failed = await runLoop(loopParameters({ candidatesPerRound: 1, maxRounds: 3 }, { maxErrors: 1 }));
		expect(runError(failed)?.message).toBe('Item 0: 2 errors, more than the 1 tolerated (2 × 500 Internal Server Error); last: 500 down');
	});

	it('preference pairs: the best against every distinct worse candidate, as DPO and TRL rows', async () => {
		server.configure({ answer: () => ({ choices: ['battery hours', 'battery', 'battery', 'nothing'].map((content) => ({ content })) }) });
		const run = await runLoop(loopParameters({ threshold: 0.5 }, {}), [{ q: 'Describe the phone' }]);
		const pairs = outputOf(run)[0].json.preferencePairs as IDataObject;
		const prompt = [{ role: 'user', content: 'Describe the phone' }];
		const chosen = [{ role: 'assistant', content: 'battery hours' }];
		expect(pairs).toEqual({
			dpo: [
				{ input: { messages: prompt }, preferred_output: chosen, non_preferred_output: [{ role: 'assistant', content: 'battery' }] },
				{ input: { messages: prompt }, preferred_output: chosen, non_preferred_output: [{ role: 'assistant', content: 'nothing' }] },
			],
			trl: [
				{ prompt, chosen, rejected: [{ role: 'assistant', content: 'battery' }] },
				{ prompt, chosen, rejected: [{ role: 'assistant', content: 'nothing' }] },
			],
		});
	});

	it('a critique model adds advice to the feedback, and token usage covers every call', async () => {
		server.configure({
			answer: ({ body }) => {
				if (body.model === 'critic') return 'Mention the battery life in hours.';
				return userTurns(body) === 1 ? 'a phone' : 'battery lasts 20 hours, quick charge';
			},
		});
		const run = await runLoop(loopParameters({ candidatesPerRound: 1, maxRounds: 3 }, { critiqueModel: 'critic' }));
		const [done] = outputOf(run);
		expect(done.json.pass).toBe(true);
		expect((done.json.feedback as string[])[0]).toContain('Advice: Mention the battery life in hours.');
		const critic = server.received.find((r) => (r.body as ChatBody).model === 'critic')?.body as ChatBody;
		expect(String(critic.messages?.[1]?.content)).toContain('<<<CANDIDATE>>>\na phone\n<<<END CANDIDATE>>>');
		expect(server.counters.chatRequests).toBe(3);
		const usage = done.json.usage as IDataObject;
		expect(taskOf(run)?.metadata?.tokenUsage).toEqual({ inputTokens: usage.promptTokens, outputTokens: usage.completionTokens });
	});

	it('Concurrency caps requests in flight, not items; cancelling the execution stops every round at once', async () => {
		server.configure({ fault: () => 'hang' });
		const execution = await startWorkflow({
			nodeType: NODE,
			parameters: loopParameters({ candidatesPerRound: 2, maxRounds: 3, options: { concurrency: 3, timeout: 60_000 } }, { useN: false }),
			items: Array.from({ length: 10 }, (_, i) => ({ q: `loop-cancel ${i}` })),
			credentials: credentials(),
		});
		// Counted by prompt, so that a straggler from an earlier test cannot blur the figures.
		const sent = () => server.received.filter((r) => JSON.stringify(r.body).includes('loop-cancel')).length;
		const deadline = Date.now() + 5000;
		while (sent() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
		// Ten items of two candidates each, but Concurrency 3 means three requests, whatever items they belong to.
		await new Promise((r) => setTimeout(r, 300));
		expect(sent()).toBe(3);
		expect(server.counters.maxInFlight).toBe(3);
		execution.cancel();
		const aborted = Date.now() + 1000;
		while (server.counters.clientAborts < 3 && Date.now() < aborted) await new Promise((r) => setTimeout(r, 10));
		expect(server.counters.clientAborts).toBeGreaterThanOrEqual(3);
		expect((await execution.result).status).toBe('canceled');
		await new Promise((r) => setTimeout(r, 200));
		expect(sent()).toBe(3);
	});

	it('external reward mode loops through a Code node that sets the reward, and terminates', async () => {
		const byRound = ['draft one', 'draft two', 'final answer'];
		server.configure({ answer: ({ body }) => ({ choices: [0, 1].map((i) => ({ content: `${byRound[roundOf(body, byRound)]} #${i}` })) }) });
		const run = await runWorkflow({
			nodeType: NODE,
			parameters: {
				rewardSource: 'external',
				model: MODEL,
				promptSource: 'prompt',
				prompt: '={{ $json.q }}',
				options: {},
				candidatesPerRound: 2,
				maxRounds: 5,
				rewardField: 'reward',
				externalThreshold: 0.9,
			},
			items: [{ q: 'Write it' }],
			credentials: credentials(),
			extra: {
				nodes: [
					{
						id: 'code',
						name: 'Set Reward',
						type: CODE_TYPE,
						typeVersion: 1,
						position: [400, 200],
						parameters: {
							jsCode:
								'return items.map((item) => ({ ...item, reward: item.text.startsWith("final") ? (item.text.endsWith("#1") ? 1 : 0.95) : item.text.startsWith("draft two") ? 0.5 : 0.1, feedback: "needs the word final" }));',
						},
					},
				],
				connections: {
					[NODE_NAME]: { main: [[], [{ node: 'Set Reward', type: 'main', index: 0 }]] },
					'Set Reward': { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] },
				},
			},
		});
		expect(runError(run)).toBeUndefined();
		const done = outputsOfAllRuns(run, 0);
		expect(done).toHaveLength(1);
		expect(done[0].json).toMatchObject({ q: 'Write it', text: 'final answer #1', reward: 1, pass: true, roundsUsed: 3, candidatesTried: 6, stopReason: 'threshold' });
		expect((done[0].json.history as IDataObject[]).map((h) => [h.round, h.reward])).toEqual([
			[1, 0.1],
			[1, 0.1],
			[2, 0.5],
			[2, 0.5],
			[3, 0.95],
			[3, 1],
		]);
		expect(done[0].json).not.toHaveProperty('_rewardLoop');
		expect(run.data.resultData.runData[NODE_NAME]).toHaveLength(4);
		const round3 = server.received[2].body as ChatBody;
		expect(String(round3.messages?.[2]?.content)).toContain('needs the word final');
		const trl = (done[0].json.preferencePairs as IDataObject).trl as Array<{ rejected: Array<{ content: string }> }>;
		expect(trl.map((row) => row.rejected[0].content)).toEqual(['final answer #0', 'draft two #0', 'draft two #1', 'draft one #0', 'draft one #1']);
	});
});
