/**
 * Training-file rows: an example written in the format a trainer reads. Each example gives one row
 * today; toRows returns a list so a format may split an example later without changing callers.
 *
 * Weights (`weight: 0` on an assistant message) exist in the OpenAI format only; the other formats
 * drop them, since they have no per-message switch that every trainer reading them honours.
 */
import type { AssistantTrainingMessage, ExampleKind, PreferenceExample, SupervisedExample, TrainingExample, TrainingMessage } from './examples';
import { tryParseJson } from '../json/tryParseJson';

export const TRAINING_FORMATS = ['openai', 'trl', 'sharegpt', 'alpaca'] as const;
export type TrainingFormat = (typeof TRAINING_FORMATS)[number];

export type JsonRow = Record<string, unknown>;

/** An example the chosen format cannot express. */
export class FormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FormatError';
	}
}

/** Whether a format has rows for a kind of example (ShareGPT and Alpaca have no reinforcement rows). */
export function supportsKind(format: TrainingFormat, kind: ExampleKind): boolean {
	return kind !== 'reinforcement' || format === 'openai' || format === 'trl';
}

export function toRows(example: TrainingExample, format: TrainingFormat): JsonRow[] {
	switch (format) {
		case 'openai':
			return [openAiRow(example)];
		case 'trl':
			return [trlRow(example)];
		case 'sharegpt':
			return [shareGptRow(example)];
		case 'alpaca':
			return [alpacaRow(example)];
		default:
			throw new FormatError(`unknown training format ${JSON.stringify(format)}; use one of ${TRAINING_FORMATS.join(', ')}`);
	}
}

function withoutWeight(message: TrainingMessage): TrainingMessage {
	if (!('weight' in message)) return message;
	const { weight: _weight, ...rest } = message as AssistantTrainingMessage;
	return rest;
}

/** Assistant messages keep their weight; any other message's is dropped. */
function openAiMessage(message: TrainingMessage): TrainingMessage {
	return message.role === 'assistant' ? message : withoutWeight(message);
}

function assistantTurn(content: string): [{ role: 'assistant'; content: string }] {
	return [{ role: 'assistant', content }];
}

function requireFreeKeys(reference: Record<string, unknown>, reserved: readonly string[], format: string): void {
	const clash = Object.keys(reference).find((key) => reserved.includes(key));
	if (clash !== undefined) {
		throw new FormatError(`the reference field "${clash}" clashes with the ${format} row's own "${clash}" key; rename it (${format} reserves ${reserved.join(', ')})`);
	}
}

// ---------------------------------------------------------------------------------------------
// OpenAI (also Azure OpenAI and Together, which read the same rows)
//
// supervised    {"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello","weight":1}],"tools":[...]}
//   https://platform.openai.com/docs/guides/supervised-fine-tuning (weight: assistant messages only)
// preference    {"input":{"messages":[{"role":"user","content":"Hi"}]},"preferred_output":[{"role":"assistant","content":"Hello"}],"non_preferred_output":[{"role":"assistant","content":"Go away"}]}
//   https://platform.openai.com/docs/guides/direct-preference-optimization,
//   https://docs.together.ai/docs/preference-fine-tuning ("exactly one message from the assistant role")
// reinforcement {"messages":[{"role":"user","content":"2+2?"}],"reference_answer":"4"}
//   https://platform.openai.com/docs/guides/reinforcement-fine-tuning: "messages and tools are the only
//   reserved keywords"; any other key is readable by graders as {{ item.<key> }}
// ---------------------------------------------------------------------------------------------

const OPENAI_RFT_RESERVED = ['messages', 'tools'] as const;

function openAiRow(example: TrainingExample): JsonRow {
	switch (example.kind) {
		case 'supervised':
			return example.tools ? { messages: example.messages.map(openAiMessage), tools: example.tools } : { messages: example.messages.map(openAiMessage) };
		case 'preference':
			return {
				input: { messages: example.prompt.map(withoutWeight) },
				preferred_output: assistantTurn(example.chosen),
				non_preferred_output: assistantTurn(example.rejected),
			};
		case 'reinforcement':
			requireFreeKeys(example.reference, OPENAI_RFT_RESERVED, 'openai');
			return { messages: example.messages.map(withoutWeight), ...example.reference };
	}
}

