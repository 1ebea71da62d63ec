/**
 * The published package points at no file it does not ship: every path package.json names (main,
 * types, bin, the n8n section's nodes and credentials) is in what `npm pack` puts in the tarball, and
 * every built node and credential is listed, so n8n loads all of them. Runs after `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	main?: string;
	types?: string;
	bin?: string | Record<string, string>;
	n8n: { nodes: string[]; credentials: string[] };
};
const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>;
const shipped = new Set(packed.files.map((file) => file.path));
const normal = (path: string) => path.replace(/^\.\//, '');

describe('package.json and the tarball', () => {
	const named = [
		...(pkg.main ? [pkg.main] : []),
		...(pkg.types ? [pkg.types] : []),
		...(typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {})),
		...pkg.n8n.nodes,
		...pkg.n8n.credentials,
	].map(normal);

	it.each(named)('%s is shipped', (path) => {
		expect(shipped.has(path)).toBe(true);
	});

	it('lists every built node and credential in the n8n section', () => {
		expect([...shipped].filter((path) => /\.node\.js$/.test(path) && path.startsWith('dist/nodes/')).sort()).toEqual([...pkg.n8n.nodes].map(normal).sort());
		expect([...shipped].filter((path) => /\.credentials\.js$/.test(path)).sort()).toEqual([...pkg.n8n.credentials].map(normal).sort());
	});

	it('ships no test, bench or source TypeScript', () => {
		expect([...shipped].filter((path) => /^(test|bench|core|nodes|credentials)\//.test(path) || (/\.ts$/.test(path) && !/\.d\.ts$/.test(path)))).toEqual([]);
	});
});
