// The inbox section of `npm run bench` (and `npm run bench:inbox` alone, through inbox.run.ts): the durable inbox beside
// pg-boss 10.x and graphile-worker 0.16.x, on the same PostgreSQL (DATABASE_URL, else an embedded
// server with fsync on; synchronous_commit as the server has it), each in a fresh database, at the
// same concurrency, with a no-op handler:
//   throughput — N jobs committed first, then workers started: jobs/s until the last one finished;
//   latency — R jobs/s committed one by one for D s: commit (the enqueue's promise resolved) →
//             handler start, p50/p99. Hookwarden's commit is the real 2xx path: record + acknowledge.
// Alone, by environment: INBOX_BENCH_JOBS (3000), INBOX_BENCH_CONCURRENCY (10), INBOX_BENCH_RATES
// (rate:seconds,… — 200:5,500:5,1000:8), INBOX_BENCH_DRAIN_SECONDS (5), INBOX_BENCH_SYSTEMS (all:
// hookwarden,pg-boss,graphile-worker).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

export interface InboxOptions {
  /** The backlog drained by the throughput run. */
  jobs: number;
  concurrency: number;
  /** The steady rates of the latency runs: jobs/s for seconds. */
  rates: Array<{ rate: number; seconds: number }>;
  /** How long after the last commit the handlers may still start, in s. */
  drainSeconds: number;
}

export interface InboxRateResult {
  rate: number;
  seconds: number;
  sent: number;
  /** Jobs committed per second, first send to last commit: whether the rate was sustained. */
  committedPerSecond: number;
  /** Handlers started within `drainSeconds` of the last commit. */
  started: number;
  /** Commit → handler start over every job sent; Infinity when that percentile never started. */
  p50Ms: number;
  p99Ms: number;
}

export interface InboxSystemResult {
  name: string;
  /** How it was set up to wait for work (LISTEN/NOTIFY, polling). */
  setup: string;
  jobsPerSecond: number;
  rates: InboxRateResult[];
}

export interface InboxBenchResult {
  options: InboxOptions;
  systems: InboxSystemResult[];
}

