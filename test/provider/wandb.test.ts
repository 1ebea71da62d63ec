import { runTrainStep } from '../../core/finetune/onlineRl/trainStep';
import type { TrainStepSpec, TrajectoryGroup } from '../../core/finetune/onlineRl/types';
import { StepWaitTimeoutError } from '../../core/finetune/onlineRl/waitForStep';
import { WandbRlProvider } from '../../core/finetune/onlineRl/wandb';
import { apiCallerFor, createHttpClient, type HttpClient } from '../../core/transport/http';
import { MockOpenAiServer } from '../server/mockOpenAiServer';

let server: MockOpenAiServer;
let provider: WandbRlProvider;
let http: HttpClient;
beforeAll(async () => {
	server = new MockOpenAiServer();
	http = createHttpClient({ baseUrl: await server.start(), apiKey: 'wandb-key-0000', authHeader: 'bearer' });
	provider = new WandbRlProvider({ read: apiCallerFor(http), write: apiCallerFor(http) });
});
afterAll(async () => {
	http.close();
	await server.stop();
});
beforeEach(() => {
	server.configure({ onlineRl: { stepMs: 1 } });
	server.reset();
	server.onlineRl.clear();
});

const group = (i: number): TrajectoryGroup => ({
	label: `group ${i}`,
	items: [i],
	trajectories: [0, 1].map((k) => ({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: `a${i}.${k}` }], reward: k })),
});
const spec = (groups: TrajectoryGroup[], extra: Partial<TrainStepSpec> = {}): TrainStepSpec => ({ modelName: 'm', baseModel: 'OpenPipe/Qwen3-14B-Instruct', project: 'p', groups, ...extra });

describe('W&B Serverless RL adapter against the test server', () => {
	it('sends CreateTrainingJob as documented, reads every page of events (cursor `after`) and the newest checkpoint', async () => {
		// 150 groups: 152 events, more than one page of 100.
		const result = await runTrainStep(provider, spec(Array.from({ length: 150 }, (_, i) => group(i)), { learningRate: 1e-5, entity: 'team' }), { pollMs: 5, timeoutMs: 30_000 });
		// 150 gradient steps, not more: each look goes on from the last event's id (`after`), none is read twice.
		expect(result.progress).toMatchObject({ state: 'succeeded', gradientSteps: 150, totalGradientSteps: 150 });
		expect(result.checkpoint).toMatchObject({ step: 1, model: 'wandb-artifact:///team/p/m:step1' });
		expect(server.received.find((r) => r.path === '/preview/models')?.body).toEqual({ entity: 'team', project: 'p', name: 'm', base_model: 'OpenPipe/Qwen3-14B-Instruct', return_existing: true });
		const body = server.received.find((r) => r.path === '/preview/training-jobs')?.body as Record<string, any>;
		expect(body.experimental_config).toEqual({ allow_training_without_logprobs: true, learning_rate: 1e-5 });
		expect(body.trajectory_groups[3]).toEqual({ trajectories: [0, 1].map((k) => ({ messages_and_choices: [{ role: 'user', content: 'q3' }, { role: 'assistant', content: `a3.${k}` }], reward: k })) });
	});

	it('a model of that name on another base is refused before a step is sent', async () => {
		await runTrainStep(provider, spec([group(0)]), { pollMs: 5, timeoutMs: 30_000 });
		await expect(runTrainStep(provider, spec([group(0)], { baseModel: 'OpenPipe/Qwen3-32B' }), { pollMs: 5, timeoutMs: 30_000 })).rejects.toThrow(
			'the model "m" already exists in mock-entity/p on the base model OpenPipe/Qwen3-14B-Instruct, not OpenPipe/Qwen3-32B: give another Model Name, or the same Base Model',
		);
		expect(server.onlineRl.received).toHaveLength(1);
	});

	it('a step still running at the timeout says how far it got', async () => {
		server.configure({ onlineRl: { stepMs: 60_000 } });
		await expect(runTrainStep(provider, spec([group(0)]), { pollMs: 5, timeoutMs: 30 })).rejects.toBeInstanceOf(StepWaitTimeoutError);
		await expect(runTrainStep(provider, spec([group(0)]), { pollMs: 5, timeoutMs: 30 })).rejects.toThrow(/is still running after 0 s \(0 gradient steps done\); raise Timeout/);
	});
});
