// ESLint (flat config): typescript-eslint's type-aware recommended rules over every TypeScript
// file of the project (apps, libs, tests, bench), typed by tsconfig.json.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'test-output/**', '.data/**', '**/*.js', '**/*.mjs', '**/*.cjs', 'test/partner/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its error and its ordering: the bugs these two exist for.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Narrowed for tests only: supertest's `res.body` and parsed JSON are `any` by design, and
    // a test reads them to compare with what it expects; typing each body would add casts, not
    // safety. Async callbacks without await are how tests hand Jest and Nest a promise-returning
    // stub. `expect(object.method)` passes a method without calling it. The promise rules above
    // stay on for tests too.
    files: ['test/**/*.ts', '**/*.spec.ts', '**/*.medium-spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
