// `npm run bench:inbox`: the durable inbox beside pg-boss 10.x and graphile-worker 0.16.x, on the
// same PostgreSQL (DATABASE_URL, else an embedded server with fsync on; synchronous_commit as the
// server has it), each in a fresh database, at the same concurrency, with a no-op handler:
//   throughput — N jobs committed first, then workers started: jobs/s until the last one finished;
//   latency — R jobs/s committed one by one for D s: commit (the enqueue's promise resolved) →
//             handler start, p50/p99. Hookwarden's commit is the real 2xx path: record + acknowledge.
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import PgBoss from 'pg-boss';
import { makeWorkerUtils, run as runGraphile } from 'graphile-worker';
import { InboxWorkers } from '../src/nest/inbox/inbox-workers';
import { resolveInboxOptions } from '../src/nest/inbox/inbox-options';
import type { InboxDispatch } from '../src/nest/inbox/inbox-handlers';
import type { WebhookEventRecord } from '../src/storage/event-log.interface';
import { HOOKWARDEN_MIGRATIONS } from '../src/storage/typeorm/hookwarden.migrations';
import { TypeOrmEventLog } from '../src/storage/typeorm/typeorm-event-log';
import { TypeOrmInbox } from '../src/storage/typeorm/typeorm-inbox';
import { openDatabase } from './database';

const N = Number(process.env.INBOX_BENCH_JOBS ?? 3000);
const CONCURRENCY = Number(process.env.INBOX_BENCH_CONCURRENCY ?? 10);
const RATE = Number(process.env.INBOX_BENCH_RATE ?? 200);
const SECONDS = Number(process.env.INBOX_BENCH_SECONDS ?? 5);

