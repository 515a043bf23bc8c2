// What `npm run bench` runs: its options, the run lengths, the configurations and the shape of a run's results.
import { join } from 'node:path';
import type { EventLogBenchResult } from './event-log.bench';
import type { HttpResult, MemoryPoint } from './http.bench';
import type { MicroResult } from './verify.bench';
import type { MetricsCallResult } from './metrics.bench';

export const SECTIONS = ['micro', 'event-log', 'http', 'memory', 'metrics'] as const;
export type Section = (typeof SECTIONS)[number];

export const USAGE = `Usage: npm run bench [-- options]

Runs the verification micro-benchmarks, the event-log benchmark, the HTTP benchmark (Express and
Fastify, four configurations), the memory check and the metrics pair (the guarded route with
metrics off and on), prints the tables and rewrites bench/RESULTS.md
and bench/throughput.svg. PostgreSQL: DATABASE_URL, else an embedded server with fsync on.

Options:
  --full           memory check up to 1,000,000 deliveries (default: 300,000); takes ~4 more minutes
  --only=a,b       run only these sections: ${SECTIONS.join(', ')}
  --quick          very short runs to try the pipeline (figures meaningless; RESULTS.md not written)
  --no-write       do not rewrite bench/RESULTS.md and bench/throughput.svg
  --check          load every benchmark module and exit (used by the smoke test)
  --help           this text`;

export interface Args {
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
  metrics: { warmupSeconds: number; rounds: number; roundSeconds: number };
}

/** The supplementary run at more connections: which configurations scale (latency-bound) and which not. */
const MORE = { connections: 200, configs: ['bare', 'hookwarden-pg', 'naive-pg'], rounds: 2, roundSeconds: 4 };

export function plan(args: Args): Plan {
  if (args.quick) {
    return {
      micro: { rounds: 1, minCpuMs: 10 },
      eventLog: { rows: 2000, rounds: 1 },
      http: { warmupSeconds: 1, rounds: 1, roundSeconds: 1, more: { ...MORE, rounds: 1, roundSeconds: 1 } },
      memoryCheckpoints: [2000, 4000],
      metrics: { warmupSeconds: 1, rounds: 1, roundSeconds: 1 },
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
    // A difference of a few µs in ~100 µs: more rounds than the main run, interleaved.
    metrics: { warmupSeconds: 3, rounds: 9, roundSeconds: 4 },
  };
}

export const ADAPTERS = ['express', 'fastify'];
export const CONFIGS = ['bare', 'guard', 'hookwarden-pg', 'naive-pg'];
export const CONFIG_LABELS: Record<string, string> = {
  bare: '(a) bare Nest route',
  guard: '(b) + WebhookGuard, in-memory stores',
  'hookwarden-pg': '(c) + PostgreSQL event log and secret store',
  'naive-pg': '(d) standardwebhooks + TypeORM insert per request',
};
/** The metrics pair, measured side by side like the configurations above. */
export const METRICS_CONFIGS = ['guard', 'guard-metrics'];
export const METRICS_LABELS: Record<string, string> = {
  guard: 'metrics off: (b) WebhookGuard, in-memory stores',
  'guard-metrics': 'metrics on: (b) with the `metrics` extra (prom-client)',
};
/** The most server CPU per request the metrics may add, in µs (issue 18). */
export const METRICS_BUDGET_MICROS = 2;
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
  /** The guarded route with metrics off and on. */
  metrics?: HttpResult[];
  /** The same metrics' calls per delivery, in-process. */
  metricsCalls?: MetricsCallResult;
  /** The last --full memory check, when this run did not make one. */
  fullMemory?: MemoryResult;
  plan: Plan;
  args: Args;
}

export function parseArgs(argv: string[]): Args & { help: boolean; check: boolean } {
  const args = { full: false, quick: false, write: true, only: new Set<Section>(SECTIONS), help: false, check: false };
  for (const arg of argv) {
    if (arg === '--full') args.full = true;
    else if (arg === '--quick') args.quick = true;
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
