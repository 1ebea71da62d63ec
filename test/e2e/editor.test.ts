/**
 * The editor in a browser (Debian's chromium driven by playwright-core, no browser download): the
 * nodes are in the node panel, Generate Text's parameters can be filled in and run, and example 1
 * runs from the UI with its results in the output panel, and a newcomer's first workflow is built
 * from the node panel and run. Screenshots go to test-results/editor; with UPDATE_SCREENSHOTS=1 the
 * ones README shows are written to docs/ too.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, selectors, type Browser, type Page } from 'playwright-core';
import { MockOpenAiServer } from '../server/mockOpenAiServer';
import { exampleFile, productCopyAnswer } from './examples';
import { INSTALL_TIMEOUT_MS, prepareN8n, ROOT, type N8nInstance } from './n8n';
import { startN8nServer, type N8nServer } from './n8nServer';

const API_KEY = 'sk-editor-test-3f9b1d7a5c';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(ROOT, 'test-results', 'editor');
const EXAMPLE = exampleFile('product-copy-guardrails.json');
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const QUESTIONS = ['What is the capital of France?', 'How many legs has a spider?', 'Which planet is red?'];

const hasChromium = spawnSync(CHROMIUM, ['--version']).status === 0;
if (!hasChromium && process.env.CI !== 'true') {
	console.log(`Browser test skipped: no chromium at ${CHROMIUM} (Debian: apt-get install chromium; .ci/run installs it).`);
}
const suite = hasChromium || process.env.CI === 'true' ? describe : describe.skip;

suite('the editor in a browser', () => {
	let server: MockOpenAiServer;
	let n8n: N8nInstance;
	let n8nServer: N8nServer;
	let browser: Browser;
	let page: Page;

	const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
	/** A screenshot README shows: copied to docs/ when UPDATE_SCREENSHOTS=1. */
	const readmeShot = async (name: string, docsFile: string) => {
		await shot(name);
		if (UPDATE_SCREENSHOTS) copyFileSync(join(SCREENSHOTS, `${name}.png`), join(ROOT, 'docs', docsFile));
	};
	/** After a node is picked in the panel: its action and the community node's "Add to workflow", whichever n8n asks for, until its panel opens. */
	const openPickedNode = async (action?: string) => {
		const ndv = page.getByTestId('ndv');
		const addButton = page.getByRole('button', { name: 'Add to workflow' });
		const actionItem = page.getByTestId('node-creator').getByText(action ?? '\u0000', { exact: true });
		for (let step = 0; step < 3 && !(await ndv.isVisible()); step++) {
			await ndv.or(addButton).or(actionItem).first().waitFor({ timeout: 10_000 });
			if (await addButton.isVisible()) await addButton.click();
			else if (action && (await actionItem.first().isVisible())) await actionItem.first().click();
			await page.waitForTimeout(500);
		}
		await ndv.waitFor();
	};
	const openWorkflow = async () => {
		await page.goto(`${n8nServer.baseUrl}/workflow/${EXAMPLE.id}`);
		await page.getByTestId('canvas-node').first().waitFor({ timeout: 60_000 });
	};

	beforeAll(async () => {
		mkdirSync(SCREENSHOTS, { recursive: true });
		server = new MockOpenAiServer({ apiKey: API_KEY, latencyMs: 30, answer: productCopyAnswer });
		await server.start();
		n8n = await prepareN8n('reward-loop-editor-');
		await n8n.importCredentials([{ id: 'rlExampleCred01', name: 'OpenAI-compatible endpoint', type: 'openAiCompatibleApi', data: { apiKey: API_KEY, baseUrl: server.url } }]);
		await n8n.importWorkflow(EXAMPLE);
		n8nServer = await startN8nServer(n8n);
		selectors.setTestIdAttribute('data-test-id');
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
		});
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		await context.addCookies([{ name: 'n8n-auth', value: n8nServer.authToken, domain: '127.0.0.1', path: '/' }]);
		page = await context.newPage();
	}, INSTALL_TIMEOUT_MS + 240_000);

	afterAll(async () => {
		await browser?.close();
		await n8nServer?.stop();
		await server?.stop();
		if (n8n) rmSync(n8n.work, { recursive: true, force: true });
	});

	it('runs example 1 from the editor: clean copy reaches Publish, advertising reaches Review', async () => {
		await openWorkflow();
		await page.getByTestId('zoom-to-fit').click();
		await page.getByTestId('execute-workflow-button').click();
		await page.getByText('Workflow executed successfully').waitFor({ timeout: 60_000 });
		await readmeShot('product-copy-run', 'editor-product-copy.png');

		// The panel shows its item count before it has drawn the table: wait for the item itself.
		const outputOf = async (nodeName: string, name: string) => {
			await page.getByTestId('canvas-node').filter({ hasText: nodeName }).first().dblclick();
			const output = page.getByTestId('output-panel');
			await output.getByText('1 item').waitFor();
			await output.getByText(name, { exact: true }).first().waitFor({ timeout: 10_000 });
			return output.innerText();
		};
		const published = await outputOf('Publish', 'Trail phone');
		expect(published).toContain('Trail phone');
		expect(published).toContain('The Trail phone has a two-day battery and a rugged case.');
		expect(published).toContain('none of 4 banned terms found');
		await shot('publish-output');
		await page.getByTestId('ndv-close-button').click();

		const review = await outputOf('Review', 'City phone');
		expect(review).toContain('City phone');
		expect(review).toContain('must pass: no_ads failed');
		await page.getByTestId('ndv-close-button').click();
	}, 120_000);

	it('finds the four nodes in the node panel', async () => {
		await openWorkflow();
		await page.getByTestId('node-creator-plus-button').click();
		const search = page.getByTestId('node-creator-search-bar');
		for (const name of ['Generate Text', 'Score Output', 'Reward Loop', 'Fine-Tune']) {
			await search.fill(name);
			await page.getByTestId('node-creator-item-name').filter({ hasText: new RegExp(`^${name}$`) }).first().waitFor({ timeout: 10_000 });
		}
		await search.fill('reward');
		await page.getByTestId('node-creator-item-name').filter({ hasText: /^Reward Loop$/ }).first().waitFor();
		await shot('node-panel');
	}, 60_000);

	it('adds Generate Text, fills in its parameters (model from the endpoint list) and runs it', async () => {
		const search = page.getByTestId('node-creator-search-bar');
		if (!(await search.isVisible())) await page.getByTestId('node-creator-plus-button').click();
		await search.fill('Generate Text');
		await page.getByTestId('node-creator-item-name').filter({ hasText: /^Generate Text$/ }).first().click();
		// Its Mode is the node's list of actions: the synchronous one is what this test runs.
		await openPickedNode('Generate text now');
		const ndv = page.getByTestId('ndv');
		// The one credential of the type is picked for the new node.
		await expect(ndv.getByTestId('node-credentials-select').locator('input').inputValue()).resolves.toBe('OpenAI-compatible endpoint');
		// The model list comes from the endpoint's /models, through the node's list search.
		await ndv.getByTestId('rlc-input').click();
		await page.getByTestId('rlc-item').filter({ hasText: 'mock-small' }).first().click();
		// Prompt and System Message start as expressions: n8n's inline expression editor, not a textarea,
		// typed into as a person does. A click on a label leaves the field: its expression tip, which
		// opens below the focused field, would lie over the next one.
		const typeInto = async (name: string, text: string) => {
			await ndv.getByTestId(`parameter-input-${name}`).locator('.cm-content').click();
			await page.keyboard.type(text, { delay: 20 });
			await ndv.getByText('Prompt Source', { exact: true }).first().click();
			// The inline editor hands its text to the node after a short debounce.
			await page.waitForTimeout(1_000);
		};
		await typeInto('prompt', 'Say hello to the editor');
		await typeInto('systemMessage', 'Be brief.');
		await ndv.getByTestId('node-execute-button').first().click();
		const output = ndv.getByTestId('output-panel');
		await output.getByText('Echo: Say hello to the editor').waitFor({ timeout: 30_000 });
		expect(await output.innerText()).toContain('mock-small');
		await shot('generate-text-ndv');

		const request = server.received.filter((received) => received.path === '/chat/completions').at(-1)?.body as { model: string; messages: unknown[] };
		expect(request.model).toBe('mock-small');
		expect(request.messages).toEqual([
			{ role: 'system', content: 'Be brief.' },
			{ role: 'user', content: 'Say hello to the editor' },
		]);
		expect(n8nServer.log()).not.toContain(API_KEY);
	}, 90_000);
	it('shows Fine-Tune with its own description and readable action names, and Score Output\'s actions', async () => {
		await openWorkflow();
		await page.getByTestId('node-creator-plus-button').click();
		const search = page.getByTestId('node-creator-search-bar');
		const creator = page.getByTestId('node-creator');
		await search.fill('Fine-Tune');
		// n8n marks a node entry with several actions "node-creator-action-item", one with a single action "node-creator-node-item".
		const entry = page.getByTestId('node-creator-node-item').or(page.getByTestId('node-creator-action-item')).filter({ has: page.getByTestId('node-creator-item-name').filter({ hasText: /^Fine-Tune$/ }) }).first();
		await entry.waitFor({ timeout: 10_000 });
		const entryText = await entry.innerText();
		expect(entryText).toContain('Training files from items, validated');
		expect(entryText).not.toMatch(/polling|when a job finishes/i);
		await entry.click();
		await creator.getByText("List a job's checkpoints").first().waitFor({ timeout: 10_000 });
		const fineTuneActions = await creator.innerText();
		expect(fineTuneActions).toContain("List a job's events");
		expect(fineTuneActions).not.toMatch(/job s /);
		await shot('fine-tune-actions');

		await page.keyboard.press('Escape');
		if (!(await search.isVisible())) await page.getByTestId('node-creator-plus-button').click();
		await search.fill('Score Output');
		await page.getByTestId('node-creator-item-name').filter({ hasText: /^Score Output$/ }).first().click();
		await creator.getByText('Score with an OpenAI grader JSON').first().waitFor({ timeout: 10_000 });
		const scoreActions = await creator.innerText();
		expect(scoreActions).toContain('Score with scorers');
		expect(scoreActions).not.toContain('Open AI Grader JSON');
		await page.keyboard.press('Escape');
	}, 60_000);

	it("builds a newcomer's workflow from the node panel: 3 questions, a prompt typed as {{ $json.question }}, a failing scorer", async () => {
		await page.goto(`${n8nServer.baseUrl}/workflow/new`);
		const search = page.getByTestId('node-creator-search-bar');
		const ndv = page.getByTestId('ndv');
		const pick = async (query: string, name: RegExp) => {
			await search.fill(query);
			// The panel slides in and redraws its results as the search settles.
			await page.waitForTimeout(1_000);
			await page.getByTestId('node-creator-item-name').filter({ hasText: name }).first().click();
		};
		const closeNdv = async () => {
			await page.getByTestId('ndv-close-button').click();
			await ndv.waitFor({ state: 'hidden' });
		};
		/** The node panel, opened from the last node's output (+), so the new node is connected to it. */
		const addAfterLast = async () => {
			await page.getByTestId('canvas-handle-plus').last().click();
			await search.waitFor();
		};
		/** Picks a node, then its action and the community node's "Add to workflow", until its panel opens. */
		const addNode = async (query: string, name: RegExp, action?: string) => {
			await pick(query, name);
			await openPickedNode(action);
		};

		// An empty workflow's first step: the manual trigger.
		await page.getByTestId('canvas-add-button').click();
		await pick('manual', /^(Manual Trigger|Trigger manually)$/);
		await page.getByTestId('canvas-node').first().waitFor();
		await page.waitForTimeout(500);
		if (await ndv.isVisible()) await closeNdv();

		await addAfterLast();
		await addNode('Code', /^Code$/, 'Code in JavaScript');
		const code = ndv.locator('.cm-content').first();
		await code.click();
		await page.keyboard.press('ControlOrMeta+a');
		await page.keyboard.press('Delete');
		await page.keyboard.insertText(`return ${JSON.stringify(QUESTIONS)}.map((question) => ({ json: { question } }));`);
		await page.waitForTimeout(1_000);
		await closeNdv();

		await addAfterLast();
		await addNode('Generate Text', /^Generate Text$/, 'Generate text now');
		await ndv.getByTestId('rlc-input').click();
		await page.getByTestId('rlc-item').filter({ hasText: 'mock-small' }).first().click();
		// Typed as a person does, in the field as it opens: the Prompt starts as an expression.
		const prompt = ndv.getByTestId('parameter-input-prompt').locator('.cm-content');
		await prompt.click();
		await page.keyboard.type('{{ $json.question', { delay: 20 });
		// n8n's expression editor closes "{{" by itself; a person types the closing braces when it does not.
		if (!(await prompt.innerText()).includes('}}')) await page.keyboard.type(' }}', { delay: 20 });
		await ndv.getByText('Prompt Source', { exact: true }).first().click();
		await page.waitForTimeout(1_000);
		expect((await prompt.innerText()).replace(/\s+/g, ' ').trim()).toBe('{{ $json.question }}');
		await closeNdv();

		await addAfterLast();
		await addNode('Score Output', /^Score Output$/, 'Score with scorers');
		await ndv.getByRole('button', { name: 'Add Scorer' }).click();
		await ndv.getByTestId('parameter-input-name').locator('input').fill('mentions_france');
		await ndv.getByTestId('parameter-input-values').locator('textarea').fill('France');
		await page.waitForTimeout(500);
		await closeNdv();

		const before = server.received.length;
		await page.getByTestId('zoom-to-fit').click();
		await page.getByTestId('execute-workflow-button').click();
		await page.getByText('Workflow executed successfully').waitFor({ timeout: 60_000 });
		await shot('newcomer-run');

		// Each question went to the endpoint as its item's prompt, not "{{ $json.question }}" three times.
		const prompts = server.received
			.slice(before)
			.filter((received) => received.path === '/chat/completions')
			.map((received) => (received.body as { messages: Array<{ role: string; content: string }> }).messages.at(-1)?.content);
		expect(prompts.sort()).toEqual([...QUESTIONS].sort());

		const outputOf = async (nodeName: string, waitFor: string, exact = false) => {
			await page.getByTestId('canvas-node').filter({ hasText: nodeName }).first().dblclick();
			const output = page.getByTestId('output-panel');
			await output.getByText('3 items').first().waitFor();
			await output.getByText(waitFor, { exact }).first().waitFor({ timeout: 10_000 });
			return output.innerText();
		};
		const answers = await outputOf('Generate Text', `Echo: ${QUESTIONS[2]}`);
		for (const question of QUESTIONS) expect(answers).toContain(`Echo: ${question}`);
		await closeNdv();

		const scored = await outputOf('Score Output', 'failed: mentions_france', false);
		// README shows this one: the three answers scored, two failed items whose reason names the scorer.
		await readmeShot('newcomer-score-output', 'editor-newcomer.png');
		await closeNdv();
		// The two answers without "France" fail, and their reason says which scorer failed.
		expect(scored.match(/< threshold [\d.]+; failed: mentions_france/g)).toHaveLength(2);
		expect(n8nServer.log()).not.toContain(API_KEY);
	}, 180_000);
});
