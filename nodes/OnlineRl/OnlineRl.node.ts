import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { checkGroups, groupsFromMessages, groupsFromRewardLoop, type ItemProblem } from '../../core/finetune/onlineRl/trajectories';
import { meanReward, runTrainStep } from '../../core/finetune/onlineRl/trainStep';
import type { TrainStepSpec } from '../../core/finetune/onlineRl/types';
import { failEveryItem, nodeError } from '../shared/errors';
import { describeFailure } from '../shared/failures';
import { onlineRlConnection } from '../shared/onlineRlProvider';
import { testWandbCredential, WANDB_CREDENTIAL_TEST } from '../shared/wandbCredentialTest';
import { ONLINE_RL_DESCRIPTION, onlineRlProperties } from './description';
import { promptOf, readSettings, type Settings } from './parameters';

export class OnlineRl implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Online RL',
		name: 'onlineRl',
		icon: { light: 'file:onlineRl.svg', dark: 'file:onlineRl.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'Train step · W&B Serverless RL',
		description: ONLINE_RL_DESCRIPTION,
		defaults: { name: 'Online RL' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'wandbApi', testedBy: 'wandbApiTest', required: true }],
		properties: onlineRlProperties,
	};

	methods = { credentialTest: { [WANDB_CREDENTIAL_TEST]: testWandbCredential } };

	/**
	 * Every input item goes into one training step (it is a batch, not per item). Problems are found
	 * before anything is sent; with Continue On Fail the items with a problem come out with their
	 * error and the step trains on the rest.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		let settings: Settings;
		try {
			settings = readSettings(this);
		} catch (error) {
			return failEveryItem(this, items, (error as Error).message);
		}
		const json = items.map((item) => item.json as Record<string, unknown>);
		let grouped;
		try {
			grouped =
				settings.input === 'rewardLoop'
					? groupsFromRewardLoop(json, items.map((_item, index) => promptOf(this, index)))
					: groupsFromMessages(json, {
							messagesField: String(this.getNodeParameter('messagesField', 0, 'messages')),
							rewardField: String(this.getNodeParameter('rewardField', 0, 'reward')),
							groupField: String(this.getNodeParameter('groupField', 0, 'prompt')),
						});
		} catch (error) {
			// A field path that cannot be parsed: the setting is wrong for every item.
			return failEveryItem(this, items, (error as Error).message);
		}
		const checked = checkGroups(grouped, settings.equalRewards);
		const failed: INodeExecutionData[] = [];
		const failedItems = new Set<number>();
		const fail = (problem: ItemProblem) => {
			for (const index of problem.items) {
				failedItems.add(index);
				failed.push({ json: { error: problem.message }, pairedItem: { item: index } });
			}
		};
		if (checked.problems.length) {
			if (!this.continueOnFail()) {
				const more = checked.problems.length > 1 ? ` (and ${checked.problems.length - 1} more: ${checked.problems.slice(1, 4).map((p) => p.message).join('; ')})` : '';
				throw new NodeOperationError(this.getNode(), checked.problems[0].message, { description: more ? `All problems found before sending:${more}` : undefined });
			}
			checked.problems.forEach(fail);
		}
		// A group with an item that failed is left out whole: its comparison would be missing a member.
		const groups = checked.groups.filter((group) => group.items.every((index) => !failedItems.has(index)));
		if (groups.length === 0) {
			const why = checked.skipped.length
				? `every group's rewards were equal (${checked.skipped.map((s) => `${s.label}: all ${s.reward}`).slice(0, 5).join('; ')}), so the step would teach nothing`
				: 'no item gave a usable group';
			const message = `Nothing to train on: ${why}`;
			if (!this.continueOnFail()) throw nodeError(this, message);
			const rest = items.map((_item, index) => index).filter((index) => !failedItems.has(index));
			return [[...rest.map((index) => ({ json: { error: message }, pairedItem: { item: index } })), ...failed]];
		}

		const connection = await onlineRlConnection(this);
		const used = [...new Set(groups.flatMap((group) => group.items))].sort((a, b) => a - b);
		const paired = used.map((item) => ({ item }));
		try {
			if (!connection.project) throw new NodeOperationError(this.getNode(), `The credential "${connection.endpoint.credential}": Project is empty; W&B keeps the trained models in a project`);
			const spec: TrainStepSpec = {
				modelName: settings.modelName,
				baseModel: settings.baseModel,
				project: connection.project,
				entity: connection.entity || undefined,
				groups,
				learningRate: settings.learningRate,
			};
			const result = await runTrainStep(connection.provider, spec, { pollMs: settings.pollMs, timeoutMs: settings.timeoutMs, signal: this.getExecutionCancelSignal() });
			const trained: IDataObject = {
				model: result.checkpoint.model,
				step: result.checkpoint.step,
				meanReward: meanReward(spec),
				groups: groups.length,
				trajectories: groups.reduce((sum, group) => sum + group.trajectories.length, 0),
				skippedGroups: checked.skipped.map((s) => ({ group: s.label, items: s.items, reward: s.reward })),
				modelName: result.started.modelName,
				baseModel: result.started.baseModel,
				entity: result.started.entity,
				project: result.started.project,
				modelId: result.started.modelId,
				trainingJobId: result.started.jobId,
				gradientSteps: result.progress.gradientSteps,
				metrics: (result.progress.metrics ?? {}) as IDataObject,
				checkpointMetrics: result.checkpoint.metrics as IDataObject,
				provider: connection.provider.name,
			};
			return [[{ json: trained, pairedItem: paired }, ...failed]];
		} catch (error) {
			const message = describeFailure(error, 0, connection.secrets, connection.endpoint);
			if (!this.continueOnFail()) throw nodeError(this, message);
			return [[{ json: { error: message }, pairedItem: paired }, ...failed]];
		} finally {
			connection.close();
		}
	}
}
