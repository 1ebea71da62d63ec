/**
 * OpenAI grader templates: `{{sample.output_text}}`, `{{sample.output_json.path}}` and
 * `{{item.path}}`, with dot paths and [index]. A value that is not a string is written as JSON.
 */
import { readPath } from '../json/readPath';
import type { Sample } from './types';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w]*(?:\.[\w$-]+|\[\d+\])*)\s*\}\}/g;

function asText(value: unknown): string {
	if (value === undefined || value === null) return '';
	return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface TemplateOptions {
	/** Wraps what comes from the sample, so a judge can tell untrusted output from instructions. */
	wrapSample?: (text: string) => string;
}

export function renderTemplate(template: string, sample: Sample, item: Record<string, unknown>, options: TemplateOptions = {}): string {
	return template.replace(PLACEHOLDER, (_match, path: string) => {
		const [root, ...rest] = path.split('.');
		const tail = rest.join('.');
		if (root === 'sample') {
			let value: unknown;
			if (tail === 'output_text') value = sample.outputText;
			else if (tail === 'output_json' || tail.startsWith('output_json.') || tail.startsWith('output_json[')) {
				value = readPath({ output_json: sample.outputJson }, tail);
			} else value = undefined;
			const text = asText(value);
			return options.wrapSample ? options.wrapSample(text) : text;
		}
		if (root === 'item') return asText(readPath(item, tail));
		return _match;
	});
}

/** True when the template refers to the sample, i.e. the judge will see the candidate. */
export function mentionsSample(template: string): boolean {
	return /\{\{\s*sample\./.test(template);
}
