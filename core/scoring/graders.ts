/**
 * OpenAI grader JSON, both ways. `specsFromGrader` reads a grader definition (`string_check`,
 * `text_similarity`, `score_model`, `label_model`, `multi`) into our scorer specs and combination,
 * with the same semantics; `graderFromSpecs` writes a node configuration back as a grader where an
 * exact equivalent exists, so the same reward can drive reinforcement fine-tuning.
 */
import { z } from 'zod';
import { chatBodyProblem } from '../generate/checkChat';
import type { CombineOptions } from './combine';
import type { ScorerSpec } from './registry';
import type { SimilarityMetric } from './scorers/textSimilarity';

/** The evaluation metrics of OpenAI's text_similarity grader that run here, with the same meaning. */
const OPENAI_SIMILARITY_METRICS: readonly SimilarityMetric[] = ['fuzzy_match', 'bleu', 'gleu', 'rouge_1', 'rouge_2', 'rouge_l', 'cosine'];

type Role = 'system' | 'developer' | 'user' | 'assistant';

const contentPart = z.union([
	z.string(),
	z.object({ type: z.string().optional(), text: z.string() }).passthrough(),
]);
const inputMessage = z
	.object({
		role: z.enum(['system', 'developer', 'user', 'assistant']),
		content: z.union([contentPart, z.array(contentPart)]),
		type: z.literal('message').optional(),
	})
	.passthrough();
/**
 * A model grader's sampling_params, as OpenAI's Graders reference lists them. Strict: a key that is
 * not one of them would otherwise reach the judge's chat request under a name chat does not know.
 */
// The numbers' ranges and types are checked against chat's limits where the judge is made
// (registry.ts, core/requestLimits/chat.ts), so the error names the value and the limit.
const samplingParams = z
	.object({
		seed: z.unknown().optional(),
		top_p: z.unknown().optional(),
		temperature: z.unknown().optional(),
		max_completions_tokens: z.unknown().optional(),
		reasoning_effort: z.string().nullable().optional(),
	})
	.strict()
	.optional();

/** Grader sampling_params names → chat completion names (the rest are the same in both). */
const CHAT_NAME: Record<string, string> = { max_completions_tokens: 'max_completion_tokens' };
const GRADER_NAME: Record<string, string> = Object.fromEntries(Object.entries(CHAT_NAME).map(([grader, chat]) => [chat, grader]));

/** The grader's name for a chat request field (max_completion_tokens → max_completions_tokens), for errors. */
export function graderSamplingName(chatField: string): string {
	return GRADER_NAME[chatField] ?? chatField;
}

/** A grader's sampling_params as a judge's chat request fields; nulls (the server's default) are left out. */
export function chatSamplingParams(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
	if (!params) return undefined;
	const entries = Object.entries(params).filter(([, value]) => value !== null && value !== undefined);
	return entries.length ? Object.fromEntries(entries.map(([key, value]) => [CHAT_NAME[key] ?? key, value])) : undefined;
}

/** A judge's chat sampling fields back under the grader's names, for an exported grader. */
export function graderSamplingParams(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
	if (!params || Object.keys(params).length === 0) return undefined;
	return Object.fromEntries(Object.entries(params).map(([key, value]) => [GRADER_NAME[key] ?? key, value]));
}

const stringCheck = z.object({
	type: z.literal('string_check'),
	name: z.string(),
	input: z.string(),
	reference: z.string(),
	operation: z.enum(['eq', 'ne', 'like', 'ilike']),
});
// Strict: OpenAI's text_similarity has no other option, and one added here (a "smoothing", a
// "tokenizer") would otherwise be dropped without a word.
const textSimilarity = z
	.object({
		type: z.literal('text_similarity'),
		name: z.string(),
		input: z.string(),
		reference: z.string(),
		evaluation_metric: z.string(),
		pass_threshold: z.number().optional(),
	})
	.strict();
