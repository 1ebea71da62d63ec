import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { numberTypeOptions } from '../../core/requestLimits/limit';
import { CANDIDATES_PER_ROUND } from './loopParameters';
import { generationProperties } from '../shared/generateTextDescription';
import { scoreOutputProperties } from '../shared/scoreOutputDescription';
import { SCORING_PARAMETERS } from '../shared/scoringPlans';

/**
 * Generate Text's own parameters. N is the loop's (Candidates Per Round), not an option; Include
 * Input Fields is Loop Options' (`loopOptions.includeInput`), which is what the loop reads.
 */
const LOOP_OWNED = ['n', 'includeInput'];
const generation: INodeProperties[] = generationProperties.map((property) =>
	property.name === 'options'
		? {
				...property,
				displayName: 'Generation Options',
				options: (property.options as INodeProperties[]).filter((option) => !LOOP_OWNED.includes(option.name)),
			}
		: property,
);

/**
 * Score Output's own scoring parameters, shown when this node scores. Its "Mode" is relabelled, so
 * that it does not read as the same question as Reward Source, and its actions name the loop.
 */
const SCORING_LABELS: Record<string, string> = { mode: 'Scoring Method' };
const MODE_ACTIONS: Record<string, string> = { scorers: 'Loop with scorers', grader: 'Loop with an OpenAI grader JSON' };
const scoring: INodeProperties[] = scoreOutputProperties
	.filter((property) => SCORING_PARAMETERS.includes(property.name))
	.map((property) => ({
		...property,
		displayName: SCORING_LABELS[property.name] ?? property.displayName,
		...(property.name === 'mode'
			? { options: (property.options as INodePropertyOptions[]).map((option) => ({ ...option, action: MODE_ACTIONS[String(option.value)] })) }
			: {}),
		displayOptions: { ...property.displayOptions, show: { ...property.displayOptions?.show, rewardSource: ['scorers'] } },
	}));

/** A section header: n8n has no field groups, so a notice opens each part of the form. */
const section = (name: string, text: string): INodeProperties => ({ displayName: text, name, type: 'notice', default: '' });

/**
 * In three parts: generation (what each candidate is sampled from), scoring (how it gets its reward),
 * the loop (how many candidates and rounds, within which budget). Only the order and the labels
 * differ from before: the parameter names are what saved workflows hold.
 */
export const rewardLoopProperties: INodeProperties[] = [
	section('generationSection', 'Generation: the model and the prompt each candidate is sampled from'),
	...generation,
	section('scoringSection', 'Scoring: how each candidate gets its reward, a number from 0 to 1'),
	{
		displayName: 'Reward Source',
		name: 'rewardSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Scorers in This Node', value: 'scorers', description: 'Score each candidate with Score Output\'s scorers' },
			{
				name: 'External (Score Me Output)',
				value: 'external',
				description: 'Send candidates out of the "Score me" output; any nodes set the reward and loop them back to this node\'s input',
			},
		],
		default: 'scorers',
	},
	...scoring,
	{
		displayName: 'Reward Field',
		name: 'rewardField',
		type: 'string',
		default: 'reward',
		placeholder: 'e.g. reward',
		description: 'Where the reward (a number in [0, 1]) is when a candidate comes back to the input',
		displayOptions: { show: { rewardSource: ['external'] } },
	},
	{
		displayName: 'Reward Pass Threshold (0 to 1)',
		name: 'externalThreshold',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 3 },
		default: 0.8,
		description: 'The loop stops once a candidate\'s reward reaches it',
		displayOptions: { show: { rewardSource: ['external'] } },
	},
	section('loopSection', 'Loop: how many candidates each round samples, how many rounds, and the budget'),
	{
		displayName: 'Candidates Per Round (N)',
		name: 'candidatesPerRound',
		type: 'number',
		typeOptions: numberTypeOptions(CANDIDATES_PER_ROUND),
		default: 4,
		description: 'Best-of-N: how many candidates each round samples',
	},
	{
		displayName: 'Max Rounds',
		name: 'maxRounds',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 20 },
		default: 3,
		description: 'Refine: a round that ends below the threshold is followed by one whose prompt carries the feedback. 1 means best-of-N only.',
	},
	{
		displayName: 'Loop Options',
		name: 'loopOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Critique Model',
				name: 'critiqueModel',
				type: 'string',
				default: '',
				placeholder: 'e.g. gpt-4.1-mini (empty: no critique)',
				description: 'A model that writes advice from the scores for the next round (Self-Refine); empty: the scorers\' reasons only',
			},
			{
				displayName: 'Include History',
				name: 'includeHistory',
				type: 'boolean',
				default: true,
				description: 'Whether to output every candidate with its round, reward and reasons',
			},
			{
				displayName: 'Include Input Fields',
				name: 'includeInput',
				type: 'boolean',
				default: true,
				description: 'Whether to keep the input item\'s fields beside the loop\'s result on Done',
			},
			{
				displayName: 'Max Candidates',
				name: 'maxCandidates',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 12,
				description: 'Budget: candidates over all rounds',
			},
			{
				displayName: 'Max Errors',
				name: 'maxErrors',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 2,
				description:
					'Failed requests or unusable candidates tolerated before the item fails. A request the server refuses as it stands (400, 401, 403, 404, 405, 413, 422, 501) stops the item at once.',
			},
			{
				displayName: 'Max Tokens',
				name: 'maxTokens',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 100000,
				description: 'Budget: tokens over all rounds, generation and judges',
			},
			{
				displayName: 'One Request Per Round (N)',
				name: 'useN',
				type: 'boolean',
				default: true,
				description: 'Whether to ask for all candidates of a round in one request with n, so the prompt is paid once. Turn off for servers that ignore n.',
			},
			{
				displayName: 'When the Budget Ends Below the Threshold',
				name: 'onExhausted',
				type: 'options',
				options: [
					{ name: 'Return the Best So Far (Pass False)', value: 'returnBest' },
					{ name: 'Fail the Item', value: 'fail' },
				],
				default: 'returnBest',
			},
		],
	},
];
