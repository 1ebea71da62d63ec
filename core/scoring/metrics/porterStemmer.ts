/**
 * The Porter stemmer (M.F. Porter, "An algorithm for suffix stripping", 1980), exactly as NLTK 3.8's
 * `nltk.stem.porter.PorterStemmer(mode).stem(word)` computes it, in each of NLTK's three modes:
 *
 * - 'ORIGINAL_ALGORITHM': the algorithm as published (the default here).
 * - 'MARTIN_EXTENSIONS': with the changes Martin Porter made later on his web site (bli → ble
 *   instead of abli → able, logi → log, and words of 1 or 2 letters left alone).
 * - 'NLTK_EXTENSIONS': NLTK's own default, with further changes (a table of irregular forms such as
 *   dying → die, ies/ied → ie in 4-letter words, alli → al applied repeatedly, fulli → ful, …).
 *   This is the mode that Google's rouge-score uses (`porter.PorterStemmer()`), so rouge.ts uses it.
 *
 * As NLTK does, the word is lowercased first (String.prototype.toLowerCase and Python's str.lower
 * agree, Final_Sigma included). The algorithm is meant for English words; any other string is
 * stemmed by the same rules (only a, e, i, o, u and sometimes y are vowels), with positions counted
 * in code points as in Python, so astral characters give the same stem as NLTK's.
 */

export type PorterMode = 'ORIGINAL_ALGORITHM' | 'MARTIN_EXTENSIONS' | 'NLTK_EXTENSIONS';

/** A rewriting rule: if the word ends with `suffix` and `condition` holds for the rest, replace the suffix. */
interface Rule {
	suffix: string;
	replacement: string;
	/** Tested on the word without the suffix; the whole word is there for the rules that look at it. */
	condition?: (stem: string, word: string) => boolean;
}

/** NLTK's marker for "ends with a double consonant" in a rule list. */
const DOUBLE_CONSONANT = '*d';

/** NLTK_EXTENSIONS' irregular forms: the word (lowercase, as given) → its stem. */
const IRREGULAR_FORMS: ReadonlyMap<string, string> = new Map(
	Object.entries({
		sky: ['sky', 'skies'],
		die: ['dying'],
		lie: ['lying'],
		tie: ['tying'],
		news: ['news'],
		inning: ['innings', 'inning'],
		outing: ['outings', 'outing'],
		canning: ['cannings', 'canning'],
		howe: ['howe'],
		proceed: ['proceed'],
		exceed: ['exceed'],
		succeed: ['succeed'],
	}).flatMap(([stem, forms]) => forms.map((form): [string, string] => [form, stem])),
);

function isVowelLetter(character: string): boolean {
	return character === 'a' || character === 'e' || character === 'i' || character === 'o' || character === 'u';
}

/** Porter's consonant: not a vowel, and y only when it starts the word or follows a vowel. */
function isConsonant(word: string, index: number): boolean {
	const character = word[index];
	if (isVowelLetter(character)) return false;
	if (character === 'y') return index === 0 ? true : !isConsonant(word, index - 1);
	return true;
}

/** Porter's m: the number of vowel-sequence → consonant-sequence transitions, as in [C](VC)^m[V]. */
function measure(stem: string): number {
	let transitions = 0;
	let previousIsVowel = false;
	for (let index = 0; index < stem.length; index++) {
		const consonant = isConsonant(stem, index);
		if (consonant && previousIsVowel) transitions++;
		previousIsVowel = !consonant;
	}
	return transitions;
}

function hasPositiveMeasure(stem: string): boolean {
	return measure(stem) > 0;
}

function containsVowel(stem: string): boolean {
	for (let index = 0; index < stem.length; index++) if (!isConsonant(stem, index)) return true;
	return false;
}

function endsWithDoubleConsonant(word: string): boolean {
	const last = word.length - 1;
	return word.length >= 2 && word[last] === word[last - 1] && isConsonant(word, last);
}

/** Porter's *o: ends consonant-vowel-consonant, the last not w, x or y (NLTK mode also accepts a 2-letter vowel-consonant word). */
function endsWithCvc(word: string, mode: PorterMode): boolean {
	const last = word.length - 1;
	return (
		(word.length >= 3 &&
			isConsonant(word, last - 2) &&
			!isConsonant(word, last - 1) &&
			isConsonant(word, last) &&
			word[last] !== 'w' &&
			word[last] !== 'x' &&
			word[last] !== 'y') ||
		(mode === 'NLTK_EXTENSIONS' && word.length === 2 && !isConsonant(word, 0) && isConsonant(word, 1))
	);
}