const scoreModel = z.object({
	type: z.literal('score_model'),
	name: z.string(),
	model: z.string().min(1),
	input: z.array(inputMessage).min(1),
	range: z.tuple([z.number(), z.number()]).optional(),
	pass_threshold: z.number().optional(),
	sampling_params: samplingParams,
});
const labelModel = z.object({
	type: z.literal('label_model'),
	name: z.string(),
	model: z.string().min(1),
	input: z.array(inputMessage).min(1),
	labels: z.array(z.string()).min(2),
	passing_labels: z.array(z.string()).min(1),
	sampling_params: samplingParams,
});
const single = z.discriminatedUnion('type', [stringCheck, textSimilarity, scoreModel, labelModel]);
/** Only a reinforcement job takes it (Score Output has no Python scorer). */
const python = z.object({ type: z.literal('python'), name: z.string(), source: z.string().min(1), image_tag: z.string().optional() });
const multi = z.object({
	type: z.literal('multi'),
	name: z.string(),
	graders: z.union([z.record(single), z.array(single).min(1)]),
	calculate_output: z.string().min(1),
	pass_threshold: z.number().optional(),
});

type SamplingParams = z.infer<typeof samplingParams>;
export type SingleGrader = z.infer<typeof single>;
export type MultiGrader = z.infer<typeof multi>;
export type Grader = SingleGrader | MultiGrader;

export class GraderError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'GraderError';
	}
}

export interface GraderPlan {
	specs: ScorerSpec[];
	combine: CombineOptions;
}

const variableName = (name: string) => name.replace(/\W+/g, '_').replace(/^(\d)/, '_$1') || 'grader';

function messageText(content: z.infer<typeof inputMessage>['content']): string {
	const parts = Array.isArray(content) ? content : [content];
	return parts.map((part) => (typeof part === 'string' ? part : part.text)).join('\n');
}

function toMessages(input: Array<z.infer<typeof inputMessage>>): Array<{ role: Role; content: string }> {
	return input.map((m) => ({ role: m.role, content: messageText(m.content) }));
}

/** One grader as a scorer spec, and the reward at which it passes on our [0, 1] scale. */
function specFromSingle(grader: SingleGrader, name: string, defaultThreshold: number): { spec: ScorerSpec; threshold: number } {
	switch (grader.type) {
		case 'string_check':
			return { spec: { type: 'string_check', name, config: { input: grader.input, reference: grader.reference, operation: grader.operation } }, threshold: 1 };
		case 'text_similarity': {
			if (!OPENAI_SIMILARITY_METRICS.includes(grader.evaluation_metric as SimilarityMetric)) {
				throw new GraderError(
					`${grader.name}: evaluation_metric "${grader.evaluation_metric}" is not supported here (supported: ${OPENAI_SIMILARITY_METRICS.join(', ')})`,
				);
			}
			const threshold = grader.pass_threshold ?? defaultThreshold;
			return {
				spec: {
					type: 'text_similarity',
					name,
					config: {
						metric: grader.evaluation_metric as SimilarityMetric,
						input: grader.input,
						reference: grader.reference,
						passThreshold: threshold,
						embeddingModel: grader.evaluation_metric === 'cosine' ? 'text-embedding-3-large' : undefined,
					},
				},
				threshold,
			};
		}
		case 'score_model': {
			const [min, max] = grader.range ?? [0, 1];
			const passThreshold = grader.pass_threshold ?? min + (max - min) / 2;
			return {
				spec: {
					type: 'score_model',
					name,
					config: { model: grader.model, input: toMessages(grader.input), range: [min, max], passThreshold, samplingParams: chatSamplingParams(grader.sampling_params) },
				},
				threshold: (passThreshold - min) / (max - min),
			};
		}
		case 'label_model':
			return {
				spec: {
					type: 'label_model',
					name,
					config: {
						model: grader.model,
						input: toMessages(grader.input),
						labels: grader.labels,
						passingLabels: grader.passing_labels,
						samplingParams: chatSamplingParams(grader.sampling_params),
					},
				},
				threshold: 1,
			};
	}
}

