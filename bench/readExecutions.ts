/**
 * Reads the executions that `n8n execute` saved in n8n's SQLite database, failed ones included:
 * when a node fails the execution, `n8n execute` prints no run JSON on stdout, but the run data
 * (every node's startTime, executionTime, output or error) is in execution_data, stored with
 * `flatted`. The database is read with Node 24's built-in node:sqlite, in n8n's Node.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'flatted';

const run = promisify(execFile);

export interface SavedExecution {
	id: number;
	workflowId: string;
	status: string;
	startedAt: string;
	stoppedAt: string;
	data: any;
}

const READER = `
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(process.argv[1], { readOnly: true });
const rows = db.prepare('SELECT e.id, e.workflowId, e.status, e.startedAt, e.stoppedAt, d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.id > ? ORDER BY e.id').all(Number(process.argv[2]));
process.stdout.write(JSON.stringify(rows));
`;

/** Executions with an id above `afterId`, oldest first. `node24` is the folder of Node 24's binary. */
export async function readExecutions(work: string, node24: string, afterId = 0): Promise<SavedExecution[]> {
	const { stdout } = await run(join(node24, 'node'), ['--no-warnings', '-e', READER, join(work, '.n8n', 'database.sqlite'), String(afterId)], {
		maxBuffer: 1024 * 1024 * 1024,
	});
	const rows = JSON.parse(stdout) as Array<Omit<SavedExecution, 'data'> & { data: string }>;
	return rows.map((row) => ({ ...row, data: parse(row.data) }));
}
