/**
 * `equals`: the whole output equals a value. An output that differs fails (score 0); the error
 * flag is never set, since nothing here can stop the scorer from working (see shared.ts).
 */
import { ruleResult, type CaseConfig, type NegatableConfig } from '../types';
import { quote, requireText, type SyncScorer } from './shared';

export interface EqualsConfig extends NegatableConfig, CaseConfig {
	/** The expected output. */
	value: string;
	/** Default true: leading and trailing whitespace of the output and of the value is ignored. */
	trim?: boolean;
}

/** Passes when the output equals `value` (ignoring case and surrounding whitespace by default). */
export function createEqualsScorer(name: string, config: EqualsConfig): SyncScorer {
	const trim = config.trim ?? true;
	const caseSensitive = config.caseSensitive ?? false;
	const raw = requireText(name, 'equals', 'value', config.value);
	const shown = trim ? raw.trim() : raw;
	const expected = caseSensitive ? shown : shown.toLowerCase();
	const label = quote(shown);
	return {
		name,
		type: 'equals',
		score(sample) {
			const text = trim ? sample.outputText.trim() : sample.outputText;
			// Lengths differ by case folding only for a few characters, so compare them after folding.
			const matched = (caseSensitive ? text : text.toLowerCase()) === expected;
			const reason = matched ? `equals ${label}` : `${quote(text)} does not equal ${label}`;
			return ruleResult(matched, config.negate, reason);
		},
	};
}
