// What `npm run bench` runs: its options, the run lengths, the configurations and the shape of a run's results.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventLogBenchResult } from './event-log.bench';
import type { HttpResult, MemoryPoint } from './http.bench';
import type { MicroResult } from './verify.bench';
import type { MetricsCallResult } from './metrics.bench';
import type { PairedResult } from './paired.bench';
import type { InboxBenchResult } from './inbox.bench';

export const SECTIONS = ['micro', 'event-log', 'http', 'memory', 'metrics', 'inbox'] as const;
export type Section = (typeof SECTIONS)[number];

export const USAGE = `Usage: npm run bench [-- options]

Runs the verification micro-benchmarks, the event-log benchmark, the HTTP benchmark (Express and
Fastify, six configurations), the memory check, the metrics pair (the guarded route with metrics
off and on) and the inbox beside pg-boss and graphile-worker, prints the tables and rewrites
bench/RESULTS.md and bench/throughput.svg. PostgreSQL: DATABASE_URL, else an embedded server with
fsync on.

Options:
  --before=DIR     also run DIR's bench/http-server.ts (a copy of the tree before a change, with its own
                   node_modules or a symlink) for guard and hookwarden-pg, in the same rounds, and
                   its Stripe scheme in the micro-benchmarks: before → after tables
  --full           memory check up to 1,000,000 deliveries (default: 300,000); takes ~4 more minutes
  --only=a,b       run only these sections: ${SECTIONS.join(', ')}
  --quick          very short runs to try the pipeline (figures meaningless; implies --no-write)
  --no-write       write RESULTS.md and throughput.svg to the temporary directory (as
                   hookwarden-bench-*), not over bench/
  --check          load every benchmark module and exit (used by the smoke test)
  --help           this text`;

export interface Args {
  /** The tree before the change (`--before=DIR`), run beside this one. */
  before?: string;
  full: boolean;
  quick: boolean;
  write: boolean;
  only: Set<Section>;
}

/** Run lengths; the quick ones only exercise the code. */
export interface Plan {
  micro: { rounds: number; minCpuMs: number };
  eventLog: { rows: number; rounds: number };
  http: {
    warmupSeconds: number;
    rounds: number;
    roundSeconds: number;
    more: { connections: number; configs: string[]; rounds: number; roundSeconds: number };
  };
  memoryCheckpoints: number[];
  /** The metrics pair: the guarded route with metrics off and on. */
  metrics: PairedSteps;
  /** The guard pair of the http section: (a′), its control, (a″) and (b) loaded at once. */
  guardPair: PairedSteps;
  /** The inbox pair of the http section: (c), its control and (e) loaded at once. */
  inboxPair: PairedSteps;
  /** The inbox against pg-boss and graphile-worker: a backlog drained, then steady rates (jobs/s for s). */
  inbox: { jobs: number; concurrency: number; rates: Array<{ rate: number; seconds: number }>; drainSeconds: number };
}

/** The supplementary run at more connections: which configurations scale (latency-bound) and which not. */
const MORE = { connections: 200, configs: ['bare', 'hookwarden-pg', 'naive-pg'], rounds: 2, roundSeconds: 4 };

type PairedSteps = { warmupSeconds: number; rounds: number; roundSeconds: number; rate: number; connections: number };

