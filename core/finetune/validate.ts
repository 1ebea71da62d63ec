/**
 * Streaming validation of an OpenAI fine-tuning file (JSONL), with the checks, statistics and
 * cost estimate of OpenAI's cookbook "Data preparation and analysis for chat model fine-tuning"
 * (examples/Chat_finetuning_data_prep.ipynb), for supervised, preference (DPO) and reinforcement
 * (RFT) files. Every issue names its 1-based line; issues about the file as a whole name line 0.
 *
 * Memory stays bounded whatever the file's size: rows are checked one at a time and dropped, the
 * per-example numbers the percentiles need live in typed arrays (8 bytes each), and the stored
 * issue list stops at `maxErrors` while every issue is still counted.
 */
import { countChatTokens, countConversationTokens, encodingForModel, REPLY_PRIMING_TOKENS, type TokenEncoding, type TokenMessage } from './tokens';
import { distribution, estimateCost, NumberColumn, type CostEstimate, type Distribution } from './summary';
import { checkRow, detectKind, isObject, type JsonObject, type TrainingKind } from './validateRows';

export type { TrainingKind } from './validateRows';
export type { CostEstimate, Distribution } from './summary';

/**
 * The longest example, in tokens, for current OpenAI fine-tuning models: gpt-4o-2024-08-06 and
 * gpt-4o-mini-2024-07-18 take 65,536 tokens per training example (their inference context is
 * 128,000), and the gpt-4.1 family is documented with the same figure. Older models take less
 * (gpt-3.5-turbo-0125: 16,385; the cookbook's original 4,096); pass `maxTokensPerExample` for
 * them. OpenAI truncates a longer example from its end rather than rejecting it, so `too_long`
 * is a warning.
 */
export const DEFAULT_MAX_TOKENS_PER_EXAMPLE = 65_536;

/** OpenAI rejects a fine-tuning file with fewer than 10 examples. */
export const MIN_EXAMPLES = 10;

export const DEFAULT_MAX_ERRORS = 100;

/** A line of the file: its 1-based number and its text without the line break. */
export interface TrainingLine {
	line: number;
	text: string;
}

export interface ValidateTrainingFileOptions {
	/** The training method; 'auto' (the default) takes the one most rows of the whole file look like. */
	kind?: TrainingKind | 'auto';
	/** The tokenizer; without it, the model's (see encodingForModel), else o200k_base. */
	encoding?: TokenEncoding;
	/** The model to fine-tune, to choose the encoding when `encoding` is not given. */
	model?: string;
	/** Default DEFAULT_MAX_TOKENS_PER_EXAMPLE (65,536). */
	maxTokensPerExample?: number;
	/** A number of epochs, or 'auto' (the default) for the cookbook's rule (autoEpochs). */
	epochs?: number | 'auto';
	/** The training price in the caller's currency per 1,000,000 trained tokens, for `estimate.cost`. */
	pricePerMillionTokens?: number;
	/** How many issues to keep in `errors` (default 100); all are counted in `errorCounts`. */
	maxErrors?: number;
}

export interface ValidationIssue {
	/** 1-based line number; 0 for the file as a whole. */
	line: number;
	code: string;
	message: string;
	/** A warning (only `too_long` today) does not make the file fail. */
	severity: 'error' | 'warning';
}

export interface ValidationSummary {
	/** The examples without errors, which the statistics and the estimate are about. */
	examples: number;
	/** Messages per example; a preference example counts its input messages and one output. */
	messagesPerExample: Distribution | null;
	/**
	 * Tokens per example (countChatTokens); a preference example counts both of its sequences,
	 * input + preferred output and input + non-preferred output.
	 */
	totalTokensPerExample: Distribution | null;
	/** Tokens of the assistant's messages per example (countAssistantTokens); both outputs of a preference example. */
	assistantTokensPerExample: Distribution | null;
	examplesMissingSystem: number;
	examplesMissingUser: number;
	examplesMissingAssistant: number;
	/** Examples with a sequence over maxTokensPerExample (each also a `too_long` warning). */
	examplesTooLong: number;
}

export interface ValidationReport {
	/** No issue of severity 'error'. */
	ok: boolean;
	/** The training method every row was checked as (null when it was detected and no row was an object). */
	kind: TrainingKind | null;
	/** Whether `kind` is the caller's (the node's Training Method) or detected from the whole file. */
	kindFrom: 'setting' | 'detected';
	encoding: TokenEncoding;
	/** Non-blank lines, each meant to be one example. */
	examples: number;
	/** The first `maxErrors` issues, in line order, then those about the whole file (line 0). */
	errors: ValidationIssue[];
	/** Whether issues were left out of `errors`. */
	errorsTruncated: boolean;
	/** Every issue counted by code, including those left out of `errors`. */
	errorCounts: Record<string, number>;
	/** How the training method was decided, when it was detected. */
	notes: string[];
	summary: ValidationSummary;
	estimate: CostEstimate;
}

const WARNING_CODES = new Set(['too_long']);

/** Lines between two yields to the event loop, so that a long file does not block a worker. */
const YIELD_EVERY = 2_000;

