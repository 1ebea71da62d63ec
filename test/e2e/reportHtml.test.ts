/**
 * The Reward Report's HTML in a browser (Debian's chromium via playwright-core, no n8n): opened
 * from a file, offline, every chart rendered (an SVG of real size with its axis names), the values
 * shown are the summary's, and nothing was fetched. The screenshot goes to test-results/report
 * (docs/reward-report.png in README is a copy of it).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { buildReport } from '../../core/report/report';
import { seededRandom } from '../../core/report/statistics';
import { ROOT } from './n8n';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(ROOT, 'test-results', 'report');
const hasChromium = spawnSync(CHROMIUM, ['--version']).status === 0;
if (!hasChromium && process.env.CI !== 'true') console.log(`Browser test skipped: no chromium at ${CHROMIUM} (Debian: apt-get install chromium).`);
const suite = hasChromium || process.env.CI === 'true' ? describe : describe.skip;

function items() {
	const random = seededRandom(21);
	return Array.from({ length: 120 }, (_, i) => {
		const model = i % 2 ? 'fine-tuned' : 'base';
		const reward = Math.min(1, random() * 0.8 + (model === 'base' ? 0 : 0.15));
		return {
			model,
			question: i >> 1,
			reward,
			pass: reward >= 0.6,
			scores: { facts: { score: reward > 0.4 ? 1 : 0, pass: reward > 0.4 }, style: { score: reward, pass: reward >= 0.6 } },
			usage: { promptTokens: 50, completionTokens: 80, totalTokens: 130 },
			roundsUsed: 1 + (i % 3),
			history: [{ round: 1, reward: reward * 0.6 }, ...(i % 3 ? [{ round: 2, reward }] : [])],
		};
	});
}

suite('the Reward Report in a browser', () => {
	let browser: Browser;
	beforeAll(async () => {
		browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'] });
	});
	afterAll(async () => {
		await browser?.close();
	});

	it('renders every chart with its axes and the summary\'s values, fetching nothing', async () => {
		const report = buildReport(items(), { variantField: 'model', idField: 'question', inputPricePerMillion: 0.4, outputPricePerMillion: 1.6 });
		mkdirSync(OUT, { recursive: true });
		const file = join(OUT, 'reward-report.html');
		writeFileSync(file, report.html);

		const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
		const requests: string[] = [];
		page.on('request', (request) => {
			if (!request.url().startsWith('file://')) requests.push(request.url());
		});
		await page.goto(`file://${file}`);
		const figures = page.locator('figure.chart');
		expect(await figures.count()).toBe(report.charts.length);
		expect(report.charts.map((chart) => chart.id)).toEqual(['mean-pass-rate', 'histogram', 'scorers', 'h2h-fine-tuned', 'rounds']);
		for (let i = 0; i < report.charts.length; i++) {
			const svg = figures.nth(i).locator('svg');
			const box = await svg.boundingBox();
			expect(box!.width).toBeGreaterThan(300);
			expect(box!.height).toBeGreaterThan(300);
			// Drawn marks, not an empty frame.
			expect(await svg.locator('path').count()).toBeGreaterThan(5);
		}
		const textOf = async (id: string) => (await page.locator(`#chart-${id} svg`).textContent()) ?? '';
		const [base, tuned] = report.summary.variants;
		const main = await textOf('mean-pass-rate');
		for (const label of ['variant', 'reward / pass rate', 'base', 'fine-tuned', base.meanReward.toFixed(3), tuned.meanReward.toFixed(3), `${(tuned.passRate * 100).toFixed(1)}%`]) expect(main).toContain(label);
		expect(await textOf('histogram')).toContain('items');
		expect(await textOf('scorers')).toContain('facts');
		expect(await textOf('h2h-fine-tuned')).toContain('base reward');
		const rounds = await textOf('rounds');
		expect(rounds).toContain('mean best reward');
		expect(rounds).toContain(tuned.loop!.bestRewardByRound![1].meanBest.toFixed(3));
		// The tables say the same as the summary.
		const table = (await page.locator('table.variants').textContent()) ?? '';
		expect(table).toContain(base.meanReward.toFixed(3));
		expect(table).toContain(String(base.n));
		expect(await page.locator('table.comparisons').textContent()).toContain(report.summary.comparisons[0].meanDifference.toFixed(3));
		expect(requests).toEqual([]);
		await page.screenshot({ path: join(OUT, 'reward-report.png'), fullPage: true });
		await page.close();
	});
});
