/**
 * Helpers the rule scorers share. Not a scorer itself.
 *
 * Error flag vs fail, the same in every rule scorer: `error: true` (scoreError) means the scorer
 * could not do its job (a broken configuration that only shows when scoring, such as a schema
 * whose $ref does not resolve). An output that breaks the rule, however bad (empty, not JSON,
 * missing a field), is an ordinary failure: score 0, pass false, no error flag. Configuration
 * mistakes that can be seen up front throw an Error naming the scorer when it is created.
 */
import { OutputError, parseJsonOutput } from '../../generate/result';
import { tryParseJson } from '../../json/tryParseJson';
import { compileTemplate } from '../template';
import type { Sample, ScoreContext, ScoreResult, Scorer } from '../types';

/** A scorer that answers synchronously (every rule scorer), so callers may skip the await. */
export interface SyncScorer extends Scorer {
	score(sample: Sample, context?: ScoreContext): ScoreResult;
}

const REASON_TEXT_LIMIT = 60;

/** A JSON-quoted excerpt of `text` for a reason line, cut to `limit` characters. */
export function quote(text: string, limit = REASON_TEXT_LIMIT): string {
	return text.length > limit ? `${JSON.stringify(text.slice(0, limit))}…` : JSON.stringify(text);
}

/** A JSON value written for a reason line, cut to `limit` characters. */
export function showValue(value: unknown, limit = REASON_TEXT_LIMIT): string {
	const text = value === undefined ? 'undefined' : JSON.stringify(value);
	return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

/** Escapes a literal for a RegExp, valid under the `u` flag too. */
export function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A string setting: strings as they are, numbers and booleans as text; anything else throws. */
export function requireText(scorer: string, type: string, field: string, value: unknown): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	throw new Error(`${scorer}: ${type} needs "${field}" as text, got ${value === null ? 'null' : typeof value}`);
}

export type JsonRead = { ok: true; value: unknown } | { ok: false; problem: string };

const FENCE_START = /^\s*```/;
const NOT_JSON = /^the model's answer is not valid JSON \(([\s\S]*)\)$/;

/**
 * The output as JSON: `sample.outputJson` when Generate Text already parsed it, else the text
 * parsed the way Generate Text does (a ```json fenced block is accepted).
 */
export function readJson(sample: Sample): JsonRead {
	if (sample.outputJson !== undefined) return { ok: true, value: sample.outputJson };
	const text = sample.outputText;
	// Text that does not open with a fence is parsed directly, as parseJsonOutput would: one
	// thrown error instead of two keeps failing outputs about three times cheaper.
	if (!FENCE_START.test(text)) return tryParseJson(text);
	try {
		return { ok: true, value: parseJsonOutput(text, { type: 'json_object' }) };
	} catch (error) {
		if (!(error instanceof OutputError)) throw error;
		return { ok: false, problem: NOT_JSON.exec(error.message)?.[1] ?? error.message };
	}
}

/** The failure every JSON scorer gives for an output that is not JSON (negation does not apply). */
export function notJson(problem: string): ScoreResult {
	return { score: 0, pass: false, reason: `not JSON: ${problem}` };
}

/**
 * A template whose text is compared (a reference, a similarity input), parsed once and filled
 * strictly (see template.ts). A placeholder that is not one throws here, naming the scorer and the
 * field; when filling, a missing, null or non-text item field throws an Error naming them too,
 * which makes it that item's error.
 */
export function comparedText(scorer: string, field: string, template: string): (sample: Sample, item: Record<string, unknown>) => string {
	const compiled = compileTemplate(template);
	if (compiled.problem !== undefined) throw new Error(`${scorer}: ${field}: ${compiled.problem}`);
	return (sample, item) => {
		const resolved = compiled.resolve(sample, item);
		if (!resolved.ok) throw new Error(`${scorer}: ${field}: ${resolved.problem}`);
		return resolved.text;
	};
}
