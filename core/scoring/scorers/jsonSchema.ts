/**
 * `json_schema`: the output is JSON that conforms to a JSON Schema (the subset
 * core/json/validateJsonSchema.ts supports).
 *
 * Error flag vs fail (as in every rule scorer, see shared.ts): an output that is not JSON or
 * breaks the schema is an ordinary failure, score 0 with no error flag. The error flag is set
 * only when the schema itself cannot be applied (a $ref that does not resolve, a pattern that is
 * not a valid regular expression), which shows only while validating.
 * Negated, the rule passes for JSON that does not conform; an output that is not JSON fails
 * either way, since there is nothing to check the schema against.
 */
import { tryParseJson } from '../../json/tryParseJson';
import { describeViolations, validateJsonSchema, type JsonSchema } from '../../json/validateJsonSchema';
import { ruleResult, scoreError, type NegatableConfig } from '../types';
import { notJson, readJson, type SyncScorer } from './shared';

export interface JsonSchemaConfig extends NegatableConfig {
	/** The schema, as an object or as JSON text. */
	schema: JsonSchema | string;
}

function readSchema(name: string, schema: unknown): JsonSchema {
	let value = schema;
	if (typeof value === 'string') {
		const parsed = tryParseJson(value);
		if (!parsed.ok) throw new Error(`${name}: json_schema needs a schema that is valid JSON (${parsed.problem})`);
		value = parsed.value;
	}
	if (typeof value === 'boolean') return value;
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new Error(`${name}: json_schema needs "schema" as a JSON Schema object`);
	}
	return value as JsonSchema;
}

/** Passes when the output is JSON conforming to `schema`; details.violations lists every violation with its path. */
export function createJsonSchemaScorer(name: string, config: JsonSchemaConfig): SyncScorer {
	const schema = readSchema(name, config.schema);
	return {
		name,
		type: 'json_schema',
		score(sample) {
			const json = readJson(sample);
			if (!json.ok) return notJson(json.problem);
			let violations;
			try {
				violations = validateJsonSchema(json.value, schema);
			} catch (error) {
				return scoreError(`the schema cannot be applied: ${(error as Error).message}`);
			}
			if (violations.length === 0) return ruleResult(true, config.negate, 'matches the schema', { violations });
			return ruleResult(false, config.negate, `does not match the schema: ${describeViolations(violations)}`, { violations });
		},
	};
}
