/**
 * The official JSON Schema Test Suite (drafts 2020-12 and 7, test/fixtures/json-schema-test-suite)
 * through our wrapper, validateJsonSchema: every case of every keyword we claim must give the
 * suite's answer. What we do not claim is left out by file (NOT_CLAIMED); the few cases where ajv
 * or ajv-formats answer otherwise are listed one by one (KNOWN_GAPS) and still run: each must still
 * give the other answer, so the list cannot outlive a fix. README's JSON Schema section names both.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { validateJsonSchema, type JsonSchema } from '../../core/json/validateJsonSchema';

const SUITE = join(__dirname, '..', 'fixtures', 'json-schema-test-suite');

interface SuiteGroup {
	description: string;
	schema: JsonSchema;
	tests: Array<{ description: string; data: unknown; valid: boolean }>;
}

/** Files of keywords and behaviours we do not claim, with why. */
const NOT_CLAIMED: Record<string, string> = {
	'refRemote.json': 'remote $ref: nothing is fetched',
	'optional/cross-draft.json': "a $ref to another draft's meta-schema by URI",
	'vocabulary.json': '$vocabulary and custom meta-schemas',
	'optional/format-assertion.json': 'custom meta-schemas (the format-assertion vocabulary)',
	'dynamicRef.json': '$dynamicRef / $dynamicAnchor (ajv supports them only in part)',
	'optional/dynamicRef.json': '$dynamicRef / $dynamicAnchor',
	'optional/float-overflow.json': 'optional: integers past 2^53',
	'optional/content.json': 'contentEncoding / contentMediaType are annotations',
	'optional/format/idn-email.json': 'a format ajv-formats does not check (an annotation)',
	'optional/format/idn-hostname.json': 'a format ajv-formats does not check (an annotation)',
	'optional/format/iri.json': 'a format ajv-formats does not check (an annotation)',
	'optional/format/iri-reference.json': 'a format ajv-formats does not check (an annotation)',
};

/** Every case of the group; or every case the suite calls invalid (the wrapper lets them through). */
const ALL = '*';
const INVALID_ONES = 'invalid';
type Gaps = Record<string, Record<string, string[] | typeof ALL | typeof INVALID_ONES>>;

const FORMAT_GAPS: Gaps = {
	'optional/format/date-time.json': {
		'validation of date-time strings': ['a numeric offset without minutes is invalid', 'hour 24 is invalid even with a leap second', 'a second fraction of fifteen nines is valid'],
	},
	'optional/format/ecmascript-regex.json': { '\\a is not an ECMA 262 control escape': ALL },
	'optional/format/hostname.json': { 'validation of host names': ['trailing dot'], 'validation of A-label (punycode) host names': INVALID_ONES },
	'optional/format/uri.json': {
		'validation of URIs': ['non-numeric port is invalid', 'leading zero in an embedded IPv4 address is invalid', 'square brackets are not allowed in a path segment'],
	},
	'optional/format/uri-reference.json': {
		'validation of URI References': [
			'a double quote in a path',
			'square brackets outside an authority',
			'a non-numeric port in a network-path reference',
			'more than one at-sign in the authority',
			'a leading zero in the IPv4 part of an IPv6 literal',
			'a colon in the first segment of a relative-path reference',
		],
	},
	'optional/format/uri-template.json': { 'format: uri-template': ['a dotted variable name is valid', 'a delete character in a literal is invalid', 'an apostrophe in a literal is valid'] },
	'optional/unknownKeyword.json': { '$id inside an unknown keyword is not a real identifier': ALL },
	'properties.json': { 'properties whose names are Javascript object property names': ['__proto__ not valid'] },
	// multipleOf compares within 1e-9 (so that 19.99 is a multiple of 0.01); a quotient of Infinity passes.
	'multipleOf.json': { 'float division = inf': ['always invalid, but naive implementations may raise an overflow error'] },
};

/**
 * Cases where our answer differs from the suite's. Three are choices: `format` is asserted (the
 * suite's default is an annotation), an empty `enum` is refused as an invalid schema, and
 * multipleOf tolerates floating-point error. The rest are ajv 8 / ajv-formats 3 limitations.
 */
