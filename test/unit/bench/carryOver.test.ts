import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { carryOver } from '../../../bench/run';
import { renderResults, type BenchDocument } from '../../../bench/report';

function document(date: string, commit: string, parts: Partial<BenchDocument> = {}): BenchDocument {
	return {
		mode: 'full',
		date,
		command: 'npm run bench',
		wallSeconds: { total: 1, sideBySide: 0, traffic: 0, engine: 0 },
		machine: { cpus: 2, cpuModel: 'cpu', memoryGb: 24, os: 'Linux', benchNode: '20' },
		versions: { package: '0.1.0', commit, n8n: 'not run', n8nNode: 'not run' },
		scenarios: [],
		...parts,
	};
}

const scenario = { id: 'engine', name: 'Generate Text throughput', section: 'engine', figures: { items_per_s: 5000 }, checks: [] };

describe('npm run bench -- --update', () => {
	const folder = mkdtempSync(join(tmpdir(), 'bench-carry-'));
	const previousFile = join(folder, 'RESULTS.json');

	it('keeps the parts this run skipped, marked with the run that measured them', () => {
		const previous = document('2026-12-01T00:00:00Z', 'aaaaaaa', { scenarios: [scenario as never], versions: { package: '0.1.0', commit: 'aaaaaaa', n8n: '2.41.1', n8nNode: '24.22.3' } });
		writeFileSync(previousFile, JSON.stringify(previous));
		const now = document('2026-12-03T00:00:00Z', 'bbbbbbb');
		carryOver(now, previousFile);
		expect(now.scenarios).toEqual([{ ...scenario, carriedFrom: { date: '2026-12-01T00:00:00Z', commit: 'aaaaaaa' } }]);
		expect(renderResults(now)).toContain('*Carried over from the run of 2026-12-01T00:00:00Z (commit aaaaaaa); not measured again in this run.*');
	});

	it('a part carried twice keeps the date of the run that measured it, not of the run that carried it', () => {
		const carriedOnce = document('2026-12-02T00:00:00Z', 'ccccccc', {
			scenarios: [{ ...scenario, carriedFrom: { date: '2026-12-01T00:00:00Z', commit: 'aaaaaaa' } } as never],
			traffic: { checks: [] } as never,
			carried: { traffic: { date: '2026-11-30T00:00:00Z', commit: 'ddddddd' } },
		});
		writeFileSync(previousFile, JSON.stringify(carriedOnce));
		const now = document('2026-12-03T00:00:00Z', 'bbbbbbb');
		carryOver(now, previousFile);
		expect(now.scenarios[0].carriedFrom).toEqual({ date: '2026-12-01T00:00:00Z', commit: 'aaaaaaa' });
		expect(now.carried?.traffic).toEqual({ date: '2026-11-30T00:00:00Z', commit: 'ddddddd' });
	});

	it('a part measured in this run is never replaced by the old one', () => {
		writeFileSync(previousFile, JSON.stringify(document('2026-12-01T00:00:00Z', 'aaaaaaa', { scenarios: [scenario as never] })));
		const fresh = { ...scenario, figures: { items_per_s: 6000 } };
		const now = document('2026-12-03T00:00:00Z', 'bbbbbbb', { scenarios: [fresh as never] });
		carryOver(now, previousFile);
		expect(now.scenarios).toEqual([fresh]);
		expect(now.carried).toEqual({});
		expect(renderResults(now)).not.toContain('Carried over');
	});

	it('a run of some scenarios (BENCH_ONLY) keeps the others, in the usual order, each marked', () => {
		const a = { ...scenario, id: 'b', name: 'first' };
		const b = { ...scenario, id: 'faults', name: 'last' };
		writeFileSync(previousFile, JSON.stringify(document('2026-12-01T00:00:00Z', 'aaaaaaa', { scenarios: [a as never, b as never] })));
		const fresh = { ...scenario, id: 'finetune', name: 'middle, measured now' };
		const now = document('2026-12-03T00:00:00Z', 'bbbbbbb', { scenarios: [fresh as never] });
		carryOver(now, previousFile);
		expect(now.scenarios.map((s) => [s.id, s.carriedFrom?.commit])).toEqual([['b', 'aaaaaaa'], ['finetune', undefined], ['faults', 'aaaaaaa']]);
	});
});
