/**
 * OpenAI's `string_check` grader: `input` and `reference` are templates; `eq` and `ne` compare
 * exactly, `like` is a case-sensitive "contains", `ilike` a case-insensitive one. Scores 1 or 0.
 * The templates are strict (template.ts's resolveTemplate): a missing, null or non-text item field
 * is the item's error, naming the scorer and the field.
 */
import type { Scorer } from '../types';
import { comparedText } from './shared';

export interface StringCheckConfig {
	input: string;
	reference: string;
	operation: 'eq' | 'ne' | 'like' | 'ilike';
}

const OPERATIONS = ['eq', 'ne', 'like', 'ilike'];

export function createStringCheckScorer(name: string, config: StringCheckConfig): Scorer {
	if (!OPERATIONS.includes(config.operation)) throw new Error(`${name}: operation must be one of ${OPERATIONS.join(', ')}`);
	if (typeof config.input !== 'string' || typeof config.reference !== 'string') throw new Error(`${name}: input and reference must be strings`);
	const readInput = comparedText(name, 'input', config.input);
	const readReference = comparedText(name, 'reference', config.reference);
	return {
		name,
		type: 'string_check',
		score(sample, context) {
			const input = readInput(sample, context.item);
			const reference = readReference(sample, context.item);
			let matched: boolean;
			switch (config.operation) {
				case 'eq':
					matched = input === reference;
					break;
				case 'ne':
					matched = input !== reference;
					break;
				case 'like':
					matched = input.includes(reference);
					break;
				default:
					matched = input.toLowerCase().includes(reference.toLowerCase());
			}
			return {
				score: matched ? 1 : 0,
				pass: matched,
				reason: `${JSON.stringify(input.slice(0, 80))} ${config.operation} ${JSON.stringify(reference.slice(0, 80))}: ${matched}`,
			};
		},
	};
}
