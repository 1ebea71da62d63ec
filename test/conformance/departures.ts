/**
 * The departures from OpenAI's OpenAPI document that we keep, each with its reason. The property
 * suite ignores a 422 only when the request, rewritten into the form the document types, is
 * accepted by Prism: a request that breaks the contract in any other way still counts.
 */

type Json = unknown;

export interface Departure {
	id: string;
	/** What we send, what the document says, and why we keep ours. */
	reason: string;
	/** Where the form we keep is documented. */
	source: string;
	/**
	 * The request body in the document's form (several when there are several ways to read it; every
	 * one must be accepted), or undefined when this departure is not in the body.
	 */
	contractForms(path: string, body: Json): Json[] | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A multi grader whose `graders` is a name → grader map (not itself one grader, not an array). */
const isMultiWithMap = (value: unknown): value is { type: 'multi'; graders: Record<string, unknown> } =>
	isObject(value) && value.type === 'multi' && isObject(value.graders) && !('type' in value.graders) && Object.values(value.graders).length > 0 && Object.values(value.graders).every(isObject);

/** Every place in the body where `match` holds, rewritten by `rewrite(k)` for k = 0, 1, …, most - 1. */
function rewriteAll(node: Json, match: (value: Json) => boolean, rewrite: (value: Json, k: number) => Json, k: number): Json {
	if (Array.isArray(node)) return node.map((child) => rewriteAll(child, match, rewrite, k));
	if (!isObject(node)) return node;
	const copied = Object.fromEntries(Object.entries(node).map(([key, child]) => [key, rewriteAll(child, match, rewrite, k)]));
	return match(node) ? rewrite(copied, k) : copied;
}

function count(node: Json, match: (value: Json) => boolean, size: (value: Json) => number): number {
	if (Array.isArray(node)) return Math.max(0, ...node.map((child) => count(child, match, size)));
	if (!isObject(node)) return 0;
	return Math.max(match(node) ? size(node) : 0, ...Object.values(node).map((child) => count(child, match, size)));
}

export const DEPARTURES: Departure[] = [
	{
		id: 'multi-grader-map',
		reason:
			'A multi grader\'s `graders` is a map from a name to a grader: `calculate_output` refers to the graders by those names, and OpenAI\'s graders guide and its server use the map. The OpenAPI document types `graders` as one grader. The document form is each grader on its own in `graders`.',
		source: 'https://platform.openai.com/docs/guides/graders (Multigraders); openai-openapi GraderMulti',
		contractForms(_path, body) {
			const most = count(body, isMultiWithMap, (value) => Object.keys((value as { graders: object }).graders).length);
			if (most === 0) return undefined;
			return Array.from({ length: most }, (_, k) =>
				rewriteAll(body, isMultiWithMap, (value, index) => {
					const graders = Object.values((value as { graders: Record<string, unknown> }).graders);
					return { ...(value as object), graders: graders[index % graders.length] };
				}, k),
			);
		},
	},
];
