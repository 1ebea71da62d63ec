/**
 * The judges' answers are checked against their JSON schema (askJudge, shared by every judge):
 * an answer that breaks it is the item's scoring error, naming the path; one that meets it is used.
 */
import { askJudge } from '../../../core/scoring/judges/hardening';
import { createLabelModelScorer } from '../../../core/scoring/judges/labelModel';
import { createScoreModelScorer } from '../../../core/scoring/judges/scoreModel';
import { createSelectBestScorer } from '../../../core/scoring/judges/selectBest';
import type { JsonSchema } from '../../../core/json/validateJsonSchema';
import type { ModelServices } from '../../../core/scoring/types';
import { KEYWORD_CASES } from '../../fixtures/schemaKeywords';

const usage = { promptTokens: 1, completionTokens: 1, totalTokens: 2, cachedTokens: 0, reasoningTokens: 0 };

/** A judge model that answers `text` and counts its requests. */
function judgeAnswering(text: string) {
	const requests: Array<Record<string, unknown>> = [];
	const models: ModelServices = {
		async chat(body) {
			requests.push(body);
			return { text, usage };
		},
		async embed() {
			throw new Error('not used');
		},
	};
	return { models, requests };
}

const call = (schema: JsonSchema) => ({ model: 'judge', messages: [{ role: 'user' as const, content: 'judge it' }], schemaName: 'verdict', schema });

describe("the judges' answer check", () => {
	it.each(KEYWORD_CASES)('$name: uses an answer that meets the schema, refuses one that breaks it with the path', async ({ schema, good, bad, violations }) => {
		const accepted = await askJudge(judgeAnswering(JSON.stringify(good)).models, call(schema));
		expect(accepted).toMatchObject({ ok: true, value: good });
		const refused = await askJudge(judgeAnswering(JSON.stringify(bad)).models, call(schema));
		expect(refused).toMatchObject({ ok: false, problem: `the judge's answer breaks its schema: ${violations.map((v) => `${v.path} ${v.message}`).join('; ')}` });
	});

	it('refuses a schema that cannot be used before any request is sent', async () => {
		const judge = judgeAnswering('{}');
		await expect(askJudge(judge.models, call({ type: 'object', properties: { result: { type: 'float' } } }))).rejects.toThrow(
			'is not a valid JSON Schema (draft 2020-12): #/properties/result/type must be equal to one of the allowed values',
		);
		expect(judge.requests).toHaveLength(0);
	});

	it('a rubric, label or select-best judge whose answer breaks its schema is a scoring error naming the path', async () => {
		const sample = { outputText: 'the battery lasts a day', candidates: ['the battery lasts a day', 'no idea'] };
		const rubric = createScoreModelScorer('quality', { model: 'judge', rubric: 'Is it right?', range: [0, 10] });
		const label = createLabelModelScorer('tone', { model: 'judge', instructions: 'Polite?', labels: ['good', 'bad'], passingLabels: ['good'] });
		const best = createSelectBestScorer('best', { model: 'judge', criteria: 'Most helpful', shuffle: false });
		const cases = [
			[rubric, { steps: [], result: 'high' }, '$.result expected number, got string'],
			[rubric, { steps: [{ description: 'checked' }], result: 7 }, '$.steps[0] is missing the required property "conclusion"'],
			[label, { steps: [], label: 'great' }, '$.label must be one of ["good","bad"]'],
			[best, { steps: [], best: 3 }, '$.best must be <= 2'],
			[best, { steps: [], best: 1, why: 'x' }, '$.why is not an allowed property'],
		] as const;
		for (const [scorer, answer, problem] of cases) {
			const result = await scorer.score(sample, { item: {}, models: judgeAnswering(JSON.stringify(answer)).models });
			expect(result).toMatchObject({ score: 0, error: true, reason: `the judge's answer breaks its schema: ${problem}` });
		}
		expect(await rubric.score(sample, { item: {}, models: judgeAnswering(JSON.stringify({ steps: [], result: 7 })).models })).toMatchObject({ score: 0.7, pass: true });
	});
});
