/**
 * Items to training files in one pass: each item becomes examples (by kind), each example rows (by
 * format); duplicates are dropped by hash and rows are split train / validation by a seeded hash of
 * the row, so nothing but a digest per distinct row is held besides the output itself.
 */
import { canonicalJson } from './canonical';
import {
	ExampleError,
	preferenceExamplesFromFields,
	reinforcementFromFields,
	supervisedFromFields,
	type ItemJson,
	type PreferenceFieldOptions,
	type ReinforcementFieldOptions,
	type SupervisedFieldOptions,
	type TrainingExample,
} from './examples';
import { toRows, type JsonRow, type TrainingFormat } from './formats';
import { JsonlBufferWriter } from './jsonl';
import { assignSplitCanonical, createDeduper } from './split';
import { checkRow } from './validateRows';

export type DatasetKind = 'supervised' | 'preference' | 'reinforcement';

export interface BuildOptions {
	kind: DatasetKind;
	format: TrainingFormat;
	supervised?: SupervisedFieldOptions;
	preference?: PreferenceFieldOptions;
	reinforcement?: ReinforcementFieldOptions;
	dedupe?: boolean;
	/** 0 for no validation file; rows go to validation with this probability (seeded, per row). */
	validationFraction?: number;
	seed?: number;
}

export interface ItemProblem {
	item: number;
	message: string;
}

export interface BuiltDataset {
	train: Buffer;
	validation?: Buffer;
	counts: {
		items: number;
		/** Examples written (after any dropped for a problem). */
		examples: number;
		rows: number;
		duplicates: number;
		train: number;
		validation: number;
		/** Items of which no example could be written. */
		failedItems: number;
		/** Examples left out for a problem (each in `problems`), including those of failed items. */
		droppedExamples: number;
	};
	problems: ItemProblem[];
}

function examplesOf(json: ItemJson, options: BuildOptions): Array<TrainingExample | ExampleError> {
	switch (options.kind) {
		case 'supervised':
			return [supervisedFromFields(json, options.supervised)];
		case 'preference':
			return preferenceExamplesFromFields(json, options.preference);
		case 'reinforcement':
			return [reinforcementFromFields(json, options.reinforcement ?? { referenceFields: [] })];
	}
}

/**
 * What Validate would reject in the example's OpenAI row (validateRows.ts, whatever the output
 * format): blank content after trimming, an assistant that is never trained on (every weight 0),
 * and the rest. A reinforcement example's reference fields are the grader's and are not checked.
 */
function rowProblem(example: TrainingExample, row: JsonRow | undefined): string | undefined {
	const openAiRow = row ?? toRows(example.kind === 'reinforcement' ? { ...example, reference: {} } : example, 'openai')[0];
	const issues = checkRow(openAiRow, example.kind);
	if (issues.length === 0) return undefined;
	return `the training row would be rejected by Validate: ${issues.map((issue) => `${issue.message} (${issue.code})`).join('; ')}`;
}

/**
 * `onProblem` decides what an item, or an example of an item (a Reward Loop pair), that cannot be
 * written does: return to leave it out (Continue On Fail), or throw to stop. An item's other
 * examples are kept when one of them is left out.
 */
export function buildDataset(items: Iterable<ItemJson>, options: BuildOptions, onProblem: (problem: ItemProblem) => void): BuiltDataset {
	const deduper = options.dedupe === false ? undefined : createDeduper();
	const fraction = options.validationFraction ?? 0;
	const seed = options.seed ?? 42;
	const train = new JsonlBufferWriter();
	// Validation rows are a fraction of the file: a small start, grown only if they come.
	const validation = new JsonlBufferWriter(fraction > 0 ? 1024 * 1024 : 1);
	const counts = { items: 0, examples: 0, rows: 0, duplicates: 0, train: 0, validation: 0, failedItems: 0, droppedExamples: 0 };
	const problems: ItemProblem[] = [];
	const report = (item: number, message: string) => {
		const problem = { item, message };
		problems.push(problem);
		onProblem(problem);
	};
	let index = 0;
	for (const json of items) {
		const item = index++;
		counts.items++;
		let examples: Array<TrainingExample | ExampleError>;
		try {
			examples = examplesOf(json, options);
		} catch (error) {
			counts.failedItems++;
			report(item, (error as Error).message);
			continue;
		}
		const rows: JsonRow[] = [];
		let dropped = 0;
		for (const example of examples) {
			let problem: string | undefined;
			let exampleRows: JsonRow[] = [];
			if (example instanceof ExampleError) problem = example.message;
			else {
				try {
					exampleRows = toRows(example, options.format);
					problem = rowProblem(example, options.format === 'openai' ? exampleRows[0] : undefined);
				} catch (error) {
					problem = (error as Error).message;
				}
			}
			if (problem !== undefined) {
				dropped++;
				counts.droppedExamples++;
				report(item, problem);
				continue;
			}
			counts.examples++;
			rows.push(...exampleRows);
		}
		if (dropped > 0 && dropped === examples.length) counts.failedItems++;
		for (const row of rows) {
			counts.rows++;
			const canonical = canonicalJson(row);
			if (deduper && !deduper.addCanonical(canonical)) {
				counts.duplicates++;
				continue;
			}
			if (fraction > 0 && assignSplitCanonical(canonical, seed, fraction) === 'validation') {
				validation.write(row);
				counts.validation++;
			} else {
				train.write(row);
				counts.train++;
			}
		}
	}
	return { train: train.end(), ...(fraction > 0 ? { validation: validation.end() } : {}), counts, problems };
}
