/**
 * The Fine-tune node's in-memory examples, built from an item's fields. An example is independent
 * of the file format it is written in (see formats.ts): the same supervised example becomes an
 * OpenAI, TRL, ShareGPT or Alpaca row.
 */
import { MessageListError, parseMessageList, type ChatMessage } from '../generate/messages';
import { tryParseJson } from '../json/tryParseJson';

/** An assistant message; `weight: 0` tells OpenAI not to train on it (OpenAI reads weight on assistant messages only). */
export type AssistantTrainingMessage = Extract<ChatMessage, { role: 'assistant' }> & { weight?: 0 | 1 };
export type TrainingMessage = Exclude<ChatMessage, { role: 'assistant' }> | AssistantTrainingMessage;

/** A conversation to imitate: every assistant message (with weight 1 or none) is learned. */
export interface SupervisedExample {
	kind: 'supervised';
	messages: TrainingMessage[];
	/** Tool definitions the conversation may call, in OpenAI's `{ type: 'function', function }` shape. */
	tools?: unknown[];
}

/** A prompt and two answers, the first preferred over the second (DPO and reward models). */
export interface PreferenceExample {
	kind: 'preference';
	prompt: TrainingMessage[];
	chosen: string;
	rejected: string;
}

/**
 * A prompt for reinforcement fine-tuning: the model answers it during training and graders score
 * the answer against `reference` (OpenAI RFT graders read these fields as `item.<name>`).
 */
export interface ReinforcementExample {
	kind: 'reinforcement';
	messages: TrainingMessage[];
	reference: Record<string, unknown>;
}

export type TrainingExample = SupervisedExample | PreferenceExample | ReinforcementExample;
export type ExampleKind = TrainingExample['kind'];

/** An item that cannot become an example; `field` names the item field at fault, when one is. */
export class ExampleError extends Error {
	constructor(
		message: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'ExampleError';
	}
}

export type ItemJson = Record<string, unknown>;

export interface SupervisedFieldOptions {
	/** Field holding a message list (an array or its JSON text). Takes precedence over prompt/response. */
	messagesField?: string;
	/** Field holding the user's prompt text (default `prompt`). */
	promptField?: string;
	/** Field holding the assistant's answer text (default `response`). */
	responseField?: string;
	/** A system message put first when the messages have no system or developer message of their own. */
	systemMessage?: string;
	/**
	 * The key, inside each message of a message list, that holds its weight: 0, 1, false or true
	 * (default `weight`). It ends up as `weight` on assistant messages; on others only 0 is allowed, and dropped.
	 */
	weightField?: string;
	/** Field holding tool definitions (an array or its JSON text). */
	toolsField?: string;
}

export interface PreferenceFieldOptions {
	/** Field holding the prompt: text, or an array of messages (default `prompt`). */
	promptField?: string;
	/** Field holding the preferred answer (default `chosen`). */
	chosenField?: string;
	/** Field holding the worse answer (default `rejected`). */
	rejectedField?: string;
	/** Field holding a Reward Loop's `preferencePairs` output; its `dpo` rows become examples (default `preferencePairs`). */
	pairsField?: string;
	systemMessage?: string;
}

export interface ReinforcementFieldOptions {
	/** Field holding a message list. Takes precedence over promptField. */
	messagesField?: string;
	/** Field holding the user's prompt text (default `prompt`). */
	promptField?: string;
	/** Fields copied, under the same names, next to the messages for the graders to read. */
	referenceFields: string[];
	systemMessage?: string;
}

type FieldRead = { found: true; value: unknown } | { found: false };

/** Reads a field by its own name, or else as a dot path (`answer.text`, `rows.0.text`). */
export function readField(json: ItemJson, name: string): FieldRead {
	if (Object.prototype.hasOwnProperty.call(json, name)) return { found: true, value: json[name] };
	if (!name.includes('.')) return { found: false };
	let current: unknown = json;
	for (const key of name.split('.')) {
		if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) {
			return { found: false };
		}
		current = (current as Record<string, unknown>)[key];
	}
	return { found: true, value: current };
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? 'an object' : typeof value;
}

function requireField(json: ItemJson, field: string): unknown {
	const read = readField(json, field);
	if (!read.found) throw new ExampleError(`the item has no field "${field}"`, field);
	return read.value;
}

