/**
 * A number the user computes with an n8n expression (the node evaluates it per item and hands it
 * over): clamped to [0, 1]. Anything that is not a finite number scores 0 with the error flag.
 */
import { clamp01, scoreError, type GradedConfig, type Scorer } from '../types';

export type CustomConfig = GradedConfig;

export function createCustomScorer(name: string, config: CustomConfig): Scorer {
	const threshold = config.passThreshold ?? 0.5;
	return {
		name,
		type: 'custom',
		score(_sample, context) {
			const raw = context.customValues?.[name];
			const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
			if (typeof value !== 'number' || !Number.isFinite(value)) {
				return scoreError(`the expression gave ${JSON.stringify(raw ?? null)}, not a number`);
			}
			const score = clamp01(value);
			return { score, pass: score >= threshold, reason: `expression gave ${value}${score !== value ? ` (clamped to ${score})` : ''}` };
		},
	};
}
