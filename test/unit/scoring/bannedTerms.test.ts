import { createBannedTermsScorer } from '../../../core/scoring/scorers/bannedTerms';
import { longText, run } from './run';

describe('banned_terms scorer', () => {
	it('has its type', () => {
		expect(createBannedTermsScorer('noAds', { terms: ['Acme'] }).type).toBe('banned_terms');
	});

	it('passes when no term occurs', () => {
		const scorer = createBannedTermsScorer('noAds', { terms: ['Acme', 'Globex'] });
		expect(run(scorer, 'Our product is great.')).toEqual({ score: 1, pass: true, reason: 'none of 2 banned terms found', details: { found: [] } });
		expect(run(createBannedTermsScorer('x', { terms: ['Acme'] }), '').reason).toBe('none of 1 banned term found');
	});

	it('fails and lists the terms found, ignoring case by default', () => {
		const scorer = createBannedTermsScorer('noAds', { terms: ['Acme', 'Globex', 'Initech'] });
		expect(run(scorer, 'Unlike ACME and globex, we...')).toEqual({
			score: 0,
			pass: false,
			reason: 'found banned terms ["Acme","Globex"]',
			details: { found: ['Acme', 'Globex'] },
		});
		expect(run(scorer, 'Try Initech.')).toMatchObject({ reason: 'found banned term ["Initech"]', details: { found: ['Initech'] } });
	});

	it('matches whole words only by default', () => {
		const scorer = createBannedTermsScorer('noArt', { terms: ['art'] });
		expect(run(scorer, 'start the party').pass).toBe(true);
		expect(run(scorer, 'art_deco').pass).toBe(true);
		expect(run(scorer, 'art2').pass).toBe(true);
		expect(run(scorer, 'modern art.').pass).toBe(false);
		expect(run(scorer, '"Art", she said').pass).toBe(false);
		expect(run(scorer, 'art-house').pass).toBe(false);
	});

	it('uses Unicode word boundaries', () => {
		const scorer = createBannedTermsScorer('noCafe', { terms: ['café'] });
		expect(run(scorer, 'un café noir').pass).toBe(false);
		expect(run(scorer, 'CAFÉ!').pass).toBe(false);
		expect(run(scorer, 'cafés').pass).toBe(true);
		expect(run(scorer, 'écafé').pass).toBe(true);
		const cyrillic = createBannedTermsScorer('noRu', { terms: ['мир'] });
		expect(run(cyrillic, 'Привет, мир!').pass).toBe(false);
		expect(run(cyrillic, 'мировой').pass).toBe(true);
		expect(run(createBannedTermsScorer('e', { terms: ['cafe'] }), 'cafe\u0301').pass).toBe(true);
	});

	it('matches substrings when wholeWord is false', () => {
		const scorer = createBannedTermsScorer('noArt', { terms: ['art'], wholeWord: false });
		expect(run(scorer, 'START').details).toEqual({ found: ['art'] });
		expect(run(scorer, 'nothing').pass).toBe(true);
	});

	it('compares case when caseSensitive', () => {
		const scorer = createBannedTermsScorer('noApple', { terms: ['Apple'], caseSensitive: true });
		expect(run(scorer, 'an apple a day').pass).toBe(true);
		expect(run(scorer, 'an Apple laptop').pass).toBe(false);
	});

	it('takes terms with regex characters and spaces literally', () => {
		const scorer = createBannedTermsScorer('t', { terms: ['C++', 'a.b', 'Acme Corp', '(beta)'] });
		expect(run(scorer, 'I code in C++ daily').details).toEqual({ found: ['C++'] });
		expect(run(scorer, 'C# and Cxx').pass).toBe(true);
		expect(run(scorer, 'axb').pass).toBe(true);
		expect(run(scorer, 'see a.b now').details).toEqual({ found: ['a.b'] });
		expect(run(scorer, 'ACME\n  corp rocks').details).toEqual({ found: ['Acme Corp'] });
		expect(run(scorer, 'AcmeCorp').pass).toBe(true);
		expect(run(scorer, 'the (beta) version').details).toEqual({ found: ['(beta)'] });
	});

	it('negates: passes when at least one term occurs', () => {
		const scorer = createBannedTermsScorer('mentionsBrand', { terms: ['Acme'], negate: true });
		expect(run(scorer, 'Buy Acme')).toEqual({ score: 1, pass: true, reason: 'not: found banned term ["Acme"]', details: { found: ['Acme'] } });
		expect(run(scorer, 'Buy ours')).toMatchObject({ score: 0, pass: false });
	});

	it('gives a fresh found list each time', () => {
		const scorer = createBannedTermsScorer('x', { terms: ['Acme'] });
		const first = run(scorer, 'nothing');
		(first.details?.found as string[]).push('mutated');
		expect(run(scorer, 'nothing').details).toEqual({ found: [] });
	});

	it('scans a very long output', () => {
		const scorer = createBannedTermsScorer('x', { terms: ['Acme', 'Globex'] });
		expect(run(scorer, longText(200_000)).pass).toBe(true);
		expect(run(scorer, `${longText(200_000)} globex`).details).toEqual({ found: ['Globex'] });
	});

	it('refuses an empty list or an empty term, naming the scorer', () => {
		expect(() => createBannedTermsScorer('noAds', { terms: [] })).toThrow('noAds: banned_terms needs at least one term');
		expect(() => createBannedTermsScorer('noAds', {} as never)).toThrow('noAds: banned_terms needs at least one term');
		expect(() => createBannedTermsScorer('noAds', { terms: ['Acme', '  '] })).toThrow('noAds: banned_terms has an empty term');
		expect(() => createBannedTermsScorer('noAds', { terms: [null as never] })).toThrow('noAds: banned_terms needs "terms" as text, got null');
	});
});
