/**
 * Online RL in n8n's engine against the test server's W&B Serverless RL: two steps where step 2
 * samples from step 1's checkpoint, and the trajectory groups sent are the loop's candidates and
 * rewards exactly; bad input; Continue On Fail; a failed step; cancel while waiting.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { chain, CODE_TYPE, NODE_NAME, outputOf, outputsOfAllRuns, runError, runWorkflow, startWorkflow } from './harness';
import { testWandbCredential } from '../../nodes/shared/wandbCredentialTest';
import { useTestServer } from './testServer';

const LOOP = 'n8n-nodes-reward-loop.rewardLoop';
const RL = 'n8n-nodes-reward-loop.onlineRl';
const BASE = 'OpenPipe/Qwen3-14B-Instruct';
const WANDB_KEY = 'wandb-engine-key-93f1c2';

const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({ onlineRl: { stepMs: 5 } });
	server.reset();
	server.onlineRl.clear();
});

const openAi = () => ({ apiKey: 'sk-rl-engine-5e4d3c2b', baseUrl: testServer.baseUrl });
const wandb = (extra: IDataObject = {}) => ({ wandbApi: { apiKey: WANDB_KEY, baseUrl: testServer.baseUrl, entity: '', project: 'rl-tests', ...extra } });
const QUESTIONS = [{ q: 'What is 2 + 2?' }, { q: 'Name a primary colour.' }];

const loopParameters = (model: string) => ({
	rewardSource: 'scorers',
	model: { __rl: true, mode: 'id', value: model },
	promptSource: 'prompt',
	prompt: '={{ $json.q }}',
	options: { maxRetries: 0 },
	candidatesPerRound: 4,
	maxRounds: 1,
	mode: 'scorers',
	scorers: { scorer: [{ name: 'correct', type: 'contains', values: 'Correct' }] },
	combine: 'weighted',
	threshold: 1,
	loopOptions: {},
});
const rlParameters = (extra: IDataObject = {}) => ({
	operation: 'trainStep',
	input: 'rewardLoop',
	promptSource: 'prompt',
	prompt: '={{ $json.q }}',
	baseModel: BASE,
	modelName: 'agent-001',
	equalRewards: 'skip',
	options: { pollSeconds: 0.01, timeoutMinutes: 1 },
	...extra,
});
const node = (name: string, type: string, parameters: IDataObject, position: number, extra: Partial<INode> = {}): INode => ({
	id: name,
	name,
	type,
	typeVersion: 1,
	position: [position * 200, 0],
	parameters: parameters as INode['parameters'],
	credentials: { openAiCompatibleApi: { id: 'cred-openAiCompatibleApi', name: 'Test' }, wandbApi: { id: 'cred-wandbApi', name: 'W&B Test' } },
	...extra,
});
const nodeOutput = (run: Awaited<ReturnType<typeof runWorkflow>>, name: string) => outputsOfAllRuns(run, 0, name).map((item) => item.json);
/** What the Online RL node must have sent for a Reward Loop's output items: one group per item, its candidates in order. */
const expectedGroups = (loopItems: IDataObject[]) =>
	loopItems.map((item) => ({
		trajectories: (item.history as Array<{ text: string; reward: number }>).map((candidate) => ({
			messages_and_choices: [
				{ role: 'user', content: item.q },
				{ role: 'assistant', content: candidate.text },
			],
			reward: candidate.reward,
		})),
	}));

