/**
 * The online-RL example in real n8n (2.41.1 on Node 24, the package installed as users install it,
 * `n8n execute`), against the test server's W&B Serverless RL and its inference: three samplings and
 * two training steps, the second step training on from the first's checkpoint, the groups sent being
 * the loops' candidates and rewards, and the mean reward rising per step.
 */
import { rmSync } from 'node:fs';
import { MockOpenAiServer } from '../server/mockOpenAiServer';
import { exampleFile } from './examples';
import { executeWorkflow, INSTALL_TIMEOUT_MS, prepareN8n, type N8nInstance } from './n8n';

const WANDB_KEY = 'wandb-e2e-key-4b7c1d9e';
const BASE = 'OpenPipe/Qwen3-14B-Instruct';

type Json = Record<string, any>;

describe('real n8n: the online-RL example', () => {
	let server: MockOpenAiServer;
	let n8n: N8nInstance;

	beforeAll(async () => {
		server = new MockOpenAiServer({ apiKey: WANDB_KEY, onlineRl: { stepMs: 20 } });
		await server.start();
		n8n = await prepareN8n('reward-loop-online-rl-');
		// The example's two credentials: W&B Training for Online RL, and W&B's OpenAI-compatible inference for the loops.
		await n8n.importCredentials([
			{ id: 'rlWandbCred01', name: 'W&B Training', type: 'wandbApi', data: { apiKey: WANDB_KEY, baseUrl: server.url, entity: '', project: 'rl-example' } },
			{ id: 'rlWandbInfer01', name: 'W&B inference (OpenAI-compatible)', type: 'openAiCompatibleApi', data: { apiKey: WANDB_KEY, baseUrl: server.url, defaultModel: BASE } },
		]);
	}, INSTALL_TIMEOUT_MS + 180_000);

	afterAll(async () => {
		await server?.stop();
		if (n8n) rmSync(n8n.work, { recursive: true, force: true });
	});

	it('samples, scores, trains two steps and samples from each new checkpoint; the mean reward per step rises', async () => {
		const example = exampleFile('online-rl-loop.json');
		// Poll fast: the test server's step takes a few events of 20 ms.
		for (const node of example.nodes) if (node.type === 'n8n-nodes-reward-loop.onlineRl') node.parameters.options = { pollSeconds: 0.05, timeoutMinutes: 2 };
		await n8n.importWorkflow(example);
		const { result } = await executeWorkflow(n8n, example.id, 170_000);
		expect(result.data.resultData.error).toBeUndefined();
		const runData = result.data.resultData.runData;
		const out = (name: string): Json[] => runData[name][0].data.main[0].map((item: { json: Json }) => item.json);

		const step1 = out('Train Step 1')[0];
		const step2 = out('Train Step 2')[0];
		expect(step1).toMatchObject({ model: 'wandb-artifact:///mock-entity/rl-example/online-rl-example:step1', step: 1, groups: 2, trajectories: 8, meanReward: 0.25 });
		expect(step2).toMatchObject({ model: 'wandb-artifact:///mock-entity/rl-example/online-rl-example:step2', step: 2, groups: 2, trajectories: 8, meanReward: 0.5 });
		expect(out('Mean Reward per Step')).toEqual([
			{ step: 0, model: BASE, meanReward: 0.25 },
			{ step: 1, model: step1.model, meanReward: 0.5 },
			{ step: 2, model: step2.model, meanReward: 0.75 },
		]);

		// Each sampling asked the model of its step; each training step sent that sampling's candidates and rewards.
		const chatModels = server.received.filter((r) => r.path === '/chat/completions').map((r) => (r.body as { model: string }).model);
		expect(chatModels).toEqual([BASE, BASE, step1.model, step1.model, step2.model, step2.model]);
		const system = example.nodes.find((node: Json) => node.name === 'Sample with Step 0').parameters.systemMessage;
		const groupsOf = (loopName: string) =>
			out(loopName).map((item) => ({
				trajectories: item.history.map((candidate: Json) => ({
					messages_and_choices: [
						{ role: 'system', content: system },
						{ role: 'user', content: item.q },
						{ role: 'assistant', content: candidate.text },
					],
					reward: candidate.reward,
				})),
			}));
		expect(server.onlineRl.received.map((body) => body.trajectory_groups)).toEqual([groupsOf('Sample with Step 0'), groupsOf('Sample with Step 1')]);
		expect(server.onlineRl.received[1].model_id).toBe(server.onlineRl.received[0].model_id);
		expect(JSON.stringify(result)).not.toContain(WANDB_KEY);
	}, 180_000);
});
