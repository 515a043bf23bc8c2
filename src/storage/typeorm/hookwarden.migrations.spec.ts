import type { DataSource } from 'typeorm';
import { createTestDatabase, openDataSource, type TestDatabase } from '../../../test/support/postgres';
import { HOOKWARDEN_MIGRATIONS, createHookwardenMigrations } from './hookwarden.migrations';

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
      expect.arrayContaining(['webhook_audit', 'webhook_encryption_keys', 'webhook_events', 'webhook_secrets']),
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
    await dataSource.undoLastMigration();
    expect(await tablesIn(dataSource, 'reverted')).toEqual([]);
    expect(new HOOKWARDEN_MIGRATIONS[0]().name).toMatch(/^HookwardenInit\d{13}$/);
    expect(new (createHookwardenMigrations({ schema: 'reverted' })[0])().name).toMatch(
      /^HookwardenInit_reverted_\d{13}$/,
    );
    expect(() => createHookwardenMigrations({ schema: 'bad"name' })).toThrow(/schema/);
  });
});
