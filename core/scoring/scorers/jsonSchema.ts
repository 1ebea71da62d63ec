/**
 * `json_schema`: the output is JSON that conforms to a JSON Schema (drafts 2020-12 and 07, see
 * core/json/validateJsonSchema.ts).
 *
 * Error flag vs fail (as in every rule scorer, see shared.ts): an output that is not JSON or
 * breaks the schema is an ordinary failure, score 0 with no error flag. A schema that cannot be
 * used (not a JSON Schema, a $ref that does not resolve, a pattern that is not a regular
 * expression) is refused when the scorer is built, naming the scorer, before any output is scored.
 * Negated, the rule passes for JSON that does not conform; an output that is not JSON fails
 * either way, since there is nothing to check the schema against.
 */
import { tryParseJson } from '../../json/tryParseJson';
import { compileJsonSchema, describeViolations, InvalidSchemaError, type CompiledSchema, type JsonSchema } from '../../json/validateJsonSchema';
import { ruleResult, scoreError, type NegatableConfig } from '../types';
import { notJson, readJson, type SyncScorer } from './shared';

export interface JsonSchemaConfig extends NegatableConfig {
	/** The schema, as an object or as JSON text. */
	schema: JsonSchema | string;
}

function readSchema(name: string, schema: unknown): CompiledSchema {
	let value = schema;
	if (typeof value === 'string') {
		const parsed = tryParseJson(value);
		if (!parsed.ok) throw new Error(`${name}: json_schema needs a schema that is valid JSON (${parsed.problem})`);
		value = parsed.value;
	}
	if (typeof value !== 'boolean' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
		throw new Error(`${name}: json_schema needs "schema" as a JSON Schema object`);
	}
	try {
		return compileJsonSchema(value as JsonSchema);
	} catch (error) {
		if (error instanceof InvalidSchemaError) throw new Error(`${name}: json_schema "schema" ${error.message}`);
		throw error;
	}
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
				violations = schema.validate(json.value);
			} catch (error) {
				return scoreError(`the schema cannot be applied: ${(error as Error).message}`);
			}
			if (violations.length === 0) return ruleResult(true, config.negate, 'matches the schema', { violations });
			return ruleResult(false, config.negate, `does not match the schema: ${describeViolations(violations)}`, { violations });
		},
	};
}
