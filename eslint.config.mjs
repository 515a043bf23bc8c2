// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layerTable from './tools/layers.json' with { type: 'json' };

// The layers of design.md §3 (tools/layers.json): per folder, the folders it may not import. The
// patterns match path segments of relative specifiers ('../../nest/x' matches '**/nest/**');
// src/layers.spec.ts checks the resolved imports and the file cycles.
const folders = ['core', 'providers', 'storage', 'nest', 'admin', 'cli', 'demo'];
const patternsFor = (layer) => [
  `**/${layer.replace(/^src\//, '').replace(/\.ts$/, '')}`,
  `**/${layer.replace(/^src\//, '').replace(/\.ts$/, '')}/**`,
];
const layerRules = Object.entries(layerTable.layers).flatMap(([layer, allowed]) => {
  const forbidden = [...folders.map((f) => `src/${f}`), 'bench', 'tools', 'test'].filter(
    (other) => other !== layer && !allowed.includes(other),
  );
  const rule = (banned) => ({
    'no-restricted-imports': [
      'error',
      {
        patterns: banned.map((other) => ({
          group: patternsFor(other),
          message: `${layer} may not import ${other} (layers: tools/layers.json, design.md §3).`,
        })),
      },
    ],
  });
  const files = layer.endsWith('.ts') ? [layer] : [`${layer}/**/*.ts`];
  return [
    { files, ignores: ['**/*.spec.ts'], rules: rule(forbidden) },
    {
      files: files.map((f) => f.replace(/\.ts$/, '.spec.ts')),
      rules: rule(forbidden.filter((o) => !layerTable.specsMayImport.includes(o))),
    },
  ];
});

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', '.data/', 'bench/results/', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Library code logs through Nest's Logger only, and never a secret.
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'src/demo/**/*.ts'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  ...layerRules,
);