// ---------------------------------------------------------------------------------------------
// TRL (conversational format, https://huggingface.co/docs/trl/dataset_formats)
//
// supervised    {"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}],"tools":[...]}
//   language modeling type; SFTTrainer reads tool definitions from a "tools" column
//   (https://huggingface.co/docs/trl/sft_trainer, "Tool Calling with SFT")
// preference    {"prompt":[{"role":"user","content":"Hi"}],"chosen":[{"role":"assistant","content":"Hello"}],"rejected":[{"role":"assistant","content":"Go away"}]}
// reinforcement {"prompt":[{"role":"user","content":"2+2?"}],"reference_answer":"4"}
//   prompt-only type for GRPOTrainer, whose reward functions receive every other column as a
//   keyword argument next to prompts, completions, completion_ids and trainer_state
//   (https://huggingface.co/docs/trl/grpo_trainer, "Using a custom reward function")
//
// Tool-call arguments become objects: Transformers chat templates take `arguments` as a dict
// (https://huggingface.co/docs/transformers/chat_extras), while OpenAI sends a JSON string.
// ---------------------------------------------------------------------------------------------

const TRL_GRPO_RESERVED = ['prompt', 'prompts', 'completion', 'completions', 'completion_ids', 'trainer_state'] as const;

/** A tool call's arguments as an object when they are JSON text of one, else unchanged. */
function argumentsValue(text: string): unknown {
	const parsed = tryParseJson(text);
	return parsed.ok && typeof parsed.value === 'object' && parsed.value !== null && !Array.isArray(parsed.value) ? parsed.value : text;
}

function trlMessage(message: TrainingMessage): JsonRow {
	const plain = withoutWeight(message);
	if (plain.role !== 'assistant' || !plain.tool_calls?.length) return plain;
	return {
		...plain,
		tool_calls: plain.tool_calls.map((call) => ({ ...call, function: { ...call.function, arguments: argumentsValue(call.function.arguments) } })),
	};
}

function trlRow(example: TrainingExample): JsonRow {
	switch (example.kind) {
		case 'supervised':
			return example.tools ? { messages: example.messages.map(trlMessage), tools: example.tools } : { messages: example.messages.map(trlMessage) };
		case 'preference':
			return { prompt: example.prompt.map(trlMessage), chosen: assistantTurn(example.chosen), rejected: assistantTurn(example.rejected) };
		case 'reinforcement':
			requireFreeKeys(example.reference, TRL_GRPO_RESERVED, 'trl');
			return { prompt: example.messages.map(trlMessage), ...example.reference };
	}
}

// ---------------------------------------------------------------------------------------------
// Text formats: the content of every message must be text.
// ---------------------------------------------------------------------------------------------

