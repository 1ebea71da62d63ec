import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { credentialTestMethods } from '../shared/credentialTest';
import { searchModels } from '../shared/modelSearch';
import { scoreOutputOutputs, scoreOutputProperties } from '../shared/scoreOutputDescription';
import { collectJudgeAnswers, submitJudgeRequests } from './batch';
import { scoreNow } from './scoring';

export class ScoreOutput implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Score Output',
		name: 'scoreOutput',
		icon: { light: 'file:scoreOutput.svg', dark: 'file:scoreOutput.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ ($parameter["mode"] === "grader" ? "reward from an OpenAI grader" : "reward from scorers") + ($parameter["route"] ? ", pass / fail" : "") }}',
		description: 'Turns text into a reward in [0, 1]: rules, similarity, JSON checks, LLM judges, OpenAI graders',
		defaults: { name: 'Score Output' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Pass and Fail when routing; Batch: Collect adds Still Running, for items whose batches have not ended.
		outputs: `={{ (${scoreOutputOutputs.toString()})($parameter) }}`,
		credentials: [{ name: 'openAiCompatibleApi', testedBy: 'openAiCompatibleApiTest', required: false }],
		properties: scoreOutputProperties,
	};

	// The judges' model picker lists the endpoint's models, as Generate Text's does.
	methods = { listSearch: { searchModels }, ...credentialTestMethods };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const batchMode = this.getNodeParameter('batchMode', 0, 'sync') as string;
		if (batchMode === 'batchSubmit') return await submitJudgeRequests(this, items);
		if (batchMode === 'batchCollect') return await collectJudgeAnswers(this, items);
		return await scoreNow(this, items);
	}
}
