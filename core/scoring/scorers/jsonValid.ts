/**
 * `json_valid`: the output is JSON. An output that is not fails (score 0, reason "not JSON: …");
 * the error flag is never set: a bad output is a failure, not the scorer failing (see shared.ts).
 */
import { ruleResult, type NegatableConfig } from '../types';
import { readJson, type SyncScorer } from './shared';

export type JsonValidConfig = NegatableConfig;

/**
 * Passes when the output parses as JSON: `sample.outputJson` when Generate Text parsed it,
 * else the text, bare or in a ```json fenced block. Negated, passes when it is not JSON.
 */
export function createJsonValidScorer(name: string, config: JsonValidConfig = {}): SyncScorer {
	return {
		name,
		type: 'json_valid',
		score(sample) {
			const json = readJson(sample);
			return json.ok
				? ruleResult(true, config.negate, 'valid JSON')
				: ruleResult(false, config.negate, `not JSON: ${json.problem}`, { problem: json.problem });
		},
	};
}
