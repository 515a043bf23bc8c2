import { DataSource } from 'typeorm';
import { freePort } from '../../tools/embedded-postgres';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres';
import { EventLogUnavailableError } from '../storage/event-log.interface';
import { isStorageUnavailable, retryAfterSeconds } from './storage-unavailable';

// Errors as the driver and TypeORM really raise them (a real PostgreSQL, a real closed port): an
// unreachable storage is told apart from a faulty query, which must stay a 500.
describe('isStorageUnavailable', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('unavailable');
    dataSource = await new DataSource({ type: 'postgres', url: db.url, logging: false }).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  async function failure(run: () => Promise<unknown>): Promise<unknown> {
    try {
      await run();
    } catch (error) {
      return error;
    }
    throw new Error('expected a failure');
  }

  it('is true for a server that refuses the connection', async () => {
    const port = await freePort();
    const closed = new DataSource({ type: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/x`, logging: false });
    expect(isStorageUnavailable(await failure(() => closed.initialize()))).toBe(true);
  });

  it('is true for a connection the server terminates mid-query', async () => {
    const own = await new DataSource({ type: 'postgres', url: db.url, logging: false }).initialize();
    try {
      const error = await failure(() => own.query('SELECT pg_terminate_backend(pg_backend_pid())'));
      expect(isStorageUnavailable(error)).toBe(true);
    } finally {
      await own.destroy().catch(() => undefined);
    }
  });

  it('is true for the event log saying so, with its own Retry-After', () => {
    const error = new EventLogUnavailableError('down', 9);
    expect(isStorageUnavailable(error)).toBe(true);
    expect(retryAfterSeconds(error)).toBe(9);
  });

  it('is false for a faulty query, a failing expression and plain errors', async () => {
    expect(isStorageUnavailable(await failure(() => dataSource.query('SELEC 1')))).toBe(false);
    expect(isStorageUnavailable(await failure(() => dataSource.query('SELECT 1/0')))).toBe(false);
    expect(isStorageUnavailable(new Error('boom'))).toBe(false);
    expect(isStorageUnavailable(undefined)).toBe(false);
  });
});
