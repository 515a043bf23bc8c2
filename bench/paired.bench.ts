// A pair of server configurations loaded at the same time, each at the same fixed request rate, for
// differences of a few µs per request. Rounds taken one after the other on a shared machine spread
// by tens of µs (other jobs, frequency, the other VM's neighbours); two servers measured over the
// same seconds meet the same machine, so their per-round difference is far steadier than either
// figure. Below saturation, the rate (not the server's speed) sets how requests batch per wake-up,
// so a slower configuration is not also given a different batching. The figure is the median of the
// rounds' differences.
import type { HttpResult, HttpRound, RunningServer } from './http.bench';
import { load, loadFigures, median, startServer, summarize } from './http.bench';

export interface PairedSuiteOptions {
  adapters: string[];
  /**
   * The baseline first, then the configurations compared with it (each result's `pairedMicros`). A
   * result's name may differ from its configuration: a second copy of the baseline, named apart, is
   * the control that shows what two identical servers differ by.
   */
  configs: Array<{ name: string; config: string }>;
  /** Each server's environment (its own database, for instance). */
  env: (entry: { name: string; config: string }) => Record<string, string> | Promise<Record<string, string>>;
  secret: string;
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
  /** Requests per second sent to each server. */
  rate: number;
  connections: number;
  log?: (line: string) => void;
}

/** Each compared configuration's result also carries its per-round differences to the baseline. */
export type PairedResult = HttpResult & { pairedMicros?: number[] };

async function measureTogether(servers: RunningServer[], options: PairedSuiteOptions): Promise<HttpRound[]> {
  const before = await Promise.all(servers.map((s) => s.stats()));
  const results = await Promise.all(
    servers.map((s) =>
      load(s.port, options.secret, {
        seconds: options.roundSeconds,
        connections: options.connections,
        rate: options.rate,
      }),
    ),
  );
  const after = await Promise.all(servers.map((s) => s.stats()));
  return results.map((result, i) => ({
    ...loadFigures(result),
    cpuMicrosPerRequest: (after[i].cpuMicros - before[i].cpuMicros) / Math.max(1, result.requests.total),
    // One load generator drives all the servers: its time is not split per server.
    clientCpuMicrosPerRequest: Number.NaN,
  }));
}

export async function runPairedSuite(options: PairedSuiteOptions): Promise<PairedResult[]> {
  const log = options.log ?? (() => undefined);
  const out: PairedResult[] = [];
  const names = options.configs.map((c) => c.name);
  for (const adapter of options.adapters) {
    const servers: RunningServer[] = [];
    try {
      for (const entry of options.configs)
        servers.push(await startServer(adapter, entry.config, await options.env(entry)));
      log(`  ${adapter}: warm-up ${options.warmupSeconds} s, all at once`);
      await Promise.all(
        servers.map((s) =>
          load(s.port, options.secret, { seconds: options.warmupSeconds, connections: options.connections }),
        ),
      );
      const rounds: HttpRound[][] = servers.map(() => []);
      for (let round = 0; round < options.rounds; round++) {
        const measured = await measureTogether(servers, options);
        measured.forEach((r, i) => rounds[i].push(r));
        log(
          `  ${adapter} round ${round + 1}: ` +
            measured
              .map(
                (r, i) =>
                  `${names[i]} ${r.cpuMicrosPerRequest.toFixed(1)} µs (${Math.round(r.requestsPerSecond)} req/s)`,
              )
              .join(', '),
        );
      }
      rounds.forEach((rs, i) => {
        const result: PairedResult = summarize(adapter, names[i], options.connections, rs, 0);
        if (i > 0) {
          result.pairedMicros = rs.map((r, k) => r.cpuMicrosPerRequest - rounds[0][k].cpuMicrosPerRequest);
          log(
            `  ${adapter}: ${names[i]} − ${names[0]}: median ${median(result.pairedMicros).toFixed(2)} µs per request`,
          );
        }
        out.push(result);
      });
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
  return out;
}

/** One configuration's result of a paired suite. */
export function pairedFigure(results: PairedResult[], adapter: string, name: string): PairedResult | undefined {
  return results.find((r) => r.adapter === adapter && r.config === name);
}

/**
 * A compared configuration's difference to the baseline, in µs: the median of the rounds', their
 * range, and a ≥ 95% interval for the median (distribution-free: order statistics of the rounds).
 */
export function pairedDifference(
  results: PairedResult[] | undefined,
  adapter: string,
  name: string,
  /** Another compared configuration: the difference to it instead of the baseline, round by round. */
  lowerName?: string,
): PairedDifference | undefined {
  const upper = results && pairedFigure(results, adapter, name)?.pairedMicros;
  if (!upper?.length) return undefined;
  let d = upper;
  if (lowerName !== undefined) {
    const lower = pairedFigure(results!, adapter, lowerName)?.pairedMicros;
    if (lower?.length !== upper.length) return undefined;
    d = upper.map((value, round) => value - lower[round]);
  }
  const [low, high] = medianInterval(d);
  return { median: median(d), min: Math.min(...d), max: Math.max(...d), rounds: d.length, low, high };
}

export interface PairedDifference {
  median: number;
  min: number;
  max: number;
  rounds: number;
  /** The median's interval at ≥ 95% confidence. */
  low: number;
  high: number;
}

/**
 * The sign-test interval of a median: the k-th smallest and k-th largest of n values, k the largest
 * with P(Binomial(n, ½) < k) ≤ 2.5%. With fewer than 6 values no such k exists: the range.
 */
export function medianInterval(values: number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  let k = 0;
  let below = 0; // P(X ≤ k − 1)
  let term = 0.5 ** n; // P(X = 0)
  for (let j = 0; j < n; j++) {
    if (below + term > 0.025) break;
    below += term;
    term = (term * (n - j)) / (j + 1);
    k = j + 1;
  }
  return k === 0 ? [sorted[0], sorted[n - 1]] : [sorted[k - 1], sorted[n - k]];
}