function requireText(json: ItemJson, field: string): string {
	const value = requireField(json, field);
	if (typeof value !== 'string') throw new ExampleError(`${field} must be text, got ${describe(value)}`, field);
	if (!value.trim()) throw new ExampleError(`${field} is empty`, field);
	return value;
}

/** An array, or JSON text of one; `where` is its path within the item field `field`. */
function requireList(value: unknown, where: string, what: string, field = where): unknown[] {
	let list = value;
	if (typeof list === 'string') {
		const parsed = tryParseJson(list);
		if (!parsed.ok) throw new ExampleError(`${where} is a string that is not valid JSON`, field);
		list = parsed.value;
	}
	if (!Array.isArray(list)) throw new ExampleError(`${where} must be ${what}, got ${describe(list)}`, field);
	return list;
}

function parseWeight(value: unknown, where: string, field: string): 0 | 1 {
	if (value === 0 || value === false) return 0;
	if (value === 1 || value === true) return 1;
	throw new ExampleError(`${where}: must be 0 or 1, got ${JSON.stringify(value) ?? describe(value)}`, field);
}

/**
 * Validates a message list. With `weightKey`, each message may carry a weight under that key; it
 * is taken off before validation and put back as `weight` on assistant messages. Other messages
 * are never trained on: a weight of 0 on them is dropped, a weight of 1 refused.
 */
function parseTrainingMessages(value: unknown, where: string, weightKey?: string, field = where): TrainingMessage[] {
	const list = requireList(value, where, 'an array of messages', field);
	const weights = new Map<number, 0 | 1>();
	const stripped = weightKey
		? list.map((entry, index) => {
				if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || !(weightKey in entry)) return entry;
				const { [weightKey]: weight, ...rest } = entry as Record<string, unknown>;
				const at = `${where}[${index}].${weightKey}`;
				const parsed = parseWeight(weight, at, field);
				if (rest.role === 'assistant') weights.set(index, parsed);
				else if (parsed === 1) {
					throw new ExampleError(`${at}: only assistant messages are trained on, so only they can have weight 1; this one is ${JSON.stringify(rest.role)}`, field);
				}
				return rest;
			})
		: list;
	let messages: ChatMessage[];
	try {
		messages = parseMessageList(stripped, where);
	} catch (error) {
		if (error instanceof MessageListError) throw new ExampleError(error.problem, field);
		throw error;
	}
	return messages.map((message, index) => {
		const weight = weights.get(index);
		return weight === undefined ? message : { ...(message as AssistantTrainingMessage), weight };
	});
}

function withSystem(messages: TrainingMessage[], systemMessage: string | undefined): TrainingMessage[] {
	if (!systemMessage?.trim()) return messages;
	const first = messages[0]?.role;
	if (first === 'system' || first === 'developer') return messages;
	return [{ role: 'system', content: systemMessage }, ...messages];
}

function promptConversation(prompt: string, systemMessage: string | undefined): TrainingMessage[] {
	return withSystem([{ role: 'user', content: prompt }], systemMessage);
}

/** A prompt's last message: the one the model answers. */
function requirePromptEnd(messages: TrainingMessage[], where: string, allowed: ReadonlyArray<TrainingMessage['role']>, field = where): void {
	const last = messages[messages.length - 1].role;
	if (!allowed.includes(last)) {
		throw new ExampleError(`${where}: a prompt must end with a ${allowed.join(' or ')} message (the one the model answers), got ${last}`, field);
	}
}

/** Which of a message list or a prompt field an item is read from. */
function chooseMessagesField(json: ItemJson, messagesField: string | undefined, promptSet: boolean): string | undefined {
	if (messagesField !== undefined) return messagesField;
	if (promptSet) return undefined;
	return readField(json, 'messages').found ? 'messages' : undefined;
}

function parseTools(json: ItemJson, field: string): unknown[] | undefined {
	const read = readField(json, field);
	if (!read.found || read.value === null || read.value === '') return undefined;
	const tools = requireList(read.value, field, 'an array of tool definitions');
	tools.forEach((tool, index) => {
		const fn = (tool as { function?: { name?: unknown } } | null)?.function;
		if ((tool as { type?: unknown } | null)?.type !== 'function' || typeof fn?.name !== 'string' || !fn.name) {
			throw new ExampleError(`${field}[${index}]: a tool must be { "type": "function", "function": { "name": ... } }`, field);
		}
	});
	return tools.length > 0 ? tools : undefined;
}

/**
 * A supervised example from a message list (`messagesField`), or from prompt and response fields
 * (→ [system?, user, assistant]). With neither set, an item with a `messages` field is read as a
 * message list and any other item from `prompt` and `response`.
 */