function describeZodError(error: z.ZodError): string {
	const issue = error.issues[0];
	return `${issue.path.length ? issue.path.join('.') : 'grader'}: ${issue.message}`;
}

/** Reads grader JSON (text or object). `defaultThreshold` applies where the grader sets none. */
export function specsFromGrader(input: unknown, defaultThreshold: number): GraderPlan {
	let value = input;
	if (typeof input === 'string') {
		try {
			value = JSON.parse(input);
		} catch (error) {
			throw new GraderError(`Grader JSON is not valid JSON (${(error as Error).message})`);
		}
	}
	const type = (value as { type?: unknown })?.type;
	if (type === 'python') throw new GraderError('python graders run code on OpenAI\'s servers and cannot run here');
	if (type === 'multi') {
		const parsed = multi.safeParse(value);
		if (!parsed.success) throw new GraderError(describeZodError(parsed.error));
		const entries = Array.isArray(parsed.data.graders)
			? parsed.data.graders.map((g) => [variableName(g.name), g] as const)
			: Object.entries(parsed.data.graders);
		const specs = entries.map(([key, grader]) => specFromSingle(grader, key, defaultThreshold).spec);
		return { specs, combine: { mode: 'formula', formula: parsed.data.calculate_output, threshold: parsed.data.pass_threshold ?? defaultThreshold } };
	}
	const parsed = single.safeParse(value);
	if (!parsed.success) throw new GraderError(describeZodError(parsed.error));
	const { spec, threshold } = specFromSingle(parsed.data, variableName(parsed.data.name), defaultThreshold);
	return { specs: [spec], combine: { mode: 'weighted', threshold } };
}

export interface PlanSpec {
	spec: ScorerSpec;
	weight: number;
	mustPass: boolean;
}

export type GraderExport = { grader: Grader; notes: string[] } | { grader: null; reason: string };

const SAMPLE_TEXT = '{{sample.output_text}}';

function rubricMessages(system: string, user: string): Array<{ role: Role; content: string }> {
	return [
		{ role: 'system', content: system },
		{ role: 'user', content: `${user}\n\nOutput to grade:\n${SAMPLE_TEXT}` },
	];
}

