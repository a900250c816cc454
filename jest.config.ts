import type { Config } from 'jest';

const config: Config = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Tests that spawn the CLI run the compiled dist/; rebuild it when src/ is newer.
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  // Also print the plain "N passed, N failed" line CI reads.
  reporters: ['default', '<rootDir>/test/support/plainSummaryReporter.js'],
  testTimeout: 30_000,
};

export default config;
