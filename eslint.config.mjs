// n8n's community-node rules over the package, plus eslint-plugin-n8n-nodes-base's rules for
// nodes, credentials and the package.json. Every rule switched off is listed in README, with why.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import communityNodes from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'eslint.config.mjs', 'gulpfile.js', 'jest.config.js'] },
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, ...tseslint.configs.recommended],
		languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'core/**/*.ts'],
		...communityNodes.configs.recommended,
		rules: {
			...communityNodes.configs.recommended.rules,
			// The package depends on `openai` (the maintained client every OpenAI-compatible server is
			// tested against) and `zod` (the version n8n itself ships). n8n Cloud accepts no runtime
			// dependencies, so this package is for self-hosted n8n.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		// The core is plain TypeScript with no n8n types, so it cannot use n8n-workflow's sleep, and
		// the transport is built on the openai SDK.
		files: ['core/**/*.ts'],
		rules: {
			'@n8n/community-nodes/no-restricted-globals': 'off',
			'@n8n/community-nodes/no-restricted-imports': 'off',
			// Core errors are plain classes; the nodes wrap them in NodeOperationError with the item index.
			'@n8n/community-nodes/require-node-api-error': 'off',
		},
	},
	{
		// typescript-eslint parses JSON as one object expression, which is what these rules look for.
		files: ['package.json'],
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Meant for nodes in n8n's own repository, whose documentationUrl is a slug; a community
			// credential links a full URL, as @n8n/community-nodes/credential-documentation-url requires.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// These older rules want inputs: ['main']; n8n's current rule
			// (@n8n/community-nodes/node-connection-type-literal) wants NodeConnectionTypes.Main.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// One node per folder: what two nodes use lives in nodes/shared (lower case, like core), so a
			// relative import into another node's folder (PascalCase, e.g. '../GenerateText/x') is an error.
			// A node's own subfolders are imported with './'.
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							regex: '^(\\.\\./)+(nodes/)?[A-Z]',
							caseSensitive: true,
							message: "A node folder does not import another node's folder: move what both use to nodes/shared.",
						},
					],
				},
			],
		},
	},
	{
		files: ['test/**/*.ts', 'bench/**/*.ts'],
		rules: { '@typescript-eslint/no-explicit-any': 'off' },
	},
);
