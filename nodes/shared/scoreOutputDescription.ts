import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { UI_SCORER_TYPES } from '../../core/scoring/registry';
import type { ScorerFieldName } from '../../core/scoring/scorerEntry';
import { MODEL_PICKER_MODES } from './modelSearch';
import { batchLimitOptions, unfinishedRequestsProperty } from './batchDescription';
import { byDisplayName, transportOptions } from './transportOptions';

/**
 * In groups, not alphabetically: rules, structure, similarity, judges, custom (the registry's order).
 * The group is the name's first word, so a search in the list finds them too; the values are what
 * saved workflows hold.
 */
export const SCORER_TYPE_OPTIONS: INodePropertyOptions[] = UI_SCORER_TYPES.map(({ type, label, description }) => ({
	name: label,
	value: type,
	...(description ? { description } : {}),
}));

/** Name, Type, Weight and Must Pass: every scorer has them. */
const ENTRY_FIELDS: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. no_ads',
		description: 'Letters, digits and _; the key in the breakdown and in formulas',
	},
	{ displayName: 'Type', name: 'type', type: 'options', options: SCORER_TYPE_OPTIONS, default: 'contains' },
	{ displayName: 'Weight', name: 'weight', type: 'number', typeOptions: { minValue: 0 }, default: 1 },
	{
		displayName: 'Must Pass',
		name: 'mustPass',
		type: 'boolean',
		default: false,
		description: 'Whether failing this scorer sets the reward to 0 and fails the item, whatever the others say',
	},
];

/**
 * Each field a scorer type can show, once. Which types show it comes from their declarations
 * (core/scoring/registry.ts): a field a type declares must be here, or this does not compile.
 */
