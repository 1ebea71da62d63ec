import type { IExecuteFunctions } from 'n8n-workflow';
import { readKeys } from '../../core/json/readPath';

/**
 * A parameter whose whole value is one reference to a field of the item (`={{ $json.question }}`,
 * `={{ $json.a.b }}`, `={{ $json["a b"] }}`) is read straight from the item; anything else goes to
 * n8n's evaluator. Why: in n8n 2.x every expression is compiled and run in an isolate, which a CPU
 * profile of `n8n execute` showed to be most of Generate Text's time on a fast endpoint (figures in
 * bench/RESULTS.md); a field reference is the most common prompt.
 * The result is what n8n's evaluator gives for the same expression (test/engine/itemParameter.test.ts
 * compares the two); a missing field, or one that is not the item's own, falls back to n8n.
 */
const FIELD_REFERENCE = /^=\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*|\[\s*(?:'[^'\\\n]*'|"[^"\\\n]*")\s*\])+)\s*\}\}$/;
const SEGMENT = /\.([A-Za-z_$][\w$]*)|\[\s*(?:'([^'\\\n]*)'|"([^"\\\n]*)")\s*\]/g;

const pathCache = new Map<string, string[] | null>();

/** The keys a whole-value field reference names, or null when the value is anything else. */
export function fieldReferencePath(raw: string): string[] | null {
	const cached = pathCache.get(raw);
	if (cached !== undefined) return cached;
	const match = FIELD_REFERENCE.exec(raw);
	const path = match ? [...match[1].matchAll(SEGMENT)].map((m) => m[1] ?? m[2] ?? m[3]) : null;
	// Parameter values are few per workflow; the bound only guards against values built per item.
	if (pathCache.size > 1000) pathCache.clear();
	pathCache.set(raw, path);
	return path;
}

/**
 * `ctx.getNodeParameter(name, index, fallback)` for a top-level string parameter, without n8n's
 * evaluator when the value is one field reference whose field holds a string, number or boolean, or
 * an empty expression ("=").
 */
export function readItemParameter(ctx: IExecuteFunctions, name: string, index: number, fallback?: unknown): unknown {
	const raw = ctx.getNode().parameters[name];
	// An empty expression, the default of Prompt and System Message, is "" without a trip to the evaluator.
	if (raw === '=') return '';
	if (typeof raw === 'string') {
		const path = fieldReferencePath(raw);
		if (path) {
			const value = readKeys(ctx.getInputData()[index]?.json, path);
			if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
		}
	}
	return fallback === undefined ? ctx.getNodeParameter(name, index) : ctx.getNodeParameter(name, index, fallback);
}
