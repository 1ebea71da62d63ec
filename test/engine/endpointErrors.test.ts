/**
 * Issue 18, the errors a person cannot act on: every connection, auth and model-list error names the
 * base URL (never the key) and the credential, and leads with what to check; one item marker (n8n's
 * editor adds ` [item N]` to an error carrying an item index unless the message says `item N`);
 * node-wide errors name no item; an empty prompt expression says so; with Continue On Fail, an item
 * whose answer failed JSON parsing keeps the model's raw answer (and its input fields when Include
 * Input Fields is on).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, IDataObject, INodeCredentialTestResult, INodeListSearchResult, INodeType } from 'n8n-workflow';
import { loadPackage, outputOf, runError, runWorkflow } from './harness';
import { useTestServer } from './testServer';

const GENERATE = 'n8n-nodes-reward-loop.generateText';
const LOOP = 'n8n-nodes-reward-loop.rewardLoop';
const SCORE = 'n8n-nodes-reward-loop.scoreOutput';
const MODEL = { __rl: true, mode: 'id', value: 'mock-small' };
const API_KEY = 'sk-endpoint-errors-4f5e6d7c';
/** The harness names the node's credential `Test <type>`. */
const CREDENTIAL = 'Test openAiCompatibleApi';

const testServer = useTestServer();
const { server } = testServer;
beforeEach(() => {
	server.configure({});
	server.reset();
});

async function closedPortUrl(): Promise<string> {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as AddressInfo;
	await new Promise<void>((resolve) => probe.close(() => resolve()));
	return `http://127.0.0.1:${port}/v1`;
}

/** The headline n8n's editor shows for a node error (NodeErrorView: ` [item N]` unless the message contains `item N`). */
function editorHeadline(error: { message: string; context?: IDataObject } | undefined): string {
	const message = error?.message ?? '';
	const index = error?.context?.itemIndex;
	if (index === undefined) return message;
	return message.includes(`item ${index}`) ? message : `${message} [item ${index}]`;
}
const markers = (text: string, index: number) => (text.match(new RegExp(`\\bitem ${index}\\b`, 'gi')) ?? []).length;

const generate = (baseUrl: string, continueOnFail: boolean, apiKey = API_KEY, options: IDataObject = {}) =>
	runWorkflow({ parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { maxRetries: 0, ...options } }, items: [{ q: 'one' }, { q: 'two' }], credentials: { apiKey, baseUrl }, continueOnFail });

