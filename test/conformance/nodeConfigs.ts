/**
 * Random configurations of every node and operation that sends requests, built from the nodes' own
 * parameter descriptions (see optionArbitraries.ts). Only what a description cannot say is written
 * here: realistic values for free-form fields (stop sequences, schemas, graders, metadata), the input
 * items, and the few values that would make a run slow or unbounded rather than wrong.
 */
import fc from 'fast-check';
import type { IDataObject, INodeCredentialDescription, INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { asExpression, parametersArbitrary, type GeneratorHints, type Mode } from './optionArbitraries';

export type ConfigKind = 'generateText' | 'scoreOutput' | 'rewardLoop' | 'fineTune' | 'scoreOutputToFineTune';

export interface NodeConfig {
	kind: ConfigKind;
	/** The node's parameters (for scoreOutputToFineTune: Score Output's). */
	parameters: IDataObject;
	/** Fine-Tune's parameters after Score Output (scoreOutputToFineTune only). */
	fineTune?: IDataObject;
	items: IDataObject[];
	continueOnFail: boolean;
}

type Arb = fc.Arbitrary<unknown>;

/** Values by mode: the "valid" ones in every configuration, the "odd" ones now and then in the others. */
const both = (valid: unknown[], odd: unknown[]) => ({ valid: fc.constantFrom(...valid), odd: fc.constantFrom(...odd) });

const lines = (count: number, word: fc.Arbitrary<string>) => fc.array(word, { minLength: count, maxLength: count });
const stopWord = fc.constantFrom('END', '\n\n', '###', '[/INST]', 'Observation:', '', ' ', 'é');

const STOP: Arb = fc.oneof(
	fc.integer({ min: 1, max: 6 }).chain((n) => lines(n, stopWord).map((words) => words.join('\n'))),
	fc.integer({ min: 0, max: 6 }).chain((n) => lines(n, stopWord).map((words) => JSON.stringify(words))),
	fc.constantFrom('[/INST]\nEND', '["a", 5]', '[not json', '{"stop": "x"}', '[]'),
);

const STRICT_OK = { type: 'object', properties: { answer: { type: 'string' }, score: { type: 'number' } }, required: ['answer', 'score'], additionalProperties: false };
const JSON_SCHEMA: Arb = fc
	.constantFrom<unknown>(
		STRICT_OK,
		{ type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] },
		{ type: 'object', properties: { answer: { type: 'string' }, extra: { type: 'string' } }, required: ['answer'], additionalProperties: false },
		{ type: 'object', properties: { inner: { type: 'object', properties: { a: { type: 'string' } } } }, required: ['inner'], additionalProperties: false },
		{ type: 'array', items: { type: 'string' } },
		{ type: 'string' },
		{ type: 5 },
		[],
		'not a schema',
	)
	.map((schema) => JSON.stringify(schema));

const EXTRA_BODY: Arb = fc.constantFrom<unknown>('{}', '{}', '{"use_beam_search": true}', '{"options": {"num_ctx": 8192}}', '{"store": false}', '{"store": false}', '[1]', 'not json', '');