describe('Online RL (W&B Serverless RL) in n8n\'s engine', () => {
	it('two steps: step 2 samples from step 1\'s checkpoint, and the groups sent are the loop\'s candidates and rewards exactly', async () => {
		const nextPrompts = `return ${JSON.stringify(QUESTIONS)}.map((q) => ({ ...q, model: items[0].model }));`;
		const run = await runWorkflow({
			nodeType: LOOP,
			parameters: loopParameters(BASE),
			items: QUESTIONS,
			credentials: openAi(),
			otherCredentials: wandb(),
			extra: {
				nodes: [
					node('Train 1', RL, rlParameters(), 2),
					node('Next Prompts', CODE_TYPE, { jsCode: nextPrompts }, 3),
					node('Loop 2', LOOP, loopParameters('={{ $json.model }}'), 4),
					node('Train 2', RL, rlParameters(), 5),
				],
				connections: chain(NODE_NAME, 'Train 1', 'Next Prompts', 'Loop 2', 'Train 2'),
			},
		});
		expect(runError(run)).toBeUndefined();
		const loop1 = outputOf(run).map((item) => item.json);
		const loop2 = nodeOutput(run, 'Loop 2');
		const [step1] = nodeOutput(run, 'Train 1');
		const [step2] = nodeOutput(run, 'Train 2');

		// Each step sent exactly the loop's candidates with their rewards, one group per item.
		expect(server.onlineRl.received).toHaveLength(2);
		expect(server.onlineRl.received[0].trajectory_groups).toEqual(expectedGroups(loop1));
		expect(server.onlineRl.received[1].trajectory_groups).toEqual(expectedGroups(loop2));
		expect(server.onlineRl.received[0].experimental_config).toEqual({ allow_training_without_logprobs: true });
		// The same model both times (return_existing), so step 2 trains on from step 1.
		expect(server.onlineRl.received[1].model_id).toBe(server.onlineRl.received[0].model_id);

		expect(step1).toMatchObject({ model: 'wandb-artifact:///mock-entity/rl-tests/agent-001:step1', step: 1, meanReward: 0.25, groups: 2, trajectories: 8, skippedGroups: [] });
		expect(step2).toMatchObject({ model: 'wandb-artifact:///mock-entity/rl-tests/agent-001:step2', step: 2, meanReward: 0.5, groups: 2, trajectories: 8 });
		expect(step1.gradientSteps).toBe(2);

		// Loop 1 sampled from the base model, Loop 2 from step 1's checkpoint, on the same server.
		const chatModels = server.received.filter((r) => r.path === '/chat/completions').map((r) => (r.body as { model: string }).model);
		expect(chatModels).toEqual([BASE, BASE, step1.model, step1.model]);
		expect(loop2.every((item) => (item.history as unknown[]).length === 4)).toBe(true);

		// W&B's requests carried the W&B key; no output carries it.
		const wandbRequests = server.received.filter((r) => r.path.startsWith('/preview/'));
		expect(wandbRequests.length).toBeGreaterThan(0);
		expect(wandbRequests.every((r) => r.headers.authorization === `Bearer ${WANDB_KEY}`)).toBe(true);
		expect(JSON.stringify(run.data.resultData.runData)).not.toContain(WANDB_KEY);
	});

	it('a loop of two rounds gives one group per round, each round\'s prompt exactly as the loop sent it', async () => {
		const twoRounds = {
			...loopParameters(BASE),
			maxRounds: 2,
			// The best reward is 0.5 at most, below the threshold: the loop refines once.
			scorers: { scorer: [{ name: 'correct', type: 'contains', values: 'Correct' }, { name: 'cites', type: 'contains', values: 'according to' }] },
			threshold: 0.9,
		};
		const run = await runWorkflow({
			nodeType: LOOP,
			parameters: twoRounds,
			items: [QUESTIONS[0]],
			credentials: openAi(),
			otherCredentials: wandb(),
			extra: { nodes: [node('Train', RL, rlParameters(), 2)], connections: chain(NODE_NAME, 'Train') },
		});
		expect(runError(run)).toBeUndefined();
		const [loop] = outputOf(run).map((item) => item.json);
		expect(loop.roundsUsed).toBe(2);
		const sent = server.received.filter((r) => r.path === '/chat/completions').map((r) => (r.body as { messages: unknown[] }).messages);
		expect(sent).toHaveLength(2);
		const history = loop.history as Array<{ round: number; text: string; reward: number }>;
		expect(server.onlineRl.received[0].trajectory_groups).toEqual(
			[1, 2].map((round) => ({
				trajectories: history.filter((c) => c.round === round).map((c) => ({ messages_and_choices: [...sent[round - 1], { role: 'assistant', content: c.text }], reward: c.reward })),
			})),
		);
		expect(nodeOutput(run, 'Train')[0]).toMatchObject({ groups: 2, trajectories: 8 });
	});

	it('items with messages and a reward, grouped by a field; equal-reward groups are skipped and listed', async () => {
		const items = [
			{ prompt: 'p1', messages: [{ role: 'user', content: 'p1' }, { role: 'assistant', content: 'a' }], reward: 1 },
			{ prompt: 'p2', messages: [{ role: 'user', content: 'p2' }, { role: 'assistant', content: 'c' }], reward: 0.5 },
			{ prompt: 'p1', messages: [{ role: 'user', content: 'p1' }, { role: 'assistant', content: 'b' }], reward: '0.25' },
			{ prompt: 'p2', messages: [{ role: 'user', content: 'p2' }, { role: 'assistant', content: 'd' }], reward: 0.5 },
		];
		const run = await runWorkflow({ nodeType: RL, parameters: rlParameters({ input: 'messages', messagesField: 'messages', rewardField: 'reward', groupField: 'prompt' }), items, otherCredentials: wandb() });
		expect(runError(run)).toBeUndefined();
		const [out] = outputOf(run);
		expect(server.onlineRl.received[0].trajectory_groups).toEqual([
			{
				trajectories: [
					{ messages_and_choices: items[0].messages, reward: 1 },
					{ messages_and_choices: items[2].messages, reward: 0.25 },
				],
			},
		]);
		expect(out.json).toMatchObject({ step: 1, groups: 1, trajectories: 2, skippedGroups: [{ group: 'group "p2"', items: [1, 3], reward: 0.5 }] });
		expect(out.pairedItem).toEqual([{ item: 0 }, { item: 2 }]);
	});

	it('refuses bad input before sending anything, naming the item and the field', async () => {
		const cases: Array<{ items: IDataObject[]; parameters: IDataObject; message: RegExp }> = [
			{ items: [{ q: 'x', text: 'y' }], parameters: {}, message: /^Item 0: has no "history" field: .*Include History/ },
			{
				items: [{ q: 'x', history: [{ round: 1, index: 0, text: 'a', reward: 1 }] }],
				parameters: {},
				message: /^Item 0: item 0, round 1 has 1 usable trajectory; GRPO compares .* at least 2/,
			},
			{ items: [{ q: 'x', history: [{ round: 1, index: 0, text: 'a', reward: 'high' }] }], parameters: {}, message: /^Item 0: history\[0\]\.reward: "high" is not a number/ },
			{ items: [{ history: [] }], parameters: {}, message: /^Item 0: Prompt is empty \(its expression \{\{ \$json\.q \}\} found nothing in this item/ },
			{
				items: [{ p: 'g', messages: [{ role: 'user', content: 'hi' }], reward: 1 }],
				parameters: { input: 'messages', groupField: 'p' },
				message: /^Item 0: the messages field "messages" must end with the assistant's answer that was rewarded/,
			},
			{ items: [{ p: 'g', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'a' }] }], parameters: { input: 'messages', groupField: 'p' }, message: /^Item 0: the reward field "reward" is missing, not a number/ },
			{
				items: [
					{ q: 'x', history: [{ round: 1, index: 0, text: 'a', reward: 1 }, { round: 1, index: 1, text: 'b', reward: 1 }] },
				],
				parameters: { equalRewards: 'fail' },
				message: /^Item 0: every reward of item 0, round 1 is 1; GRPO learns from the differences/,
			},
			{
				items: [{ q: 'x', history: [{ round: 1, index: 0, text: 'a', reward: 1 }, { round: 1, index: 1, text: 'b', reward: 1 }] }],
				parameters: {},
				message: /^Nothing to train on: every group's rewards were equal \(item 0, round 1: all 1\)/,
			},
			{ items: [{ q: 'x' }], parameters: { modelName: '={{ $json.none }}' }, message: /^Model Name is empty/ },
		];
		for (const { items, parameters, message } of cases) {
			const run = await runWorkflow({ nodeType: RL, parameters: rlParameters(parameters), items, otherCredentials: wandb() });
			expect(runError(run)?.message).toMatch(message);
		}
		expect(server.received.filter((r) => r.path.startsWith('/preview/'))).toEqual([]);
	});

	it('Continue On Fail: the bad items come out with their error (paired), the step trains on the rest', async () => {
		const good = { q: 'ok', history: [{ round: 1, index: 0, text: 'Correct', reward: 1 }, { round: 1, index: 1, text: 'Unsure', reward: 0 }] };
		const run = await runWorkflow({
			nodeType: RL,
			parameters: rlParameters(),
			items: [good, { q: 'bad', error: 'Item 1: 429 Rate limit' }, { q: 'thin', history: [{ round: 1, index: 0, text: 'a', reward: 1 }] }],
			otherCredentials: wandb(),
			continueOnFail: true,
		});
		expect(runError(run)).toBeUndefined();
		const out = outputOf(run);
		expect(out[0].json).toMatchObject({ model: 'wandb-artifact:///mock-entity/rl-tests/agent-001:step1', groups: 1, trajectories: 2, meanReward: 0.5 });
		expect(out[0].pairedItem).toEqual([{ item: 0 }]);
		expect(out.slice(1).map((item) => [item.pairedItem, String(item.json.error)])).toEqual([
			[{ item: 1 }, expect.stringMatching(/^Item 1: the Reward Loop failed on this item/)],
			[{ item: 2 }, expect.stringMatching(/^Item 2: item 2, round 1 has 1 usable trajectory/)],
		]);
		expect(server.onlineRl.received).toHaveLength(1);
		expect(server.onlineRl.received[0].trajectory_groups).toEqual([
			{
				trajectories: [
					{ messages_and_choices: [{ role: 'user', content: 'ok' }, { role: 'assistant', content: 'Correct' }], reward: 1 },
					{ messages_and_choices: [{ role: 'user', content: 'ok' }, { role: 'assistant', content: 'Unsure' }], reward: 0 },
				],
			},
		]);
	});

	it('a step W&B fails is the node\'s error with W&B\'s reason; with Continue On Fail it is one item paired with every item sent', async () => {
		server.configure({ onlineRl: { stepMs: 5, outcome: 'failed' } });
		const items = [{ q: 'ok', history: [{ round: 1, index: 0, text: 'a', reward: 1 }, { round: 1, index: 1, text: 'b', reward: 0 }] }];
		const failed = await runWorkflow({ nodeType: RL, parameters: rlParameters(), items, otherCredentials: wandb() });
		expect(runError(failed)?.message).toMatch(/^the training step \(job [0-9a-f-]+\) failed: CUDA out of memory \(injected\)$/);
		const kept = await runWorkflow({ nodeType: RL, parameters: rlParameters(), items, otherCredentials: wandb(), continueOnFail: true });
		const out = outputOf(kept);
		expect(out).toHaveLength(1);
		expect(out[0].json.error).toMatch(/failed: CUDA out of memory/);
		expect(out[0].pairedItem).toEqual([{ item: 0 }]);
	});

	it('a wrong W&B key names the base URL and the credential, never the key', async () => {
		server.configure({ onlineRl: { stepMs: 5 }, apiKey: 'the-right-key' });
		const items = [{ q: 'ok', history: [{ round: 1, index: 0, text: 'a', reward: 1 }, { round: 1, index: 1, text: 'b', reward: 0 }] }];
		const run = await runWorkflow({ nodeType: RL, parameters: rlParameters(), items, otherCredentials: wandb() });
		const message = String(runError(run)?.message);
		expect(message).toContain(`The server at ${testServer.baseUrl} refused the API key of the credential "Test wandbApi"`);
		expect(message).not.toContain(WANDB_KEY);
		// The POST that creates the model was sent once: W&B's preview POSTs are never retried.
		expect(server.received.filter((r) => r.path === '/preview/models')).toHaveLength(1);
	});

	it('cancelling the execution while the step trains ends the wait at once', async () => {
		server.configure({ onlineRl: { stepMs: 60_000 } });
		const items = [{ q: 'ok', history: [{ round: 1, index: 0, text: 'a', reward: 1 }, { round: 1, index: 1, text: 'b', reward: 0 }] }];
		const started = await startWorkflow({ nodeType: RL, parameters: rlParameters({ options: { pollSeconds: 30, timeoutMinutes: 10 } }), items, otherCredentials: wandb() });
		const deadline = Date.now() + 10_000;
		while (!server.received.some((r) => r.path.endsWith('/events')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
		expect(server.received.some((r) => r.path.endsWith('/events'))).toBe(true);
		started.cancel();
		const run = await started.result;
		expect(outputOf(run)).toEqual([]);
		// One look at the events, then the 30 s sleep was cut short: no second look.
		expect(server.received.filter((r) => r.path.endsWith('/events'))).toHaveLength(1);
	});
});

describe('the W&B Training API credential\'s Test (the node\'s own)', () => {
	const test = (data: IDataObject) =>
		testWandbCredential.call({} as never, { id: 'c', name: 'My W&B', type: 'wandbApi', data: data as never });
	it('accepts a key W&B accepts (a 404 for a job that does not exist), refuses a wrong one without echoing it, and needs a project', async () => {
		server.configure({ apiKey: WANDB_KEY });
		await expect(test(wandb().wandbApi)).resolves.toEqual({ status: 'OK', message: 'Connection successful!' });
		const wrong = await test({ ...wandb().wandbApi, apiKey: 'wandb-wrong-key-0000' });
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toContain(`GET ${testServer.baseUrl}/preview/training-jobs failed: The server at ${testServer.baseUrl} refused the API key of the credential "My W&B"`);
		expect(wrong.message).not.toContain('wandb-wrong-key-0000');
		await expect(test({ ...wandb().wandbApi, project: '' })).resolves.toEqual({ status: 'Error', message: 'The credential "My W&B": Project is empty; W&B keeps the trained models in a project' });
		const unreachable = await test({ ...wandb().wandbApi, baseUrl: 'http://127.0.0.1:9/v1' });
		expect(unreachable.message).toMatch(/Nothing answers at http:\/\/127\.0\.0\.1:9\/v1: check the Base URL of the credential "My W&B"/);
	});
});