export function plan(args: Args): Plan {
  if (args.quick) {
    return {
      micro: { rounds: 1, minCpuMs: 10 },
      eventLog: { rows: 2000, rounds: 1 },
      http: { warmupSeconds: 1, rounds: 1, roundSeconds: 1, more: { ...MORE, rounds: 1, roundSeconds: 1 } },
      memoryCheckpoints: [2000, 4000],
      metrics: { warmupSeconds: 1, rounds: 1, roundSeconds: 1, rate: 200, connections: 5 },
      guardPair: { warmupSeconds: 1, rounds: 1, roundSeconds: 1, rate: 200, connections: 5 },
      inboxPair: { warmupSeconds: 1, rounds: 1, roundSeconds: 1, rate: 200, connections: 5 },
      inbox: { jobs: 300, concurrency: 10, rates: [{ rate: 1000, seconds: 1 }], drainSeconds: 2 },
    };
  }
  const step = 100_000;
  const last = args.full ? 1_000_000 : 300_000;
  return {
    micro: { rounds: 5, minCpuMs: 60 },
    eventLog: { rows: 40_000, rounds: 3 },
    // Five rounds: one busy round on this shared machine then moves a median by little.
    http: { warmupSeconds: 3, rounds: 5, roundSeconds: 4, more: MORE },
    memoryCheckpoints: Array.from({ length: last / step }, (_, i) => (i + 1) * step),
    // A difference of a few µs in a few hundred: the servers loaded at once at a fixed rate (paired.bench.ts).
    metrics: { warmupSeconds: 10, rounds: 15, roundSeconds: 6, rate: 600, connections: 10 },
    guardPair: { warmupSeconds: 10, rounds: 15, roundSeconds: 6, rate: 600, connections: 10 },
    // PostgreSQL shares the cores: a lower rate, so that nothing saturates.
    inboxPair: { warmupSeconds: 10, rounds: 15, roundSeconds: 6, rate: 400, connections: 10 },
    // Issue 15's rate (1,000/s) and lower ones, for when two shared cores cannot sustain it.
    inbox: {
      jobs: 3000,
      concurrency: 10,
      rates: [
        { rate: 200, seconds: 5 },
        { rate: 500, seconds: 5 },
        { rate: 1000, seconds: 8 },
      ],
      drainSeconds: 5,
    },
  };
}

export const ADAPTERS = ['express', 'fastify'];
export const CONFIGS = ['bare', 'bare-guard', 'guard', 'hookwarden-pg', 'naive-pg', 'hookwarden-pg-inbox'];
export const CONFIG_LABELS: Record<string, string> = {
  bare: '(a) bare Nest route',
  'bare-guard': "(a′) + an empty async guard (the floor of (b)'s difference)",
  guard: '(b) + WebhookGuard, in-memory stores',
  'hookwarden-pg': '(c) + PostgreSQL event log and secret store',
  'naive-pg': '(d) standardwebhooks + TypeORM insert per request',
  'hookwarden-pg-inbox': '(e) = (c) + two no-op @OnWebhook handlers, no workers (the 2xx path)',
};
/** The configurations of the `--before` tree, run beside this tree's, by the name `before:<config>`. */
export const BEFORE_CONFIGS = ['guard', 'hookwarden-pg'];
export { BEFORE_PREFIX } from './before';
import { BEFORE_PREFIX } from './before';
export const beforeConfig = (config: string) => BEFORE_PREFIX + config;

/** The metrics pair and its control, three servers loaded at once (bench/paired.bench.ts). */
export const METRICS_CONFIGS = [
  { name: 'guard', config: 'guard' },
  { name: 'guard-control', config: 'guard' },
  { name: 'guard-metrics', config: 'guard-metrics' },
];
/**
 * The guard pair, likewise: (a′), its control, (a″) = (a′) with the node:crypto HMAC of the same bytes
 * (what verifying alone costs in a server) and (b).
 */
