// Event-log write throughput: group commit (TypeOrmEventLog, one multi-row INSERT … ON CONFLICT per
// batch) against one INSERT per request, with 1 KiB bodies and many concurrent requests, on a real
// PostgreSQL with fsync on (DATABASE_URL, else an embedded server started here).
// Run: npm run bench:event-log  (prints a table; runEventLogBenchmark() returns the figures).
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { WebhookEventRecord } from '../src/storage/event-log.interface';
import { TypeOrmEventLog } from '../src/storage/typeorm/typeorm-event-log';
import { createHookwardenMigrations, hookwardenEntityList } from '../src/storage/typeorm';
import { createTestDatabase, EmbeddedPostgres } from '../tools/embedded-postgres';

/** A data source on `url` with Hookwarden's tables, made by its migrations (as an app would). */
async function openDataSource(url: string): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities: hookwardenEntityList(),
    migrations: createHookwardenMigrations(),
    logging: false,
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

export interface EventLogBenchResult {
  name: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface EventLogBenchOptions {
  /** Rows per measured run of group commit (a quarter for the slower writers). @default 40000 */
  rows?: number;
  /** Requests in flight at once. @default 256 */
  concurrency?: number;
  /** Connections for every contender. @default 4 */
  connections?: number;
  /** Measured rounds; the best of each contender is reported. @default 3 */
  rounds?: number;
  /** A PostgreSQL server to create the database on; else DATABASE_URL, else an embedded server. */
  serverUrl?: string;
}

const BODY = randomBytes(1024);

function record(i: number, run: string): WebhookEventRecord {
  const now = new Date();
  return {
    endpoint: 'bench',
    provider: 'standard-webhooks',
    messageId: `${run}-${i}`,
    status: 'accepted',
    secretVersion: 1,
    receivedAt: now,
    signedAt: now,
    replayWindowEndsAt: new Date(now.getTime() + 300_000),
    method: 'POST',
    path: '/hooks/bench',
    headers: { 'content-type': 'application/json', 'webhook-id': `${run}-${i}`, 'webhook-signature': '[redacted]' },
    body: BODY,
  };
}

/** Keeps `concurrency` calls in flight until `total` are done; returns the seconds taken. */
async function drive(total: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await call(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The baseline: what an app writes without group commit, one INSERT … ON CONFLICT per request. */
function singleInsert(pool: Pool) {
  const sql = `INSERT INTO webhook_events (endpoint, provider, message_id, status, reason, secret_version, received_at,
      signed_at, replay_window_ends_at, method, path, headers, body, body_size, body_sha256)
    VALUES ($1, $2, $3, 'accepted', NULL, $4, $5, $6, $7, $8, $9, $10, $11, $12, sha256($11))
    ON CONFLICT (endpoint, message_id) WHERE status = 'accepted' DO NOTHING RETURNING id`;
  return (event: WebhookEventRecord) =>
    pool.query({
      name: 'bench_single_insert',
      text: sql,
      values: [
        event.endpoint,
        event.provider,
        event.messageId,
        event.secretVersion,
        event.receivedAt,
        event.signedAt,
        event.replayWindowEndsAt,
        event.method,
        event.path,
        JSON.stringify(event.headers),
        event.body,
        event.body.length,
      ],
    });
}

export async function runEventLogBenchmark(options: EventLogBenchOptions = {}): Promise<EventLogBenchResult[]> {
  const rows = options.rows ?? 40_000;
  const concurrency = options.concurrency ?? 256;
  const connections = options.connections ?? 4;
  const rounds = options.rounds ?? 3;
  Logger.overrideLogger(['error']);
  const serverUrl = options.serverUrl ?? process.env.DATABASE_URL;
  const server = serverUrl ? undefined : await EmbeddedPostgres.create({ durable: true });
  const db = await createTestDatabase('bench', serverUrl ?? server!.url());
  let dataSource: DataSource | undefined;
  const results: EventLogBenchResult[] = [];
  try {
    dataSource = await openDataSource(db.url);
    const truncate = () => dataSource!.query('TRUNCATE webhook_events CASCADE');

    const contenders: Array<{
      name: string;
      rows: number;
      open(): Promise<{ write(e: WebhookEventRecord): Promise<unknown>; close(): Promise<void> }>;
    }> = [
      {
        name: `group commit (batch 100, 2 ms, ${connections} conns)`,
        rows,
        open: async () => {
          const log = new TypeOrmEventLog(dataSource!, {
            batchSize: 100,
            maxDelayMs: 2,
            poolSize: connections,
            maxQueuedRows: 100_000,
          });
          await log.init();
          return { write: (e) => log.record(e), close: () => log.close() };
        },
      },
      {
        name: `one INSERT per request (${connections} conns)`,
        rows: Math.ceil(rows / 4),
        open: async () => {
          const pg = (dataSource!.driver as unknown as { postgres: { Pool: new (c: object) => Pool } }).postgres;
          const pool = new pg.Pool({ connectionString: db.url, max: connections });
          const insert = singleInsert(pool);
          return { write: insert, close: () => pool.end() };
        },
      },
      {
        name: `one INSERT per request (${connections * 4} conns)`,
        rows: Math.ceil(rows / 4),
        open: async () => {
          const pg = (dataSource!.driver as unknown as { postgres: { Pool: new (c: object) => Pool } }).postgres;
          const pool = new pg.Pool({ connectionString: db.url, max: connections * 4 });
          const insert = singleInsert(pool);
          return { write: insert, close: () => pool.end() };
        },
      },
      {
        name: `TypeOrmEventLog, batch size 1 (${connections} conns)`,
        rows: Math.ceil(rows / 4),
        open: async () => {
          const log = new TypeOrmEventLog(dataSource!, {
            batchSize: 1,
            maxDelayMs: 0,
            poolSize: connections,
            maxQueuedRows: 100_000,
          });
          await log.init();
          return { write: (e) => log.record(e), close: () => log.close() };
        },
      },
    ];

    // Rounds interleave the contenders (so a noisy moment hurts all of them); the best round counts.
    const best = new Map<string, EventLogBenchResult>();
    for (let round = 0; round < rounds; round++) {
      for (const contender of contenders) {
        const writer = await contender.open();
        try {
          await drive(2000, concurrency, (i) => writer.write(record(i, `warm-${round}-${contender.name}`)));
          await truncate();
          const run = randomBytes(4).toString('hex');
          const seconds = await drive(contender.rows, concurrency, (i) => writer.write(record(i, run)));
          const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM webhook_events`);
          if (count !== contender.rows)
            throw new Error(`${contender.name}: ${count} rows stored, not ${contender.rows}`);
          const result = {
            name: contender.name,
            rows: contender.rows,
            seconds,
            rowsPerSecond: contender.rows / seconds,
          };
          if (result.rowsPerSecond > (best.get(contender.name)?.rowsPerSecond ?? 0)) best.set(contender.name, result);
        } finally {
          await writer.close();
          await truncate();
        }
      }
    }
    results.push(...contenders.map((c) => best.get(c.name)!));
  } finally {
    await dataSource?.destroy();
    await db.drop().catch(() => undefined);
    await server?.destroy();
  }
  return results;
}

export function printEventLogResults(results: EventLogBenchResult[]): void {
  const baseline = results[1]?.rowsPerSecond ?? NaN;
  console.log('\nEvent log writes, 1 KiB bodies, 256 requests in flight, PostgreSQL with fsync on (best of 3 rounds)');
  console.log(`| writer | rows | seconds | rows/s | × ${results[1]?.name ?? 'baseline'} |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.rows} | ${r.seconds.toFixed(2)} | ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} | ${(r.rowsPerSecond / baseline).toFixed(1)}× |`,
    );
  }
}

if (require.main === module) {
  runEventLogBenchmark().then(printEventLogResults, (error: Error) => {
    console.error(error);
    process.exit(1);
  });
}
