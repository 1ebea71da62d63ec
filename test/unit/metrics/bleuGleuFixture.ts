/**
 * The NLTK reference values shared by bleu.test.ts, gleu.test.ts and tokenize.test.ts, made by
 * reference/bleu_gleu.py:
 *
 *     /usr/bin/python3 test/unit/metrics/reference/bleu_gleu.py > test/unit/metrics/fixtures/bleu_gleu.json
 *
 * (NLTK 3.8 from Debian's python3-nltk, Python 3.11: `nltk.translate.bleu_score.sentence_bleu`,
 * `nltk.translate.gleu_score.sentence_gleu`, tokens from `re.findall(r'[\w]+|[^\w\s]', text)`).
 */
import type { BleuOptions, BleuSmoothing } from '../../../core/scoring/metrics/bleu';
import rawFixture from './fixtures/bleu_gleu.json';

export interface ReferenceCase {
	name: string;
	references: string[];
	hypothesis: string;
	/** Python's tokens; null for the generated long texts. */
	referenceTokens: string[][] | null;
	hypothesisTokens: string[] | null;
	bleu: Record<BleuSmoothing, number>;
	gleu: { minLen: number; maxLen: number; value: number }[];
}

export interface ReferenceOptionCase {
	name: string;
	/** Name of the ReferenceCase whose texts are scored. */
	case: string;
	options: Pick<BleuOptions, 'weights' | 'epsilon'>;
	bleu: Record<BleuSmoothing, number>;
}

export interface BleuGleuFixture {
	nltk: string;
	python: string;
	cases: ReferenceCase[];
	optionCases: ReferenceOptionCase[];
	gleuWithoutReferences: number;
}

export const fixture = rawFixture as BleuGleuFixture;

export const SMOOTHINGS: readonly BleuSmoothing[] = ['none', 'method1', 'method2', 'method3', 'method4', 'method7'];

/** Same formula as long_text() in reference/bleu_gleu.py: 97 made-up words, every 10th changed in the variant. */
export function longText(count: number, variant: boolean): string {
	const words: string[] = [];
	for (let index = 0; index < count; index++) {
		let word = (index * index * 31 + index * 7) % 97;
		if (variant && index % 10 === 0) word = (word + 1) % 97;
		words.push(`w${word}`);
	}
	return words.join(' ');
}

/** A case's text, with the placeholders <long:COUNT:VARIANT> expanded as the Python script does. */
export function expandText(text: string): string {
	const long = /^<long:(\d+):([01])>$/.exec(text);
	return long === null ? text : longText(Number(long[1]), long[2] === '1');
}

export function findCase(name: string): ReferenceCase {
	const found = fixture.cases.find((candidate) => candidate.name === name);
	if (found === undefined) throw new Error(`no reference case ${name}`);
	return found;
}

/** NLTK's tolerance for these tests: 1e-6 absolute, as asked of the port. */
export function expectCloseToReference(actual: number, expected: number): void {
	expect(Math.abs(actual - expected)).toBeLessThan(1e-6);
}
