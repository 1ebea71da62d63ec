/**
 * `ends_with`: the output ends with a value. An output that does not fails (score 0); the error
 * flag is never set, since nothing here can stop the scorer from working (see shared.ts).
 */
import { ruleResult, type CaseConfig, type NegatableConfig } from '../types';
import { quote, requireText, type SyncScorer } from './shared';

export interface EndsWithConfig extends NegatableConfig, CaseConfig {
	/** The expected ending; not empty. */
	value: string;
	/** Default true: whitespace at the end of the output is skipped (models often close with a newline). */
	trim?: boolean;
}

/** Passes when the output ends with `value` (ignoring case and trailing whitespace by default). */
export function createEndsWithScorer(name: string, config: EndsWithConfig): SyncScorer {
	const value = requireText(name, 'ends_with', 'value', config.value);
	if (value.length === 0) throw new Error(`${name}: ends_with needs a value that is not empty`);
	const trim = config.trim ?? true;
	const caseSensitive = config.caseSensitive ?? false;
	const expected = caseSensitive ? value : value.toLowerCase();
	const label = quote(value);
	return {
		name,
		type: 'ends_with',
		score(sample) {
			let text = trim ? sample.outputText.trimEnd() : sample.outputText;
			// Only the tail is folded: long outputs are not copied whole.
			if (!caseSensitive) text = text.slice(-(expected.length * 2 + 8)).toLowerCase();
			const matched = text.endsWith(expected);
			return ruleResult(matched, config.negate, matched ? `ends with ${label}` : `does not end with ${label}`);
		},
	};
}
