/**
 * The structural checks of one row of an OpenAI fine-tuning file, by training method. The
 * supervised checks and their error codes are those of OpenAI's cookbook "Data preparation and
 * analysis for chat model fine-tuning" (examples/Chat_finetuning_data_prep.ipynb: data_type,
 * missing_messages_list, message_missing_key, message_unrecognized_key, unrecognized_role,
 * missing_content, example_missing_assistant_message), widened to the message keys and roles the
 * fine-tuning API accepts today (tool calls, developer messages, weight, refusal). Preference
 * (DPO) and reinforcement (RFT) rows follow OpenAI's fine-tuning guides for those methods.
 */

export type TrainingKind = 'supervised' | 'preference' | 'reinforcement';

export interface RowIssue {
	code: string;
	message: string;
}

export const ALLOWED_MESSAGE_KEYS: readonly string[] = [
	'role',
	'content',
	'name',
	'weight',
	'function_call',
	'tool_calls',
	'tool_call_id',
	'refusal',
];

export const ALLOWED_ROLES: readonly string[] = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];

/** Top-level keys of a supervised row; `functions` is the legacy function-calling format. */
const SUPERVISED_KEYS: readonly string[] = ['messages', 'tools', 'parallel_tool_calls', 'functions'];
const PREFERENCE_KEYS: readonly string[] = ['input', 'preferred_output', 'non_preferred_output'];
const PREFERENCE_INPUT_KEYS: readonly string[] = ['messages', 'tools', 'parallel_tool_calls'];

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return `a ${typeof value}`;
}

function list(keys: string[]): string {
	return keys.map((key) => JSON.stringify(key)).join(', ');
}

/**
 * The training method of a row, for `kind: 'auto'`: preference when it has `input`,
 * `preferred_output` or `non_preferred_output`; reinforcement when its last message is not the
 * assistant's and it carries fields beyond a supervised row's (the reference fields a grader
 * reads); supervised otherwise.
 */
export function detectKind(row: JsonObject): TrainingKind {
	if ('input' in row || 'preferred_output' in row || 'non_preferred_output' in row) return 'preference';
	const messages = row.messages;
	if (Array.isArray(messages) && messages.length > 0) {
		const last: unknown = messages[messages.length - 1];
		const extraKeys = Object.keys(row).some((key) => !SUPERVISED_KEYS.includes(key));
		if (extraKeys && !(isObject(last) && last.role === 'assistant')) return 'reinforcement';
	}
	return 'supervised';
}

function hasCall(message: JsonObject): boolean {
	return (Array.isArray(message.tool_calls) && message.tool_calls.length > 0) || isObject(message.function_call);
}

function checkContentParts(parts: unknown[], where: string, issues: RowIssue[]): boolean {
	let hasSubstance = false;
	parts.forEach((part, index) => {
		if (!isObject(part) || typeof part.type !== 'string') {
			issues.push({ code: 'invalid_content_part', message: `${where}.content[${index}] is not a part object with a "type"` });
			return;
		}
		if (part.type === 'text') {
			if (typeof part.text !== 'string') {
				issues.push({ code: 'invalid_content_part', message: `${where}.content[${index}] is a text part without a "text" string` });
			} else if (part.text.trim() !== '') {
				hasSubstance = true;
			}
		} else {
			hasSubstance = true;
		}
	});
	return hasSubstance;
}

function checkCalls(message: JsonObject, where: string, issues: RowIssue[]): void {
	if ('tool_calls' in message) {
		const calls = message.tool_calls;
		const valid =
			Array.isArray(calls) &&
			calls.every(
				(call) =>
					isObject(call) &&
					isObject(call.function) &&
					typeof call.function.name === 'string' &&
					typeof call.function.arguments === 'string',
			);
		if (!valid) {
			issues.push({
				code: 'invalid_tool_calls',
				message: `${where}.tool_calls must be a list of {id, type: "function", function: {name, arguments}} with string name and arguments`,
			});
		}
		if (message.role !== 'assistant') {
			issues.push({ code: 'invalid_tool_calls', message: `${where} has tool_calls but only assistant messages make tool calls` });
		}
	}
	if ('function_call' in message) {
		const call = message.function_call;
		if (!isObject(call) || typeof call.name !== 'string') {
			issues.push({ code: 'invalid_function_call', message: `${where}.function_call must be an object with a string "name"` });
		}
	}
}

