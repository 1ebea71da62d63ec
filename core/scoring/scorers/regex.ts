/**
 * `regex`: the output matches a regular expression. An output that does not match fails
 * (score 0); the error flag is never set: an invalid pattern is refused when the scorer is
 * created (see shared.ts).
 */
import { ruleResult, type CaseConfig, type NegatableConfig } from '../types';
import { quote, requireText, type SyncScorer } from './shared';

export interface RegexConfig extends NegatableConfig, CaseConfig {
	/** A JavaScript regular expression, without the surrounding slashes. */
	pattern: string;
	/**
	 * JavaScript flags (d, i, m, s, u, v). `g` and `y` are dropped: they make a RegExp remember
	 * where it stopped, and each output is tested once from its start.
	 */
	flags?: string;
}

/** Passes when the output matches `pattern`; case-insensitive (adds `i`) unless caseSensitive. */
export function createRegexScorer(name: string, config: RegexConfig): SyncScorer {
	const pattern = requireText(name, 'regex', 'pattern', config.pattern);
	if (pattern.length === 0) throw new Error(`${name}: regex needs a pattern`);
	let flags = requireText(name, 'regex', 'flags', config.flags ?? '').replace(/[gy\s]/g, '');
	if (!config.caseSensitive && !flags.includes('i')) flags += 'i';
	let regex: RegExp;
	try {
		regex = new RegExp(pattern, flags);
	} catch (error) {
		throw new Error(`${name}: regex pattern /${pattern}/${flags} is invalid: ${(error as Error).message}`);
	}
	const label = String(regex);
	return {
		name,
		type: 'regex',
		score(sample) {
			const match = regex.exec(sample.outputText);
			if (match === null) return ruleResult(false, config.negate, `does not match ${label}`, { match: null });
			return ruleResult(true, config.negate, `matches ${label} at ${quote(match[0])}`, { match: match[0], index: match.index });
		},
	};
}
