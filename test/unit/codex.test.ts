/**
 * n8n's node panel lists a node with an AI subcategory only when that list holds "Root Nodes";
 * without it the editor takes the node for a sub-node (a chat model, a memory) and search never
 * shows it. Measured in n8n 2.41.1's editor; the browser test finds the nodes by search.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };
const codexFiles = pkg.n8n.nodes.map((built) => built.replace(/^dist\//, '').replace(/\.js$/, '.json'));

describe('node codex files', () => {
	it.each(codexFiles)('%s names its package type and is listed as a main-flow node', (file) => {
		const codex = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { node: string; categories: string[]; subcategories?: Record<string, string[]> };
		const name = file.split('/').pop()?.replace('.node.json', '') ?? '';
		expect(codex.node).toBe(`n8n-nodes-reward-loop.${name.charAt(0).toLowerCase()}${name.slice(1)}`);
		expect(codex.categories).toContain('AI');
		const ai = codex.subcategories?.AI;
		if (ai) expect(ai).toContain('Root Nodes');
	});

	// The node panel's search reads aliases: "fine tune" found nothing while the name is "Fine-Tune".
	it.each([
		['nodes/FineTune/FineTune.node.json', ['fine tune', 'finetune', 'fine-tuning', 'LLM']],
		['nodes/FineTuneTrigger/FineTuneTrigger.node.json', ['fine tune', 'finetune']],
		['nodes/FineTuneWebhookTrigger/FineTuneWebhookTrigger.node.json', ['fine tune', 'finetune']],
		['nodes/GenerateText/GenerateText.node.json', ['LLM', 'prompt']],
		['nodes/ScoreOutput/ScoreOutput.node.json', ['evaluate', 'judge', 'LLM']],
		['nodes/RewardLoop/RewardLoop.node.json', ['evaluate', 'judge', 'LLM']],
	])('%s has the aliases people search for', (file, aliases) => {
		const codex = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { alias: string[] };
		expect(codex.alias).toEqual(expect.arrayContaining(aliases));
	});
});