export function supervisedFromFields(json: ItemJson, options: SupervisedFieldOptions = {}): SupervisedExample {
	const promptSet = options.promptField !== undefined || options.responseField !== undefined;
	if (options.messagesField !== undefined && promptSet) {
		throw new ExampleError('choose either a messages field or prompt and response fields, not both');
	}
	const messagesField = chooseMessagesField(json, options.messagesField, promptSet);
	let messages: TrainingMessage[];
	if (messagesField !== undefined) {
		messages = withSystem(parseTrainingMessages(requireField(json, messagesField), messagesField, options.weightField ?? 'weight'), options.systemMessage);
		const last = messages[messages.length - 1];
		if (last.role !== 'assistant') {
			throw new ExampleError(`${messagesField}: the last message must be from the assistant (the answer to learn), got ${last.role}`, messagesField);
		}
	} else {
		const prompt = requireText(json, options.promptField ?? 'prompt');
		const response = requireText(json, options.responseField ?? 'response');
		messages = [...promptConversation(prompt, options.systemMessage), { role: 'assistant', content: response }];
	}
	const tools = options.toolsField === undefined ? undefined : parseTools(json, options.toolsField);
	return tools ? { kind: 'supervised', messages, tools } : { kind: 'supervised', messages };
}

/** A preference prompt ends with the user's turn, or with a tool result the answer uses. */
const PREFERENCE_PROMPT_ENDS = ['user', 'tool'] as const;

/** An answer: text, an assistant message, or a list holding one assistant message (TRL's shape). */
function answerText(value: unknown, where: string, field = where): string {
	let answer = value;
	if (Array.isArray(answer)) {
		if (answer.length !== 1) throw new ExampleError(`${where} must hold one assistant message, got ${answer.length}`, field);
		answer = answer[0];
	}
	if (typeof answer === 'object' && answer !== null) {
		const message = answer as { role?: unknown; content?: unknown };
		if (message.role !== 'assistant') throw new ExampleError(`${where} must be an assistant message, got role ${JSON.stringify(message.role)}`, field);
		answer = message.content;
	}
	if (typeof answer !== 'string') throw new ExampleError(`${where} must be text, got ${describe(answer)}`, field);
	if (!answer.trim()) throw new ExampleError(`${where} is empty`, field);
	return answer;
}

function preferencePrompt(value: unknown, field: string, systemMessage: string | undefined): TrainingMessage[] {
	if (typeof value === 'string') {
		if (!value.trim()) throw new ExampleError(`${field} is empty`, field);
		return promptConversation(value, systemMessage);
	}
	if (!Array.isArray(value)) throw new ExampleError(`${field} must be text or a message list, got ${describe(value)}`, field);
	const messages = withSystem(parseTrainingMessages(value, field), systemMessage);
	requirePromptEnd(messages, field, PREFERENCE_PROMPT_ENDS);
	return messages;
}

function preferenceExample(prompt: TrainingMessage[], chosen: string, rejected: string, where: string, field = where): PreferenceExample {
	if (chosen === rejected) throw new ExampleError(`${where}: the chosen and rejected answers are identical, so the pair teaches nothing`, field);
	return { kind: 'preference', prompt, chosen, rejected };
}

/**
 * The `dpo` rows of a Reward Loop's preferencePairs (or the rows themselves), one example each; a
 * row that cannot be one gives its ExampleError in its place, so that the item's other pairs stay.
 */
function examplesFromPairs(value: unknown, field: string, systemMessage: string | undefined): Array<PreferenceExample | ExampleError> {
	let pairs = value;
	if (typeof pairs === 'string') {
		const parsed = tryParseJson(pairs);
		if (!parsed.ok) throw new ExampleError(`${field} is a string that is not valid JSON`, field);
		pairs = parsed.value;
	}
	let rows: unknown = pairs;
	let where = field;
	if (!Array.isArray(pairs)) {
		if (typeof pairs !== 'object' || pairs === null) {
			throw new ExampleError(`${field} must be a Reward Loop's preferencePairs ({ dpo: [...] }), got ${describe(pairs)}`, field);
		}
		rows = (pairs as { dpo?: unknown }).dpo;
		where = `${field}.dpo`;
		if (!Array.isArray(rows)) throw new ExampleError(`${where} must be an array of preference rows, got ${describe(rows)}`, field);
	}
	return (rows as unknown[]).map((row, index) => {
		try {
			return pairExample(row, `${where}[${index}]`, field, systemMessage);
		} catch (error) {
			if (error instanceof ExampleError) return error;
			throw error;
		}
	});
}

