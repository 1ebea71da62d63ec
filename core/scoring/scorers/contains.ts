import { ruleResult, type CaseConfig, type NegatableConfig, type Scorer } from '../types';

export interface ContainsConfig extends NegatableConfig, CaseConfig {
	/** The terms to look for. */
	values: string[];
	/** `any` passes when one term is present, `all` when every one is. */
	mode?: 'any' | 'all';
}

/** Passes when the output contains any (or all) of the given terms. An example scorer: the others follow its shape. */
export function createContainsScorer(name: string, config: ContainsConfig): Scorer {
	if (!Array.isArray(config.values) || config.values.length === 0) throw new Error(`${name}: contains needs at least one value`);
	const fold = (text: string) => (config.caseSensitive ? text : text.toLowerCase());
	const terms = config.values.map(String);
	const mode = config.mode ?? 'any';
	return {
		name,
		type: 'contains',
		score(sample) {
			const text = fold(sample.outputText);
			const found = terms.filter((term) => text.includes(fold(term)));
			const matched = mode === 'all' ? found.length === terms.length : found.length > 0;
			const missing = terms.filter((term) => !found.includes(term));
			const reason = matched
				? `contains ${mode === 'all' ? 'all of' : ''} ${JSON.stringify(found)}`.replace('  ', ' ')
				: `does not contain ${mode === 'all' ? JSON.stringify(missing) : `any of ${JSON.stringify(terms)}`}`;
			return ruleResult(matched, config.negate, reason, { found });
		},
	};
}
