import type { IDataObject } from 'n8n-workflow';
import { tryParseJson } from '../../core/json/tryParseJson';
import { readField } from '../../core/json/readPath';
import type { Sample } from '../../core/scoring/types';
import { ParameterError } from '../shared/transportOptions';

/**
 * The sample an item holds: its text (by field), the text as JSON when it is JSON (parsed only when
 * a scorer asks, and once), perplexity and candidates as Generate Text writes them.
 */
class ItemSample implements Sample {
	private parsed = false;
	private json: unknown;
	perplexity?: number;
	candidates?: string[];

	constructor(
		readonly outputText: string,
		private readonly raw: unknown,
	) {}

	get outputJson(): unknown {
		if (!this.parsed) {
			this.parsed = true;
			if (typeof this.raw === 'object') this.json = this.raw;
			else if (/^\s*[[{]/.test(this.outputText)) {
				const parsed = tryParseJson(this.outputText);
				if (parsed.ok) this.json = parsed.value;
			}
		}
		return this.json;
	}
}

export function sampleFromItem(json: IDataObject, textField: string, candidatesField: string): Sample {
	const raw = readField(json, textField);
	if (raw === undefined || raw === null) throw new ParameterError('Text Field', `the item has no field "${textField}"`);
	const sample = new ItemSample(typeof raw === 'string' ? raw : JSON.stringify(raw), raw);
	if (typeof json.perplexity === 'number') sample.perplexity = json.perplexity;
	const candidates = readField(json, candidatesField);
	if (Array.isArray(candidates)) {
		sample.candidates = candidates.map((c) => (typeof c === 'string' ? c : String((c as IDataObject)?.text ?? JSON.stringify(c))));
	}
	return sample;
}