/** The word with "a" or "an" before it. */
function withArticle(word: string): string {
	return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

function textOf(message: TrainingMessage, index: number, format: string): string {
	const content: unknown = message.content;
	if (typeof content === 'string') return content;
	if (content === null || content === undefined) return '';
	return (content as Array<{ type: string; text?: string }>)
		.map((part) => {
			if (part.type !== 'text') {
				throw new FormatError(`messages[${index}]: ${format} rows hold text only, and this ${message.role} message has ${withArticle(part.type)} part`);
			}
			return part.text as string;
		})
		.join('');
}

function isSystem(message: TrainingMessage): message is Extract<TrainingMessage, { role: 'system' | 'developer' }> {
	return message.role === 'system' || message.role === 'developer';
}

/** The leading system (or developer) message's text; a system message anywhere else cannot be written. */
function leadingSystem(messages: TrainingMessage[], format: string): string | undefined {
	messages.forEach((message, index) => {
		if (index > 0 && isSystem(message)) {
			throw new FormatError(`messages[${index}]: ${format} rows take one system prompt, before the conversation; this ${message.role} message is at position ${index}`);
		}
	});
	return messages.length > 0 && isSystem(messages[0]) ? textOf(messages[0], 0, format) : undefined;
}

// ---------------------------------------------------------------------------------------------
// ShareGPT (LLaMA-Factory and Axolotl)
//
// supervised    {"conversations":[{"from":"system","value":"Be brief."},{"from":"human","value":"Hi"},{"from":"gpt","value":"Hello"}],"tools":"[...]"}
// preference    {"conversations":[{"from":"human","value":"Hi"}],"chosen":{"from":"gpt","value":"Hello"},"rejected":{"from":"gpt","value":"Go away"}}
//   https://github.com/hiyouga/LLaMA-Factory/blob/main/data/README.md ("Sharegpt Format"; the
//   preference row is its ranking format). Human and observation turns take the odd positions, gpt
//   and function_call the even ones; `tools` is a JSON string.
//
// The system prompt is the first turn, `{"from":"system"}`, rather than LLaMA-Factory's separate
// `system` column, because both trainers read it there with no extra configuration: LLaMA-Factory's
// SharegptDatasetConverter takes a first turn whose role is system_tag (default "system") as the
// system prompt, and Axolotl's sharegpt docs allow an "optional: first row with role system"
// (https://github.com/axolotl-ai-cloud/axolotl/blob/main/docs/dataset-formats/conversation.qmd;
// its chat_template loader maps system, human and gpt by default).
//
// Tool calls (LLaMA-Factory only): an assistant message with tool calls becomes a function_call turn
// whose value is the JSON of {"name","arguments"} (a list for parallel calls), and tool results
// become observation turns; consecutive tool results join into one observation, one per line.
// ---------------------------------------------------------------------------------------------

export type ShareGptFrom = 'system' | 'human' | 'gpt' | 'function_call' | 'observation';

export interface ShareGptTurn {
	from: ShareGptFrom;
	value: string;
}

function functionCallValue(message: AssistantTrainingMessage, index: number): string {
	if (typeof message.content === 'string' ? message.content.trim() : (message.content?.length ?? 0) > 0) {
		throw new FormatError(`messages[${index}]: a sharegpt function_call turn holds tool calls only, and this assistant message also has text`);
	}
	const calls = (message.tool_calls ?? []).map((call) => ({ name: call.function.name, arguments: argumentsValue(call.function.arguments) }));
	return JSON.stringify(calls.length === 1 ? calls[0] : calls);
}

/** The conversation as ShareGPT turns, checked for the alternation LLaMA-Factory requires. */
function shareGptTurns(messages: TrainingMessage[]): ShareGptTurn[] {
	const system = leadingSystem(messages, 'sharegpt');
	const turns: ShareGptTurn[] = system === undefined ? [] : [{ from: 'system', value: system }];
	const sources: number[] = system === undefined ? [] : [0];
	messages.forEach((message, index) => {
		if (isSystem(message)) return;
		let turn: ShareGptTurn;
		if (message.role === 'user') turn = { from: 'human', value: textOf(message, index, 'sharegpt') };
		else if (message.role === 'tool') {
			const previous = turns[turns.length - 1];
			const value = textOf(message, index, 'sharegpt');
			if (previous?.from === 'observation') {
				previous.value += `\n${value}`;
				return;
			}
			turn = { from: 'observation', value };
		} else if (message.tool_calls?.length) turn = { from: 'function_call', value: functionCallValue(message, index) };
		else turn = { from: 'gpt', value: textOf(message, index, 'sharegpt') };
		turns.push(turn);
		sources.push(index);
	});
	const start = system === undefined ? 0 : 1;
	for (let position = start; position < turns.length; position++) {
		const promptSide = (position - start) % 2 === 0;
		const from = turns[position].from;
		if (promptSide ? from !== 'human' && from !== 'observation' : from !== 'gpt' && from !== 'function_call') {
			throw new FormatError(
				`messages[${sources[position]}]: sharegpt turns must alternate a human (or tool result) turn and an assistant turn, ` +
					`and this message gives a ${from} turn where ${promptSide ? 'a human or observation' : 'a gpt or function_call'} turn belongs`,
			);
		}
	}
	return turns;
}

function shareGptRow(example: TrainingExample): JsonRow {
	switch (example.kind) {
		case 'supervised': {
			const conversations = shareGptTurns(example.messages);
			return example.tools ? { conversations, tools: JSON.stringify(example.tools) } : { conversations };
		}
		case 'preference':
			return {
				conversations: shareGptTurns(example.prompt),
				chosen: { from: 'gpt', value: example.chosen },
				rejected: { from: 'gpt', value: example.rejected },
			};
		case 'reinforcement':
			throw unsupportedReinforcement('sharegpt');
	}
}

function unsupportedReinforcement(format: string): FormatError {
	return new FormatError(`the ${format} format has no reinforcement (RFT) rows; write reinforcement examples as openai or trl`);
}

// ---------------------------------------------------------------------------------------------
// Alpaca (LLaMA-Factory and Axolotl)
//
// supervised    {"instruction":"Hi again","input":"","output":"Hello again","system":"Be brief.","history":[["Hi","Hello"]]}
// preference    {"instruction":"Hi","input":"","chosen":"Hello","rejected":"Go away","system":"Be brief."}
//   https://github.com/hiyouga/LLaMA-Factory/blob/main/data/README.md ("Alpaca Format": supervised
//   and preference datasets; `history` holds the earlier [prompt, response] pairs and is read for
//   preference rows too). `system` and `history` appear only when the conversation has them; to use
//   them, LLaMA-Factory's dataset_info.json maps the columns. Axolotl's `alpaca` type reads
//   instruction, input and output (https://github.com/axolotl-ai-cloud/axolotl/blob/main/docs/dataset-formats/inst_tune.qmd).
// ---------------------------------------------------------------------------------------------

interface AlpacaConversation {
	system?: string;
	history: Array<[string, string]>;
	/** The final user message, when the conversation ends with one. */
	instruction?: string;
	/** The final assistant message, when the conversation ends with one. */
	output?: string;
}

/** Splits [system?, user, assistant, user, assistant, ...] into the Alpaca fields. */
function alpacaConversation(messages: TrainingMessage[]): AlpacaConversation {
	const system = leadingSystem(messages, 'alpaca');
	const turns: string[] = [];
	messages.forEach((message, index) => {
		if (isSystem(message)) return;
		if (message.role === 'tool' || (message.role === 'assistant' && message.tool_calls?.length)) {
			throw new FormatError(`messages[${index}]: alpaca rows have no tool calls or tool results; write this conversation as openai, trl or sharegpt`);
		}
		const expected = turns.length % 2 === 0 ? 'user' : 'assistant';
		if (message.role !== expected) {
			throw new FormatError(`messages[${index}]: alpaca rows need user and assistant messages taking turns, and this ${message.role} message is where ${withArticle(expected)} message belongs`);
		}
		turns.push(textOf(message, index, 'alpaca'));
	});
	const history: Array<[string, string]> = [];
	for (let i = 0; i + 1 < turns.length; i += 2) history.push([turns[i], turns[i + 1]]);
	const conversation: AlpacaConversation = { history };
	if (system !== undefined) conversation.system = system;
	if (turns.length % 2 === 1) conversation.instruction = turns[turns.length - 1];
	else if (history.length > 0) {
		const [instruction, output] = history.pop() as [string, string];
		conversation.instruction = instruction;
		conversation.output = output;
	}
	return conversation;
}

function alpacaExtras(conversation: AlpacaConversation): JsonRow {
	const extras: JsonRow = {};
	if (conversation.system !== undefined) extras.system = conversation.system;
	if (conversation.history.length > 0) extras.history = conversation.history;
	return extras;
}

function alpacaSupervised(example: SupervisedExample): JsonRow {
	if (example.tools) throw new FormatError('alpaca rows have no tool definitions; write examples with tools as openai, trl or sharegpt');
	const conversation = alpacaConversation(example.messages);
	if (conversation.output === undefined) throw new FormatError('alpaca supervised rows need a conversation that ends with an assistant answer');
	return { instruction: conversation.instruction, input: '', output: conversation.output, ...alpacaExtras(conversation) };
}

function alpacaPreference(example: PreferenceExample): JsonRow {
	const conversation = alpacaConversation(example.prompt);
	if (conversation.instruction === undefined || conversation.output !== undefined) {
		throw new FormatError('alpaca preference rows need a prompt that ends with a user message');
	}
	return { instruction: conversation.instruction, input: '', chosen: example.chosen, rejected: example.rejected, ...alpacaExtras(conversation) };
}

function alpacaRow(example: TrainingExample): JsonRow {
	switch (example.kind) {
		case 'supervised':
			return alpacaSupervised(example);
		case 'preference':
			return alpacaPreference(example);
		case 'reinforcement':
			throw unsupportedReinforcement('alpaca');
	}
}