const samplingParams = fc.record(
	{
		temperature: fc.constantFrom(0, 1, 2.5, -1),
		top_p: fc.constantFrom(1, 0.5, 1.5),
		seed: fc.constantFrom(1, 0, 2 ** 63, 1.5),
		max_completions_tokens: fc.constantFrom(16, 0, 1.5),
		reasoning_effort: fc.constantFrom('low', 'high', 'bogus'),
	},
	{ requiredKeys: [] },
);
const graderInput = fc.constantFrom<unknown>(
	[{ role: 'user', content: 'Rate {{sample.output_text}} for {{item.topic}}' }],
	[{ role: 'system', content: 'You grade.' }, { role: 'user', content: [{ type: 'input_text', text: '{{sample.output_text}}' }] }],
	[],
	[{ role: 'bogus', content: 'x' }],
);
const graderName = fc.constantFrom('a', 'b', 'quality', 'has space', '');
const singleGrader: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
	fc.record({
		type: fc.constant('string_check'),
		name: graderName,
		input: fc.constantFrom('{{sample.output_text}}', ''),
		reference: fc.constantFrom('{{item.label}}', 'yes'),
		operation: fc.constantFrom('eq', 'ne', 'like', 'ilike', 'bogus'),
	}),
	fc.record(
		{
			type: fc.constant('text_similarity'),
			name: graderName,
			input: fc.constant('{{sample.output_text}}'),
			reference: fc.constant('{{item.reference}}'),
			evaluation_metric: fc.constantFrom('fuzzy_match', 'bleu', 'gleu', 'meteor', 'cosine', 'rouge_1', 'rouge_l', 'bogus'),
			pass_threshold: fc.constantFrom(0.5, 1, 2),
		},
		{ requiredKeys: ['type', 'name', 'input', 'reference', 'evaluation_metric'] },
	),
	fc.record(
		{
			type: fc.constant('score_model'),
			name: graderName,
			model: fc.constantFrom('gpt-4.1-mini', 'o4-mini', ''),
			input: graderInput,
			range: fc.constantFrom<unknown>([0, 1], [1, 5], [5, 1]),
			pass_threshold: fc.constantFrom(0.5, 3),
			sampling_params: samplingParams,
		},
		{ requiredKeys: ['type', 'name', 'model', 'input'] },
	),
	fc.record(
		{
			type: fc.constant('label_model'),
			name: graderName,
			model: fc.constantFrom('gpt-4.1-mini', ''),
			input: graderInput,
			labels: fc.constantFrom<unknown>(['good', 'bad'], ['only']),
			passing_labels: fc.constantFrom<unknown>(['good'], []),
			sampling_params: samplingParams,
		},
		{ requiredKeys: ['type', 'name', 'model', 'input', 'labels', 'passing_labels'] },
	),
	fc.record({ type: fc.constant('python'), name: graderName, source: fc.constant('def grade(sample, item):\n    return 1.0') }),
);
const multiGrader = fc
	.tuple(fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 3 }), fc.array(singleGrader, { minLength: 3, maxLength: 3 }), fc.constantFrom('a', '(a + b) / 2', 'a * b * c', ''))
	.map(([names, graders, formula]) => ({ type: 'multi', name: 'combined', graders: Object.fromEntries(names.map((name, i) => [name, { ...graders[i], name }])), calculate_output: formula }));
export const GRADER_JSON: Arb = fc.oneof(
	{ arbitrary: singleGrader.map((g) => JSON.stringify(g)), weight: 4 },
	{ arbitrary: multiGrader.map((g) => JSON.stringify(g)), weight: 3 },
	{ arbitrary: fc.constantFrom<unknown>('not json', '{}', '[]', '{"type": "bogus"}'), weight: 1 },
);

const AUTO_NUMBER: Arb = fc.constantFrom<unknown>('auto', '', '1', '3', '8', '50', '51', '256', '257', '0', '-1', '1.5', '0.5', '2', '2.5', 'abc', asExpression(4), asExpression(0.1), asExpression(1e9));

