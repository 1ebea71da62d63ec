/**
 * examples/best-of-n-report.json in n8n's engine: its Reward Loop and Reward Report, with the
 * example's own parameters, on the items its Code node makes (the real Code node needs n8n's task
 * runner). The report's n, means and paired comparison are those of the Reward Loop's items.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject, INode } from 'n8n-workflow';
import { NODE_NAME, outputOf, PACKAGE_ROOT, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const testServer = useTestServer();
const { server } = testServer;
const example = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'examples', 'best-of-n-report.json'), 'utf8')) as { nodes: INode[] };
const nodeOf = (name: string) => example.nodes.find((node) => node.name === name) as INode;

describe('example: best-of-1 against best-of-4 with a Reward Report', () => {
	it('the report pairs the questions and matches the loop\'s items', async () => {
		// Round 1: candidates 0 and 1 are poor, 2 and 3 good; a refine round helps only battery questions.
		server.configure({
			answer: ({ body }) => {
				const refining = (body.messages ?? []).some((m) => m.role === 'assistant');
				const question = String(body.messages?.[0]?.content ?? '');
				if (refining) return question.includes('battery') ? 'The battery charge lasts longer.' : 'Hard to say really.';
				return { choices: Array.from({ length: body.n ?? 1 }, (_, i) => ({ content: i < 2 ? 'It depends.' : 'The battery capacity is what matters here.' })) };
			},
		});
		const code = String(nodeOf('Questions Times Variants').parameters.jsCode);
		const items = (new Function(code) as () => Array<{ json: IDataObject }>)().map((item) => item.json);
		expect(items).toHaveLength(16);
		const report = nodeOf('Reward Report');
		const run = await runWorkflow({
			nodeType: 'n8n-nodes-reward-loop.rewardLoop',
			parameters: nodeOf('Reward Loop').parameters,
			items,
			// The example leaves its model empty: the credential's Default Model names it.
			credentials: { apiKey: 'sk-report-example-4d2c', baseUrl: testServer.baseUrl, defaultModel: 'gpt-4.1-mini' },
			extra: { nodes: [{ ...report, position: [400, 0] }], connections: { [NODE_NAME]: { main: [[{ node: report.name, type: 'main', index: 0 }]] } } },
		});
		expect(runError(run)).toBeUndefined();
		const looped = outputOf(run);
		const [reportItem] = run.data.resultData.runData[report.name][0].data!.main[0]!;
		const summary = reportItem.json.summary as { n: number; variants: Array<IDataObject & { loop: IDataObject }>; comparisons: IDataObject[] };
		expect(summary.n).toBe(16);
		const mean = (variant: string) => {
			const rewards = looped.filter((item) => item.json.variant === variant).map((item) => item.json.reward as number);
			return rewards.reduce((a, b) => a + b, 0) / rewards.length;
		};
		const [one, four] = summary.variants;
		expect([one.variant, one.n, four.variant, four.n]).toEqual(['best-of-1', 8, 'best-of-4', 8]);
		expect(one.meanReward).toBeCloseTo(mean('best-of-1'), 12);
		expect(four.meanReward).toBeCloseTo(mean('best-of-4'), 12);
		expect(four.meanReward).toBe(1);
		expect(one.loop).toMatchObject({ n: 8, roundsUsed: [{ rounds: 2, items: 8 }] });
		expect(four.loop).toMatchObject({ n: 8, roundsUsed: [{ rounds: 1, items: 8 }] });
		// Questions 3 and 4 have no "battery" in them: refining does not help best-of-1 there.
		expect(summary.comparisons[0]).toMatchObject({ baseline: 'best-of-1', variant: 'best-of-4', pairs: 8, wins: 2, ties: 6, losses: 0, fixed: ['q3', 'q4'], regressedCount: 0 });
		expect(reportItem.binary?.report.mimeType).toBe('text/html');
		expect(reportItem.binary?.chart.mimeType).toBe('image/svg+xml');
	});
});
