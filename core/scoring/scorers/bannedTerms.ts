/**
 * `banned_terms`: none of a list of terms occurs in the output ("no advertising, no competitor
 * names"). An output with a banned term fails (score 0); the error flag is never set, since
 * nothing here can stop the scorer from working (see shared.ts).
 */
import { ruleResult, type CaseConfig, type NegatableConfig } from '../types';
import { escapeRegExp, requireText, type SyncScorer } from './shared';

export interface BannedTermsConfig extends NegatableConfig, CaseConfig {
	/** The terms that must not occur. Whitespace inside a term matches any run of whitespace. */
	terms: string[];
	/**
	 * Default true: a term counts only as a whole word, so "art" is not found in "start". Word
	 * characters are Unicode letters, marks, digits and `_`, so this works beyond English.
	 */
	wholeWord?: boolean;
}

const WORD = '[\\p{L}\\p{M}\\p{N}_]';

/** Passes when no term occurs; negated, passes when at least one does. details.found lists the terms found. */
export function createBannedTermsScorer(name: string, config: BannedTermsConfig): SyncScorer {
	if (!Array.isArray(config.terms) || config.terms.length === 0) {
		throw new Error(`${name}: banned_terms needs at least one term`);
	}
	const terms = config.terms.map((term) => requireText(name, 'banned_terms', 'terms', term).trim());
	if (terms.some((term) => term.length === 0)) throw new Error(`${name}: banned_terms has an empty term`);
	const wholeWord = config.wholeWord ?? true;
	const flags = config.caseSensitive ? 'u' : 'iu';
	const sources = terms.map((term) => {
		const body = term.split(/\s+/u).map(escapeRegExp).join('\\s+');
		return wholeWord ? `(?<!${WORD})${body}(?!${WORD})` : body;
	});
	// One pass over the text finds whether any term occurs (the usual answer is no); the terms are
	// then tried one by one only to say which.
	const any = new RegExp(sources.map((source) => `(?:${source})`).join('|'), flags);
	const each = sources.map((source) => new RegExp(source, flags));
	const none = `none of ${terms.length} banned term${terms.length === 1 ? '' : 's'} found`;
	return {
		name,
		type: 'banned_terms',
		score(sample) {
			const text = sample.outputText;
			if (!any.test(text)) return ruleResult(true, config.negate, none, { found: [] });
			const found = terms.filter((_, i) => each[i].test(text));
			return ruleResult(false, config.negate, `found banned term${found.length === 1 ? '' : 's'} ${JSON.stringify(found)}`, { found });
		},
	};
}
