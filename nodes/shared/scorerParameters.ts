import type { IDataObject } from 'n8n-workflow';
import type { PlanSpec } from '../../core/scoring/graders';
import { readScorerSpec } from '../../core/scoring/registry';
import { bool, judgeModel } from '../../core/scoring/scorerEntry';
import { ParameterError } from './transportOptions';

/** The scorers as configured in the UI (the fixedCollection's entries), with their custom values. */
export function readScorerEntries(entries: IDataObject[], defaultModel = ''): { specs: PlanSpec[]; customValues: Record<string, unknown> } {
	if (entries.length === 0) throw new ParameterError('Scorers', 'add at least one scorer');
	const customValues: Record<string, unknown> = {};
	const specs = entries.map((entry, position) => {
		const name = String(entry.name ?? '').trim();
		if (!name) throw new ParameterError(`Scorer ${position + 1} Name`, 'is empty');
		const weight = entry.weight === undefined ? 1 : Number(entry.weight);
		if (entry.type === 'custom') customValues[name] = entry.customValue;
		// A judge whose model is left empty uses the credential's Default Model.
		const withModel = judgeModel(entry.model) || !defaultModel ? entry : { ...entry, model: defaultModel };
		return { spec: readScorerSpec(withModel, name), weight, mustPass: bool(entry.mustPass) };
	});
	return { specs, customValues };
}
