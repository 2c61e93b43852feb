// The JavaScript linter (`npx eslint`, the `lint-js` tier of ./run_tests.sh): ESLint's
// recommended rules over the hand-written JavaScript; pkg/, target/ and node_modules/ are
// build output.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['pkg/', 'target/', 'node_modules/', 'Shared/results/', 'results/', 'logs/'] },
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  // Page code and tests that run in pages use the loader's globals (js/loader.d.ts).
  {
    files: ['www/**', 'tests/**', 'bench/**', 'scripts/**', 'Shared/**'],
    languageOptions: { globals: { RaptorSecondary: 'readonly', getActionLabel: 'readonly', resolveAction: 'readonly' } },
  },
  { files: ['**/*.cjs', 'js/loader.js', 'www/legacy-page.js', 'legacy/**/*.js'], languageOptions: { sourceType: 'script' } },
];
