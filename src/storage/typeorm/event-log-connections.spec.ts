// The deadline of the event log's connections on a real database. A batch that reaches a connection
// only after its deadline has been answered 503 already: started then, its statement could outlive
// the breaker (which cuts the connection writeTimeoutMs after the deadline) and commit with nobody
// left to un-accept it — the provider's retry would then find the row "in progress" until its lease ran out.
import { createServer } from 'node:net';
import * as pg from 'pg';
import type { DataSource } from 'typeorm';
import { createTestDatabase, openDataSource, type TestDatabase } from '../../../test/support/postgres';
import { EventLogUnavailableError } from '../event-log.interface';
import { EventLogConnections } from './event-log-connections';

describe('EventLogConnections', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let connections: EventLogConnections;
  beforeAll(async () => {
    db = await createTestDatabase('log_connections');
    dataSource = await openDataSource(db.url);
    connections = new EventLogConnections({ poolSize: 1, writeTimeoutMs: 400, retryAfterSeconds: 3, now: Date.now });
    connections.open(dataSource);
  });
  afterAll(async () => {
    await connections?.end();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('never starts work on a connection it got after its deadline', async () => {
    // The only connection, busy until the server cancels the sleep (statement_timeout, 400 ms).
    const holder = connections.query('SELECT pg_sleep(5)', []).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    let expiredAt = 0;
    let started = false;
    const late = connections.withConnection(
      Date.now() + 100,
      () => (expiredAt = Date.now()),
      async (client) => {
        started = true;
        return client.query('SELECT 1');
      },
    );
    await expect(late).rejects.toBeInstanceOf(EventLogUnavailableError);
    expect(await holder).toBeInstanceOf(EventLogUnavailableError);
    expect(expiredAt).toBeGreaterThan(0);
    expect(started).toBe(false);
    // The connection is fine for work within its deadline.
    expect((await connections.query<{ one: number }>('SELECT 1 AS one', [])).rows).toEqual([{ one: 1 }]);
  });

  it('answers EventLogUnavailableError when the server cancels a statement at its timeout', async () => {
    // The server's statement_timeout comes first here (50 ms, before the 400 ms deadline).
    const cancelled = connections.query('SET statement_timeout = 50; SELECT pg_sleep(2)', []);
    await expect(cancelled).rejects.toBeInstanceOf(EventLogUnavailableError);
    await connections.query('SET statement_timeout = 400', []);
    expect((await connections.query<{ one: number }>('SELECT 1 AS one', [])).rows).toEqual([{ one: 1 }]);
  });

  it('answers EventLogUnavailableError when no connection can be made', async () => {
    // A port nothing listens on: the pool's connect fails at once, before the deadline.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const unreachable = {
      options: { type: 'postgres' },
      driver: { postgres: pg, master: { options: { host: '127.0.0.1', port, user: 'nobody', database: 'none' } } },
    } as unknown as DataSource;
    const refused = new EventLogConnections({ poolSize: 1, writeTimeoutMs: 2000, retryAfterSeconds: 3, now: Date.now });
    refused.open(unreachable);
    try {
      await expect(refused.query('SELECT 1', [])).rejects.toBeInstanceOf(EventLogUnavailableError);
    } finally {
      await refused.end();
    }
  });
});