/** NLTK's _apply_rule_list: the first rule whose suffix matches decides, whether its condition holds or not. */
function applyRules(word: string, rules: readonly Rule[]): string {
	for (const { suffix, replacement, condition } of rules) {
		if (suffix === DOUBLE_CONSONANT && endsWithDoubleConsonant(word)) {
			const stem = word.slice(0, -2);
			return condition === undefined || condition(stem, word) ? stem + replacement : word;
		}
		if (word.endsWith(suffix)) {
			const stem = word.slice(0, word.length - suffix.length);
			return condition === undefined || condition(stem, word) ? stem + replacement : word;
		}
	}
	return word;
}

function step1a(word: string, mode: PorterMode): string {
	if (mode === 'NLTK_EXTENSIONS' && word.endsWith('ies') && word.length === 4) return word.slice(0, -3) + 'ie';
	return applyRules(word, STEP1A_RULES);
}

const STEP1A_RULES: readonly Rule[] = [
	{ suffix: 'sses', replacement: 'ss' },
	{ suffix: 'ies', replacement: 'i' },
	{ suffix: 'ss', replacement: 'ss' },
	{ suffix: 's', replacement: '' },
];

function step1b(word: string, mode: PorterMode): string {
	if (mode === 'NLTK_EXTENSIONS' && word.endsWith('ied')) return word.slice(0, -3) + (word.length === 4 ? 'ie' : 'i');
	if (word.endsWith('eed')) {
		const stem = word.slice(0, -3);
		return measure(stem) > 0 ? stem + 'ee' : word;
	}
	let intermediate: string | undefined;
	for (const suffix of ['ed', 'ing']) {
		if (word.endsWith(suffix) && containsVowel(word.slice(0, -suffix.length))) {
			intermediate = word.slice(0, -suffix.length);
			break;
		}
	}
	if (intermediate === undefined) return word;
	// After removing -ed or -ing: restore an e (conflat(ed) → conflate), undouble a final consonant
	// (hopp(ing) → hop), or add an e to a short word (fil(ing) → file).
	const lastLetter = intermediate[intermediate.length - 1];
	return applyRules(intermediate, [
		{ suffix: 'at', replacement: 'ate' },
		{ suffix: 'bl', replacement: 'ble' },
		{ suffix: 'iz', replacement: 'ize' },
		{ suffix: DOUBLE_CONSONANT, replacement: lastLetter, condition: () => lastLetter !== 'l' && lastLetter !== 's' && lastLetter !== 'z' },
		{ suffix: '', replacement: 'e', condition: (stem) => measure(stem) === 1 && endsWithCvc(stem, mode) },
	]);
}

function step1c(word: string, mode: PorterMode): string {
	const condition =
		mode === 'NLTK_EXTENSIONS'
			? (stem: string) => stem.length > 1 && isConsonant(stem, stem.length - 1)
			: (stem: string) => containsVowel(stem);
	return applyRules(word, [{ suffix: 'y', replacement: 'i', condition }]);
}

function positive(suffix: string, replacement: string): Rule {
	return { suffix, replacement, condition: hasPositiveMeasure };
}

/** Step 2's rules in NLTK's order, which matters: the first matching suffix decides. */
function step2Rules(mode: PorterMode): Rule[] {
	const rules = [
		positive('ational', 'ate'),
		positive('tional', 'tion'),
		positive('enci', 'ence'),
		positive('anci', 'ance'),
		positive('izer', 'ize'),
		mode === 'ORIGINAL_ALGORITHM' ? positive('abli', 'able') : positive('bli', 'ble'),
		positive('alli', 'al'),
		positive('entli', 'ent'),
		positive('eli', 'e'),
		positive('ousli', 'ous'),
		positive('ization', 'ize'),
		positive('ation', 'ate'),
		positive('ator', 'ate'),
		positive('alism', 'al'),
		positive('iveness', 'ive'),
		positive('fulness', 'ful'),
		positive('ousness', 'ous'),
		positive('aliti', 'al'),
		positive('iviti', 'ive'),
		positive('biliti', 'ble'),
	];
	if (mode === 'NLTK_EXTENSIONS') {
		rules.push(positive('fulli', 'ful'));
		// NLTK tests the measure of the word less 3 letters here, not less the 4 of the suffix.
		rules.push({ suffix: 'logi', replacement: 'log', condition: (_stem, word) => hasPositiveMeasure(word.slice(0, -3)) });
	}
	if (mode === 'MARTIN_EXTENSIONS') rules.push(positive('logi', 'log'));
	return rules;
}

