/**
 * README's "Limits checked before sending" lists every limit the code checks: a limit added to
 * core/requestLimits without a README row fails here, so the table cannot fall behind the checks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAT_LIMITS, SCHEMA_NAME_LIMIT, STOP_LIMIT } from '../../../core/requestLimits/chat';
import { FIREWORKS_FINE_TUNE_LIMITS, OPENAI_FINE_TUNE_LIMITS, TOGETHER_FINE_TUNE_LIMITS, type FineTuneLimits } from '../../../core/requestLimits/fineTune';
import type { LengthLimit, NumberLimit } from '../../../core/requestLimits/limit';

const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
const start = readme.indexOf('## Limits checked before sending');
const section = readme.slice(start, readme.indexOf('\n## ', start + 3));
const rows = section.split('\n').filter((line) => line.startsWith('|'));

function limitsOf(limits: FineTuneLimits): Array<NumberLimit | LengthLimit | { label: string; field: string }> {
	return Object.values(limits).filter((value): value is NumberLimit => typeof value === 'object' && value !== null && 'field' in value);
}

describe("README's table of limits checked before sending", () => {
	it('is there', () => {
		expect(start).toBeGreaterThan(0);
		expect(rows.length).toBeGreaterThan(10);
	});

	const chat = [...Object.values(CHAT_LIMITS), STOP_LIMIT, SCHEMA_NAME_LIMIT];
	it.each(chat.map((limit) => [limit.label, limit.field]))('chat: %s (`%s`) has a row', (label, field) => {
		expect(rows.some((row) => row.includes(label) && row.includes(`\`${field}`))).toBe(true);
	});

	for (const limits of [OPENAI_FINE_TUNE_LIMITS, TOGETHER_FINE_TUNE_LIMITS, FIREWORKS_FINE_TUNE_LIMITS]) {
		it.each(limitsOf(limits).map((limit) => [limit.label, limit.field]))(`${limits.provider}: %s (\`%s\`) has a row naming the provider`, (label, field) => {
			expect(rows.some((row) => row.includes(label) && row.includes(`\`${field}\``) && row.includes(limits.provider))).toBe(true);
		});
	}
});