interface System {
  name: string;
  /** Commits one job; resolves once committed. */
  enqueue(key: string): Promise<void>;
  /** Commits many jobs (the throughput run's backlog). */
  enqueueMany(keys: string[]): Promise<void>;
  start(onJob: (key: string) => void): Promise<void>;
  stop(): Promise<void>;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function hookwarden(url: string): Promise<System> {
  const dataSource = new DataSource({ type: 'postgres', url, migrations: HOOKWARDEN_MIGRATIONS, migrationsRun: true });
  await dataSource.initialize();
  const log = new TypeOrmEventLog(dataSource, {});
  await log.init();
  const inbox = new TypeOrmInbox(dataSource, log);
  let onJob: (key: string) => void = () => undefined;
  const dispatch = {
    handlers: new Map([
      ['noop', { id: 'noop', endpoint: 'bench', options: {}, run: (d: { dedupeKey?: string }) => onJob(d.dedupeKey!) }],
    ]),
  } as unknown as InboxDispatch;
  const workers = new InboxWorkers(inbox, dispatch, resolveInboxOptions({ concurrency: CONCURRENCY }));
  const record = (key: string): WebhookEventRecord => ({
    endpoint: 'bench',
    provider: 'bench',
    messageId: key,
    status: 'accepted',
    receivedAt: new Date(),
    replayWindowEndsAt: new Date(),
    method: 'POST',
    path: '/hooks/bench',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(`{"type":"bench","id":"${key}"}`),
    leaseToken: key,
    work: [{ handler: 'noop', eventType: 'bench' }],
  });
  // The 2xx path: the row (and its job) committed, then the acceptance acknowledged.
  const enqueue = async (key: string) => {
    await log.record(record(key));
    await log.acknowledge('bench', key, key);
  };
  // The inbox must be on in the log before rows are written with their jobs.
  await inbox.start();
  return {
    name: 'hookwarden inbox',
    enqueue,
    enqueueMany: async (keys) => void (await Promise.all(keys.map(enqueue))),
    start: async (handler) => {
      onJob = handler;
      await workers.onApplicationBootstrap();
    },
    stop: async () => {
      await workers.onModuleDestroy();
      await log.close();
      await dataSource.destroy();
    },
  };
}

async function pgBoss(url: string): Promise<System> {
  const boss = new PgBoss({ connectionString: url, max: 4 });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue('bench');
  return {
    name: 'pg-boss 10',
    enqueue: async (key) => void (await boss.send('bench', { key })),
    enqueueMany: async (keys) => {
      for (let i = 0; i < keys.length; i += 500) {
        await boss.insert(keys.slice(i, i + 500).map((key) => ({ name: 'bench', data: { key } })));
      }
    },
    start: async (onJob) => {
      // pg-boss 10 polls (0.5 s at least); one worker fetching `concurrency` jobs per poll.
      await boss.work<{ key: string }>(
        'bench',
        { batchSize: CONCURRENCY, pollingIntervalSeconds: 0.5 },
        async (jobs: PgBoss.Job<{ key: string }>[]) => {
          await Promise.all(jobs.map(async (job) => onJob(job.data.key)));
        },
      );
    },
    stop: () => boss.stop({ graceful: false, wait: true }),
  };
}

async function graphileWorker(url: string): Promise<System> {
  const utils = await makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  let runner: Awaited<ReturnType<typeof runGraphile>> | undefined;
  return {
    name: 'graphile-worker 0.16',
    enqueue: async (key) => void (await utils.addJob('bench', { key })),
    enqueueMany: async (keys) => {
      for (let i = 0; i < keys.length; i += 500) {
        await Promise.all(keys.slice(i, i + 500).map((key) => utils.addJob('bench', { key })));
      }
    },
    start: async (onJob) => {
      runner = await runGraphile({
        connectionString: url,
        concurrency: CONCURRENCY,
        noHandleSignals: true,
        pollInterval: 2000,
        logger: new (await import('graphile-worker')).Logger(() => () => undefined),
        taskList: { bench: async (payload) => onJob((payload as { key: string }).key) },
      });
    },
    stop: async () => {
      await runner?.stop();
      await utils.release();
    },
  };
}

async function measure(make: (url: string) => Promise<System>, freshDatabase: () => Promise<string>) {
  // Throughput: a backlog of N, drained.
  let system = await make(await freshDatabase());
  const keys = Array.from({ length: N }, (_, i) => `t${i}_${randomBytes(4).toString('hex')}`);
  await system.enqueueMany(keys);
  let done = 0;
  let finished!: () => void;
  const all = new Promise<void>((resolve) => (finished = resolve));
  const started = performance.now();
  await system.start(() => {
    if (++done === N) finished();
  });
  await all;
  const jobsPerSecond = N / ((performance.now() - started) / 1000);
  await system.stop();

  // Latency: a steady rate, commit → handler start.
  system = await make(await freshDatabase());
  // Both instants are kept and subtracted at the end: a handler may start before the enqueue's
  // promise callback ran (then the latency counts as 0).
  const committedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  await system.start((key) => void startedAt.set(key, performance.now()));
  const total = RATE * SECONDS;
  const sends: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const key = `l${i}_${randomBytes(4).toString('hex')}`;
    sends.push(system.enqueue(key).then(() => void committedAt.set(key, performance.now())));
  }
  await Promise.all(sends);
  const deadline = performance.now() + 15_000;
  while (startedAt.size < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await system.stop();
  const sorted = [...startedAt].map(([key, at]) => Math.max(0, at - committedAt.get(key)!)).sort((a, b) => a - b);
  return {
    name: system.name,
    jobsPerSecond,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    seen: sorted.length,
    total,
  };
}

async function main(): Promise<void> {
  const db = await openDatabase((line) => console.log(line));
  try {
    console.log(
      `concurrency ${CONCURRENCY}; throughput: ${N} jobs; latency: ${RATE} jobs/s for ${SECONDS} s; no-op handler`,
    );
    console.log('| system | jobs/s (backlog drained) | commit→start p50 | p99 | started |');
    console.log('|---|---|---|---|---|');
    for (const make of [hookwarden, pgBoss, graphileWorker]) {
      const r = await measure(make, () => db.freshDatabase('bench_inbox'));
      console.log(
        `| ${r.name} | ${Math.round(r.jobsPerSecond).toLocaleString('en')} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.seen}/${r.total} |`,
      );
    }
  } finally {
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