const STEP2_RULES: Readonly<Record<PorterMode, readonly Rule[]>> = {
	ORIGINAL_ALGORITHM: step2Rules('ORIGINAL_ALGORITHM'),
	MARTIN_EXTENSIONS: step2Rules('MARTIN_EXTENSIONS'),
	NLTK_EXTENSIONS: step2Rules('NLTK_EXTENSIONS'),
};

function step2(word: string, mode: PorterMode): string {
	if (mode === 'NLTK_EXTENSIONS' && word.endsWith('alli') && hasPositiveMeasure(word.slice(0, -4))) {
		return step2(word.slice(0, -4) + 'al', mode);
	}
	return applyRules(word, STEP2_RULES[mode]);
}

const STEP3_RULES: readonly Rule[] = [
	positive('icate', 'ic'),
	positive('ative', ''),
	positive('alize', 'al'),
	positive('iciti', 'ic'),
	positive('ical', 'ic'),
	positive('ful', ''),
	positive('ness', ''),
];

const measureAboveOne = (stem: string) => measure(stem) > 1;
const STEP4_RULES: readonly Rule[] = [
	...['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent'].map((suffix) => ({ suffix, replacement: '', condition: measureAboveOne })),
	{ suffix: 'ion', replacement: '', condition: (stem) => measure(stem) > 1 && (stem.endsWith('s') || stem.endsWith('t')) },
	...['ou', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize'].map((suffix) => ({ suffix, replacement: '', condition: measureAboveOne })),
];

function step5a(word: string, mode: PorterMode): string {
	if (!word.endsWith('e')) return word;
	const stem = word.slice(0, -1);
	const stemMeasure = measure(stem);
	if (stemMeasure > 1) return stem;
	if (stemMeasure === 1 && !endsWithCvc(stem, mode)) return stem;
	return word;
}

const STEP5B_RULES: readonly Rule[] = [{ suffix: 'll', replacement: 'l', condition: (_stem, word) => measure(word.slice(0, -1)) > 1 }];

/** The stem of a lowercased word whose characters are all single UTF-16 units. */
function stemUnits(lowercased: string, original: string, originalLength: number, mode: PorterMode): string {
	if (mode === 'NLTK_EXTENSIONS') {
		const irregular = IRREGULAR_FORMS.get(original);
		if (irregular !== undefined) return irregular;
	}
	if (mode !== 'ORIGINAL_ALGORITHM' && originalLength <= 2) return lowercased;
	let stem = step1a(lowercased, mode);
	stem = step1b(stem, mode);
	stem = step1c(stem, mode);
	stem = step2(stem, mode);
	stem = applyRules(stem, STEP3_RULES);
	stem = applyRules(stem, STEP4_RULES);
	stem = step5a(stem, mode);
	return applyRules(stem, STEP5B_RULES);
}

const ANY_SURROGATE = /[\uD800-\uDFFF]/;
const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;
const FIRST_PRIVATE_USE = 0xe000;

/** The Porter stem of a word, equal to NLTK's `PorterStemmer(mode).stem(word)`. */
export function porterStem(word: string, mode: PorterMode = 'ORIGINAL_ALGORITHM'): string {
	const lowercased = word.toLowerCase();
	if (!ANY_SURROGATE.test(word) && !ANY_SURROGATE.test(lowercased)) return stemUnits(lowercased, word, word.length, mode);
	return stemWithAstralCharacters(word, lowercased, mode);
}

/**
 * Python indexes strings by code point, JavaScript by UTF-16 unit. The rules only ever compare
 * characters for equality, test them for a, e, i, o, u, y, and match ASCII suffixes, so replacing
 * each astral character by its own private-use BMP character (a consonant, like any non-vowel)
 * and restoring them afterwards gives exactly Python's result.
 */
function stemWithAstralCharacters(word: string, lowercased: string, mode: PorterMode): string {
	const placeholders = new Map<string, string>();
	const originals = new Map<string, string>();
	let nextPlaceholder = FIRST_PRIVATE_USE;
	const encoded = lowercased.replace(SURROGATE_PAIR, (astral) => {
		let placeholder = placeholders.get(astral);
		if (placeholder === undefined) {
			while (lowercased.includes(String.fromCharCode(nextPlaceholder))) nextPlaceholder++;
			placeholder = String.fromCharCode(nextPlaceholder++);
			placeholders.set(astral, placeholder);
			originals.set(placeholder, astral);
		}
		return placeholder;
	});
	const stem = stemUnits(encoded, word, Array.from(word).length, mode);
	let restored = '';
	for (const character of stem) restored += originals.get(character) ?? character;
	return restored;
}
