import type { Config } from 'jest';

type Project = NonNullable<Config['projects']>[number] & object;

/** What every project shares: TypeScript through ts-jest (with the Swagger plugin, as nest build has it) and the @app/* paths. */
const base = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        isolatedModules: false,
        astTransformers: { before: ['<rootDir>/test/support/swagger-plugin-transformer.js'] },
      },
    ],
    '^.+/node_modules/jose/.+\\.js$': '<rootDir>/test/support/esm-package-transformer.js',
  },
  moduleNameMapper: { '^@app/([a-z-]+)(|/.*)$': '<rootDir>/libs/$1/src$2' },
  // jose ships ES modules only (Node loads it with require()); Jest's CommonJS runtime needs it transpiled.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
} satisfies Project;

/**
 * unit: pure specs (no PostgreSQL, no Redis, no network), beside their code as `*.spec.ts`.
 * medium: specs beside their code that need a real PostgreSQL or Redis (`*.medium-spec.ts`),
 * as immich splits them. e2e: the whole app over HTTP (test/). reliability: its own suite.
 */
const config: Config = {
  testTimeout: 60000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,apps}/**/*.spec.ts'],
      setupFiles: ['<rootDir>/test/support/unit-env.ts'],
    },
    {
      ...base,
      displayName: 'medium',
      testMatch: ['<rootDir>/{libs,apps}/**/*.medium-spec.ts'],
      setupFiles: ['<rootDir>/test/support/unit-env.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/test-env.ts'],
    },
    {
      ...base,
      displayName: 'reliability',
      testMatch: ['<rootDir>/test/reliability/**/*.reliability-spec.ts'],
      globalSetup: '<rootDir>/test/reliability/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/reliability/support/global-teardown.ts',
    },
  ],
};

export default config;
