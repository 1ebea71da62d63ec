/** The charts and the HTML: SVGs from ECharts' server-side renderer, inlined, offline, escaped. */
import { buildReport } from '../../../core/report/report';
import { SCATTER_MAX_POINTS } from '../../../core/report/charts';

const items = [0.2, 0.6, 0.9, 0.4, 0.3].flatMap((base, i) => [
	{ model: 'base', q: `q${i}`, reward: base, pass: base >= 0.5, scores: { rule: { score: 1, pass: true } } },
	{ model: '<tuned & "new">', q: `q${i}`, reward: Math.min(1, base + 0.25), pass: base + 0.25 >= 0.5, scores: { rule: { score: 0, pass: false } }, roundsUsed: 2, history: [{ round: 1, reward: base }, { round: 2, reward: Math.min(1, base + 0.25) }] },
]);

describe('buildReport', () => {
	const report = buildReport(items, { variantField: 'model', idField: 'q', title: 'Tuned <vs> base' });

	it('draws every chart as SVG: mean and pass rate, histogram, scorers, head-to-head, rounds', () => {
		expect(report.charts.map((chart) => chart.id)).toEqual(['mean-pass-rate', 'histogram', 'scorers', 'h2h-<tuned & "new">', 'rounds']);
		for (const chart of report.charts) expect(chart.svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/);
		expect(report.mainChart).toBe(report.charts[0].svg);
		// The main chart's labels are the summary's values.
		const [base, tuned] = report.summary.variants;
		expect(report.mainChart).toContain(base.meanReward.toFixed(3));
		expect(report.mainChart).toContain(tuned.meanReward.toFixed(3));
		expect(report.mainChart).toContain(`${(base.passRate * 100).toFixed(1)}%`);
		expect(report.charts[3].svg.match(/<path[^>]*d="M[^"]*"/g)!.length).toBeGreaterThanOrEqual(5);
	});

	it('the HTML is self-contained: inlined SVGs, no script, no external resource, text escaped', () => {
		const { html } = report;
		expect(html.match(/<svg/g)).toHaveLength(report.charts.length);
		expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(http/i);
		expect(html.replace(/xmlns(:\w+)?="http[^"]*"/g, '')).not.toMatch(/https?:\/\//);
		expect(html).toContain('<title>Tuned &lt;vs&gt; base</title>');
		expect(html).toContain('&lt;tuned &amp; &quot;new&quot;&gt;');
		expect(html).not.toContain('<tuned');
		expect(html).toContain('<table class="comparisons">');
	});

	it('a head-to-head of many pairs draws at most SCATTER_MAX_POINTS of them', () => {
		const many = Array.from({ length: 3000 }, (_, i) => [
			{ v: 'a', id: i, reward: (i % 100) / 100, pass: true },
			{ v: 'b', id: i, reward: ((i * 7) % 100) / 100, pass: true },
		]).flat();
		const big = buildReport(many, { variantField: 'v', idField: 'id', resamples: 200 });
		const h2h = big.charts.find((chart) => chart.id === 'h2h-b')!;
		expect(h2h.svg).toContain(`${SCATTER_MAX_POINTS} of 3000 pairs shown`);
	});
});
