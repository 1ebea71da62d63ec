/**
 * Build Dataset then Validate with n8n's binary data in filesystem mode (n8n 2.x's default outside
 * queue mode), set up as n8n's start-up does: the files go to disk, the items keep their ids, and
 * Validate reads the training file back from there. Its own file: the mode is the process's.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { outputOf, runError, runWorkflow, useBinaryDataMode } from './harness';

const NODE = 'n8n-nodes-reward-loop.fineTune';
let storage: string;

beforeAll(async () => {
	storage = mkdtempSync(join(tmpdir(), 'reward-loop-binary-'));
	await useBinaryDataMode('filesystem', storage);
});
afterAll(() => rmSync(storage, { recursive: true, force: true }));

const stored = () => readdirSync(storage, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && !entry.name.endsWith('.metadata'));

it('stores Build Dataset\'s files on disk and validates the training file from there', async () => {
	const items = Array.from({ length: 40 }, (_, i) => ({ prompt: `Question ${i}? ${'é👍🏽 '.repeat(i)}`, response: `Answer ${i}.` }));
	const run = await runWorkflow({
		nodeType: NODE,
		executionId: 'fs-1',
		parameters: { provider: 'export', operation: 'buildDataset', kind: 'supervised', format: 'openai', datasetOptions: { validationFraction: 0.25 } },
		items,
		extra: {
			nodes: [{ id: 'validate', name: 'Validate', type: NODE, typeVersion: 1, position: [400, 0], parameters: { provider: 'export', operation: 'validate', binaryProperty: 'data', validateOptions: {} } }],
			connections: { 'Node Under Test': { main: [[{ node: 'Validate', type: 'main', index: 0 }]] } },
		},
	});
	expect(runError(run)).toBeUndefined();
	const [built] = outputOf(run);
	const counts = built.json as IDataObject;
	expect(counts.train as number).toBeGreaterThan(0);
	expect(counts.validation as number).toBeGreaterThan(0);
	// Each file is an id of n8n's store, not base64 in the item.
	for (const file of [built.binary?.data, built.binary?.validation]) {
		expect(file?.id).toMatch(/^filesystem-v2:workflows\/engine-test\/executions\/fs-1\/binary_data\//);
		expect(file?.data).toBe('filesystem-v2');
	}
	expect(stored()).toHaveLength(2);
	const report = run.data.resultData.runData.Validate?.[0]?.data?.main[0]?.[0]?.json as IDataObject;
	expect(report.ok).toBe(true);
	expect((report.summary as IDataObject).examples).toBe(counts.train);
});
