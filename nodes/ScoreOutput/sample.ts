import type { IDataObject } from 'n8n-workflow';
import { tryParseJson } from '../../core/json/tryParseJson';
import { readPath } from '../../core/scoring/template';
import type { Sample } from '../../core/scoring/types';
import { ParameterError } from '../shared/transportOptions';

/**
 * The sample an item holds: its text (by field), the text as JSON when it is JSON (parsed only when
 * a scorer asks), perplexity and candidates as Generate Text writes them.
 */
export function sampleFromItem(json: IDataObject, textField: string, candidatesField: string): Sample {
	const raw = readPath(json, textField);
	if (raw === undefined || raw === null) throw new ParameterError('Text Field', `the item has no field "${textField}"`);
	const outputText = typeof raw === 'string' ? raw : JSON.stringify(raw);
	let parsedJson: { value: unknown } | undefined;
	const sample: Sample = {
		outputText,
		get outputJson() {
			if (!parsedJson) {
				if (typeof raw === 'object') parsedJson = { value: raw };
				else {
					const parsed = /^\s*[[{]/.test(outputText) ? tryParseJson(outputText) : undefined;
					parsedJson = { value: parsed?.ok ? parsed.value : undefined };
				}
			}
			return parsedJson.value;
		},
	};
	if (typeof json.perplexity === 'number') sample.perplexity = json.perplexity;
	const candidates = readPath(json, candidatesField);
	if (Array.isArray(candidates)) {
		sample.candidates = candidates.map((c) => (typeof c === 'string' ? c : String((c as IDataObject)?.text ?? JSON.stringify(c))));
	}
	return sample;
}
