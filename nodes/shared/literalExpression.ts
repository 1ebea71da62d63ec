import type { INodeParameters, INodeProperties } from 'n8n-workflow';

/**
 * A prompt typed as `{{ $json.question }}` while the field is in Fixed mode is sent as typed: n8n
 * evaluates only values that start with "=". Such a value (fixed, with `{{` and `$json` in it) is
 * almost always a mistake, so the editor shows a notice under the field and the output item carries
 * a warning. The same pattern serves both: the notice's displayOptions and the run-time check.
 */
export const LITERAL_EXPRESSION_PATTERN = '^(?!=)(?=[\\s\\S]*\\{\\{)[\\s\\S]*\\$json';
const LITERAL_EXPRESSION = new RegExp(LITERAL_EXPRESSION_PATTERN);

/** The fields Generate Text and Reward Loop check, by parameter name. */
const CHECKED = { prompt: 'Prompt', systemMessage: 'System Message' } as const;

export function looksLikeLiteralExpression(raw: unknown): boolean {
	return typeof raw === 'string' && LITERAL_EXPRESSION.test(raw);
}

/** One warning per prompt field that holds an expression as fixed text; none for a message list. */
export function literalExpressionWarnings(parameters: INodeParameters): string[] {
	if ((parameters.promptSource ?? 'prompt') !== 'prompt') return [];
	return Object.entries(CHECKED)
		.filter(([name]) => looksLikeLiteralExpression(parameters[name]))
		.map(
			([, label]) =>
				`${label} is fixed text that contains {{ $json… }}, so it was sent as typed, not filled in from the item: switch the ${label} field to Expression (or start its value with "=")`,
		);
}

/** The notice the editor shows under a prompt field whose fixed text looks like an expression. */
export function literalExpressionNotice(name: keyof typeof CHECKED, show: Record<string, string[]>): INodeProperties {
	const label = CHECKED[name];
	return {
		displayName: `This ${label} is fixed text, so the expression in it is sent as typed, not filled in from the item. Switch the field to Expression (hover over it and click Expression) to use the item's fields.`,
		name: `${name}FixedTextNotice`,
		type: 'notice',
		default: '',
		displayOptions: { show: { ...show, [name]: [{ _cnd: { regex: LITERAL_EXPRESSION_PATTERN } }] } },
	};
}