describe('a wrong base URL names the URL and the credential, and says what to check', () => {
	it('Generate Text, Continue On Fail on and off: one item marker, no key', async () => {
		const url = await closedPortUrl();
		const on = await generate(url, true);
		for (const [index, item] of outputOf(on).entries()) {
			const error = String(item.json.error);
			expect(error).toMatch(new RegExp(`^Item ${index}: Nothing answers at ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: check the Base URL of the credential "${CREDENTIAL}" and that the server is running\\. connect ECONNREFUSED`));
			expect(error).not.toContain(API_KEY);
			expect(markers(error, index)).toBe(1);
		}
		const off = runError(await generate(url, false));
		expect(off?.message).toMatch(/^Item 0: Nothing answers at /);
		expect(off?.message).toContain(url);
		expect(off?.message).toContain(`"${CREDENTIAL}"`);
		expect(off?.message).not.toContain(API_KEY);
		expect(markers(editorHeadline(off as never), 0)).toBe(1);
	});

	it('Reward Loop and a Score Output judge name them too', async () => {
		const url = await closedPortUrl();
		const loop = runError(
			await runWorkflow({
				nodeType: LOOP,
				parameters: { rewardSource: 'scorers', model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', options: { maxRetries: 0 }, candidatesPerRound: 2, maxRounds: 2, mode: 'scorers', scorers: { scorer: [{ name: 'b', type: 'contains', values: 'battery' }] }, combine: 'weighted', threshold: 0.9, loopOptions: {} },
				items: [{ q: 'one' }],
				credentials: { apiKey: API_KEY, baseUrl: url },
			}),
		);
		expect(loop?.message).toMatch(new RegExp(`^Item 0: Nothing answers at \\S+: check the Base URL of the credential "${CREDENTIAL}"`));
		expect(loop?.message).toContain(url);
		expect(markers(editorHeadline(loop as never), 0)).toBe(1);
		const judged = await runWorkflow({
			nodeType: SCORE,
			parameters: { mode: 'scorers', textField: 'text', scorers: { scorer: [{ name: 'q', type: 'score_model', model: 'judge', rubric: 'Rate it', rangeMin: 0, rangeMax: 1 }] }, threshold: 0.5, options: { maxRetries: 0 } },
			items: [{ text: 'an answer' }],
			credentials: { apiKey: API_KEY, baseUrl: url },
			continueOnFail: true,
		});
		const error = String(outputOf(judged)[0].json.error);
		expect(error).toMatch(/^Item 0: Nothing answers at /);
		expect(error).toContain(url);
		expect(error).toContain(`"${CREDENTIAL}"`);
	});
});

describe('a 401 points at the credential', () => {
	it('names the URL and the credential and says to check its API Key; neither key appears', async () => {
		server.configure({ apiKey: 'sk-the-right-key-111111' });
		const run = await generate(testServer.baseUrl, true, 'sk-wrong-key-2b3c4d5e');
		const error = String(outputOf(run)[0].json.error);
		expect(error).toMatch(new RegExp(`^Item 0: The server at ${testServer.baseUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} refused the API key of the credential "${CREDENTIAL}": check its API Key`));
		expect(error).toContain('401 Incorrect API key provided: [redacted]');
		expect(error).not.toContain('sk-wrong-key');
		expect(error).not.toContain('sk-the-right');
	});
});

describe('the model list and the credential test', () => {
	const nodeType = async (name: string) => (await loadPackage()).nodeTypes[name].type as INodeType;
	const context = (data: IDataObject) => ({
		getCredentials: async () => data,
		getNode: () => ({ id: 'n', name: 'Generate Text', type: GENERATE, typeVersion: 1, position: [0, 0] as [number, number], parameters: {}, credentials: { openAiCompatibleApi: { id: 'c1', name: 'My Local Server' } } }),
	});

	it('the model picker says where it asked and what to check (Generate Text and Reward Loop)', async () => {
		const url = await closedPortUrl();
		for (const name of ['generateText', 'rewardLoop']) {
			const search = (await nodeType(name)).methods?.listSearch?.searchModels as (this: unknown, filter?: string) => Promise<INodeListSearchResult>;
			expect(search).toBeDefined();
			const failure = await search.call(context({ apiKey: API_KEY, baseUrl: url }), '').then(
				() => undefined,
				(error: Error) => error,
			);
			expect(failure?.message).toContain(`Could not list models from ${url}/models (credential "My Local Server")`);
			expect(failure?.message).toContain('check the Base URL of the credential "My Local Server"');
			expect(failure?.message).not.toMatch(/perhaps it is offline/);
			expect(failure?.message).not.toContain(API_KEY);
			// And against the server, the list.
			const listed = await search.call(context({ apiKey: API_KEY, baseUrl: testServer.baseUrl }), 'small');
			expect(listed.results.map((result) => result.value)).toEqual(['mock-small']);
		}
	});

	it('the credential test names the URL and the credential, and passes against a working server', async () => {
		const test = (await nodeType('generateText')).methods?.credentialTest?.openAiCompatibleApiTest as (this: unknown, credential: ICredentialsDecrypted) => Promise<INodeCredentialTestResult>;
		expect(test).toBeDefined();
		const credential = (data: ICredentialDataDecryptedObject): ICredentialsDecrypted => ({ id: 'c1', name: 'My Local Server', type: 'openAiCompatibleApi', data });
		const url = await closedPortUrl();
		const refused = await test.call({}, credential({ apiKey: API_KEY, baseUrl: url }));
		expect(refused.status).toBe('Error');
		expect(refused.message).toContain(url);
		expect(refused.message).toContain('check the Base URL of the credential "My Local Server"');
		expect(refused.message).not.toContain(API_KEY);
		server.configure({ apiKey: 'sk-the-right-key-222222' });
		const wrong = await test.call({}, credential({ apiKey: 'sk-wrong-key-3c4d5e6f', baseUrl: testServer.baseUrl }));
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toContain('refused the API key of the credential "My Local Server"');
		expect(wrong.message).not.toContain('sk-wrong-key');
		const passed = await test.call({}, credential({ apiKey: 'sk-the-right-key-222222', baseUrl: testServer.baseUrl }));
		expect(passed).toEqual({ status: 'OK', message: 'Connection successful!' });
		// Every node that uses the credential has it tested this way (n8n takes the first it finds).
		for (const name of ['generateText', 'rewardLoop', 'scoreOutput', 'fineTune', 'fineTuneTrigger']) {
			const type = await nodeType(name);
			expect(type.description.credentials?.find((c) => c.name === 'openAiCompatibleApi')?.testedBy).toBe('openAiCompatibleApiTest');
			expect(type.methods?.credentialTest?.openAiCompatibleApiTest).toBeDefined();
		}
	});

	it('the Together AI credential is tested the same way by the nodes that use it', async () => {
		const test = (await nodeType('fineTune')).methods?.credentialTest?.togetherAiApiTest as (this: unknown, credential: ICredentialsDecrypted) => Promise<INodeCredentialTestResult>;
		expect(test).toBeDefined();
		const credential = (data: ICredentialDataDecryptedObject): ICredentialsDecrypted => ({ id: 'c2', name: 'My Together Key', type: 'togetherAiApi', data });
		const url = await closedPortUrl();
		const refused = await test.call({}, credential({ apiKey: API_KEY, baseUrl: url }));
		expect(refused.status).toBe('Error');
		expect(refused.message).toContain(url);
		expect(refused.message).toContain('check the Base URL of the credential "My Together Key"');
		expect(refused.message).not.toContain(API_KEY);
		server.configure({ apiKey: 'sk-the-right-key-333333' });
		const wrong = await test.call({}, credential({ apiKey: 'sk-wrong-key-7a8b9c0d', baseUrl: testServer.baseUrl }));
		expect(wrong.message).toContain('refused the API key of the credential "My Together Key"');
		expect(wrong.message).not.toContain('sk-wrong-key');
		expect(await test.call({}, credential({ apiKey: 'sk-the-right-key-333333', baseUrl: testServer.baseUrl }))).toEqual({ status: 'OK', message: 'Connection successful!' });
		for (const name of ['fineTune', 'fineTuneTrigger']) {
			const type = await nodeType(name);
			expect(type.description.credentials?.find((c) => c.name === 'togetherAiApi')?.testedBy).toBe('togetherAiApiTest');
		}
	});
});

describe('other texts', () => {
	it('an empty prompt expression says that the expression came out empty', async () => {
		const run = await runWorkflow({ parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.question }}', options: {} }, items: [{ q: 'no question field' }], credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl } });
		expect(runError(run)?.message).toBe('Item 0: Prompt: is empty: its expression gave an empty text for this item (does the item have the field it reads, and is it filled?)');
		expect(server.counters.chatRequests).toBe(0);
	});

	it('a node-wide setting names no item', async () => {
		const run = await generate(testServer.baseUrl, false, API_KEY, { concurrency: 0 });
		const message = runError(run)?.message ?? '';
		expect(message).toMatch(/Concurrency/);
		expect(message).not.toMatch(/\bitem \d/i);
	});

	it('with Continue On Fail, an answer that is not JSON keeps the raw answer and the input fields', async () => {
		server.configure({ answer: ({ lastUserText }) => (lastUserText === 'bad' ? 'Sure! Here is the JSON: {"answer": 1' : '{"answer": "ok"}') });
		const run = await runWorkflow({
			parameters: { model: MODEL, promptSource: 'prompt', prompt: '={{ $json.q }}', responseFormat: 'json_object', options: { maxRetries: 0, includeInput: true } },
			items: [{ q: 'good', id: 1 }, { q: 'bad', id: 2 }],
			credentials: { apiKey: API_KEY, baseUrl: testServer.baseUrl },
			continueOnFail: true,
		});
		const [good, bad] = outputOf(run);
		expect(good.json).toMatchObject({ q: 'good', id: 1, parsed: { answer: 'ok' } });
		expect(bad.json).toMatchObject({ q: 'bad', id: 2, text: 'Sure! Here is the JSON: {"answer": 1' });
		expect(String(bad.json.error)).toMatch(/^Item 1: the model's answer is not valid JSON/);
		expect(bad.pairedItem).toEqual({ item: 1 });
	});
});
