/**
 * The self-contained HTML report: the charts' SVGs inlined, the tables, a little CSS; no script, no
 * CDN, no web font, so it opens offline. Every text from the items (variant names, scorer names,
 * ids) is escaped.
 */
import type { Chart } from './charts';
import type { Interval } from './statistics';
import type { ReportSummary } from './summary';

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const f3 = (value: number) => value.toFixed(3);
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const range = (interval: Interval | undefined, format: (v: number) => string) => (interval ? `${format(interval.low)} – ${format(interval.high)}` : '–');
const pValue = (p: number | undefined) => (p === undefined ? '–' : p < 0.0001 ? p.toExponential(2) : p.toFixed(4));
const count = (value: number) => value.toLocaleString('en-US');

function table(headers: string[], rows: string[][], className = ''): string {
	const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
	const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n');
	return `<table class="${className}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export interface HtmlOptions {
	title?: string;
	/** When the report was made (ISO text), shown under the title. */
	generatedAt?: string;
}

export function renderHtml(summary: ReportSummary, charts: Chart[], options: HtmlOptions = {}): string {
	const title = options.title || 'Reward Report';
	const withCost = summary.variants.some((v) => v.cost !== undefined);
	const variantRows = summary.variants.map((v) => [
		escapeHtml(v.variant),
		count(v.n),
		f3(v.meanReward),
		range(v.rewardInterval, f3),
		`${pct(v.passRate)} (${count(v.passed)})`,
		range(v.passInterval, pct),
		count(v.tokens.total),
		...(withCost ? [v.cost === undefined ? '–' : `$${v.cost.toFixed(4)}`] : []),
	]);
	const scorerNames = [...new Set(summary.variants.flatMap((v) => Object.keys(v.scorers)))];
	const scorerRows = scorerNames.flatMap((name) =>
		summary.variants.filter((v) => v.scorers[name]).map((v) => [escapeHtml(name), escapeHtml(v.variant), count(v.scorers[name].n), f3(v.scorers[name].mean), pct(v.scorers[name].passRate)]),
	);
	const ids = (list: string[], total: number) => (total ? `${count(total)}: ${list.map(escapeHtml).join(', ')}${total > list.length ? ', …' : ''}` : '0');
	const comparisonRows = summary.comparisons.map((c) => [
		`${escapeHtml(c.variant)} − ${escapeHtml(c.baseline)}`,
		count(c.pairs),
		(c.meanDifference >= 0 ? '+' : '') + f3(c.meanDifference),
		range(c.differenceInterval, f3),
		`${count(c.wins)} / ${count(c.ties)} / ${count(c.losses)}`,
		pValue(c.pValue),
		pValue(c.signTestP),
		ids(c.regressed, c.regressedCount),
		ids(c.fixed, c.fixedCount),
	]);
	const loops = summary.variants.filter((v) => v.loop);
	const loopRows = loops.map((v) => [
		escapeHtml(v.variant),
		count(v.loop!.n),
		v.loop!.meanRounds.toFixed(2),
		v.loop!.roundsUsed.map((r) => `${r.rounds}: ${count(r.items)}`).join(', '),
		v.loop!.bestRewardByRound ? v.loop!.bestRewardByRound.map((r) => `${r.round}: ${f3(r.meanBest)}`).join(', ') : '– (no history)',
	]);
	const figures = charts.map((chart) => `<figure id="chart-${escapeHtml(chart.id)}" class="chart">\n${chart.svg}\n<figcaption>${escapeHtml(chart.title)}</figcaption>\n</figure>`).join('\n');
	const s = summary.settings;
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
figure.chart { margin: 0; border: 1px solid #eee; }
figcaption { font-size: 0.8em; color: #666; text-align: center; padding-bottom: 0.3em; }
.note { color: #666; font-size: 0.85em; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="note">${count(summary.n)} items${s.variantField ? `, variants from field “${escapeHtml(s.variantField)}”` : ''}${s.idField ? `, paired by field “${escapeHtml(s.idField)}”` : ''}${options.generatedAt ? `; made ${escapeHtml(options.generatedAt)}` : ''}.
95% intervals: percentile bootstrap for means (${count(s.resamples)} resamples, seed ${s.seed}), Wilson for pass rates.</p>
<h2>Variants</h2>
${table(['variant', 'n', 'mean reward', '95% interval', 'pass rate (passed)', '95% interval (Wilson)', 'tokens', ...(withCost ? ['cost'] : [])], variantRows, 'variants')}
${summary.comparisons.length ? `<h2>Paired comparisons</h2>
<p class="note">Difference = variant − baseline over the ids both have; p: two-sided Wilcoxon signed-rank test (ties dropped), sign test on wins against losses. Regressed: passed under the baseline, fails under the variant; fixed: the other way.</p>
${table(['comparison', 'pairs', 'mean difference', '95% interval', 'wins / ties / losses', 'p (Wilcoxon)', 'p (sign test)', 'regressed', 'fixed'], comparisonRows, 'comparisons')}` : ''}
${scorerRows.length ? `<h2>Scorers</h2>\n${table(['scorer', 'variant', 'n', 'mean score', 'pass rate'], scorerRows, 'scorers')}` : ''}
${loopRows.length ? `<h2>Reward Loop</h2>\n${table(['variant', 'items', 'mean rounds', 'rounds used: items', 'mean best reward by round'], loopRows, 'loops')}` : ''}
<h2>Charts</h2>
<div class="charts">
${figures}
</div>
</body>
</html>
`;
}
