/**
 * The whole report from the items: the summary, its charts (the first is the main one) and the HTML
 * that inlines them.
 */
import { buildCharts, type Chart } from './charts';
import { renderHtml, type HtmlOptions } from './html';
import { summarize, type ReportOptions, type ReportSummary } from './summary';

export interface Report {
	summary: ReportSummary;
	charts: Chart[];
	html: string;
	/** The main chart's SVG, for the image binary. */
	mainChart: string;
}

export function buildReport(items: ReadonlyArray<Record<string, unknown>>, options: ReportOptions & HtmlOptions = {}): Report {
	const { summary, pairs } = summarize(items, options);
	options.signal?.throwIfAborted();
	const charts = buildCharts(summary, pairs);
	return { summary, charts, html: renderHtml(summary, charts, options), mainChart: charts[0].svg };
}
