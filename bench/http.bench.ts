// HTTP end-to-end benchmark: each server configuration in a child process (bench/http-server.ts),
// loaded by autocannon with 50 connections, every request a fresh, correctly signed Standard Webhooks
// delivery (1 KiB JSON) with a unique id — the same payloads and signing for every configuration.
//
// Side by side on a noisy machine: the four configurations of an adapter run at the same time (idle
// while another is measured), each is warmed up, then measured in several short interleaved rounds;
// a configuration's figures are the medians of its rounds. The server's own CPU time per request is
// read from the child (GET /__stats), which the load generator on the same machine does not skew.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { ServerStats } from './http-server';
import { BEFORE_PREFIX } from './before';
import { machineBusyMicros } from './proc-cpu';

export interface HttpRound {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  errors: number;
  non2xx: number;
  /** Server CPU time (user + system, all threads) per request, in microseconds. */
  cpuMicrosPerRequest: number;
  /** The load generator's CPU time per request (this process: autocannon and the signing). */
  clientCpuMicrosPerRequest: number;
  /** PostgreSQL's CPU time per request (all its processes), when it runs on this machine. */
  dbCpuMicrosPerRequest?: number;
  /** Cores kept busy by other jobs on the machine during the round (Linux), on average. */
  otherCores?: number;
}

export interface HttpResult {
  adapter: string;
  config: string;
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMicrosPerRequest: number;
  clientCpuMicrosPerRequest: number;
  dbCpuMicrosPerRequest?: number;
  /** Median of the kept rounds' `otherCores`. */
  otherCores?: number;
  /** Rounds measured again because other jobs kept the machine busy. */
  repeated: number;
  /** Requests in the measured rounds, and those that failed or were not answered 2xx. */
  total: number;
  errors: number;
  non2xx: number;
  rounds: HttpRound[];
}

export interface RunningServer {
  adapter: string;
  config: string;
  port: number;
  child: ChildProcess;
  stats(): Promise<ServerStats>;
  /** Stats after a forced full garbage collection. */
  rss(): Promise<ServerStats>;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..');

/**
 * Starts `config` of `root`'s bench/http-server.ts (this tree by default; another tree, e.g. a copy from
 * before a change, has its own server, loader and sources but answers the same protocol). A config named
 * `before:<name>` runs `<name>` of `before`.
 */
export async function startServer(
  adapter: string,
  config: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
  before?: string,
): Promise<RunningServer> {
  const isBefore = config.startsWith(BEFORE_PREFIX);
  if (isBefore && !before) throw new Error(`${config} needs the tree before (--before=DIR)`);
  const root = isBefore ? before! : ROOT;
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--expose-gc', '-r', join(root, 'scripts/ts-register.js'), join(root, 'bench/http-server.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        ...env,
        BENCH_ADAPTER: adapter,
        BENCH_CONFIG: isBefore ? config.slice(BEFORE_PREFIX.length) : config,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening (\d+)/.exec(seen);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bench server ${adapter}/${config} exited with ${code}`)));
    child.once('error', reject);
  });
  const get = async (path: string) => (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as ServerStats;
  let exited = child.exitCode !== null;
  child.once('exit', () => (exited = true));
  return {
    adapter,
    config,
    port,
    child,
    stats: () => get('/__stats'),
    rss: () => get('/__rss'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** A request generator for autocannon: each call signs a new delivery with a unique id. */
export function signedRequests(
  secret: string,
  bodyBytes = 1024,
): (request: Record<string, unknown>) => Record<string, unknown> {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const prefix = randomBytes(6).toString('hex');
  let counter = 0;
  return (request) => {
    const id = `msg_${prefix}_${++counter}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const head = `{"type":"bench.event","id":"${id}","data":"`;
    const body = head + 'x'.repeat(Math.max(0, bodyBytes - head.length - 2)) + '"}';
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    return {
      ...request,
      method: 'POST',
      path: '/hooks/bench',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': `v1,${signature}`,
      },
    };
  };
}