const FIELD_UI: { [F in ScorerFieldName]: INodeProperties & { name: F } } = {
	value: { displayName: 'Value', name: 'value', type: 'string', default: '' },
	values: {
		displayName: 'Values',
		name: 'values',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'One per line, e.g. battery',
		description: 'One per line',
	},
	containsMode: {
		displayName: 'Match',
		name: 'containsMode',
		type: 'options',
		options: [
			{ name: 'Any', value: 'any' },
			{ name: 'All', value: 'all' },
		],
		default: 'any',
	},
	trim: { displayName: 'Trim', name: 'trim', type: 'boolean', default: true, description: 'Whether to ignore surrounding whitespace' },
	pattern: { displayName: 'Pattern', name: 'pattern', type: 'string', default: '', placeholder: 'e.g. ^\\d{5}$' },
	flags: { displayName: 'Flags', name: 'flags', type: 'string', default: '', placeholder: 'e.g. m' },
	terms: {
		displayName: 'Terms',
		name: 'terms',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'One per line, e.g. buy now',
		description: 'One per line',
	},
	wholeWord: { displayName: 'Whole Words Only', name: 'wholeWord', type: 'boolean', default: true },
	unit: {
		displayName: 'Unit',
		name: 'unit',
		type: 'options',
		options: [
			{ name: 'Characters', value: 'characters' },
			{ name: 'Words', value: 'words' },
			{ name: 'Tokens (Estimated)', value: 'tokens' },
		],
		default: 'words',
	},
	min: { displayName: 'Min', name: 'min', type: 'number', default: 0 },
	max: { displayName: 'Max (0 = No Maximum)', name: 'max', type: 'number', default: 0, description: '0 means no maximum' },
	schema: { displayName: 'Schema', name: 'schema', type: 'json', default: '{ "type": "object" }' },
	path: { displayName: 'Field Path', name: 'path', type: 'string', default: '', placeholder: 'e.g. items[0].name' },
	fieldOperator: {
		displayName: 'Operator',
		name: 'fieldOperator',
		type: 'options',
		options: [
			{ name: 'Equals', value: 'equals' },
			{ name: 'Contains', value: 'contains' },
			{ name: 'Exists', value: 'exists' },
		],
		default: 'equals',
	},
	fieldValue: {
		displayName: 'Expected (JSON)',
		name: 'fieldValue',
		type: 'string',
		default: '',
		description: 'A JSON value ("ok", 3, true, [1,2]); text that is not JSON is taken as a string',
		displayOptions: { show: { fieldOperator: ['equals', 'contains'] } },
	},
	metric: {
		displayName: 'Metric',
		name: 'metric',
		type: 'options',
		options: [
			{ name: 'BLEU', value: 'bleu', description: 'Sentence BLEU as NLTK\'s sentence_bleu' },
			{ name: 'chrF', value: 'chrf', description: 'Character n-gram F-score as sacrebleu\'s sentence_chrf (orders 6, β 2)' },
			{ name: 'chrF++', value: 'chrf_pp', description: 'The chrF of sacrebleu plus word unigrams and bigrams (word order 2)' },
			{ name: 'Exact', value: 'exact' },
			{ name: 'Fuzzy (Levenshtein Ratio)', value: 'fuzzy_match' },
			{ name: 'GLEU', value: 'gleu', description: 'Sentence GLEU as NLTK\'s sentence_gleu' },
			{ name: 'ROUGE-1', value: 'rouge_1' },
			{ name: 'ROUGE-2', value: 'rouge_2' },
			{ name: 'ROUGE-L', value: 'rouge_l' },
		],
		default: 'rouge_l',
	},
	reference: {
		displayName: 'Reference',
		name: 'reference',
		type: 'string',
		default: '{{item.reference}}',
		description:
			'The reference text. {{item.field}} reads the input item (paths as in JSON Field: {{item.meta["content-type"]}}); an n8n expression works too. A missing, null or non-text field is the item\'s error.',
	},
	tokenizer: {
		displayName: 'Tokenization',
		name: 'tokenizer',
		type: 'options',
		options: [
			{ name: 'Characters', value: 'char', description: 'Every character that is not white space (sacrebleu\'s char)' },
			{ name: 'Sacrebleu 13a', value: '13a', description: 'The rules of mteval-v13a, WMT\'s standard and sacrebleu\'s default' },
			{ name: 'Sacrebleu Intl', value: 'intl', description: 'The international rules of mteval-v14: Unicode punctuation and symbols' },
			{ name: 'Sacrebleu Zh (CJK Characters)', value: 'zh', description: 'Each Chinese character a token, the rest as 13a' },
			{ name: 'Whitespace', value: 'whitespace', description: 'Split on white space only (Python\'s str.split, sacrebleu\'s none)' },
			{ name: 'Words and Punctuation', value: 'words', description: 'Runs of letters, digits and _, and each other character' },
		],
		default: 'words',
		displayOptions: { show: { metric: ['bleu', 'gleu'] } },
	},
	lowercase: {
		displayName: 'Lowercase',
		name: 'lowercase',
		type: 'boolean',
		default: false,
		description: 'Whether to lowercase the output and the reference before comparing',
		displayOptions: { show: { metric: ['bleu', 'gleu', 'chrf', 'chrf_pp'] } },
	},
	smoothing: {
		displayName: 'Smoothing',
		name: 'smoothing',
		type: 'options',
		options: [
			{ name: 'Method 0: None', value: 'method0' },
			{ name: 'Method 1: Epsilon for Zero Counts', value: 'method1' },
			{ name: 'Method 2: Add One (Lin and Och)', value: 'method2' },
			{ name: 'Method 3: NIST Geometric', value: 'method3' },
			{ name: 'Method 4: Shorter Texts Smoothed More', value: 'method4' },
			{ name: 'Method 5: Average With Neighbouring Orders', value: 'method5' },
			{ name: 'Method 6: Interpolated Prior (Gao and He)', value: 'method6', description: 'Needs a matching 3-gram, else the scorer reports an error' },
			{ name: 'Method 7: Methods 4 and 5', value: 'method7' },
		],
		default: 'method1',
		description: 'NLTK\'s SmoothingFunction method (Chen and Cherry 2014)',
		displayOptions: { show: { metric: ['bleu'] } },
	},
	maxOrder: {
		displayName: 'Max N-Gram Order',
		name: 'maxOrder',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10 },
		default: 4,
		description: 'BLEU-N with uniform weights; GLEU counts n-grams of orders 1 to N',
		displayOptions: { show: { metric: ['bleu', 'gleu'] } },
	},
	epsSmoothing: {
		displayName: 'Epsilon Smoothing',
		name: 'epsSmoothing',
		type: 'boolean',
		default: false,
		description: 'Whether to average the F-scores of all orders with ε for empty ones (chrF++.py, sacrebleu\'s eps_smoothing) instead of using the orders both texts have',
		displayOptions: { show: { metric: ['chrf', 'chrf_pp'] } },
	},
	rougeMeasure: {
		displayName: 'ROUGE Measure',
		name: 'rougeMeasure',
		type: 'options',
		options: [
			{ name: 'F-Measure', value: 'fmeasure' },
			{ name: 'Precision', value: 'precision', description: 'Share of the output\'s n-grams found in the reference' },
			{ name: 'Recall', value: 'recall', description: 'Share of the reference\'s n-grams found in the output' },
		],
		default: 'fmeasure',
		displayOptions: { show: { metric: ['rouge_1', 'rouge_2', 'rouge_l'] } },
	},
	rougeTokenizer: {
		displayName: 'ROUGE Tokenization',
		name: 'rougeTokenizer',
		type: 'options',
		options: [
			{ name: 'ASCII Letters and Digits (Rouge-Score)', value: 'rouge_score', description: 'Drops every other character: Chinese, Japanese and Korean text has no token' },
			{ name: 'CJK Aware', value: 'cjk', description: 'Each Chinese or Japanese character a token; words of any other script whole' },
		],
		default: 'rouge_score',
		displayOptions: { show: { metric: ['rouge_1', 'rouge_2', 'rouge_l'] } },
	},
	stemmer: {
		displayName: 'Stem Words (ROUGE)',
		name: 'stemmer',
		type: 'boolean',
		default: false,
		displayOptions: { show: { metric: ['rouge_1', 'rouge_2', 'rouge_l'] } },
	},
	embeddingModel: { displayName: 'Embedding Model', name: 'embeddingModel', type: 'string', default: 'text-embedding-3-small' },
	model: {
		// The same picker as Generate Text's model. Workflows saved before it hold a plain string, which
		// parameters.ts still reads.
		displayName: 'Judge Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description: 'The model that judges, from the endpoint\'s model list or typed as an ID; empty: the credential\'s Default Model',
		modes: MODEL_PICKER_MODES,
	},
	rubric: {
		displayName: 'Rubric',
		name: 'rubric',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: 'e.g. Does the answer match the product\'s features and avoid advertising?',
		description: 'What a good output is. {{item.field}} reads the input item. The output is added, fenced and marked untrusted.',
	},
	rangeMin: { displayName: 'Range Min', name: 'rangeMin', type: 'number', default: 0 },
	rangeMax: { displayName: 'Range Max', name: 'rangeMax', type: 'number', default: 10 },
	labels: { displayName: 'Labels', name: 'labels', type: 'string', default: 'good, bad', placeholder: 'Comma-separated, e.g. good, bad', description: 'Comma-separated' },
	passingLabels: { displayName: 'Passing Labels', name: 'passingLabels', type: 'string', default: 'good', placeholder: 'Comma-separated, e.g. good', description: 'Comma-separated' },
	criteria: {
		displayName: 'Criteria',
		name: 'criteria',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'What makes a candidate best. The item\'s candidates are read from its "candidates" field.',
	},
	customValue: {
		displayName: 'Value (0 to 1)',
		name: 'customValue',
		type: 'number',
		default: 0,
		description: 'An n8n expression that gives the score, for instance from a field of the input item',
	},
	passThreshold: {
		displayName: 'Scorer Pass Threshold',
		name: 'passThreshold',
		type: 'number',
		typeOptions: { numberPrecision: 3 },
		default: 0.5,
		description: 'This scorer passes at or above it: on the judge\'s own range (Range Min to Range Max) for a rubric score, 0 to 1 for the others',
	},
	caseSensitive: { displayName: 'Case Sensitive', name: 'caseSensitive', type: 'boolean', default: false },
	negate: { displayName: 'Negate', name: 'negate', type: 'boolean', default: false, description: 'Whether to pass where the rule fails' },
};