/** The grader equivalent of one scorer, or why there is none. */
function graderFromSpec(spec: ScorerSpec): SingleGrader | string {
	const name = spec.name;
	switch (spec.type) {
		case 'string_check':
			return { type: 'string_check', name, ...spec.config };
		case 'equals':
			if (!spec.config.caseSensitive || spec.config.trim !== false) {
				return `${name}: OpenAI's "eq" compares exactly; set Case Sensitive on and Trim off to export it`;
			}
			return { type: 'string_check', name, input: SAMPLE_TEXT, reference: String(spec.config.value), operation: spec.config.negate ? 'ne' : 'eq' };
		case 'contains':
			if (spec.config.negate || spec.config.values.length !== 1) return `${name}: only a single, non-negated "contains" has a string_check equivalent`;
			return { type: 'string_check', name, input: SAMPLE_TEXT, reference: spec.config.values[0], operation: spec.config.caseSensitive ? 'like' : 'ilike' };
		case 'text_similarity': {
			const config = spec.config;
			if (config.metric === 'exact') return `${name}: use Equals for exact matches`;
			if (!OPENAI_SIMILARITY_METRICS.includes(config.metric)) return `${name}: OpenAI's text_similarity has no ${config.metric}`;
			if (config.stemmer) return `${name}: OpenAI's ROUGE has no stemming option`;
			const changed = [
				config.rougeTokenizer !== undefined && config.rougeTokenizer !== 'rouge_score' && 'a ROUGE tokenization',
				config.rougeMeasure !== undefined && config.rougeMeasure !== 'fmeasure' && 'a ROUGE measure other than F-measure',
				config.tokenizer !== undefined && config.tokenizer !== 'words' && 'a BLEU/GLEU tokenization',
				config.lowercase === true && 'lowercasing',
				config.smoothing !== undefined && config.smoothing !== 'method1' && 'a BLEU smoothing other than method1',
				config.maxOrder !== undefined && config.maxOrder !== 4 && 'a max n-gram order other than 4',
			].filter((option): option is string => typeof option === 'string');
			if (changed.length > 0) return `${name}: OpenAI's text_similarity has no option for ${changed.join(', ')}`;
			return {
				type: 'text_similarity',
				name,
				input: spec.config.input ?? SAMPLE_TEXT,
				reference: spec.config.reference,
				evaluation_metric: spec.config.metric,
				pass_threshold: spec.config.passThreshold ?? 0.5,
			};
		}
		case 'score_model': {
			const [min, max] = spec.config.range ?? [0, 1];
			const sampling = graderSamplingParams(spec.config.samplingParams) as SamplingParams;
			return {
				type: 'score_model',
				name,
				model: spec.config.model,
				input: spec.config.input?.length
					? spec.config.input
					: rubricMessages(`Grade the output from ${min} to ${max} (higher is better).`, `Rubric:\n${spec.config.rubric ?? ''}`),
				range: [min, max],
				pass_threshold: spec.config.passThreshold ?? min + (max - min) / 2,
				...(sampling ? { sampling_params: sampling } : {}),
			};
		}
		case 'label_model':
			// The export is for reinforcement fine-tuning, whose graders are string_check,
			// text_similarity, python, score_model and multi: a label_model would be refused there.
			return `${name}: reinforcement fine-tuning takes no label_model grader (use a score_model judge to export it)`;
		default:
			return `${name}: OpenAI has no grader for "${spec.type}"`;
	}
}

/** The whole configuration as one grader, or the reason it has no equivalent. */
export function graderFromSpecs(entries: PlanSpec[], combine: CombineOptions, name = 'reward'): GraderExport {
	const graders: Record<string, SingleGrader> = {};
	for (const { spec } of entries) {
		const grader = graderFromSpec(spec);
		if (typeof grader === 'string') return { grader: null, reason: grader };
		graders[spec.name] = grader;
	}
	const notes = [`OpenAI graders have no pass threshold on the combined reward; ours is ${combine.threshold}.`];
	const gates = entries.filter((e) => e.mustPass);
	for (const gate of gates) {
		const binary = ['string_check', 'equals', 'contains'].includes(gate.spec.type);
		if (!binary) return { grader: null, reason: `${gate.spec.name}: a graded "must pass" scorer has no grader equivalent` };
	}
	let formula: string;
	if (combine.mode === 'formula') {
		formula = combine.formula ?? '';
	} else {
		const total = entries.reduce((sum, e) => sum + e.weight, 0);
		const weighted = entries.filter((e) => e.weight > 0).map((e) => `${+(e.weight / total).toFixed(6)} * ${e.spec.name}`);
		formula = weighted.join(' + ');
	}
	if (gates.length > 0) formula = `${gates.map((g) => g.spec.name).join(' * ')} * (${formula})`;
	if (entries.length === 1 && gates.length === 0 && combine.mode === 'weighted') {
		return { grader: Object.values(graders)[0], notes };
	}
	return { grader: { type: 'multi', name, graders, calculate_output: formula }, notes };
}

/** The grader types a reinforcement fine-tuning job takes (OpenAI's FineTuneReinforcementMethod). */
export const REINFORCEMENT_GRADER_TYPES = ['string_check', 'text_similarity', 'python', 'score_model', 'multi'] as const;
const MULTI_MEMBER_TYPES = ['string_check', 'text_similarity', 'python', 'score_model'];
/** Every text_similarity metric OpenAI's API takes (GraderTextSimilarity), also those that do not run here. */
const API_SIMILARITY_METRICS = ['cosine', 'fuzzy_match', 'bleu', 'gleu', 'meteor', 'rouge_1', 'rouge_2', 'rouge_3', 'rouge_4', 'rouge_5', 'rouge_l'] as const;

