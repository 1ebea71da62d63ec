/**
 * Issue 17, "fail-fast leaves requests running": without Continue On Fail, the node's error must come
 * only once every other request of the run has been aborted (those in flight and those still queued
 * in the lane). The test server answers slowly; item 0 fails at once (its connection is reset); the
 * other items' requests are in flight or queued when it does. After the run the test waits longer
 * than the server's latency and counts the requests the server still answered, and those that
 * reached it after the node had returned: both must be 0. Before the fix, Score Output's failed item
 * kept its other judges running (and queued) after the node returned, and a request admitted to the
 * lane while the run stopped left without an abort.
 */
import type { IDataObject } from 'n8n-workflow';
import type { ChatRequestContext } from '../server/mockOpenAiServer';
import { loadPackage, outputOf, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };
const LATENCY_MS = 1_000;
const ITEMS = 60;
const ARRIVAL_GRACE_MS = 250;

const testServer = useTestServer();
const { server } = testServer;
// Loaded before the runs are timed.
beforeAll(() => loadPackage());
const credentials = () => ({ apiKey: 'sk-fail-fast-9a8b7c6d', baseUrl: testServer.baseUrl });
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Answers (not faults) the server sent, with when. */
let answeredAt: number[] = [];

/** Item 0's requests reset at once; every other request is answered after LATENCY_MS (unless aborted). */
function slowServerFailingItem0(isItem0: (context: ChatRequestContext) => boolean, answer?: (context: ChatRequestContext) => string | undefined) {
	answeredAt = [];
	server.reset();
	server.configure({
		latencyMs: LATENCY_MS,
		fault: (context) => (isItem0(context) ? 'reset' : undefined),
		answer: (context) => {
			answeredAt.push(Date.now());
			return answer?.(context);
		},
	});
}

/** Runs the workflow, then waits out the server's latency: what still reached or was answered by the server after the node returned. */
async function afterTheRun(run: () => ReturnType<typeof runWorkflow>) {
	const started = Date.now();
	const result = await run();
	const returned = Date.now();
	await wait(LATENCY_MS * 2);
	return {
		result,
		returnedWithinMs: returned - started,
		answered: answeredAt.length,
		// A request written just before the return may be read by the server (in this process) a few
		// milliseconds after it; one sent after the return would come later, as a place in the lane frees.
		arrivedAfterReturn: server.received.filter((request) => request.at > returned + ARRIVAL_GRACE_MS).length,
		arrivals: server.received.map((request) => request.at - returned),
		stillOpen: server.counters.inFlight,
	};
}

function expectNothingLeft(after: Awaited<ReturnType<typeof afterTheRun>>) {
	expect(runError(after.result)?.message).toMatch(/^Item 0: /);
	// Every other request was aborted before its answer: the server answered none.
	expect(after.answered).toBe(0);
	// Nothing reached the server well after the return (a request written just before it may be read a little later).
	expect({ arrivedAfterReturn: after.arrivedAfterReturn, arrivals: after.arrivals }).toEqual({ arrivedAfterReturn: 0, arrivals: after.arrivals });
	expect(after.stillOpen).toBe(0);
	// The node did not wait for the slow answers either.
	expect(after.returnedWithinMs).toBeLessThan(LATENCY_MS);
}

const items = (prefix: string) => Array.from({ length: ITEMS }, (_, i) => ({ q: `${prefix}-${i}`, text: `${prefix}-${i}: the battery lasts ${i} hours` }));

describe('fail-fast aborts every other request before the node returns', () => {
	it('Generate Text', async () => {
		slowServerFailingItem0((context) => context.lastUserText === 'gt-0');
		const after = await afterTheRun(() =>
			runWorkflow({
				parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { maxRetries: 0, concurrency: 10 } },
				items: items('gt'),
				credentials: credentials(),
			}),
		);
		expectNothingLeft(after);
	});

	it('Score Output: the failed item\'s other judges stop too, those in flight and those queued in the lane', async () => {
		const judgeAnswer = JSON.stringify({ steps: [], result: 0.9 });
		// Item 0's first judge fails at once; its other judges and the other items' judges are slow.
		slowServerFailingItem0(
			(context) => context.body.model === 'judge-a' && JSON.stringify(context.body.messages).includes('ff-0:'),
			() => judgeAnswer,
		);
		const judge = (name: string) => ({ name, type: 'score_model', model: `judge-${name}`, rubric: 'Rate it', rangeMin: 0, rangeMax: 1 });
		// Concurrency 2: two of item 0's five judges are in flight when its first fails, the others wait in the lane.
		const after = await afterTheRun(() =>
			runWorkflow({
				nodeType: 'n8n-nodes-reward-loop.scoreOutput',
				parameters: { mode: 'scorers', textField: 'text', scorers: { scorer: ['a', 'b', 'c', 'd', 'e'].map(judge) }, threshold: 0.5, options: { maxRetries: 0, concurrency: 2 } },
				items: items('ff').slice(0, 6),
				credentials: credentials(),
			}),
		);
		expectNothingLeft(after);
	});

	it('Reward Loop', async () => {
		slowServerFailingItem0((context) => context.lastUserText === 'rl-0');
		const parameters: IDataObject = {
			rewardSource: 'scorers',
			model: MODEL,
			promptSource: 'prompt',
			prompt: '={{ $json.q }}',
			options: { maxRetries: 0, concurrency: 10 },
			candidatesPerRound: 2,
			maxRounds: 2,
			mode: 'scorers',
			scorers: { scorer: [{ name: 'battery', type: 'contains', values: 'battery' }] },
			combine: 'weighted',
			threshold: 0.99,
			loopOptions: { maxErrors: 0 },
		};
		const after = await afterTheRun(() => runWorkflow({ nodeType: 'n8n-nodes-reward-loop.rewardLoop', parameters, items: items('rl'), credentials: credentials() }));
		expectNothingLeft(after);
	});

	it('with Continue On Fail nothing is aborted: every item ends, item 0 with its error', async () => {
		slowServerFailingItem0((context) => context.lastUserText === 'cof-0');
		const run = await runWorkflow({
			parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { maxRetries: 0, concurrency: 10 } },
			items: items('cof').slice(0, 12),
			credentials: credentials(),
			continueOnFail: true,
		});
		const output = outputOf(run);
		expect(output).toHaveLength(12);
		expect(String(output[0].json.error)).toMatch(/^Item 0: /);
		expect(output.slice(1).every((item) => typeof item.json.text === 'string')).toBe(true);
	});
});