/** The types whose declaration lists `field`, in the Type list's order. */
const typesShowing = (field: ScorerFieldName) => UI_SCORER_TYPES.filter((scorer) => scorer.fields.includes(field)).map((scorer) => scorer.type);

const scorerFields: INodeProperties[] = [
	...ENTRY_FIELDS,
	...Object.values(FIELD_UI).map((ui) => ({ ...ui, displayOptions: { show: { type: typesShowing(ui.name), ...ui.displayOptions?.show } } })),
];

export const scoreOutputProperties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			// n8n's node panel lists a mode as an action, named startCase(name) ("Open AI Grader JSON") unless it has one.
			{ name: 'Scorers', value: 'scorers', action: 'Score with scorers', description: 'Build the reward from scorers' },
			{
				name: 'OpenAI Grader JSON',
				value: 'grader',
				action: 'Score with an OpenAI grader JSON',
				description: 'Run an OpenAI grader definition (string_check, text_similarity, score_model, label_model, multi)',
			},
		],
		default: 'scorers',
	},
	{
		displayName: 'Judge Requests',
		name: 'batchMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Synchronous', value: 'sync', description: 'Send the judges\' requests now and output the rewards' },
			{
				name: 'Batch: Submit',
				value: 'batchSubmit',
				description: 'Send the judges\' requests as a batch (about half the price, done within 24 hours); each item goes on with its batch reference, to n8n\'s Wait node and a copy of this node in Batch: Collect',
			},
			{
				name: 'Batch: Collect',
				value: 'batchCollect',
				description: 'Read the judges\' answers from the batches of Batch: Submit and score the items: rewards once every batch has ended, the items on Still Running until then (loop them back through n8n\'s Wait node)',
			},
		],
		default: 'sync',
		description: 'How LLM judges are asked; rules, metrics and JSON checks need no request',
	},
	{
		displayName: 'Collect scores each item with this node\'s Scorers and the judges\' answers from the batch: give it the Scorers of the Batch: Submit node (a copy of that node with Judge Requests set to Batch: Collect). Connect Still Running to a Wait node that leads back here.',
		name: 'batchCollectNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { batchMode: ['batchCollect'] } },
	},
	unfinishedRequestsProperty('batchMode'),
	{
		displayName: 'Text Field',
		name: 'textField',
		type: 'string',
		default: 'text',
		description: 'The item field holding the output to score (sample.output_text). Generate Text writes "text".',
	},
	{
		displayName: 'Scorers',
		name: 'scorers',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Scorer',
		default: {},
		displayOptions: { show: { mode: ['scorers'] } },
		options: [{ displayName: 'Scorer', name: 'scorer', values: scorerFields }],
	},
	{
		displayName: 'Combine',
		name: 'combine',
		type: 'options',
		options: [
			{ name: 'Weighted Average', value: 'weighted' },
			{ name: 'Formula', value: 'formula', description: 'An expression over scorer names: + - * / ^, min, max, abs, floor, ceil, exp, sqrt, log' },
		],
		default: 'weighted',
		displayOptions: { show: { mode: ['scorers'] } },
	},
	{
		displayName: 'Formula',
		name: 'formula',
		type: 'string',
		default: '',
		placeholder: 'e.g. 0.7 * rouge + 0.3 * min(no_ads, length_ok)',
		displayOptions: { show: { mode: ['scorers'], combine: ['formula'] } },
	},
	{
		displayName: 'Grader JSON',
		name: 'grader',
		type: 'json',
		default:
			'{\n  "type": "string_check",\n  "name": "exact_label",\n  "input": "{{sample.output_text}}",\n  "reference": "{{item.label}}",\n  "operation": "eq"\n}',
		displayOptions: { show: { mode: ['grader'] } },
	},
	{
		displayName: 'Reward Pass Threshold (0 to 1)',
		name: 'threshold',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 3 },
		default: 0.5,
		description: 'The item passes when the reward reaches it (in grader mode: where the grader sets none)',
	},
	{
		displayName: 'Route to Pass / Fail Outputs',
		name: 'route',
		type: 'boolean',
		default: false,
		description: 'Whether to send passing items to a Pass output and the others to a Fail output',
		// Batch: Submit scores nothing yet: its items go on to the Wait node.
		displayOptions: { hide: { batchMode: ['batchSubmit'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: byDisplayName([
			{
				displayName: 'Candidates Field',
				name: 'candidatesField',
				type: 'string',
				default: 'candidates',
				description: 'Where Select Best finds the candidates: strings or {text} objects (Generate Text with N > 1 writes "candidates")',
			},
			{
				displayName: 'Include Grader JSON',
				name: 'includeGrader',
				type: 'boolean',
				default: false,
				description: 'Whether to add "grader": this configuration as OpenAI grader JSON, for reinforcement fine-tuning (or why none exists)',
			},
			{
				displayName: 'Include Input Fields',
				name: 'includeInput',
				type: 'boolean',
				default: true,
				description: 'Whether to keep the input item\'s fields beside the reward',
			},
			...batchLimitOptions('batchMode'),
			...transportOptions,
		]),
	},
];

/**
 * Score Output's outputs by its parameters (evaluated by n8n as an expression): Pass and Fail when
 * routing, and Batch: Collect's Still Running after them. Batch: Submit has one output.
 */
export function scoreOutputOutputs(parameters: { route?: boolean; batchMode?: string }) {
	if (parameters.batchMode === 'batchSubmit') return [{ type: 'main' }];
	const collect = parameters.batchMode === 'batchCollect';
	const scored = parameters.route
		? [
				{ type: 'main', displayName: 'Pass' },
				{ type: 'main', displayName: 'Fail' },
			]
		: [collect ? { type: 'main', displayName: 'Done' } : { type: 'main' }];
	return collect ? scored.concat([{ type: 'main', displayName: 'Still Running' }]) : scored;
}
