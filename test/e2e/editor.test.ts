/**
 * The editor in a browser (Debian's chromium driven by playwright-core, no browser download): the
 * nodes are in the node panel, Generate Text's parameters can be filled in and run, and example 1
 * runs from the UI with its results in the output panel. Screenshots go to test-results/editor.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
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
		await shot('product-copy-run');

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
		await page.getByRole('button', { name: 'Add to workflow' }).click();
		const ndv = page.getByTestId('ndv');
		await ndv.waitFor();
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
});