const KNOWN_GAPS: Record<string, Gaps> = {
	'draft2020-12': {
		...FORMAT_GAPS,
		'format.json': Object.fromEntries(
			['email', 'regex', 'ipv4', 'ipv6', 'hostname', 'date', 'date-time', 'time', 'json-pointer', 'relative-json-pointer', 'uri', 'uri-reference', 'uri-template', 'uuid', 'duration'].map((f) => [
				`${f} format`,
				[`invalid ${f} string is only an annotation by default`],
			]),
		),
		'enum.json': { 'empty enum': ALL },
		'optional/format/duration.json': { 'validation of duration strings': ['years and days cannot appear without months', 'hours and seconds cannot appear without minutes'] },
		'optional/format/email.json': {
			'validation of e-mail addresses': [
				'a quoted string with a space in the local part is valid',
				'a quoted string with a double dot in the local part is valid',
				'a quoted string with a @ in the local part is valid',
				'an IPv4-address-literal after the @ is valid',
				'an IPv6-address-literal after the @ is valid',
			],
		},
		'optional/format/uuid.json': { 'uuid format': ['URN prefixed UUID is invalid'] },
		'ref.json': { 'refs with relative uris and defs': ALL, 'relative refs with absolute uris and defs': ALL, 'URN ref with nested pointer ref': ALL },
		'unevaluatedItems.json': {
			'unevaluatedItems with nested items': ['with no additional items', 'with invalid additional item'],
			'unevaluatedItems with $dynamicRef': ALL,
			'unevaluatedItems depends on adjacent contains': ['contains passes, second item is not evaluated'],
			'unevaluatedItems depends on multiple nested contains': ['7 not evaluated, fails unevaluatedItems'],
			'unevaluatedItems and contains interact to control item dependency relationship': ["only b's are invalid", "only c's are invalid", "only b's and c's are invalid", "only a's and c's are invalid"],
			'unevaluatedItems with minContains = 0': ['all items evaluated by contains'],
			'unevaluatedItems can see annotations from if without then and else': ['valid in case if is evaluated'],
		},
		'unevaluatedProperties.json': {
			'unevaluatedProperties with if/then/else, then not defined': ['when if is true and has no unevaluated properties', 'when if is false and has unevaluated properties'],
			'unevaluatedProperties with $dynamicRef': ALL,
			'unevaluatedProperties can see annotations from if without then and else': ['valid in case if is evaluated'],
		},
	},
	draft7: {
		...FORMAT_GAPS,
		'ref.json': { 'ref overrides any sibling keywords': ['ref valid, maxItems ignored'], '$ref prevents a sibling $id from changing the base uri': ALL },
	},
};

const DRAFTS = [
	{ folder: 'draft2020-12', $schema: undefined },
	// The draft-7 cases do not name their draft; a user's draft-07 schema does, as here.
	{ folder: 'draft7', $schema: 'http://json-schema.org/draft-07/schema#' },
];

const filesIn = (dir: string): string[] =>
	readdirSync(dir)
		.sort()
		.flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesIn(join(dir, name)) : name.endsWith('.json') ? [join(dir, name)] : []));

/** Whether the wrapper gives the suite's answer; a schema it refuses counts as a different answer. */
function agrees(schema: JsonSchema, data: unknown, valid: boolean): boolean {
	try {
		return (validateJsonSchema(data, schema).length === 0) === valid;
	} catch {
		return false;
	}
}

const isGap = (gaps: Gaps, file: string, group: string, test: { description: string; valid: boolean }) => {
	const listed = gaps[file]?.[group];
	return listed === ALL || (listed === INVALID_ONES && !test.valid) || (Array.isArray(listed) && listed.includes(test.description));
};

const totals: Record<string, { run: number; agree: number; gaps: number; files: number }> = {};

describe.each(DRAFTS)('JSON Schema Test Suite, $folder', ({ folder, $schema }) => {
	const root = join(SUITE, folder);
	const files = filesIn(root).map((file) => relative(root, file)).filter((file) => !(file in NOT_CLAIMED));
	const gaps = KNOWN_GAPS[folder];
	totals[folder] = { run: 0, agree: 0, gaps: 0, files: files.length };

	it.each(files)('%s', (file) => {
		const groups = JSON.parse(readFileSync(join(root, file), 'utf8')) as SuiteGroup[];
		const wrong: string[] = [];
		const fixed: string[] = [];
		for (const group of groups) {
			const schema = $schema && typeof group.schema === 'object' && group.schema.$schema === undefined ? { $schema, ...group.schema } : group.schema;
			for (const test of group.tests) {
				const ok = agrees(schema, test.data, test.valid);
				const gap = isGap(gaps, file, group.description, test);
				totals[folder].run++;
				if (ok) totals[folder].agree++;
				if (gap) totals[folder].gaps++;
				if (!ok && !gap) wrong.push(`${group.description} / ${test.description} (expected ${test.valid ? 'valid' : 'invalid'})`);
				if (ok && gap) fixed.push(`${group.description} / ${test.description}: now agrees, take it off KNOWN_GAPS`);
			}
		}
		expect(wrong).toEqual([]);
		expect(fixed).toEqual([]);
	});

	it('lists no known gap that is not in the suite', () => {
		const present = new Set<string>();
		for (const file of files) {
			for (const group of JSON.parse(readFileSync(join(root, file), 'utf8')) as SuiteGroup[]) {
				present.add(`${file} | ${group.description}`);
				for (const test of group.tests) present.add(`${file} | ${group.description} | ${test.description}`);
			}
		}
		const listed = Object.entries(gaps).flatMap(([file, groups]) =>
			Object.entries(groups).flatMap(([group, tests]) => (typeof tests === 'string' ? [`${file} | ${group}`] : tests.map((test) => `${file} | ${group} | ${test}`))),
		);
		expect(listed.filter((entry) => !present.has(entry))).toEqual([]);
	});
});

// Runs after the files above (jest keeps the order): the figures README quotes.
it('agrees with the suite on every case run but the known gaps', () => {
	expect(totals).toEqual({
		'draft2020-12': { files: 69, run: 1992, agree: 1893, gaps: 99 },
		draft7: { files: 56, run: 1541, agree: 1493, gaps: 48 },
	});
});
