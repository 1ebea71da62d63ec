/** The example workflows as the end-to-end tests load them, and the test server's answers for them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatRequestContext } from '../server/mockOpenAiServer';
import { ROOT } from './n8n';

export const exampleFile = (name: string) => JSON.parse(readFileSync(join(ROOT, 'examples', name), 'utf8'));

/** The candidate a judge is asked to score, when the request is a judge's (its schema is named "score"). */
export const judgedText = (body: ChatRequestContext['body']) =>
	body.response_format?.json_schema?.name === 'score' ? String(body.messages?.[1]?.content ?? '') : undefined;

/** Example 1: clean copy for the Trail phone, advertising for the City phone, a judge that checks the features. */
export function productCopyAnswer({ body, lastUserText }: ChatRequestContext): string | undefined {
	const judge = judgedText(body);
	if (judge !== undefined) return JSON.stringify({ steps: [{ description: 'features', conclusion: 'checked' }], result: judge.includes('two-day battery') ? 9 : 4 });
	if (lastUserText.includes('Trail phone')) return 'The Trail phone has a two-day battery and a rugged case. It is made for long hikes.';
	if (lastUserText.includes('City phone')) return 'The City phone is light. Buy now with a discount on the bright screen!';
	return undefined;
}
