/**
 * The contestants of the side-by-side benchmark, as n8n workflows: Manual Trigger → Set (one item
 * holding N prompts) → Split Out (N items) → the contestant. Every contestant is configured as a
 * user would leave it, except the batching options that the contestant needs to send more than
 * one request at a time.
 */
import { DEFAULT_CONCURRENCY } from '../nodes/shared/transportOptions';

export const MODEL = 'mock-small';

interface CredentialRef {
	id: string;
	name: string;
}

/** Where a contestant's requests go: the server's URLs and the credentials that point at it. */
export interface Target {
	/** The test server's root, ending in /v1 (Chat Completions). */
	chat: string;
	/** The Responses front's root, ending in /v1. */
	responses: string;
	apiKey: string;
	/** Our credential (openAiCompatibleApi) for this server. */
	ours: CredentialRef;
	/** n8n's credential (openAiApi) for this server's Responses front. */
	openAi: CredentialRef;
}

export interface Contestant {
	id: string;
	label: string;
	/** The node whose execution is timed. */
	node: string;
	/** Requests in flight at once (C), for the bound ⌈N/C⌉·L: 1 for one item at a time, 'all' for every item at once. */
	concurrency: number | 'all';
	/** Our node: Generate Text. */
	ours?: boolean;
	/** Shown in the table, not part of the acceptance. */
	informative?: boolean;
	/** The contestant's node(s) and the connections into the timed node. */
	nodes(target: Target): { nodes: object[]; connections: Record<string, object> };
}

const at = (x: number) => [x, 0];

function mainTo(node: string) {
	return { 'One Per Item': { main: [[{ node, type: 'main', index: 0 }]] } };
}

export const CONTESTANTS: Contestant[] = [
	{
		id: 'ours',
		label: 'Generate Text (this package), default settings',
		node: 'Generate Text',
		concurrency: DEFAULT_CONCURRENCY,
		ours: true,
		nodes: (target) => ({
			nodes: [
				{
					id: 'c1',
					name: 'Generate Text',
					type: 'n8n-nodes-reward-loop.generateText',
					typeVersion: 1,
					position: at(600),
					parameters: { model: { __rl: true, mode: 'id', value: MODEL }, promptSource: 'prompt', prompt: '={{ $json.q }}', options: {} },
					credentials: { openAiCompatibleApi: target.ours },
				},
			],
			connections: mainTo('Generate Text'),
		}),
	},
	{
		id: 'openai',
		label: "n8n's OpenAI node, Message a Model (v2.3)",
		node: 'OpenAI',
		concurrency: 1,
		nodes: (target) => ({
			nodes: [
				{
					id: 'c2',
					name: 'OpenAI',
					type: '@n8n/n8n-nodes-langchain.openAi',
					typeVersion: 2.3,
					position: at(600),
					parameters: {
						resource: 'text',
						operation: 'response',
						modelId: { __rl: true, mode: 'id', value: MODEL },
						responses: { values: [{ type: 'text', role: 'user', content: '={{ $json.q }}' }] },
						options: {},
					},
					credentials: { openAiApi: target.openAi },
				},
			],
			connections: mainTo('OpenAI'),
		}),
	},
	...[0, 1000].map(
		(delay): Contestant => ({
			id: delay ? 'chain20-delay1000' : 'chain20',
			label: `Basic LLM Chain + OpenAI Chat Model, batch size 20${delay ? `, ${delay} ms between batches` : ', no delay'}`,
			node: 'Basic LLM Chain',
			concurrency: 20,
			nodes: (target) => ({
				nodes: [
					{
						id: 'c3',
						name: 'Basic LLM Chain',
						type: '@n8n/n8n-nodes-langchain.chainLlm',
						typeVersion: 1.9,
						position: at(600),
						parameters: { promptType: 'define', text: '={{ $json.q }}', batching: { batchSize: 20, delayBetweenBatches: delay } },
					},
					{
						id: 'c4',
						name: 'OpenAI Chat Model',
						type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
						typeVersion: 1.3,
						position: [600, 200],
						parameters: { model: { __rl: true, mode: 'id', value: MODEL }, options: {} },
						credentials: { openAiApi: target.openAi },
					},
				],
				connections: {
					...mainTo('Basic LLM Chain'),
					'OpenAI Chat Model': { ai_languageModel: [[{ node: 'Basic LLM Chain', type: 'ai_languageModel', index: 0 }]] },
				},
			}),
		}),
	),
	...[0, 1000].map(
		(interval): Contestant => ({
			id: interval ? 'http20-interval1000' : 'http20',
			// n8n's HTTP Request node (v4.2) waits between batches only with an interval; with none it
			// sends every item at once, whatever the batch size.
			label: `HTTP Request node, batch size 20${interval ? `, ${interval} ms interval` : ', no interval (n8n then sends every item at once)'}`,
			node: 'HTTP Request',
			concurrency: interval ? 20 : 'all',
			nodes: (target) => ({
				nodes: [
					{
						id: 'c5',
						name: 'HTTP Request',
						type: 'n8n-nodes-base.httpRequest',
						typeVersion: 4.2,
						position: at(600),
						parameters: {
							method: 'POST',
							url: `${target.chat}/chat/completions`,
							sendHeaders: true,
							headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${target.apiKey}` }] },
							sendBody: true,
							specifyBody: 'json',
							jsonBody: `={{ JSON.stringify({ model: '${MODEL}', messages: [{ role: 'user', content: $json.q }] }) }}`,
							options: { batching: { batch: { batchSize: 20, batchInterval: interval } } },
						},
					},
				],
				connections: mainTo('HTTP Request'),
			}),
		}),
	),
];

/** The whole workflow for one contestant and N items. */
export function workflowFor(contestant: Contestant, id: string, count: number, target: Target): { id: string; [key: string]: unknown } {
	const own = contestant.nodes(target);
	const prompts = Array.from({ length: count }, (_, i) => `Summarise the customer review number ${i} in one sentence.`);
	return {
		id,
		name: `Bench: ${contestant.label}, ${count} items`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'b1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: at(0), parameters: {} },
			{ id: 'b2', name: 'Prompts', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: at(200), parameters: { mode: 'raw', jsonOutput: JSON.stringify({ q: prompts }), options: {} } },
			{ id: 'b3', name: 'One Per Item', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: at(400), parameters: { fieldToSplitOut: 'q', options: {} } },
			...own.nodes,
		],
		connections: {
			Start: { main: [[{ node: 'Prompts', type: 'main', index: 0 }]] },
			Prompts: { main: [[{ node: 'One Per Item', type: 'main', index: 0 }]] },
			...own.connections,
		},
	};
}
