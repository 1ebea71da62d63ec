/**
 * Templates (core/scoring/template.ts): one path syntax with JSON Field (fieldPath.ts), a lenient
 * renderer for judges' prompts and a strict one for texts that are compared.
 */
import { parseFieldPath } from '../../../core/scoring/fieldPath';
import { renderTemplate, resolveTemplate, templateProblem } from '../../../core/scoring/template';
import type { Sample } from '../../../core/scoring/types';

const sample = (outputText: string, outputJson?: unknown): Sample => ({ outputText, outputJson });
const item = { meta: { 'content-type': 'text/plain', 'a.b': 'dotted', tags: ['x', 'y'] }, n: 3, nothing: null, flag: false, text: 'hello' };

describe('one path syntax for JSON Field and templates', () => {
	it.each([
		['{{item.meta["content-type"]}}', 'text/plain'],
		["{{item.meta['a.b']}}", 'dotted'],
		['{{item.meta.tags[1]}}', 'y'],
		['{{ item.meta.content-type }}', 'text/plain'],
		['{{item["text"]}}', 'hello'],
		['{{sample.output_json.answer["value"]}}', '42'],
		['{{sample.output_json.list[0]}}', 'first'],
	])('%s', (template, expected) => {
		const json = { answer: { value: 42 }, list: ['first'] };
		expect(renderTemplate(template, sample('out', json), item)).toBe(expected);
		expect(resolveTemplate(template, sample('out', json), item)).toEqual({ ok: true, text: expected });
	});

	it('parses paths the same way as JSON Field', () => {
		expect(parseFieldPath('meta["content-type"]')).toEqual(['meta', 'content-type']);
		expect(parseFieldPath('$.meta.tags[1]')).toEqual(['meta', 'tags', 1]);
	});
});

describe('resolveTemplate: strict, for compared texts', () => {
	it('refuses a missing field, null, a boolean, an object or an array, naming the placeholder', () => {
		expect(resolveTemplate('{{item.missing}}', sample('x'), item)).toEqual({ ok: false, problem: '{{item.missing}} does not resolve: the item has no such field' });
		expect(resolveTemplate('a {{item.nothing}}', sample('x'), item)).toEqual({ ok: false, problem: '{{item.nothing}} is null, not text' });
		expect(resolveTemplate('{{item.flag}}', sample('x'), item)).toEqual({ ok: false, problem: '{{item.flag}} is a boolean, not text' });
		expect(resolveTemplate('{{item.meta}}', sample('x'), item)).toEqual({ ok: false, problem: '{{item.meta}} is an object, not text' });
		expect(resolveTemplate('{{item.meta.tags}}', sample('x'), item)).toEqual({ ok: false, problem: '{{item.meta.tags}} is an array, not text' });
		expect(resolveTemplate('{{item.constructor}}', sample('x'), item)).toEqual({ ok: false, problem: '{{item.constructor}} does not resolve: the item has no such field' });
	});

	it('refuses a typo that is no placeholder, with a hint', () => {
		expect(resolveTemplate('{{reference}}', sample('x'), { reference: 'r' })).toEqual({
			ok: false,
			problem: "{{reference}} is not a placeholder: write {{item.<path>}}, {{sample.output_text}} or {{sample.output_json.<path>}} (to read the item's field, write {{item.reference}})",
		});
		expect(templateProblem('{{ items.reference }}')).toMatch(/^\{\{ items\.reference \}\} is not a placeholder/);
		expect(templateProblem('{{sample.output}}')).toBe('{{sample.output}} is not a placeholder: the sample has output_text and output_json only');
		expect(templateProblem('plain text, {{item.ok}} and {{sample.output_text}}')).toBeUndefined();
	});

	it('writes numbers as JSON does; sample values as the output has them', () => {
		expect(resolveTemplate('n = {{item.n}}', sample('x'), item)).toEqual({ ok: true, text: 'n = 3' });
		expect(resolveTemplate('{{sample.output_json}}', sample('{"a":1}', { a: 1 }), item)).toEqual({ ok: true, text: '{"a":1}' });
		// A part of the output that is missing is empty: the output is then a poor match, not a broken configuration.
		expect(resolveTemplate('{{sample.output_json.answer}}', sample('not json'), item)).toEqual({ ok: true, text: '' });
	});
});

describe('renderTemplate: lenient, for judges\' prompts', () => {
	it('writes objects as JSON, missing values as nothing, and leaves what is no placeholder', () => {
		expect(renderTemplate('{{item.meta.tags}} {{item.missing}}|{{other.thing}} {{item.n}}', sample('x'), item)).toBe('["x","y"] |{{other.thing}} 3');
	});
});
