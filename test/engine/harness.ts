/**
 * Runs workflows through n8n's own engine in-process: the package is loaded from its built
 * `dist` the way n8n loads an installed package (PackageDirectoryLoader), and executed by
 * n8n-core's WorkflowExecute.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// n8n-core writes an encryption-key file under the user folder at load time.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'reward-loop-engine-'));

import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService, ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IBinaryData,
	type IConnections,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type ITaskData,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { resetLimiters } from '../../core/transport/limits/registry';

// A key's limiter lives as long as the n8n process (here: the test file). Each test starts with
// none, so that what one test taught it (a 429's wait, a halved window) does not slow the next.
// (Only under jest: the benchmark loads this harness too, where there is no beforeEach.)
if (typeof beforeEach === 'function') beforeEach(() => resetLimiters());

export const PACKAGE_ROOT = resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-reward-loop';
const TRIGGER_TYPE = 'n8n-nodes-base.manualTrigger';
export const CODE_TYPE = 'test.code';

/**
 * A stand-in for n8n's Code node ("Run Once for All Items"): runs `jsCode` with `items` (the input
 * items' json) and returns what it returns. The real Code node needs n8n's task runner.
 */
const codeNode: INodeType = {
	description: {
		displayName: 'Code (test stand-in)',
		name: 'code',
		group: ['transform'],
		version: 1,
		description: 'Runs a function over the items',
		defaults: { name: 'Code' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Code', name: 'jsCode', type: 'string', default: '' }],
	},
	async execute() {
		const source = this.getNodeParameter('jsCode', 0) as string;
		const run = new Function('items', source) as (items: IDataObject[]) => IDataObject[];
		const input = this.getInputData();
		// A returned `$binary` ({ property: { data: text, fileName } }) becomes the item's binary data.
		return [
			await Promise.all(
				run(input.map((item) => item.json)).map(async ({ $binary, ...json }, i) => {
					const binary: Record<string, IBinaryData> = {};
					for (const [property, file] of Object.entries(($binary ?? {}) as Record<string, { data: string; fileName: string }>)) {
						binary[property] = await this.helpers.prepareBinaryData(Buffer.from(file.data), file.fileName, 'application/jsonl');
					}
					return { json, ...(Object.keys(binary).length ? { binary } : {}), pairedItem: { item: Math.min(i, input.length - 1) } };
				}),
			),
		];
	},
};

// In 'cli' mode the engine passes the start node's data through, so the trigger body never runs.
const manualTrigger: INodeType = {
	description: {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Stand-in for n8n-nodes-base.manualTrigger',
		defaults: { name: 'Start' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	},
	async execute() {
		return [this.getInputData()];
	},
};

class PackageNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) throw new Error(`Unknown node type ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		const type = this.getByName(nodeType);
		return 'nodeVersions' in type ? type.getNodeType(version) : type;
	}

	getKnownTypes() {
		return {};
	}
}

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}
	getParentTypes(): string[] {
		return [];
	}
	isCredentialUsableByNode(): boolean {
		return true;
	}
	async authenticate(): Promise<never> {
		throw new Error('not used: the nodes authenticate through their own client');
	}
	async preAuthentication(): Promise<undefined> {
		return undefined;
	}
	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}
	async getCredentials(): Promise<never> {
		throw new Error('not used');
	}
	async getDecrypted(_additionalData: unknown, _details: unknown, type: string): Promise<ICredentialDataDecryptedObject> {
		const data = this.data[type];
		if (!data) throw new Error(`No test credential of type ${type}`);
		return data;
	}
	async updateCredentials(): Promise<void> {}
	async updateCredentialsOauthTokenData(): Promise<void> {}
	getCredentialsProperties() {
		return [];
	}
}


/** What n8n's engine needs around an execution; credentials are served by type. */
export function buildAdditionalData(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	workflowData: IWorkflowBase,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	const url = 'http://127.0.0.1:5678/';
	return {
		credentialsHelper: new TestCredentialsHelper(credentials),
		hooks: new ExecutionLifecycleHooks('cli', 'engine-execution', workflowData),
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: url,
		instanceBaseUrl: url,
		formBaseUrl: url,
		formWaitingBaseUrl: url,
		formTestBaseUrl: url,
		webhookBaseUrl: url,
		webhookWaitingBaseUrl: url,
		webhookTestBaseUrl: url,
		mcpBaseUrl: url,
		mcpTestBaseUrl: url,
		variables: {},
		logAiEvent: () => undefined,
		startRunnerTask: async () => {
			throw new Error('not used');
		},
		...extra,
	} as unknown as IWorkflowExecuteAdditionalData;
}

/**
 * n8n's binary data mode, set up as n8n's own start-up does (BaseCommand.initBinaryDataService:
 * BinaryDataConfig, then BinaryDataService.init). 'filesystem' is n8n 2.x's default outside queue
 * mode: prepareBinaryData writes each file under `storagePath` and the item keeps only its id.
 * 'default' is memory mode (the file as base64 in the item), removed in n8n 3; it is also what the
 * harness runs in when this is never called.
 */
export async function useBinaryDataMode(mode: 'filesystem' | 'default', storagePath?: string): Promise<void> {
	const config = Container.get(BinaryDataConfig);
	config.mode = mode;
	if (storagePath) config.localStoragePath = storagePath;
	await Container.get(BinaryDataService).init();
}

let loaded: Promise<PackageDirectoryLoader> | undefined;

/** Loads the built package once per test file, as n8n loads an installed community package. */
export function loadPackage(): Promise<PackageDirectoryLoader> {
	loaded ??= (async () => {
		const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll();
		return loader;
	})();
	return loaded;
}

export interface RunOptions {
	/** The node's parameters (n8n's stored form: expressions start with "="). */
	parameters: IDataObject;
	items: IDataObject[];
	/** Omitted: the node has no credential selected. */
	credentials?: ICredentialDataDecryptedObject;
	/** Credentials of other types (e.g. togetherAiApi), for this node and the extra nodes. */
	otherCredentials?: Record<string, ICredentialDataDecryptedObject>;
	nodeType?: string;
	continueOnFail?: boolean;
	/** n8n's id of the execution (`this.getExecutionId()`); unset, as for a run n8n does not save. */
	executionId?: string;
	/** More nodes and connections, e.g. a loop from one of the node's outputs back to its input. */
	extra?: { nodes: INode[]; connections: IConnections };
}

export interface EngineRun {
	/** Resolves with the finished run. */
	result: Promise<IRun>;
	cancel(): void;
}

export const NODE_NAME = 'Node Under Test';

/** A node of a workflow laid out left to right (position × 200), with the credentials it may use. */
export function workflowNode(
	name: string,
	type: string,
	parameters: IDataObject,
	position: number,
	credentials: INode['credentials'],
	extra: Partial<INode> = {},
): INode {
	return { id: name, name, type, typeVersion: 1, position: [position * 200, 0], parameters: parameters as INode['parameters'], credentials, ...extra };
}

/** Connections that run the named nodes one after another. */
export const chain = (...names: string[]): IConnections =>
	Object.fromEntries(names.slice(0, -1).map((name, i) => [name, { main: [[{ node: names[i + 1], type: 'main' as const, index: 0 }]] }]));

/** The last step of a fine-tune lifecycle: Generate Text asks the job's trained model (`fine_tuned_model`) once. */
export function useTrainedModelNode(): INode {
	return {
		id: 'gen',
		name: 'Use It',
		type: 'n8n-nodes-reward-loop.generateText',
		typeVersion: 1,
		position: [1000, 0],
		parameters: { model: { __rl: true, mode: 'id', value: '={{ $json.fine_tuned_model }}' }, promptSource: 'prompt', prompt: 'Hello', options: {} },
		credentials: { openAiCompatibleApi: { id: 'cred-openAiCompatibleApi', name: 'Test' } },
	};
}

export async function startWorkflow(options: RunOptions): Promise<EngineRun> {
	const loader = await loadPackage();
	const types: Record<string, INodeType | IVersionedNodeType> = { [TRIGGER_TYPE]: manualTrigger, [CODE_TYPE]: codeNode };
	for (const [name, data] of Object.entries(loader.nodeTypes)) types[`${loader.packageName}.${name}`] = data.type;
	const nodeTypes = new PackageNodeTypes(types);

	const trigger: INode = {
		id: 'trigger',
		name: 'Start',
		type: TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const node: INode = {
		id: 'under-test',
		name: NODE_NAME,
		type: options.nodeType ?? `${PACKAGE_NAME}.generateText`,
		typeVersion: 1,
		position: [200, 0],
		parameters: options.parameters as INode['parameters'],
		credentials: Object.fromEntries(
			Object.keys({ ...(options.credentials ? { openAiCompatibleApi: 1 } : {}), ...(options.otherCredentials ?? {}) }).map((type) => [type, { id: `cred-${type}`, name: `Test ${type}` }]),
		),
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const connections: IConnections = { Start: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] }, ...(options.extra?.connections ?? {}) };
	const nodes = [trigger, node, ...(options.extra?.nodes ?? [])];
	const workflowData: IWorkflowBase = {
		id: 'engine-test',
		name: 'engine test',
		active: false,
		isArchived: false,
		activeVersionId: null,
		nodes,
		connections,
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
	} as IWorkflowBase;
	const workflow = new Workflow({ id: 'engine-test', name: 'engine test', nodes, connections, active: false, nodeTypes, settings: { executionOrder: 'v1' } });

	const additionalData = buildAdditionalData(
		{ ...(options.credentials ? { openAiCompatibleApi: options.credentials } : {}), ...(options.otherCredentials ?? {}) },
		workflowData,
		options.executionId ? { executionId: options.executionId } : {},
	);

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node: trigger, data: { main: [options.items.map((json) => ({ json }))] }, source: null },
			],
		},
	});
	const execution = new WorkflowExecute(additionalData, 'cli', runExecutionData).processRunExecutionData(workflow);
	return { result: execution as Promise<IRun>, cancel: () => execution.cancel() };
}

export async function runWorkflow(options: RunOptions): Promise<IRun> {
	return (await startWorkflow(options)).result;
}

/** The node's task data, or undefined when it never ran. */
export function taskOf(run: IRun): ITaskData | undefined {
	return run.data.resultData.runData[NODE_NAME]?.[0];
}

export function outputOf(run: IRun, output = 0): INodeExecutionData[] {
	return taskOf(run)?.data?.main?.[output] ?? [];
}

/** The error that stopped the run, if any. */
export function runError(run: IRun): { message: string; description?: string | null; context?: IDataObject } | undefined {
	return (run.data.resultData.error ?? taskOf(run)?.error) as never;
}

/** The node's output `output` over all its runs (a node in a loop runs several times). */
export function outputsOfAllRuns(run: IRun, output = 0, nodeName = NODE_NAME): INodeExecutionData[] {
	return (run.data.resultData.runData[nodeName] ?? []).flatMap((task) => task.data?.main?.[output] ?? []);
}