function requireNumber(name: string, value: number, test: (value: number) => boolean, expected: string): void {
	if (typeof value !== 'number' || !test(value)) throw new RangeError(`${name} must be ${expected}, got ${String(value)}`);
}

function checkOptions(options: ValidateTrainingFileOptions): void {
	if (options.maxTokensPerExample !== undefined) {
		requireNumber('maxTokensPerExample', options.maxTokensPerExample, (v) => Number.isInteger(v) && v > 0, 'a positive integer');
	}
	if (options.epochs !== undefined && options.epochs !== 'auto') {
		requireNumber('epochs', options.epochs, (v) => Number.isInteger(v) && v > 0, "a positive integer or 'auto'");
	}
	if (options.pricePerMillionTokens !== undefined) {
		requireNumber('pricePerMillionTokens', options.pricePerMillionTokens, (v) => Number.isFinite(v) && v >= 0, 'a number ≥ 0');
	}
	if (options.maxErrors !== undefined) {
		requireNumber('maxErrors', options.maxErrors, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
	}
	if (options.kind !== undefined && !['auto', 'supervised', 'preference', 'reinforcement'].includes(options.kind)) {
		throw new RangeError(`kind must be supervised, preference, reinforcement or auto, got ${String(options.kind)}`);
	}
}

/** What the statistics need from a valid row: its token sequences and its roles. */
interface ExampleView {
	/** Chat token count of each sequence the trainer sees. */
	sequenceTokens: number[];
	assistantTokens: number;
	messages: number;
	roles: Set<unknown>;
}

function roleSet(messages: TokenMessage[]): Set<unknown> {
	return new Set(messages.map((message) => message.role));
}

function viewExample(row: JsonObject, kind: TrainingKind, encoding: TokenEncoding): ExampleView {
	if (kind === 'preference') {
		const input = (row.input as JsonObject).messages as TokenMessage[];
		const preferred = countConversationTokens(row.preferred_output as TokenMessage[], encoding);
		const nonPreferred = countConversationTokens(row.non_preferred_output as TokenMessage[], encoding);
		// countChatTokens(a ++ b) = countChatTokens(a) + countChatTokens(b) − the reply priming counted twice.
		const inputTokens = countChatTokens(input, encoding) - REPLY_PRIMING_TOKENS;
		return {
			sequenceTokens: [inputTokens + preferred.total, inputTokens + nonPreferred.total],
			assistantTokens: preferred.assistant + nonPreferred.assistant,
			messages: input.length + 1,
			roles: roleSet([...input, ...(row.preferred_output as TokenMessage[])]),
		};
	}
	const messages = row.messages as TokenMessage[];
	const counted = countConversationTokens(messages, encoding);
	return {
		sequenceTokens: [counted.total],
		assistantTokens: counted.assistant,
		messages: messages.length,
		roles: roleSet(messages),
	};
}

function formatCount(n: number): string {
	return n.toLocaleString('en-US');
}

const KINDS: readonly TrainingKind[] = ['supervised', 'preference', 'reinforcement'];

/** What a file judged as one training method adds up to: its issues and its valid examples' numbers. */
class Tally {
	readonly errors: ValidationIssue[] = [];
	readonly errorCounts: Record<string, number> = {};
	failing = 0;
	readonly messagesPerExample = new NumberColumn(64);
	readonly totalTokens = new NumberColumn(64);
	readonly assistantTokens = new NumberColumn(64);
	billingTokens = 0;
	missingSystem = 0;
	missingUser = 0;
	missingAssistant = 0;
	tooLong = 0;

	constructor(
		readonly kind: TrainingKind,
		private readonly maxErrors: number,
	) {}

	report(line: number, code: string, message: string): void {
		const severity = WARNING_CODES.has(code) ? 'warning' : 'error';
		this.errorCounts[code] = (this.errorCounts[code] ?? 0) + 1;
		if (severity === 'error') this.failing++;
		if (this.errors.length < this.maxErrors) this.errors.push({ line, code, message, severity });
	}

	get valid(): number {
		return this.totalTokens.length;
	}
}

function kindVotesNote(votes: Record<TrainingKind, number>, kind: TrainingKind): string {
	const total = KINDS.reduce((sum, k) => sum + votes[k], 0);
	const others = KINDS.filter((k) => k !== kind && votes[k] > 0).map((k) => `${formatCount(votes[k])} look ${k}`);
	return (
		`Training method detected from the whole file: ${kind} (${formatCount(votes[kind])} of ${formatCount(total)} rows look ${kind}` +
		`${others.length > 0 ? `; ${others.join(', ')}` : ''}); every row was checked as ${kind}. Set Training Method to check the file as another.`
	);
}

/**
 * Validates a fine-tuning file given as its lines, one at a time (an array, a generator or an
 * async stream of `{ line, text }`). Never throws for the file's content, only for bad options.
 *
 * The training method is `options.kind`, or with 'auto' the one most rows look like (detectKind,
 * ties in the order supervised, preference, reinforcement), with a note in `notes`. To stay one
 * pass over a stream, 'auto' checks each row as every method as it comes and keeps the three
 * tallies (bounded: `maxErrors` issues and 8 bytes per valid example each); the chosen one is the
 * report. Tokens are counted once per row whichever methods it is valid for.
 */
export async function validateTrainingFile(
	lines: AsyncIterable<TrainingLine> | Iterable<TrainingLine>,
	options: ValidateTrainingFileOptions = {},
): Promise<ValidationReport> {
	checkOptions(options);
	const encoding = options.encoding ?? (options.model ? encodingForModel(options.model) : 'o200k_base');
	const maxTokensPerExample = options.maxTokensPerExample ?? DEFAULT_MAX_TOKENS_PER_EXAMPLE;
	const maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
	const given: TrainingKind | undefined = options.kind && options.kind !== 'auto' ? options.kind : undefined;
	const tallies = (given ? [given] : KINDS).map((kind) => new Tally(kind, maxErrors));
	const votes: Record<TrainingKind, number> = { supervised: 0, preference: 0, reinforcement: 0 };
	const reportAll = (line: number, code: string, message: string) => tallies.forEach((tally) => tally.report(line, code, message));

	let examples = 0;
	let seen = 0;

	for await (const { line, text } of lines) {
		if (++seen % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
		// A byte-order mark is not part of the first row's JSON.
		const body = seen === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
		if (body.trim() === '') {
			reportAll(line, 'blank_line', 'blank line: every line of a JSONL file must be one example');
			continue;
		}
		examples++;
		let row: unknown;
		try {
			row = JSON.parse(body);
		} catch (error) {
			reportAll(line, 'invalid_json', `not valid JSON: ${(error as Error).message}`);
			continue;
		}
		if (!isObject(row)) {
			reportAll(line, 'data_type', `the example is ${Array.isArray(row) ? 'an array' : row === null ? 'null' : `a ${typeof row}`}, not an object`);
			continue;
		}
		votes[detectKind(row)]++;
		// Supervised and reinforcement rows count their tokens alike (their messages).
		const views: Partial<Record<'messages' | 'preference', ExampleView>> = {};
		for (const tally of tallies) {
			const issues = checkRow(row, tally.kind);
			for (const issue of issues) tally.report(line, issue.code, issue.message);
			if (issues.length > 0) continue;
			const viewKey = tally.kind === 'preference' ? 'preference' : 'messages';
			const view = (views[viewKey] ??= viewExample(row, tally.kind, encoding));
			let total = 0;
			let longest = 0;
			for (const tokens of view.sequenceTokens) {
				total += tokens;
				longest = Math.max(longest, tokens);
				tally.billingTokens += Math.min(maxTokensPerExample, tokens);
			}
			tally.messagesPerExample.push(view.messages);
			tally.totalTokens.push(total);
			tally.assistantTokens.push(view.assistantTokens);
			if (!view.roles.has('system') && !view.roles.has('developer')) tally.missingSystem++;
			if (!view.roles.has('user')) tally.missingUser++;
			if (!view.roles.has('assistant')) tally.missingAssistant++;
			if (longest > maxTokensPerExample) {
				tally.tooLong++;
				tally.report(
					line,
					'too_long',
					`the example has ${formatCount(longest)} tokens, over the ${formatCount(maxTokensPerExample)}-token limit for one example; it will be truncated during fine-tuning`,
				);
			}
		}
	}

	const objects = KINDS.reduce((sum, k) => sum + votes[k], 0);
	const notes: string[] = [];
	let kind: TrainingKind | null = given ?? null;
	if (!given && objects > 0) {
		kind = KINDS.reduce((best, k) => (votes[k] > votes[best] ? k : best), KINDS[0]);
		notes.push(kindVotesNote(votes, kind));
	}
	const tally = tallies.find((t) => t.kind === kind) ?? tallies[0];

	if (tally.valid < MIN_EXAMPLES) {
		tally.report(
			0,
			'too_few_examples',
			`the file has ${formatCount(tally.valid)} valid example(s)${tally.valid === examples ? '' : ` among ${formatCount(examples)} line(s)`}; OpenAI fine-tuning requires at least ${MIN_EXAMPLES}`,
		);
	}

	const errorTotal = Object.values(tally.errorCounts).reduce((sum, n) => sum + n, 0);
	return {
		ok: tally.failing === 0,
		kind,
		kindFrom: given ? 'setting' : 'detected',
		encoding,
		examples,
		errors: tally.errors,
		errorsTruncated: errorTotal > tally.errors.length,
		errorCounts: tally.errorCounts,
		notes,
		summary: {
			examples: tally.valid,
			messagesPerExample: distribution(tally.messagesPerExample),
			totalTokensPerExample: distribution(tally.totalTokens),
			assistantTokensPerExample: distribution(tally.assistantTokens),
			examplesMissingSystem: tally.missingSystem,
			examplesMissingUser: tally.missingUser,
			examplesMissingAssistant: tally.missingAssistant,
			examplesTooLong: tally.tooLong,
		},
		estimate: estimateCost(
			{ examples: tally.valid, billingTokens: tally.billingTokens },
			{ maxTokensPerExample, epochs: options.epochs ?? 'auto', pricePerMillionTokens: options.pricePerMillionTokens },
		),
	};
}
