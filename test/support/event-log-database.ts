import type { DataSource } from 'typeorm';
import type { EventLogReader, StoredWebhookEvent } from '../../src/storage/event-log.interface';
import { TypeOrmEventLog, type TypeOrmEventLogOptions } from '../../src/storage/typeorm/typeorm-event-log';
import { createTestDatabase, openDataSource, type TestDatabase } from './postgres';

/** A TypeORM event log on a test database of its own; its fields are set once beforeAll has run. */
export interface EventLogDatabase {
  readonly log: TypeOrmEventLog;
  readonly dataSource: DataSource;
}

/**
 * For a describe block: creates a database (`hw_<prefix>_…`), migrates it and starts a log with
 * `options` in beforeAll; closes the log and drops the database in afterAll.
 */
export function eventLogDatabase(prefix: string, options: TypeOrmEventLogOptions): EventLogDatabase {
  const handle = {} as { log: TypeOrmEventLog; dataSource: DataSource; db: TestDatabase };
  beforeAll(async () => {
    handle.db = await createTestDatabase(prefix);
    handle.dataSource = await openDataSource(handle.db.url);
    handle.log = new TypeOrmEventLog(handle.dataSource, options);
    await handle.log.init();
  });
  afterAll(async () => {
    await handle.log?.close();
    await handle.dataSource?.destroy();
    await handle.db?.drop();
  });
  return handle;
}

/** Every event of the log (of one endpoint, if named), newest first, page by page. */
export async function listAllEvents(reader: EventLogReader, endpoint?: string): Promise<StoredWebhookEvent[]> {
  const items: StoredWebhookEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await reader.list({ endpoint, limit: 500, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
