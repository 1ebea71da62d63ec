/**
 * Items to training files in one pass: each item becomes examples (by kind), each example rows (by
 * format); duplicates are dropped by hash and rows are split train / validation by a seeded hash of
 * the row, so nothing but 8-byte hashes is held besides the output itself.
 */
import { canonicalJson } from './canonical';
import {
	preferenceFromFields,
	reinforcementFromFields,
	supervisedFromFields,
	type ItemJson,
	type PreferenceFieldOptions,
	type ReinforcementFieldOptions,
	type SupervisedFieldOptions,
	type TrainingExample,
} from './examples';
import { toRows, type TrainingFormat } from './formats';
import { JsonlWriter } from './jsonl';
import { assignSplitCanonical, createDeduper } from './split';

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
	counts: { items: number; examples: number; rows: number; duplicates: number; train: number; validation: number; failedItems: number };
	problems: ItemProblem[];
}

function examplesOf(json: ItemJson, options: BuildOptions): TrainingExample[] {
	switch (options.kind) {
		case 'supervised':
			return [supervisedFromFields(json, options.supervised)];
		case 'preference':
			return preferenceFromFields(json, options.preference);
		case 'reinforcement':
			return [reinforcementFromFields(json, options.reinforcement ?? { referenceFields: [] })];
	}
}

/**
 * `onProblem` decides what an item that cannot be turned into rows does: return to skip it
 * (Continue On Fail), or throw to stop.
 */
export function buildDataset(items: Iterable<ItemJson>, options: BuildOptions, onProblem: (problem: ItemProblem) => void): BuiltDataset {
	const train = new JsonlWriter();
	const validation = new JsonlWriter();
	const deduper = options.dedupe === false ? undefined : createDeduper();
	const fraction = options.validationFraction ?? 0;
	const seed = options.seed ?? 42;
	const counts = { items: 0, examples: 0, rows: 0, duplicates: 0, train: 0, validation: 0, failedItems: 0 };
	const problems: ItemProblem[] = [];
	let index = 0;
	for (const json of items) {
		const item = index++;
		counts.items++;
		let rows: Array<Record<string, unknown>>;
		try {
			const examples = examplesOf(json, options);
			rows = examples.flatMap((example) => toRows(example, options.format));
			counts.examples += examples.length;
		} catch (error) {
			const problem = { item, message: (error as Error).message };
			counts.failedItems++;
			problems.push(problem);
			onProblem(problem);
			continue;
		}
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
