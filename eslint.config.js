import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import stylistic from '@stylistic/eslint-plugin';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', 'reports/', '.hcguard/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    plugins: { '@stylistic': stylistic },
    rules: {
      // Prettier wraps code at 120 columns; this catches what it cannot wrap (strings, comments).
      '@stylistic/max-len': ['error', { code: 120, tabWidth: 2 }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      'no-duplicate-imports': 'error',
    },
  },
  {
    // The core decides; it must not reach for I/O, the environment, the clock or the SDK.
    files: ['lambdas/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', '@aws-lambda-powertools/*', '@middy/*'],
              message: 'lambdas/core does no I/O: use a port.',
            },
            {
              group: ['../adapters/*', '../handlers/*', '../local/*', '../app/*', '../../*'],
              message: 'lambdas/core imports nothing outside itself.',
            },
            {
              group: [
                'node:fs',
                'node:http',
                'node:https',
                'node:net',
                'node:child_process',
                'fs',
                'http',
                'https',
                'net',
              ],
              message: 'lambdas/core does no I/O.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'lambdas/core reads no environment.' },
        { object: 'Date', property: 'now', message: 'lambdas/core calls no clock: take `now` as input.' },
        { object: 'Math', property: 'random', message: 'lambdas/core is deterministic.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'lambdas/core calls no clock: take `now` as input.',
        },
        { selector: "CallExpression[callee.object.name='console']", message: 'lambdas/core does no logging.' },
      ],
    },
  },
  {
    // What runs in a Lambda never reaches for the local runtime or the CLI.
    files: ['lambdas/**/*.ts'],
    ignores: ['lambdas/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/local/*', '**/local/**'], message: 'local/ is never bundled into a Lambda.' },
            {
              group: ['**/bin/*', '**/bin/**', '**/lib/*', '**/lib/**'],
              message: 'lambdas/ imports neither the CLI nor the stack.',
            },
          ],
        },
      ],
    },
  },
  {
    // A module that imports itself back, at run time, can see the other's exports undefined.
    files: ['lambdas/**/*.ts', 'lib/**/*.ts', 'bin/**/*.ts', 'local/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver': { node: { extensions: ['.ts', '.js'] } },
    },
    rules: { 'import-x/no-cycle': 'error' },
  },
  {
    // Table-driven tests mutate parsed JSON fixtures freely.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../lambdas/handlers/*', '**/handlers/*'],
              message: 'lib/ never imports handlers: reference them by entry path.',
            },
          ],
        },
      ],
    },
  },
);
