/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
	},
	// Engine and end-to-end tests start servers and n8n itself; the real-n8n test installs n8n on first run.
	testTimeout: 60_000,
	// One file at a time keeps rate-limit and cancellation tests free of a second load on 2 cores.
	maxWorkers: 1,
	verbose: true,
};