const METADATA: Arb = fc.constantFrom<unknown>(
	'{}',
	'{"run": "suite"}',
	'{"count": 5}',
	'{"nested": {"a": "b"}}',
	JSON.stringify(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']))),
	JSON.stringify({ ['k'.repeat(65)]: 'v' }),
	JSON.stringify({ key: 'v'.repeat(513) }),
	'[]',
	'not json',
);

/**
 * Values that keep a run short: a valid but tiny timeout or rate would retry or wait for minutes,
 * and a loop of 2^31 candidates would fill the memory instead of showing a bug. Out-of-range values
 * that a node must refuse at once are still among them.
 */
const PACING: Record<string, { valid: Arb; odd: Arb }> = {
	'options.timeout': both([60_000, 120_000], [0, -5, 'abc', asExpression(NaN)]),
	'options.requestsPerMinute': both([0, 60_000, 1.5e6], [-1, 'abc']),
	'options.maxWait': both([0, 120, 1.5], [-1, 'abc']),
	'options.maxRetries': both([0, 1, 2, 20], [-1, 1.5, 21, 'abc']),
	'options.concurrency': both([1, 2, 200, 1000], [0, -1, 1.5, 1001, 'abc']),
	candidatesPerRound: both([1, 2, 3, 4, 1, 2, 3, 4, 64], [0, -1, 1.5, 65, 129, 'abc', 2 ** 63, asExpression(NaN), asExpression(2.5)]),
	maxRounds: both([1, 2, 3, 1, 2, 3, 20], [0, -1, 1.5, 21, 'abc', asExpression(NaN)]),
	'loopOptions.maxCandidates': both([1, 4, 12, 50], [0, -1, 1.5, 'abc']),
	timeoutMinutes: both([0.001, 0.002], [0, -1]),
	pollSeconds: both([0.05, 0.1], [0.05]),
};

const PROMPT: Arb = fc.constantFrom<unknown>('={{ $json.q }}', '={{ $json.q }}', '={{ $json.q }}', '=Answer briefly: {{ $json.q }}', '=Answer briefly: {{ $json.q }}', '={{ $json.missing }}');

const GENERATION_HINTS: Record<string, Arb> = {
	prompt: PROMPT,
	messagesField: fc.constantFrom<unknown>('messages', 'messages', 'messages', 'messages', 'missing'),
	jsonSchema: JSON_SCHEMA,
	schemaName: fc.constantFrom<unknown>('verdict', 'answer_v2', 'verdict', 'answer_v2', 'bad name!', 'a'.repeat(65)),
	'options.stop': STOP,
	'options.extraBody': EXTRA_BODY,
};

const SCORING_HINTS: Record<string, Arb> = {
	// The scorers that send requests (judges, embeddings) more often than one type in seventeen.
	'scorers.scorer.type': fc.constantFrom<unknown>('score_model', 'label_model', 'select_best', 'embedding_similarity'),
	'scorers.scorer.reference': fc.constantFrom<unknown>('{{item.reference}}', '={{ $json.reference }}', '{{item.missing}}'),
	'scorers.scorer.customValue': fc.constantFrom<unknown>('={{ $json.score }}', 0.5, 2),
	grader: GRADER_JSON,
	formula: fc.constantFrom<unknown>('quality', '0.5 * quality + 0.5 * tone', 'bogus(', ''),
};

/** Scorer fields a judge cannot do without: filled in "valid" configurations, sometimes empty or odd in the others. */
const SCORER_FIELDS: Record<string, { valid: Arb; odd: Arb }> = {
	'scorers.scorer.name': both(['quality', 'tone', 'best', 'no_ads'], ['has space', '', '1st']),
	'scorers.scorer.labels': both(['good, bad', 'polite, rude'], ['only', '']),
	'scorers.scorer.passingLabels': both(['good', 'polite'], ['missing', '']),
	'scorers.scorer.rubric': both(['Is it accurate for {{item.topic}}?', 'Is it polite?'], ['']),
	'scorers.scorer.criteria': both(['Most helpful for {{item.topic}}'], ['']),
	'scorers.scorer.model': both(['gpt-4.1-mini', 'o4-mini'], ['']),
};

function hints(extra: Record<string, Arb>, only: Record<string, Arb | { valid: Arb; odd: Arb }> = {}, skip: string[] = []): GeneratorHints {
	return { extra, only: { ...PACING, ...only }, skip };
}

const word = fc.constantFrom('phone', 'battery', 'Is this valid?', 'ünïcødé', '', 'long '.repeat(50));

const VALID_MESSAGE: fc.Arbitrary<IDataObject> = fc.oneof(
	fc.record({ role: fc.constantFrom('system', 'developer', 'user'), content: fc.oneof(word.filter((w) => w !== ''), fc.constant([{ type: 'text', text: 'Hi' }])) }),
	fc.record({ role: fc.constant('user'), content: fc.constant([{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }]) }) as unknown as fc.Arbitrary<IDataObject>,
	fc.record(
		{
			role: fc.constant('assistant'),
			content: fc.constantFrom<unknown>('A cat.', '', [], null, [{ type: 'text', text: 'A cat.' }]),
			tool_calls: fc.constant([{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }]),
		},
		{ requiredKeys: ['role'] },
	) as unknown as fc.Arbitrary<IDataObject>,
	fc.record({ role: fc.constant('tool'), content: fc.constant('A cat on a mat.'), tool_call_id: fc.constant('call_1') }),
);
const ODD_MESSAGE: fc.Arbitrary<IDataObject> = fc.oneof(
	fc.record({ role: fc.constant('user'), content: fc.constantFrom<unknown>([], null, 5, '') }) as unknown as fc.Arbitrary<IDataObject>,
	fc.record({ role: fc.constant('tool'), content: fc.constant('x') }),
	fc.record({ role: fc.constantFrom('bogus', ''), content: word }),
);

const JSONL_LINE = '{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}';

/** Input items: every field any node here reads by default; in "odd" configurations with odd values among them. */
const item = (mode: Mode) =>
	fc.record(
		{
			q: mode === 'valid' ? word.filter((w) => w !== '') : word,
			text: fc.constantFrom('The battery lasts a day.', '{"answer": "yes", "score": 1}', '', 'It is a phone.'),
			reference: mode === 'valid' ? fc.constantFrom<unknown>('A full day of battery.', '') : fc.constantFrom<unknown>('A full day of battery.', '', null, 5),
			topic: fc.constantFrom('phones', ''),
			label: fc.constantFrom('good', 'bad'),
			score: fc.constantFrom<unknown>(0.5, 1, 2, 'x'),
			candidates: fc.constantFrom<unknown>(['The battery lasts a day.', 'It is a phone.'], [], ['only one'], [{ text: 'a' }, { text: 'b' }]),
			messages:
				mode === 'valid'
					? fc.array(VALID_MESSAGE, { minLength: 1, maxLength: 4 })
					: fc.oneof({ arbitrary: fc.array(fc.oneof({ arbitrary: VALID_MESSAGE, weight: 4 }, { arbitrary: ODD_MESSAGE, weight: 1 }), { minLength: 1, maxLength: 4 }), weight: 6 }, { arbitrary: fc.constantFrom<unknown>([], 'not a list', null), weight: 1 }),
			id: mode === 'valid' ? fc.constantFrom<unknown>('ftjob-abc', 'file-abc') : fc.constantFrom<unknown>('ftjob-abc', 'file-abc', '', 5),
			file: mode === 'valid' ? fc.constantFrom(`${JSONL_LINE}\n`, `${JSONL_LINE}\n${JSONL_LINE}\n`) : fc.constantFrom(`${JSONL_LINE}\n`, '', 'not jsonl\n'),
		},
		{ requiredKeys: ['q', 'text', 'messages'] },
	) as unknown as fc.Arbitrary<IDataObject>;
const items = (mode: Mode) => fc.array(item(mode), { minLength: 1, maxLength: 3 });

/** The operations whose credential the description shows for this provider: the ones that send requests. */
function requestOperations(description: INodeTypeDescription, provider: string): string[] {
	const operation = description.properties.find((property) => property.name === 'operation');
	const all = (operation?.options ?? []).map((option) => String((option as { value: unknown }).value));
	const credentials = (description.credentials ?? []) as INodeCredentialDescription[];
	return all.filter((name) =>
		credentials.some((credential) => {
			const show = credential.displayOptions?.show ?? {};
			return (show.provider as unknown[] | undefined)?.includes(provider) && (show.operation as unknown[] | undefined)?.includes(name);
		}),
	);
}

export interface Descriptions {
	generateText: INodeTypeDescription;
	scoreOutput: INodeTypeDescription;
	rewardLoop: INodeTypeDescription;
	fineTune: INodeTypeDescription;
}

/** Score Output's parameters as the grader export needs them before a reinforcement job. */
function withIncludeGrader(parameters: Record<string, unknown>): IDataObject {
	const options = (parameters.options ?? {}) as IDataObject;
	return { ...parameters, mode: 'scorers', route: false, options: { ...options, includeGrader: true } } as IDataObject;
}

export function configArbitrary(descriptions: Descriptions): fc.Arbitrary<NodeConfig> {
	const props = (d: INodeTypeDescription) => d.properties as INodeProperties[];
	// Together AI's own API is not OpenAI's document: the suite runs the OpenAI-compatible provider.
	const operations = requestOperations(descriptions.fineTune, 'openai');
	if (operations.length === 0) throw new Error('Fine-Tune: no operation shows the OpenAI-compatible credential');
	const fineTuneHints = hints(
		{ grader: GRADER_JSON, trainingFile: fc.constantFrom<unknown>('file-abc', '={{ $json.id }}', '={{ $json.missing }}'), 'jobOptions.metadata': METADATA, 'jobOptions.batchSize': AUTO_NUMBER, 'jobOptions.beta': AUTO_NUMBER, 'jobOptions.nEpochs': AUTO_NUMBER, 'jobOptions.learningRateMultiplier': AUTO_NUMBER, 'jobOptions.validationFile': fc.constantFrom<unknown>('file-def', '') },
		{ provider: fc.constant('openai'), operation: fc.constantFrom(...operations) },
	);
	const fineTuneAfterScore = hints(
		{ 'jobOptions.metadata': METADATA, 'jobOptions.seed': fc.constantFrom<unknown>(0, 7) },
		// The grader is the default expression, reading Score Output's exported `grader`.
		{ provider: fc.constant('openai'), operation: fc.constant('createJob'), method: fc.constant('reinforcement'), trainingFile: fc.constant('file-abc') },
		['grader'],
	);
	const modes: Mode[] = ['valid', 'odd'];
	// Each kind in both modes: all values the editor allows, or now and then one it does not.
	const of = (kind: ConfigKind, build: (mode: Mode) => fc.Arbitrary<Record<string, unknown>>, weight: number) =>
		modes.map((mode) => ({
			arbitrary: fc.record({ kind: fc.constant(kind), parameters: build(mode), items: items(mode), continueOnFail: fc.boolean() }) as unknown as fc.Arbitrary<NodeConfig>,
			weight,
		}));
	const toFineTune = (mode: Mode) =>
		fc.record({
			kind: fc.constant('scoreOutputToFineTune' as const),
			parameters: parametersArbitrary(props(descriptions.scoreOutput), hints(SCORING_HINTS, { ...SCORER_FIELDS, mode: fc.constant('scorers') }), mode).map(withIncludeGrader),
			fineTune: parametersArbitrary(props(descriptions.fineTune), fineTuneAfterScore, mode),
			items: items(mode),
			continueOnFail: fc.boolean(),
		}) as unknown as fc.Arbitrary<NodeConfig>;
	return fc.oneof(
		...of('generateText', (mode) => parametersArbitrary(props(descriptions.generateText), hints(GENERATION_HINTS), mode), 7),
		...of('scoreOutput', (mode) => parametersArbitrary(props(descriptions.scoreOutput), hints(SCORING_HINTS, SCORER_FIELDS), mode), 4),
		...of('rewardLoop', (mode) => parametersArbitrary(props(descriptions.rewardLoop), hints({ ...GENERATION_HINTS, ...SCORING_HINTS }, SCORER_FIELDS), mode), 5),
		...of('fineTune', (mode) => parametersArbitrary(props(descriptions.fineTune), fineTuneHints, mode), 4),
		...modes.map((mode) => ({ arbitrary: toFineTune(mode), weight: 2 })),
	);
}