export function load(
  port: number,
  secret: string,
  options: { seconds?: number; amount?: number; connections?: number; rate?: number },
): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections ?? 50,
    ...(options.rate ? { overallRate: options.rate } : {}),
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 10 }),
    requests: [{ setupRequest: signedRequests(secret) as never }],
  });
}

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** What autocannon saw of a round: throughput, latency, requests and failures. */
export function loadFigures(
  result: autocannon.Result,
): Pick<HttpRound, 'requestsPerSecond' | 'p50Ms' | 'p99Ms' | 'total' | 'errors' | 'non2xx'> {
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** One measured round: load for `seconds`, with the CPU time of server, client and database around it. */
export async function measureRound(
  server: RunningServer,
  secret: string,
  seconds: number,
  dbCpuMicros?: () => number | undefined,
  connections = 50,
): Promise<HttpRound> {
  const before = await server.stats();
  const dbBefore = dbCpuMicros?.();
  const clientBefore = cpuMicros();
  const machineBefore = machineBusyMicros();
  const started = process.hrtime.bigint();
  const result = await load(server.port, secret, { seconds, connections });
  const wallMicros = Number(process.hrtime.bigint() - started) / 1000;
  const machineAfter = machineBusyMicros();
  const clientAfter = cpuMicros();
  const dbAfter = dbCpuMicros?.();
  const after = await server.stats();
  const total = result.requests.total;
  const perRequest = (micros: number) => micros / Math.max(1, total);
  const ours = after.cpuMicros - before.cpuMicros + (clientAfter - clientBefore) + ((dbAfter ?? 0) - (dbBefore ?? 0));
  return {
    otherCores:
      machineBefore === undefined || machineAfter === undefined
        ? undefined
        : Math.max(0, (machineAfter - machineBefore - ours) / wallMicros),
    ...loadFigures(result),
    cpuMicrosPerRequest: perRequest(after.cpuMicros - before.cpuMicros),
    clientCpuMicrosPerRequest: perRequest(clientAfter - clientBefore),
    dbCpuMicrosPerRequest: dbBefore === undefined || dbAfter === undefined ? undefined : perRequest(dbAfter - dbBefore),
  };
}

export interface HttpSuiteOptions {
  adapters: string[];
  /** Configurations; `before:<name>` ones run from the `before` tree. */
  configs: string[];
  /** The tree before a change (`--before=DIR`). */
  before?: string;
  /** Environment of every server (BENCH_SECRET) and per configuration (DATABASE_URL). */
  env: (config: string) => Record<string, string>;
  secret: string;
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
  /** CPU time used so far by the database server, in µs (undefined when it runs elsewhere). */
  dbCpuMicros?: () => number | undefined;
  /**
   * A supplementary measurement at more connections, for these configurations, after the main
   * rounds: whether a configuration is bound by latency (it scales) or by CPU (it does not).
   */
  more?: { connections: number; configs: string[]; rounds: number; roundSeconds: number };
  /**
   * A round during which other jobs kept more than this many cores busy is measured again (at most
   * `maxRepeats` times per adapter), so that a busy moment does not decide a figure.
   */
  busyCores?: number;
  maxRepeats?: number;
  log?: (line: string) => void;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(
  adapter: string,
  config: string,
  connections: number,
  rs: HttpRound[],
  repeated: number,
): HttpResult {
  const others = rs.map((r) => r.otherCores).filter((c): c is number => c !== undefined);
  return {
    adapter,
    config,
    connections,
    otherCores: others.length ? median(others) : undefined,
    repeated,
    requestsPerSecond: median(rs.map((r) => r.requestsPerSecond)),
    p50Ms: median(rs.map((r) => r.p50Ms)),
    p99Ms: median(rs.map((r) => r.p99Ms)),
    cpuMicrosPerRequest: median(rs.map((r) => r.cpuMicrosPerRequest)),
    clientCpuMicrosPerRequest: median(rs.map((r) => r.clientCpuMicrosPerRequest)),
    dbCpuMicrosPerRequest: rs.every((r) => r.dbCpuMicrosPerRequest !== undefined)
      ? median(rs.map((r) => r.dbCpuMicrosPerRequest!))
      : undefined,
    total: rs.reduce((sum, r) => sum + r.total, 0),
    errors: rs.reduce((sum, r) => sum + r.errors, 0),
    non2xx: rs.reduce((sum, r) => sum + r.non2xx, 0),
    rounds: rs,
  };
}

export async function runHttpSuite(options: HttpSuiteOptions): Promise<HttpResult[]> {
  const results: HttpResult[] = [];
  const log = options.log ?? (() => undefined);
  for (const adapter of options.adapters) {
    const servers: RunningServer[] = [];
    try {
      for (const config of options.configs)
        servers.push(await startServer(adapter, config, options.env(config), [], options.before));
      for (const server of servers) {
        log(`  ${adapter}/${server.config}: warm-up ${options.warmupSeconds} s`);
        await load(server.port, options.secret, { seconds: options.warmupSeconds });
      }
      let repeatsLeft = options.maxRepeats ?? 0;
      const measure = async (
        measured: RunningServer[],
        rounds: number,
        seconds: number,
        connections: number,
      ): Promise<void> => {
        const byServer = new Map<RunningServer, HttpRound[]>(measured.map((s) => [s, []]));
        const repeated = new Map<RunningServer, number>(measured.map((s) => [s, 0]));
        for (let round = 0; round < rounds; round++) {
          for (const server of measured) {
            for (;;) {
              const r = await measureRound(server, options.secret, seconds, options.dbCpuMicros, connections);
              const busy = options.busyCores !== undefined && (r.otherCores ?? 0) > options.busyCores;
              log(
                `  ${adapter}/${server.config} (${connections} connections) round ${round + 1}: ` +
                  `${Math.round(r.requestsPerSecond)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ` +
                  `CPU/req: server ${r.cpuMicrosPerRequest.toFixed(0)} µs, client ${r.clientCpuMicrosPerRequest.toFixed(0)} µs` +
                  (r.dbCpuMicrosPerRequest === undefined ? '' : `, db ${r.dbCpuMicrosPerRequest.toFixed(0)} µs`) +
                  (r.otherCores === undefined ? '' : `; other jobs ${r.otherCores.toFixed(2)} cores`) +
                  (r.errors || r.non2xx ? `, ${r.errors} errors, ${r.non2xx} non-2xx` : '') +
                  (busy && repeatsLeft > 0 ? ' — machine busy, measuring again' : ''),
              );
              if (busy && repeatsLeft > 0) {
                repeatsLeft--;
                repeated.set(server, repeated.get(server)! + 1);
                continue;
              }
              byServer.get(server)!.push(r);
              break;
            }
          }
        }
        for (const server of measured) {
          results.push(summarize(adapter, server.config, connections, byServer.get(server)!, repeated.get(server)!));
        }
      };
      await measure(servers, options.rounds, options.roundSeconds, 50);
      if (options.more) {
        const { connections, configs, rounds, roundSeconds } = options.more;
        await measure(
          servers.filter((s) => configs.includes(s.config)),
          rounds,
          roundSeconds,
          connections,
        );
      }
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
  return results;
}

export interface MemoryPoint {
  deliveries: number;
  rss: number;
  heapUsed: number;
}

/**
 * RSS of one server after each checkpoint of delivered requests (after a forced full GC). The
 * deliveries are the same signed, unique ones as in the throughput runs.
 */
export async function runMemoryCheck(
  server: RunningServer,
  secret: string,
  checkpoints: number[],
  log: (line: string) => void = () => undefined,
): Promise<{ points: MemoryPoint[]; seconds: number; failed: number }> {
  const points: MemoryPoint[] = [];
  let delivered = 0;
  let failed = 0;
  const started = Date.now();
  for (const checkpoint of checkpoints) {
    const result = await load(server.port, secret, { amount: checkpoint - delivered });
    delivered = checkpoint;
    failed += result.errors + result.timeouts + result.non2xx;
    const stats = await server.rss();
    points.push({ deliveries: checkpoint, rss: stats.rss, heapUsed: stats.heapUsed });
    log(
      `  after ${checkpoint.toLocaleString('en-US')} deliveries: RSS ${(stats.rss / 2 ** 20).toFixed(1)} MiB, ` +
        `heap ${(stats.heapUsed / 2 ** 20).toFixed(1)} MiB (${Math.round(result.requests.total / result.duration)} req/s)`,
    );
  }
  return { points, seconds: (Date.now() - started) / 1000, failed };
}