export const GUARD_PAIR_CONFIGS = [
  { name: 'bare-guard', config: 'bare-guard' },
  { name: 'bare-guard-control', config: 'bare-guard' },
  { name: 'bare-hmac', config: 'bare-hmac' },
  { name: 'guard', config: 'guard' },
];
/** The inbox pair and its control, likewise; each server with a database of its own. */
export const INBOX_PAIR_CONFIGS = [
  { name: 'hookwarden-pg', config: 'hookwarden-pg' },
  { name: 'hookwarden-pg-control', config: 'hookwarden-pg' },
  { name: 'hookwarden-pg-inbox', config: 'hookwarden-pg-inbox' },
];
export const METRICS_LABELS: Record<string, string> = {
  guard: 'metrics off: (b) WebhookGuard, in-memory stores — the baseline',
  'guard-control': 'control: the same (b) in a second server, to show what two identical servers differ by',
  'guard-metrics': 'metrics on: (b) with the `metrics` extra (prom-client)',
};
/** The most server CPU per request the metrics may add, in µs (issue 18). */
export const METRICS_BUDGET_MICROS = 2;
/** Issue 19: (b) − (a′) and (c) − (b), server CPU per request, in µs. */
export const GUARD_BUDGET_MICROS = 10;
export const EVENT_LOG_BUDGET_MICROS = 10;
/** Issue 19: PostgreSQL CPU per accepted row, in µs, in (c) and (e). */
export const DB_ROW_BUDGET_MICROS = 25;
/** Issue 15: what the inbox may add to the 2xx path, (e) − (c), server CPU per request, in µs. */
export const INBOX_2XX_BUDGET_MICROS = 5;
/** Issue 19: (c) ÷ (a) requests/s, per adapter. */
export const THROUGHPUT_SHARE: Record<string, number> = { express: 0.8, fastify: 0.6 };
/** Issue 15: the inbox's jobs/s against pg-boss and graphile-worker, and p50 commit → start at this rate. */
export const INBOX_TARGETS = { vsPgBoss: 2, vsGraphile: 1, p50Ms: 10, rate: 1000 };
/** A round during which other jobs kept more cores than this busy is measured again… */
export const BUSY_CORES = 0.25;
/** …at most this many times per adapter, to stay within the time budget. */
export const MAX_REPEATS = 6;
/** The adapter of the memory check: the faster one, for more deliveries in the time. */
export const MEMORY_ADAPTER = 'fastify';
/** The memory check of the last --full run, kept (and committed) so that a default run can show it. */
export const FULL_MEMORY_FILE = join(__dirname, 'memory-full.json');

export interface MemoryResult {
  adapter: string;
  date: string;
  full: boolean;
  points: MemoryPoint[];
  seconds: number;
  failed: number;
}

export interface Results {
  started: Date;
  finished?: Date;
  machine: Record<string, string>;
  loads: Array<{ section: string; before: number[]; after: number[] }>;
  sectionSeconds: Record<string, number>;
  micro?: MicroResult[];
  http?: HttpResult[];
  eventLog?: EventLogBenchResult[];
  memory?: MemoryResult;
  /** The guarded route with metrics off, off again (the control) and on, loaded at once. */
  metrics?: PairedResult[];
  /** (a′), (a′) again (the control), (a″) and (b), loaded at once: what WebhookGuard adds, and its HMAC. */
  guardPair?: PairedResult[];
  /** (c), (c) again (the control) and (e), loaded at once: what the inbox adds to the 2xx path. */
  inboxPair?: PairedResult[];
  /** The same metrics' calls per delivery, in-process. */
  metricsCalls?: MetricsCallResult;
  /** The inbox beside pg-boss and graphile-worker. */
  inbox?: InboxBenchResult;
  /** The last --full memory check, when this run did not make one. */
  fullMemory?: MemoryResult;
  plan: Plan;
  args: Args;
}

export function parseArgs(argv: string[]): Args & { help: boolean; check: boolean } {
  const args: Args & { help: boolean; check: boolean } = {
    full: false,
    quick: false,
    write: true,
    only: new Set<Section>(SECTIONS),
    help: false,
    check: false,
  };
  for (const arg of argv) {
    if (arg === '--full') args.full = true;
    else if (arg.startsWith('--before=')) {
      const dir = resolve(arg.slice('--before='.length));
      if (!existsSync(join(dir, 'bench/http-server.ts')))
        throw new Error(`--before: no bench/http-server.ts in ${dir}`);
      args.before = dir;
    } else if (arg === '--quick') args.quick = true;
    else if (arg === '--no-write') args.write = false;
    else if (arg === '--check') args.check = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg.startsWith('--only=')) {
      const names = arg.slice('--only='.length).split(',');
      for (const name of names) {
        if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`unknown section ${name}\n\n${USAGE}`);
      }
      args.only = new Set(names as Section[]);
    } else throw new Error(`unknown option ${arg}\n\n${USAGE}`);
  }
  if (args.quick) args.write = false;
  return args;
}
