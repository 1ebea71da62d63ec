/**
 * OpenAI grader templates: `{{sample.output_text}}`, `{{sample.output_json<path>}}` and
 * `{{item<path>}}`, where the path has JSON Field's syntax (fieldPath.ts): `{{item.a.b[0]}}`,
 * `{{item.meta["content-type"]}}`, `{{sample.output_json.answer}}`.
 *
 * Two ways to fill them:
 * - `renderTemplate`, for judges' prompts: a value that is not a string is written as JSON, a
 *   missing one as nothing, and `{{...}}` that is no placeholder stays as written.
 * - `resolveTemplate`, for texts that are compared (references, similarity inputs, string_check):
 *   strict, since a typo there would silently compare the wrong text. A placeholder must be one of
 *   the three forms; an item value must exist and be a string or a finite number (written as
 *   JSON writes it: 42, 3.5); null, a boolean, an object or an array is a problem. Sample values
 *   are the output's business: output_text is always text, and a part of output_json that is
 *   missing is empty text (the output is then simply a poor match), one that is not a string is
 *   written as JSON.
 */
import { lookupPath, MISSING, parseFieldPath, type PathSegment } from './fieldPath';
import type { Sample } from './types';

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;
const ROOT = /^(item|sample)(?=$|[.[])/;
const OUTPUT_JSON = '.output_json';
const OUTPUT_TEXT = '.output_text';

type Placeholder =
	| { root: 'item'; segments: PathSegment[] }
	| { root: 'sample'; field: 'output_text' }
	| { root: 'sample'; field: 'output_json'; segments: PathSegment[] };

type Parsed = { ok: true; placeholder: Placeholder } | { ok: false; problem: string };

function parsePath(rest: string): PathSegment[] {
	return rest === '' ? [] : parseFieldPath(`$${rest}`);
}

function parsePlaceholder(content: string): Parsed {
	const expression = content.trim();
	const root = ROOT.exec(expression)?.[1] as 'item' | 'sample' | undefined;
	if (root === undefined) {
		const hint = /^[A-Za-z_$][\w$-]*(?:[.[].*)?$/.test(expression) ? ` (to read the item's field, write {{item.${expression}}})` : '';
		return { ok: false, problem: `{{${content}}} is not a placeholder: write {{item.<path>}}, {{sample.output_text}} or {{sample.output_json.<path>}}${hint}` };
	}
	const rest = expression.slice(root.length);
	try {
		if (root === 'item') return { ok: true, placeholder: { root: 'item', segments: parsePath(rest) } };
		if (rest === OUTPUT_TEXT) return { ok: true, placeholder: { root: 'sample', field: 'output_text' } };
		if (rest === OUTPUT_JSON || rest.startsWith(`${OUTPUT_JSON}.`) || rest.startsWith(`${OUTPUT_JSON}[`)) {
			return { ok: true, placeholder: { root: 'sample', field: 'output_json', segments: parsePath(rest.slice(OUTPUT_JSON.length)) } };
		}
		return { ok: false, problem: `{{${content}}} is not a placeholder: the sample has output_text and output_json only` };
	} catch (error) {
		return { ok: false, problem: `{{${content}}}: ${(error as Error).message}` };
	}
}

function valueOf(placeholder: Placeholder, sample: Sample, item: Record<string, unknown>): unknown {
	if (placeholder.root === 'item') return lookupPath(item, placeholder.segments);
	if (placeholder.field === 'output_text') return sample.outputText;
	if (sample.outputJson === undefined) return MISSING;
	return lookupPath(sample.outputJson, placeholder.segments);
}

function asJsonText(value: unknown): string {
	if (value === MISSING || value === undefined || value === null) return '';
	return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface TemplateOptions {
	/** Wraps what comes from the sample, so a judge can tell untrusted output from instructions. */
	wrapSample?: (text: string) => string;
}

/** Fills a judge's template (lenient: see above). */
export function renderTemplate(template: string, sample: Sample, item: Record<string, unknown>, options: TemplateOptions = {}): string {
	return template.replace(PLACEHOLDER, (match, content: string) => {
		const parsed = parsePlaceholder(content);
		if (!parsed.ok) return match;
		const text = asJsonText(valueOf(parsed.placeholder, sample, item));
		return parsed.placeholder.root === 'sample' && options.wrapSample ? options.wrapSample(text) : text;
	});
}

export type Resolution = { ok: true; text: string } | { ok: false; problem: string };

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'number') return 'a number that is not finite';
	return `a ${typeof value}`;
}

/** Checks a template's placeholders without filling them: the first problem, or undefined. */
export function templateProblem(template: string): string | undefined {
	return compileTemplate(template).problem;
}

/** A template parsed once, for the strict filling of texts that are compared. */
export interface CompiledTemplate {
	/** The first placeholder that is not one (filling then always fails with it). */
	readonly problem?: string;
	resolve(sample: Sample, item: Record<string, unknown>): Resolution;
}

type Part = string | { written: string; placeholder: Placeholder };

/** Parses a template once; `resolve` then fills it strictly (see above). */
export function compileTemplate(template: string): CompiledTemplate {
	const parts: Part[] = [];
	let problem: string | undefined;
	let last = 0;
	for (const match of template.matchAll(PLACEHOLDER)) {
		const parsed = parsePlaceholder(match[1]);
		if (!parsed.ok) {
			problem ??= parsed.problem;
			continue;
		}
		if (match.index > last) parts.push(template.slice(last, match.index));
		parts.push({ written: match[0], placeholder: parsed.placeholder });
		last = match.index + match[0].length;
	}
	if (last < template.length) parts.push(template.slice(last));
	if (problem !== undefined) {
		const failed: Resolution = { ok: false, problem };
		return { problem, resolve: () => failed };
	}
	return {
		resolve(sample, item) {
			let text = '';
			for (const part of parts) {
				if (typeof part === 'string') {
					text += part;
					continue;
				}
				const value = valueOf(part.placeholder, sample, item);
				if (part.placeholder.root === 'sample') text += asJsonText(value);
				else if (typeof value === 'string') text += value;
				else if (typeof value === 'number' && Number.isFinite(value)) text += JSON.stringify(value);
				else {
					return {
						ok: false,
						problem: value === MISSING ? `${part.written} does not resolve: the item has no such field` : `${part.written} is ${kindOf(value)}, not text`,
					};
				}
			}
			return { ok: true, text };
		},
	};
}

/** Fills a template whose text is compared (strict: see above); the first problem otherwise. */
export function resolveTemplate(template: string, sample: Sample, item: Record<string, unknown>): Resolution {
	return compileTemplate(template).resolve(sample, item);
}

/** True when the template refers to the sample, i.e. the judge will see the candidate. */
export function mentionsSample(template: string): boolean {
	return /\{\{\s*sample\./.test(template);
}
