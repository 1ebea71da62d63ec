/**
 * The report's charts, drawn by Apache ECharts' server-side SVG renderer (`ssr: true`): no browser,
 * no canvas, no DOM; each chart is an SVG string the HTML inlines and the node ships as an image.
 */
import * as echarts from 'echarts';
import type { PairedPoints, ReportSummary } from './summary';

export interface Chart {
	id: string;
	title: string;
	svg: string;
}

const WIDTH = 720;
const HEIGHT = 360;
/** A head-to-head scatter shows at most this many pairs (an SVG of 100,000 circles is tens of MB). */
export const SCATTER_MAX_POINTS = 2000;

type Option = Record<string, unknown>;

function render(option: Option, width = WIDTH, height = HEIGHT): string {
	const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
	try {
		chart.setOption({ animation: false, textStyle: { fontFamily: 'sans-serif' }, ...option });
		return chart.renderToSVGString();
	} finally {
		chart.dispose();
	}
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const fixed3 = (value: number) => value.toFixed(3);

/** Bars with whiskers: a custom series draws each interval as a vertical line with caps. */
function intervalSeries(name: string, seriesIndex: number, seriesCount: number, intervals: Array<[number, number] | undefined>): Option {
	return {
		type: 'custom',
		name: `${name} 95% interval`,
		data: intervals.map((interval, i) => (interval ? [i, interval[0], interval[1]] : [i, NaN, NaN])),
		z: 10,
		silent: true,
		renderItem: (_params: unknown, api: { value: (i: number) => number; coord: (p: number[]) => number[]; size: (p: number[]) => number[] }) => {
			const low = api.value(1);
			const high = api.value(2);
			if (!Number.isFinite(low)) return null;
			const bandWidth = api.size([1, 0])[0];
			// Centre of this series' bar within the category band (ECharts' default bar gaps).
			const barWidth = (bandWidth * 0.8) / seriesCount;
			const offset = -bandWidth * 0.4 + barWidth * (seriesIndex + 0.5);
			const [x, yLow] = api.coord([api.value(0), low]);
			const [, yHigh] = api.coord([api.value(0), high]);
			const cx = x + offset;
			const cap = Math.min(8, barWidth / 3);
			const style = { stroke: '#222', lineWidth: 1.5 };
			return {
				type: 'group',
				children: [
					{ type: 'line', shape: { x1: cx, y1: yLow, x2: cx, y2: yHigh }, style },
					{ type: 'line', shape: { x1: cx - cap, y1: yLow, x2: cx + cap, y2: yLow }, style },
					{ type: 'line', shape: { x1: cx - cap, y1: yHigh, x2: cx + cap, y2: yHigh }, style },
				],
			};
		},
	};
}

/** The main chart: mean reward and pass rate per variant, each with its 95% interval. */
export function meanAndPassRateChart(summary: ReportSummary): Chart {
	const variants = summary.variants;
	const option: Option = {
		title: { text: 'Mean reward and pass rate by variant', subtext: 'whiskers: 95% intervals (bootstrap for the mean, Wilson for the pass rate)', left: 'center' },
		legend: { top: 58, data: ['mean reward', 'pass rate'] },
		grid: { top: 100, bottom: 50, left: 60, right: 30 },
		xAxis: { type: 'category', name: 'variant', nameLocation: 'middle', nameGap: 30, data: variants.map((v) => v.variant) },
		yAxis: { type: 'value', min: 0, max: 1, name: 'reward / pass rate' },
		series: [
			{
				type: 'bar',
				name: 'mean reward',
				data: variants.map((v) => Number(fixed3(v.meanReward))),
				label: { show: true, position: 'insideBottom', formatter: (p: { value: number }) => fixed3(p.value) },
			},
			{
				type: 'bar',
				name: 'pass rate',
				data: variants.map((v) => Number(v.passRate.toFixed(3))),
				label: { show: true, position: 'insideBottom', formatter: (p: { value: number }) => percent(p.value) },
			},
			intervalSeries('mean reward', 0, 2, variants.map((v) => (v.rewardInterval ? [v.rewardInterval.low, v.rewardInterval.high] : undefined))),
			intervalSeries('pass rate', 1, 2, variants.map((v) => (v.passInterval ? [v.passInterval.low, v.passInterval.high] : undefined))),
		],
	};
	return { id: 'mean-pass-rate', title: 'Mean reward and pass rate by variant', svg: render(option) };
}

export function histogramChart(summary: ReportSummary): Chart {
	const bins = summary.settings.histogramBins;
	const labels = Array.from({ length: bins }, (_, i) => `${(i / bins).toFixed(2)}–${((i + 1) / bins).toFixed(2)}`);
	const option: Option = {
		title: { text: 'Reward histogram by variant', left: 'center' },
		legend: { top: 36, data: summary.variants.map((v) => v.variant) },
		grid: { top: 80, bottom: 60, left: 60, right: 30 },
		xAxis: { type: 'category', name: 'reward', nameLocation: 'middle', nameGap: 40, data: labels, axisLabel: { rotate: bins > 10 ? 45 : 0, fontSize: 10 } },
		yAxis: { type: 'value', name: 'items' },
		series: summary.variants.map((v) => ({ type: 'bar', name: v.variant, data: v.histogram })),
	};
	return { id: 'histogram', title: 'Reward histogram by variant', svg: render(option) };
}

export function scorerPassRateChart(summary: ReportSummary): Chart | undefined {
	const names = [...new Set(summary.variants.flatMap((v) => Object.keys(v.scorers)))];
	if (names.length === 0) return undefined;
	const option: Option = {
		title: { text: 'Pass rate by scorer', left: 'center' },
		legend: { top: 36, data: summary.variants.map((v) => v.variant) },
		grid: { top: 70, bottom: 50, left: 60, right: 30 },
		xAxis: { type: 'category', name: 'scorer', nameLocation: 'middle', nameGap: 30, data: names },
		yAxis: { type: 'value', min: 0, max: 1, name: 'pass rate' },
		series: summary.variants.map((v) => ({
			type: 'bar',
			name: v.variant,
			data: names.map((name) => (v.scorers[name] ? Number(v.scorers[name].passRate.toFixed(3)) : null)),
		})),
	};
	return { id: 'scorers', title: 'Pass rate by scorer', svg: render(option) };
}

export function headToHeadChart(pairs: PairedPoints): Chart {
	// Evenly spaced pairs when there are too many to draw: the same items give the same picture.
	const step = Math.max(1, pairs.points.length / SCATTER_MAX_POINTS);
	const points: Array<[number, number]> = [];
	for (let i = 0; points.length < SCATTER_MAX_POINTS && Math.floor(i) < pairs.points.length; i += step) points.push(pairs.points[Math.floor(i)]);
	const shown = points.length < pairs.points.length ? `${points.length} of ${pairs.points.length} pairs shown` : `${pairs.points.length} pairs`;
	const option: Option = {
		title: { text: `${pairs.variant} against ${pairs.baseline}`, subtext: `${shown}; above the diagonal: ${pairs.variant} scored higher`, left: 'center' },
		grid: { top: 70, bottom: 50, left: 60, right: 30 },
		xAxis: { type: 'value', min: 0, max: 1, name: `${pairs.baseline} reward`, nameLocation: 'middle', nameGap: 30 },
		yAxis: { type: 'value', min: 0, max: 1, name: `${pairs.variant} reward`, nameLocation: 'middle', nameGap: 40 },
		series: [
			{ type: 'scatter', name: 'pairs', symbolSize: 6, itemStyle: { opacity: 0.5 }, data: points },
			{ type: 'line', name: 'equal', data: [[0, 0], [1, 1]], symbol: 'none', lineStyle: { type: 'dashed', color: '#888' }, silent: true },
		],
	};
	return { id: `h2h-${pairs.variant}`, title: `${pairs.variant} against ${pairs.baseline}`, svg: render(option, 480, 480) };
}

export function rewardByRoundChart(summary: ReportSummary): Chart | undefined {
	const loops = summary.variants.filter((v) => v.loop?.bestRewardByRound?.length);
	if (loops.length === 0) return undefined;
	const rounds = Math.max(...loops.map((v) => v.loop!.bestRewardByRound!.length));
	const option: Option = {
		title: { text: 'Mean best reward by round', left: 'center' },
		legend: { top: 36, data: loops.map((v) => v.variant) },
		grid: { top: 70, bottom: 50, left: 60, right: 30 },
		xAxis: { type: 'category', name: 'round', nameLocation: 'middle', nameGap: 30, data: Array.from({ length: rounds }, (_, i) => String(i + 1)) },
		yAxis: { type: 'value', min: 0, max: 1, name: 'mean best reward' },
		series: loops.map((v) => ({
			type: 'line',
			name: v.variant,
			data: v.loop!.bestRewardByRound!.map((r) => Number(fixed3(r.meanBest))),
			label: { show: true, formatter: (p: { value: number }) => fixed3(p.value) },
		})),
	};
	return { id: 'rounds', title: 'Mean best reward by round', svg: render(option) };
}

/** Every chart of the report; the first is the main one. */
export function buildCharts(summary: ReportSummary, pairs: PairedPoints[]): Chart[] {
	return [
		meanAndPassRateChart(summary),
		histogramChart(summary),
		...[scorerPassRateChart(summary)].filter((chart): chart is Chart => chart !== undefined),
		...pairs.map(headToHeadChart),
		...[rewardByRoundChart(summary)].filter((chart): chart is Chart => chart !== undefined),
	];
}
