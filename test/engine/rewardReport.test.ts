/**
 * Score Output → Reward Report in n8n's engine: the report's n and means are those of the items
 * Score Output emitted, and the HTML and SVG binaries are there.
 */
import type { IBinaryData, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { NODE_NAME, outputOf, runError, runWorkflow } from './harness';

const REPORT = 'Reward Report';
const reportNode = (parameters: IDataObject): INode => ({
	id: 'report',
	name: REPORT,
	type: 'n8n-nodes-reward-loop.rewardReport',
	typeVersion: 1,
	position: [400, 0],
	parameters: parameters as INode['parameters'],
});

function runScoreThenReport(items: IDataObject[], parameters: IDataObject) {
	return runWorkflow({
		nodeType: 'n8n-nodes-reward-loop.scoreOutput',
		parameters: {
			mode: 'scorers',
			textField: 'text',
			scorers: { scorer: [{ name: 'battery', type: 'contains', values: 'battery' }, { name: 'short', type: 'length', unit: 'words', min: 1, max: 5 }] },
			threshold: 0.75,
		},
		items,
		extra: { nodes: [reportNode(parameters)], connections: { [NODE_NAME]: { main: [[{ node: REPORT, type: 'main', index: 0 }]] } } },
	});
}

const binaryText = (binary: IBinaryData) => Buffer.from(binary.data, 'base64').toString('utf8');
const meanOf = (items: INodeExecutionData[], model: string) => {
	const rewards = items.filter((item) => item.json.model === model).map((item) => item.json.reward as number);
	return rewards.reduce((a, b) => a + b, 0) / rewards.length;
};

describe('Reward Report in n8n\'s engine', () => {
	const texts = ['battery lasts long', 'great screen', 'the battery lasts all day and more than that', 'battery', 'nice phone', 'battery is fine'];
	const items = texts.flatMap((text, i) => [
		{ model: 'base', q: i, text },
		{ model: 'tuned', q: i, text: i % 2 ? `battery ${text}`.split(' ').slice(0, 4).join(' ') : text },
	]);

	it('Score Output → Reward Report: n and means as the scored items, paired comparison, binaries', async () => {
		const run = await runScoreThenReport(items, { variantField: 'model', idField: 'q', baseline: 'base' });
		expect(runError(run)).toBeUndefined();
		const scored = outputOf(run);
		const [report, ...rest] = run.data.resultData.runData[REPORT][0].data!.main[0]!;
		expect(rest).toEqual([]);
		const summary = report.json.summary as IDataObject & { n: number; variants: IDataObject[]; comparisons: IDataObject[] };
		expect(summary.n).toBe(scored.length);
		const byName = Object.fromEntries(summary.variants.map((v) => [v.variant as string, v]));
		expect(byName.base.n).toBe(6);
		expect(byName.tuned.n).toBe(6);
		expect(byName.base.meanReward).toBeCloseTo(meanOf(scored, 'base'), 12);
		expect(byName.tuned.meanReward).toBeCloseTo(meanOf(scored, 'tuned'), 12);
		expect(byName.base.passed).toBe(scored.filter((item) => item.json.model === 'base' && item.json.pass).length);
		expect(summary.comparisons[0]).toMatchObject({ baseline: 'base', variant: 'tuned', pairs: 6 });
		expect(report.pairedItem).toHaveLength(12);

		const { report: html, chart } = report.binary!;
		expect(html).toMatchObject({ mimeType: 'text/html', fileName: 'reward-report.html' });
		expect(chart).toMatchObject({ mimeType: 'image/svg+xml', fileName: 'reward-report.svg' });
		expect(binaryText(chart)).toMatch(/^<svg/);
		expect(binaryText(html)).toContain(binaryText(chart));
		expect(binaryText(html)).toContain((byName.tuned.meanReward as number).toFixed(3));
	});

	it('a bad reward fails naming the item and the field; with Continue On Fail it is left out and comes out with its error', async () => {
		const input = [
			{ reward: 0.5, pass: true },
			{ reward: 'high', pass: true },
			{ reward: 0.9, pass: true },
		];
		const failed = await runWorkflow({ nodeType: 'n8n-nodes-reward-loop.rewardReport', parameters: {}, items: input });
		expect(runError(failed)?.message).toBe('Item 1: field "reward" is "high": it must be a number between 0 and 1');

		const partial = await runWorkflow({ nodeType: 'n8n-nodes-reward-loop.rewardReport', parameters: {}, items: input, continueOnFail: true });
		expect(runError(partial)).toBeUndefined();
		const [report, error] = outputOf(partial);
		expect(report.json.summary).toMatchObject({ n: 2, skipped: 1 });
		expect((report.json.summary as { variants: IDataObject[] }).variants[0].meanReward).toBeCloseTo(0.7, 12);
		expect(report.pairedItem).toEqual([{ item: 0 }, { item: 2 }]);
		expect(error.json.error).toBe('Item 1: field "reward" is "high": it must be a number between 0 and 1');
		expect(error.pairedItem).toEqual({ item: 1 });
	});

	it('a variant field missing on an item fails naming it', async () => {
		const run = await runWorkflow({ nodeType: 'n8n-nodes-reward-loop.rewardReport', parameters: { variantField: 'model' }, items: [{ model: 'a', reward: 1, pass: true }, { reward: 1, pass: true }] });
		expect(runError(run)?.message).toBe('Item 1: variant field "model" is missing: each item needs a non-empty text or number there');
	});
});