function pairExample(row: unknown, at: string, field: string, systemMessage: string | undefined): PreferenceExample {
	if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new ExampleError(`${at} must be an object`, field);
	const { input, preferred_output: preferred, non_preferred_output: nonPreferred } = row as Record<string, unknown>;
	const messages = (input as { messages?: unknown } | null | undefined)?.messages;
	if (messages === undefined) throw new ExampleError(`${at}.input.messages is missing`, field);
	const prompt = withSystem(parseTrainingMessages(messages, `${at}.input.messages`, undefined, field), systemMessage);
	requirePromptEnd(prompt, `${at}.input.messages`, PREFERENCE_PROMPT_ENDS, field);
	const chosen = answerText(preferred, `${at}.preferred_output`, field);
	const rejected = answerText(nonPreferred, `${at}.non_preferred_output`, field);
	return preferenceExample(prompt, chosen, rejected, at, field);
}

/**
 * Preference examples from prompt, chosen and rejected fields (one example), or from a Reward
 * Loop's preferencePairs (one example per `dpo` row, possibly none). With no field option set, an
 * item with a `preferencePairs` field is read as pairs.
 */
export function preferenceFromFields(json: ItemJson, options: PreferenceFieldOptions = {}): PreferenceExample[] {
	return preferenceExamplesFromFields(json, options).map((example) => {
		if (example instanceof ExampleError) throw example;
		return example;
	});
}

/**
 * preferenceFromFields with each pair that cannot be an example given as its ExampleError in its
 * place; an error about the item as a whole (a missing field) is still thrown.
 */
export function preferenceExamplesFromFields(json: ItemJson, options: PreferenceFieldOptions = {}): Array<PreferenceExample | ExampleError> {
	const fieldsSet = options.promptField !== undefined || options.chosenField !== undefined || options.rejectedField !== undefined;
	if (options.pairsField !== undefined && fieldsSet) {
		throw new ExampleError('choose either a preference pairs field or prompt, chosen and rejected fields, not both');
	}
	const pairsField = options.pairsField ?? (fieldsSet || !readField(json, 'preferencePairs').found ? undefined : 'preferencePairs');
	if (pairsField !== undefined) return examplesFromPairs(requireField(json, pairsField), pairsField, options.systemMessage);
	const promptField = options.promptField ?? 'prompt';
	const chosenField = options.chosenField ?? 'chosen';
	const rejectedField = options.rejectedField ?? 'rejected';
	const prompt = preferencePrompt(requireField(json, promptField), promptField, options.systemMessage);
	const chosen = answerText(requireField(json, chosenField), chosenField);
	const rejected = answerText(requireField(json, rejectedField), rejectedField);
	return [preferenceExample(prompt, chosen, rejected, rejectedField)];
}

/**
 * A reinforcement example: the prompt (a message list, or prompt text → [system?, user]) and the
 * reference fields the graders read. The prompt must end with a user message, as Azure OpenAI's
 * RFT guide requires ("Assign the final message in the data a user role",
 * https://learn.microsoft.com/azure/ai-foundry/openai/how-to/reinforcement-fine-tuning). With neither messagesField nor promptField set, an item with
 * a `messages` field is read as a message list.
 */
export function reinforcementFromFields(json: ItemJson, options: ReinforcementFieldOptions): ReinforcementExample {
	if (options.messagesField !== undefined && options.promptField !== undefined) {
		throw new ExampleError('choose either a messages field or a prompt field, not both');
	}
	const messagesField = chooseMessagesField(json, options.messagesField, options.promptField !== undefined);
	let messages: TrainingMessage[];
	if (messagesField !== undefined) {
		messages = withSystem(parseTrainingMessages(requireField(json, messagesField), messagesField), options.systemMessage);
		requirePromptEnd(messages, messagesField, ['user']);
	} else {
		messages = promptConversation(requireText(json, options.promptField ?? 'prompt'), options.systemMessage);
	}
	const reference: Record<string, unknown> = {};
	for (const field of options.referenceFields) {
		const value = requireField(json, field);
		if (value === undefined) throw new ExampleError(`${field} is undefined`, field);
		reference[field] = value;
	}
	return { kind: 'reinforcement', messages, reference };
}