/** The checks of one chat message; `where` names it in the row (e.g. `messages[2]`). */
export function checkMessage(message: unknown, where: string, issues: RowIssue[]): void {
	if (!isObject(message)) {
		issues.push({ code: 'message_data_type', message: `${where} is ${describe(message)}, not an object` });
		return;
	}
	const calls = hasCall(message);
	if (!('role' in message)) issues.push({ code: 'message_missing_key', message: `${where} has no "role"` });
	const contentMissing = !('content' in message) && !calls;
	if (contentMissing) issues.push({ code: 'message_missing_key', message: `${where} has no "content"` });

	const unknownKeys = Object.keys(message).filter((key) => !ALLOWED_MESSAGE_KEYS.includes(key));
	if (unknownKeys.length > 0) {
		issues.push({
			code: 'message_unrecognized_key',
			message: `${where} has unrecognized key(s) ${list(unknownKeys)}; allowed: ${ALLOWED_MESSAGE_KEYS.join(', ')}`,
		});
	}

	const role = message.role;
	if ('role' in message && (typeof role !== 'string' || !ALLOWED_ROLES.includes(role))) {
		issues.push({
			code: 'unrecognized_role',
			message: `${where} has role ${JSON.stringify(role)}; allowed: ${ALLOWED_ROLES.join(', ')}`,
		});
	}

	const content = message.content;
	if (typeof content === 'string') {
		if (content.trim() === '' && !calls) issues.push({ code: 'empty_content', message: `${where} has blank content` });
	} else if (Array.isArray(content)) {
		const substance = checkContentParts(content, where, issues);
		if (!substance && !calls && content.every((part) => isObject(part) && typeof part.type === 'string')) {
			issues.push({ code: 'empty_content', message: `${where} has no text or other part in its content` });
		}
	} else if (content === undefined || content === null) {
		// Without a call, absent content was reported above as message_missing_key.
		if (!calls && !contentMissing) {
			issues.push({ code: 'missing_content', message: `${where} has null content and no tool_calls or function_call` });
		}
	} else {
		issues.push({
			code: 'missing_content',
			message: `${where} content is ${describe(content)}; it must be a string, a list of parts, or null with tool_calls`,
		});
	}

	if ('weight' in message) {
		if (role !== 'assistant') {
			issues.push({ code: 'weight_on_non_assistant', message: `${where} has a weight but only assistant messages take one` });
		} else if (message.weight !== 0 && message.weight !== 1) {
			issues.push({ code: 'invalid_weight', message: `${where} has weight ${JSON.stringify(message.weight)}; it must be 0 or 1` });
		}
	}

	if ('name' in message && typeof message.name !== 'string') {
		issues.push({ code: 'invalid_name', message: `${where}.name must be a string` });
	}
	if (role === 'tool' && typeof message.tool_call_id !== 'string') {
		issues.push({ code: 'missing_tool_call_id', message: `${where} is a tool message without a "tool_call_id" string` });
	}
	checkCalls(message, where, issues);
}

function checkMessages(messages: unknown, where: string, issues: RowIssue[]): messages is unknown[] {
	if (!Array.isArray(messages) || messages.length === 0) {
		const what = messages === undefined ? 'is missing' : Array.isArray(messages) ? 'is empty' : `is ${describe(messages)}, not a list`;
		issues.push({ code: 'missing_messages_list', message: `${where} ${what}` });
		return false;
	}
	messages.forEach((message, index) => checkMessage(message, `${where}[${index}]`, issues));
	return true;
}

function checkUnknownKeys(row: JsonObject, allowed: readonly string[], prefix: string, issues: RowIssue[]): void {
	const unknown = Object.keys(row).filter((key) => !allowed.includes(key));
	if (unknown.length > 0) {
		issues.push({
			code: 'unrecognized_key',
			message: `${prefix}unrecognized key(s) ${list(unknown)}; allowed: ${allowed.join(', ')}`,
		});
	}
}

