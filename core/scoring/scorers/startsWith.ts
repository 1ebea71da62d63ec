/**
 * `starts_with`: the output begins with a value. An output that does not fails (score 0); the
 * error flag is never set, since nothing here can stop the scorer from working (see shared.ts).
 */
import { ruleResult, type CaseConfig, type NegatableConfig } from '../types';
import { quote, requireText, type SyncScorer } from './shared';

export interface StartsWithConfig extends NegatableConfig, CaseConfig {
	/** The expected beginning; not empty. */
	value: string;
	/** Default true: whitespace at the start of the output is skipped (models often open with a newline). */
	trim?: boolean;
}

/** Passes when the output starts with `value` (ignoring case and leading whitespace by default). */
export function createStartsWithScorer(name: string, config: StartsWithConfig): SyncScorer {
	const value = requireText(name, 'starts_with', 'value', config.value);
	if (value.length === 0) throw new Error(`${name}: starts_with needs a value that is not empty`);
	const trim = config.trim ?? true;
	const caseSensitive = config.caseSensitive ?? false;
	const expected = caseSensitive ? value : value.toLowerCase();
	const label = quote(value);
	return {
		name,
		type: 'starts_with',
		score(sample) {
			let text = trim ? sample.outputText.trimStart() : sample.outputText;
			// Only the head is folded: long outputs are not copied whole.
			if (!caseSensitive) text = text.slice(0, expected.length * 2 + 8).toLowerCase();
			const matched = text.startsWith(expected);
			return ruleResult(matched, config.negate, matched ? `starts with ${label}` : `does not start with ${label}`);
		},
	};
}
