import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestDatabase, openDataSource, withClient, type TestDatabase } from '../../../test/support/postgres';
import { hookwardenEntityList } from './hookwarden.entities';
import { HOOKWARDEN_MIGRATIONS, createHookwardenMigrations, missingSchemaObjects } from './hookwarden.migrations';
import { TypeOrmEventLog } from './typeorm-event-log';

// Against a real PostgreSQL (test/support/postgres.ts): the migrations create exactly what the
// entities describe, in the data source's schema or a configured one, and revert cleanly.
describe('Hookwarden migrations', () => {
  let db: TestDatabase;
  const open: DataSource[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('migrations');
  });

  afterAll(async () => {
    await Promise.all(open.map((ds) => ds.destroy()));
    await db.drop();
  });

  async function tablesIn(dataSource: DataSource, schema: string): Promise<string[]> {
    const rows: { table_name: string }[] = await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );
    return rows.map((r) => r.table_name);
  }

  it.each([
    ['the data source schema', undefined, 'public'],
    ['a configured schema', 'hooks', 'hooks'],
  ])('in %s, create the webhook_ tables and match the entities exactly', async (_name, schema, where) => {
    const dataSource = await openDataSource(db.url, { schema });
    open.push(dataSource);
    expect(await tablesIn(dataSource, where)).toEqual(
      expect.arrayContaining([
        'webhook_audit',
        'webhook_encryption_keys',
        'webhook_endpoints',
        'webhook_events',
        'webhook_secrets',
      ]),
    );
    // What `synchronize` or `migration:generate` would change: nothing.
    const sql = await dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('would notice a difference (the comparison above is not vacuous)', async () => {
    const dataSource = await openDataSource(db.url, { schema: 'altered' });
    open.push(dataSource);
    await dataSource.query(`DROP INDEX "altered"."IDX_webhook_events_endpoint_id"`);
    const sql = await dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query).join('\n')).toContain('IDX_webhook_events_endpoint_id');
  });

  it('reverts cleanly and names per-schema migrations apart', async () => {
    const dataSource = await openDataSource(db.url, { schema: 'reverted' });
    open.push(dataSource);
    for (const _ of HOOKWARDEN_MIGRATIONS) await dataSource.undoLastMigration();
    expect(await tablesIn(dataSource, 'reverted')).toEqual([]);
    expect(new HOOKWARDEN_MIGRATIONS[0]().name).toMatch(/^HookwardenInit\d{13}$/);
    expect(new (createHookwardenMigrations({ schema: 'reverted' })[0])().name).toMatch(
      /^HookwardenInit_reverted_\d{13}$/,
    );
    expect(() => createHookwardenMigrations({ schema: 'bad"name' })).toThrow(/schema/);
  });

  it("add the jobs' trace_parent last (nullable, a traceparent's 55 characters), drop it on the way down; an inbox without it names the migration", async () => {
    const dataSource = await openDataSource(db.url, { schema: 'traced' });
    open.push(dataSource);
    const column = () =>
      dataSource.query(
        `SELECT data_type, character_maximum_length AS length, is_nullable FROM information_schema.columns
          WHERE table_schema = 'traced' AND table_name = 'webhook_inbox_jobs' AND column_name = 'trace_parent'`,
      );
    // TypeORM's migrations table (in the connection's schema) records every schema's; ours carry its name.
    const lastMigration = async () =>
      (
        (await dataSource.query(
          `SELECT name FROM migrations WHERE name LIKE 'Hookwarden%\\_traced\\_%' ORDER BY id DESC LIMIT 1`,
        )) as { name: string }[]
      )[0]?.name;
    const inboxStarts = async () => {
      const log = new TypeOrmEventLog(dataSource, { maxDelayMs: 0, schema: 'traced', encryptionKey: randomBytes(32) });
      await log.init();
      try {
        return await log.useInbox(() => undefined, { channel: 'c', payload: 'p', wake: () => undefined });
      } finally {
        await log.close();
      }
    };
    expect(await column()).toEqual([{ data_type: 'character varying', length: 55, is_nullable: 'YES' }]);
    expect(await lastMigration()).toBe('HookwardenJobTraceParent_traced_1796000000000');
    expect(await inboxStarts()).toBe('"traced"."webhook_inbox_jobs"');

    await dataSource.undoLastMigration();
    expect(await column()).toEqual([]);
    expect(await lastMigration()).not.toBe('HookwardenJobTraceParent_traced_1796000000000');
    await expect(inboxStarts()).rejects.toThrow(
      /trace_parent is missing in "traced"\."webhook_inbox_jobs".*HookwardenJobTraceParent_traced_1796000000000/,
    );

    await dataSource.runMigrations({ transaction: 'each' });
    expect(await column()).toHaveLength(1);
  });

  /** The schema as the catalog describes it (tables, columns, constraints, indexes, triggers, functions). */
  async function describeSchema(dataSource: DataSource, schema: string): Promise<string[]> {
    const rows: { line: string }[] = await dataSource.query(
      `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
              || ' ' || coalesce(column_default, '') AS line
         FROM information_schema.columns WHERE table_schema = $1
       UNION ALL
       SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
         FROM pg_constraint WHERE connamespace = $1::regnamespace
       UNION ALL
       SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = $1
       UNION ALL
       SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t
         JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = $1::regnamespace AND NOT t.tgisinternal
       UNION ALL
       SELECT 'function ' || proname || ' ' || prosrc FROM pg_proc WHERE pronamespace = $1::regnamespace`,
      [schema],
    );
    // TypeORM's own migrations table sits in the data source's schema: not ours to compare.
    return rows
      .map((r) => r.line.split(schema).join('<schema>'))
      .filter((line) => !/\bmigrations\b/.test(line))
      .sort();
  }

  async function synchronized(schema: string): Promise<DataSource> {
    const dataSource = new DataSource({
      type: 'postgres',
      url: db.url,
      schema,
      entities: hookwardenEntityList(schema),
      migrations: createHookwardenMigrations({ schema }),
      synchronize: false,
      logging: false,
    });
    await dataSource.initialize();
    open.push(dataSource);
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await dataSource.synchronize();
    return dataSource;
  }

  it('complete tables made by synchronize: the result equals a schema made by the migrations alone', async () => {
    const reference = await openDataSource(db.url, { schema: 'by_migrations' });
    open.push(reference);
    const dataSource = await synchronized('by_synchronize');
    const rows = (text: string, params: unknown[]) => dataSource.query(text, params);
    // What synchronize leaves out (the reason for this test), then the migration on top of it.
    expect(await missingSchemaObjects(rows, 'by_synchronize')).toEqual([
      'the BRIN index IDX_webhook_events_received_at',
      'the function webhook_secrets_notify()',
      'the trigger webhook_secrets_notify',
      'the trigger webhook_endpoints_notify',
    ]);
    expect(await describeSchema(dataSource, 'by_synchronize')).not.toEqual(
      await describeSchema(reference, 'by_migrations'),
    );
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await missingSchemaObjects(rows, 'by_synchronize')).toEqual([]);
    expect(await describeSchema(dataSource, 'by_synchronize')).toEqual(
      await describeSchema(reference, 'by_migrations'),
    );
  });

  it('run again on a migrated schema without error or change (every statement is idempotent)', async () => {
    const dataSource = await openDataSource(db.url, { schema: 'twice' });
    open.push(dataSource);
    const before = await describeSchema(dataSource, 'twice');
    const runner = dataSource.createQueryRunner();
    try {
      await new (createHookwardenMigrations({ schema: 'twice' })[0]!)().up(runner);
    } finally {
      await runner.release();
    }
    expect(await describeSchema(dataSource, 'twice')).toEqual(before);
  });

  it('leave a synchronized secrets table whose changes are announced by NOTIFY', async () => {
    const dataSource = await synchronized('announced');
    await dataSource.runMigrations({ transaction: 'each' });
    const payload = await withClient(db.url, async (client) => {
      await client.query('LISTEN hookwarden_secrets');
      const heard = new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 3000);
        client.on('notification', (message) => {
          clearTimeout(timer);
          resolve(message.payload);
        });
      });
      await dataSource.query(
        `INSERT INTO announced.webhook_secrets (endpoint, version, key_id, ciphertext, fingerprint, hint, created_at)
         VALUES ('billing', 1, 'k1', '\\x00', '\\x00', 'ab', now())`,
      );
      return heard;
    });
    expect(JSON.parse(payload!)).toEqual({ schema: 'announced', endpoint: 'billing' });
  });
});
