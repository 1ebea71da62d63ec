/**
 * Self-Refine's critique: a judge model reads the task, the fenced (untrusted) answer and its scores,
 * and writes brief advice for the next round. A refusal gives no advice.
 */
import type { ChatMessage } from '../generate/messages';
import type { TokenUsage } from '../generate/result';
import { fence, UNTRUSTED_INSTRUCTION } from '../scoring/judges/hardening';
import type { ModelServices } from '../scoring/types';

/** The critique request's body. */
export function critiqueRequest(model: string | undefined, messages: ChatMessage[], answer: string, feedback: string): Record<string, unknown> {
	const task = messages.map((m) => `${m.role}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`).join('\n');
	return {
		model,
		temperature: 0,
		messages: [
			{ role: 'system', content: `You review an answer and give brief, concrete advice to improve it. ${UNTRUSTED_INSTRUCTION}` },
			{ role: 'user', content: `Task:\n${task}\n\n${fence(answer)}\n\nScores:\n${feedback}\n\nGive the advice only.` },
		],
	};
}

/** Asks the critique model for advice on `answer`. */
export async function askCritique(
	models: ModelServices,
	model: string | undefined,
	messages: ChatMessage[],
	answer: string,
	feedback: string,
	signal?: AbortSignal,
): Promise<{ text: string; usage: TokenUsage }> {
	const reply = await models.chat(critiqueRequest(model, messages, answer, feedback), signal);
	return { text: reply.refusal ? '' : reply.text, usage: reply.usage };
}
