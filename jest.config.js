// Unit specs live beside the code; end-to-end specs in test/. Both compile with SWC (no type check:
// `npm run typecheck` and `npm run lint` do that).
const transform = {
  '^.+\\.[tj]s$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
};

// ESM-only packages that jest must compile to CommonJS like our own sources.
const transformIgnorePatterns = ['/node_modules/(?!(@marcbachmann/cel-js|@bufbuild/cel|jose)/)'];

// A test's own waits (`until`, 5 s each) are its assertions; Jest's default 5 s for a whole test is
// shorter than two of them on a loaded CI machine, so a test may take up to 30 s.
const testTimeout = 30_000;

/** @type {import('jest').Config} */
module.exports = {
  // One PostgreSQL per run for the storage and e2e specs: DATABASE_URL when set, otherwise an
  // embedded server (test/support/postgres.ts). Jest compiles these with a project's transform; the
  // root `transform` is there for jest versions that use the root config instead.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  transform,
  testTimeout,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      testTimeout,
    },
    {
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      testTimeout,
    },
    // Fault tests (real app processes killed, PostgreSQL stopped): `npm run test:faults`, also in CI.
    {
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      testTimeout,
    },
    // The packed package installed into the apps of test/consumers, running the README's tutorial.
    {
      displayName: 'consumers',
      testMatch: ['<rootDir>/test/consumers/*.consumer-spec.ts'],
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      testTimeout,
    },
  ],
};