function memberProblem(grader: unknown, where: string): string | undefined {
	if (typeof grader !== 'object' || grader === null || Array.isArray(grader)) return `${where} is not a grader object`;
	const { type, name } = grader as { type?: unknown; name?: unknown };
	const called = typeof name === 'string' && name ? ` ("${name}")` : '';
	if (type === 'label_model') {
		return `${where}${called} is a label_model grader, which reinforcement fine-tuning does not take (use score_model, string_check, text_similarity, python or multi)`;
	}
	if (!MULTI_MEMBER_TYPES.includes(String(type))) return `${where}${called} has type ${JSON.stringify(type)}, not one of ${MULTI_MEMBER_TYPES.join(', ')}`;
	// Its fields as the API takes them (an operation it knows, a model grader's messages), checked
	// before the job is sent rather than refused by the server.
	const parsed = (type === 'python' ? python : single).safeParse(grader);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		return `${where}${called}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
	}
	// A model grader's sampling_params under the limits Score Output checks when it runs the same
	// grader as a judge (registry.ts): the grader's model samples as a chat model does, and the job's
	// document wants an integer seed, an integer max_completions_tokens of at least 1 and a known
	// reasoning_effort (GraderScoreModel.sampling_params).
	const sampling = chatSamplingParams((grader as { sampling_params?: Record<string, unknown> }).sampling_params);
	const samplingProblem = sampling ? chatBodyProblem(sampling, (field) => `sampling_params.${graderSamplingName(field)}`) : undefined;
	if (samplingProblem) return `${where}${called}: ${samplingProblem}`;
	const metric = (grader as { evaluation_metric?: unknown }).evaluation_metric;
	if (type === 'text_similarity' && !(API_SIMILARITY_METRICS as readonly unknown[]).includes(metric)) {
		return `${where}${called}: evaluation_metric ${JSON.stringify(metric)} is not one of ${API_SIMILARITY_METRICS.join(', ')}`;
	}
	return undefined;
}

/**
 * Why a grader cannot be sent with a reinforcement job, or undefined. Score Output writes
 * `{"none": "<scorer>: <why>"}` where its configuration has no grader equivalent: that is a reason,
 * not a grader. `multi` graders keep OpenAI's name → grader map (its guide and server use the map,
 * though the OpenAPI document types `graders` as one grader); a list is read the same way.
 */
export function reinforcementGraderProblem(grader: unknown): string | undefined {
	if (typeof grader !== 'object' || grader === null || Array.isArray(grader)) return 'the grader must be a JSON object';
	const { type, none, graders } = grader as { type?: unknown; none?: unknown; graders?: unknown };
	if (type === undefined && none !== undefined) {
		return `Score Output found no grader equivalent for its configuration: ${typeof none === 'string' ? none : JSON.stringify(none)}; reinforcement fine-tuning needs a grader`;
	}
	if (type === 'multi') {
		if (typeof graders !== 'object' || graders === null) return 'the multi grader needs "graders", a map of names to graders';
		const members = Array.isArray(graders) ? graders.map((g, i) => [String(i), g] as const) : Object.entries(graders);
		if (members.length === 0) return 'the multi grader has no graders';
		for (const [key, member] of members) {
			const problem = memberProblem(member, `graders.${key}`);
			if (problem) return problem;
		}
		return undefined;
	}
	if (type === 'label_model') return memberProblem(grader, 'the grader');
	if (!(REINFORCEMENT_GRADER_TYPES as readonly unknown[]).includes(type)) {
		return `the grader's type ${JSON.stringify(type)} is not one reinforcement fine-tuning takes (${REINFORCEMENT_GRADER_TYPES.join(', ')})`;
	}
	return memberProblem(grader, 'the grader');
}
