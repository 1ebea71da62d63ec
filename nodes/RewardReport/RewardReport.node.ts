import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { buildReport } from '../../core/report/report';
import { ReportInputError, type ReportOptions } from '../../core/report/summary';
import { itemError, nodeError } from '../shared/errors';
import { rewardReportProperties } from './description';

export class RewardReport implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Reward Report',
		name: 'rewardReport',
		icon: { light: 'file:rewardReport.svg', dark: 'file:rewardReport.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["variantField"] ? "by " + $parameter["variantField"] : "all items"}}',
		description: 'Summarises rewards with confidence intervals and paired tests, as JSON, an HTML report with charts and an SVG chart',
		defaults: { name: 'Reward Report' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: rewardReportProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const continueOnFail = this.continueOnFail();
		// Node-wide settings: read once, from the first item (a report is one over all items).
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '') || undefined;
		const price = (value: unknown) => (typeof value === 'number' && value > 0 ? value : undefined);
		const inputPrice = price(options.inputPricePerMillion);
		const outputPrice = price(options.outputPricePerMillion);
		const failed: INodeExecutionData[] = [];
		const reportOptions: ReportOptions & { title?: string; generatedAt?: string } = {
			variantField: text(this.getNodeParameter('variantField', 0, '')),
			idField: text(this.getNodeParameter('idField', 0, '')),
			baseline: text(this.getNodeParameter('baseline', 0, '')),
			rewardField: text(options.rewardField),
			passField: text(options.passField),
			scoresField: text(options.scoresField),
			// Both prices or none: a price of 0 for one side is a real price when the other is set.
			...(inputPrice !== undefined || outputPrice !== undefined ? { inputPricePerMillion: inputPrice ?? 0, outputPricePerMillion: outputPrice ?? 0 } : {}),
			seed: typeof options.seed === 'number' ? options.seed : undefined,
			resamples: typeof options.resamples === 'number' ? options.resamples : undefined,
			histogramBins: typeof options.histogramBins === 'number' ? options.histogramBins : undefined,
			maxIds: typeof options.maxIds === 'number' ? options.maxIds : undefined,
			title: text(options.title),
			generatedAt: new Date().toISOString(),
			signal: this.getExecutionCancelSignal(),
			...(continueOnFail
				? {
						onInvalid: (error: ReportInputError) => {
							failed.push({ json: { ...items[error.index].json, error: `Item ${error.index}: ${error.message}` }, pairedItem: { item: error.index } });
						},
					}
				: {}),
		};

		let report;
		try {
			report = buildReport(
				items.map((item) => item.json),
				reportOptions,
			);
		} catch (error) {
			if (error instanceof ReportInputError) throw itemError(this, error.index, error.message);
			if (this.getExecutionCancelSignal()?.aborted) throw nodeError(this, 'The execution was cancelled');
			const message = error instanceof Error ? error.message : String(error);
			if (continueOnFail) return [[{ json: { error: message }, pairedItem: items.map((_, item) => ({ item })) }]];
			throw nodeError(this, message);
		}

		const name = (reportOptions.title ?? 'reward-report').replace(/[^\w.-]+/g, '-').toLowerCase();
		const binary = {
			report: await this.helpers.prepareBinaryData(Buffer.from(report.html, 'utf8'), `${name}.html`, 'text/html'),
			chart: await this.helpers.prepareBinaryData(Buffer.from(report.mainChart, 'utf8'), `${name}.svg`, 'image/svg+xml'),
		};
		const reported = new Set(failed.map((item) => (item.pairedItem as { item: number }).item));
		const reportItem: INodeExecutionData = {
			json: { summary: report.summary as unknown as IDataObject },
			binary,
			// The report comes from every item it read.
			pairedItem: items.flatMap((_, item) => (reported.has(item) ? [] : [{ item }])),
		};
		return [[reportItem, ...failed]];
	}
}