const ROOT = join(__dirname, '..');
const version = (name: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

interface System {
  name: string;
  setup: string;
  /** Commits one job; resolves once committed. */
  enqueue(key: string): Promise<void>;
  /** Commits many jobs (the throughput run's backlog). */
  enqueueMany(keys: string[]): Promise<void>;
  start(onJob: (key: string) => void): Promise<void>;
  stop(): Promise<void>;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function hookwarden(url: string, concurrency: number): Promise<System> {
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
  const workers = new InboxWorkers(inbox, dispatch, resolveInboxOptions({ concurrency }));
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
    name: 'Hookwarden inbox',
    setup: 'TypeOrmInbox: LISTEN/NOTIFY, claims with SKIP LOCKED, polling 2 s as the fallback',
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

async function pgBoss(url: string, concurrency: number): Promise<System> {
  const boss = new PgBoss({ connectionString: url, max: 4 });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue('bench');
  return {
    name: `pg-boss ${version('pg-boss')}`,
    setup: `\`work\`, batchSize ${concurrency}, polling every 0.5 s (its minimum)`,
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
        { batchSize: concurrency, pollingIntervalSeconds: 0.5 },
        async (jobs: PgBoss.Job<{ key: string }>[]) => {
          await Promise.all(jobs.map(async (job) => onJob(job.data.key)));
        },
      );
    },
    stop: () => boss.stop({ graceful: false, wait: true }),
  };
}

async function graphileWorker(url: string, concurrency: number): Promise<System> {
  const utils = await makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  let runner: Awaited<ReturnType<typeof runGraphile>> | undefined;
  return {
    name: `graphile-worker ${version('graphile-worker')}`,
    setup: `concurrency ${concurrency}, LISTEN/NOTIFY, polling 2 s as the fallback`,
    enqueue: async (key) => void (await utils.addJob('bench', { key })),
    enqueueMany: async (keys) => {
      for (let i = 0; i < keys.length; i += 500) {
        await Promise.all(keys.slice(i, i + 500).map((key) => utils.addJob('bench', { key })));
      }
    },
    start: async (onJob) => {
      runner = await runGraphile({
        connectionString: url,
        concurrency,
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

/** The longest a backlog is waited for, in s. */
export const DRAIN_CAP_SECONDS = 20;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type MakeSystem = (url: string, concurrency: number) => Promise<System>;

/** A backlog of `jobs` committed first, then the workers started: jobs/s until the last handler ran. */
async function drain(
  make: MakeSystem,
  url: string,
  options: InboxOptions,
): Promise<Pick<InboxSystemResult, 'name' | 'setup' | 'jobsPerSecond'>> {
  const system = await make(url, options.concurrency);
  try {
    const keys = Array.from({ length: options.jobs }, (_, i) => `t${i}_${randomBytes(4).toString('hex')}`);
    await system.enqueueMany(keys);
    let done = 0;
    let finished!: () => void;
    const all = new Promise<void>((resolve) => (finished = resolve));
    const started = performance.now();
    await system.start(() => {
      if (++done === options.jobs) finished();
    });
    // A system that cannot drain the backlog in time (pg-boss: ~20 jobs/s) gets the rate of what it did.
    await Promise.race([all, delay(DRAIN_CAP_SECONDS * 1000)]);
    return { name: system.name, setup: system.setup, jobsPerSecond: done / ((performance.now() - started) / 1000) };
  } finally {
    await system.stop();
  }
}

/** `rate` jobs/s committed one by one for `seconds`: commit → handler start. */
async function steady(
  make: MakeSystem,
  url: string,
  options: InboxOptions,
  rate: number,
  seconds: number,
): Promise<InboxRateResult> {
  const system = await make(url, options.concurrency);
  // Both instants are kept and subtracted at the end: a handler may start before the enqueue's
  // promise callback ran (then the latency counts as 0).
  const committedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  const total = Math.round(rate * seconds);
  let t0: number;
  let lastCommit = 0;
  try {
    await system.start((key) => void startedAt.set(key, performance.now()));
    const sends: Promise<void>[] = [];
    t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = t0 + (i * 1000) / rate - performance.now();
      if (wait > 0) await delay(wait);
      const key = `l${i}_${randomBytes(4).toString('hex')}`;
      sends.push(
        system.enqueue(key).then(() => {
          lastCommit = performance.now();
          committedAt.set(key, lastCommit);
        }),
      );
    }
    await Promise.all(sends);
    const deadline = performance.now() + options.drainSeconds * 1000;
    while (startedAt.size < total && performance.now() < deadline) await delay(20);
  } finally {
    await system.stop();
  }
  const latencies = [...committedAt].map(([key, at]) => {
    const start = startedAt.get(key);
    return start === undefined ? Number.POSITIVE_INFINITY : Math.max(0, start - at);
  });
  latencies.sort((a, b) => a - b);
  return {
    rate,
    seconds,
    sent: total,
    committedPerSecond: committedAt.size / ((lastCommit - t0) / 1000),
    started: latencies.filter(Number.isFinite).length,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

const SYSTEMS: Record<string, MakeSystem> = { hookwarden, 'pg-boss': pgBoss, 'graphile-worker': graphileWorker };

function unknownSystem(name: string): never {
  throw new Error(`unknown system ${name}: ${Object.keys(SYSTEMS).join(', ')}`);
}

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'not started');

/** Every system, each run in a fresh database: the backlog drained, then each steady rate. */
export async function runInboxBenchmark(
  options: InboxOptions,
  freshDatabase: () => Promise<string>,
  log: (line: string) => void = () => undefined,
  only: readonly string[] = Object.keys(SYSTEMS),
): Promise<InboxBenchResult> {
  const systems: InboxSystemResult[] = [];
  for (const make of only.map((name) => SYSTEMS[name] ?? unknownSystem(name))) {
    const { name, setup, jobsPerSecond } = await drain(make, await freshDatabase(), options);
    const rates: InboxRateResult[] = [];
    for (const { rate, seconds } of options.rates) {
      rates.push(await steady(make, await freshDatabase(), options, rate, seconds));
    }
    systems.push({ name, setup, jobsPerSecond, rates });
    log(
      `  ${name}: ${Math.round(jobsPerSecond)} jobs/s; ` +
        rates
          .map(
            (r) =>
              `${r.rate}/s (${Math.round(r.committedPerSecond)}/s committed): p50 ${ms(r.p50Ms)}, ` +
              `p99 ${ms(r.p99Ms)}, ${r.started}/${r.sent} started`,
          )
          .join('; '),
    );
  }
  return { options, systems };
}