function checkTools(row: JsonObject, prefix: string, issues: RowIssue[]): void {
	for (const key of ['tools', 'functions']) {
		if (key in row && !(Array.isArray(row[key]) && (row[key] as unknown[]).every(isObject))) {
			issues.push({ code: 'invalid_tools', message: `${prefix}${key} must be a list of objects` });
		}
	}
	if ('parallel_tool_calls' in row && typeof row.parallel_tool_calls !== 'boolean') {
		issues.push({ code: 'invalid_parallel_tool_calls', message: `${prefix}parallel_tool_calls must be true or false` });
	}
}

function checkSupervised(row: JsonObject, issues: RowIssue[]): void {
	checkUnknownKeys(row, SUPERVISED_KEYS, '', issues);
	checkTools(row, '', issues);
	if (!checkMessages(row.messages, 'messages', issues)) return;
	const messages = row.messages as unknown[];
	const assistants = messages.filter((message): message is JsonObject => isObject(message) && message.role === 'assistant');
	if (assistants.length === 0) {
		issues.push({ code: 'example_missing_assistant_message', message: 'the example has no assistant message to learn from' });
	} else if (assistants.every((message) => message.weight === 0)) {
		issues.push({ code: 'nothing_to_train', message: 'every assistant message has weight 0, so the example leaves nothing to train on' });
	}
}

function checkOutput(row: JsonObject, key: 'preferred_output' | 'non_preferred_output', issues: RowIssue[]): void {
	const output = row[key];
	if (!Array.isArray(output) || output.length === 0) {
		issues.push({
			code: `missing_${key}`,
			message: `${key} ${output === undefined ? 'is missing' : 'must be a list holding one assistant message'}`,
		});
		return;
	}
	if (output.length !== 1) {
		issues.push({ code: `invalid_${key}`, message: `${key} holds ${output.length} messages; it must hold exactly one assistant message` });
	}
	output.forEach((message, index) => {
		checkMessage(message, `${key}[${index}]`, issues);
		if (isObject(message) && message.role !== 'assistant') {
			issues.push({ code: 'output_not_assistant', message: `${key}[${index}] has role ${JSON.stringify(message.role)}; outputs are assistant messages` });
		}
	});
}

function checkPreference(row: JsonObject, issues: RowIssue[]): void {
	checkUnknownKeys(row, PREFERENCE_KEYS, '', issues);
	const input = row.input;
	if (!isObject(input)) {
		issues.push({ code: 'missing_input', message: `input ${input === undefined ? 'is missing' : `is ${describe(input)}, not an object with messages`}` });
	} else {
		checkUnknownKeys(input, PREFERENCE_INPUT_KEYS, 'input has ', issues);
		checkTools(input, 'input.', issues);
		checkMessages(input.messages, 'input.messages', issues);
	}
	checkOutput(row, 'preferred_output', issues);
	checkOutput(row, 'non_preferred_output', issues);
}

function checkReinforcement(row: JsonObject, issues: RowIssue[]): void {
	// Any other top-level field is reference data for the grader ({{item.field}}).
	checkTools(row, '', issues);
	if (!checkMessages(row.messages, 'messages', issues)) return;
	const messages = row.messages as unknown[];
	const last = messages[messages.length - 1];
	if (isObject(last) && last.role === 'assistant') {
		issues.push({
			code: 'last_message_assistant',
			message: `messages[${messages.length - 1}] is the assistant's; in reinforcement fine-tuning the model writes the reply, so the last message must not be`,
		});
	}
}

/**
 * Every structural issue of a row (an object already) for the given training method: the one
 * definition of a valid row, which Validate reports and Build refuses to write.
 */
export function checkRow(row: JsonObject, kind: TrainingKind): RowIssue[] {
	const issues: RowIssue[] = [];
	if (kind === 'preference') checkPreference(row, issues);
	else if (kind === 'reinforcement') checkReinforcement(row, issues);
	else checkSupervised(row, issues);
	return issues;
}
