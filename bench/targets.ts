// The targets of the benchmarks, met or missed, and what limits a missed figure (the prose is in prose/limits.md).
import { cpus } from 'node:os';
import { fmtInt, fmtMiB, fmtPct, fmtX, httpFigure, microFigure } from './format';
import type { HttpResult } from './http.bench';
import { ADAPTERS, METRICS_BUDGET_MICROS, type MemoryResult, type Results } from './plan';
import { oneLine, proseOf } from './prose';

export interface Target {
  name: string;
  measured: string;
  ok: boolean | undefined;
  /** What limits the figure, when missed. */
  limit?: string;
}

export function targets(results: Results): Target[] {
  const out: Target[] = [];
  const { micro, http, memory, fullMemory } = results;
  if (micro) {
    for (const scheme of ['standard-webhooks', 'github', 'stripe']) {
      const rows = micro.filter((m) => m.scheme === scheme && m.name === 'hookwarden');
      if (rows.length === 0) continue;
      const ratios = rows.map((m) => ({
        m,
        ratio: m.nsPerOp / microFigure(micro, scheme, m.size, m.secrets, 'node:crypto limit'),
      }));
      const worst = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
      out.push({
        name: `${scheme}: Hookwarden ≤ 1.25× the node:crypto limit at every size`,
        measured:
          `${ratios.map((r) => fmtX(r.ratio)).join(', ')} (worst ${fmtX(worst.ratio)} at ${worst.m.size}` +
          `${scheme === 'standard-webhooks' ? `, ${worst.m.secrets} secret${worst.m.secrets > 1 ? 's' : ''}` : ''})`,
        ok: worst.ratio <= 1.25,
        limit: MICRO_LIMITS[scheme],
      });
    }
    const hw = microFigure(micro, 'standard-webhooks', '1 KiB', 1, 'hookwarden');
    const sw = microFigure(micro, 'standard-webhooks', '1 KiB', 1, 'standardwebhooks');
    if (hw && sw) {
      out.push({
        name: 'Hookwarden ≥ 4× faster than standardwebhooks at 1 KiB (1 secret)',
        measured: fmtX(sw / hw, 1),
        ok: sw / hw >= 4,
        limit: MICRO_LIMITS.vsStandard,
      });
    }
  }
  if (http) {
    for (const adapter of ADAPTERS) {
      const a = httpFigure(http, adapter, 'bare');
      const c = httpFigure(http, adapter, 'hookwarden-pg');
      const d = httpFigure(http, adapter, 'naive-pg');
      if (a && c) {
        out.push({
          name: `${adapter}: (c) ≥ 80% of (a) requests/s`,
          measured: `${fmtPct(c.requestsPerSecond / a.requestsPerSecond)} (${fmtInt(c.requestsPerSecond)} vs ${fmtInt(a.requestsPerSecond)} req/s)`,
          ok: c.requestsPerSecond >= 0.8 * a.requestsPerSecond,
          limit: httpThroughputLimit(http, adapter),
        });
        out.push({
          name: `${adapter}: p99 of (c) ≤ 2× p99 of (a)`,
          measured: `${fmtX(c.p99Ms / a.p99Ms)} (${c.p99Ms} vs ${a.p99Ms} ms)`,
          ok: c.p99Ms <= 2 * a.p99Ms,
          limit: httpLatencyLimit(http, adapter),
        });
      }
      if (c && d) {
        out.push({
          name: `${adapter}: (c) ≥ 2× (d) requests/s`,
          measured: `${fmtX(c.requestsPerSecond / d.requestsPerSecond)} (${fmtInt(c.requestsPerSecond)} vs ${fmtInt(d.requestsPerSecond)} req/s)`,
          ok: c.requestsPerSecond >= 2 * d.requestsPerSecond,
          limit: httpNaiveLimit(http, adapter),
        });
      }
    }
  }
  for (const adapter of ADAPTERS) {
    const off = results.metrics && httpFigure(results.metrics, adapter, 'guard');
    const on = results.metrics && httpFigure(results.metrics, adapter, 'guard-metrics');
    if (!off || !on) continue;
    const added = on.cpuMicrosPerRequest - off.cpuMicrosPerRequest;
    out.push({
      name: `${adapter}: metrics on add ≤ ${METRICS_BUDGET_MICROS} µs of server CPU per request`,
      measured: `${added >= 0 ? '+' : ''}${added.toFixed(1)} µs (${on.cpuMicrosPerRequest.toFixed(1)} vs ${off.cpuMicrosPerRequest.toFixed(1)} µs)`,
      ok: added <= METRICS_BUDGET_MICROS,
      limit: oneLine(proseOf('limits.md')('metrics')),
    });
  }
  const mem = memory?.full ? memory : fullMemory;
  if (mem) {
    const growth = memoryGrowth(mem);
    out.push({
      name: 'RSS growth of (c) between 100k and 1M deliveries ≤ 20%',
      measured: memoryMeasured(mem, growth) + `; --full run of ${mem.date}`,
      ok: growth <= 0.2,
      limit: oneLine(LIMITS('memory')),
    });
  } else if (memory) {
    const growth = memoryGrowth(memory);
    out.push({
      name: 'RSS growth of (c) between 100k and 1M deliveries ≤ 20%',
      measured: `not measured in this run (needs --full); this run to ${fmtInt(memory.points.at(-1)!.deliveries)}: ${memoryMeasured(memory, growth)}`,
      ok: undefined,
    });
  }
  return out;
}

function memoryMeasured(memory: MemoryResult, growth: number): string {
  const base = memory.points.find((p) => p.deliveries === 100_000) ?? memory.points[0];
  const last = memory.points.at(-1)!;
  const later = memory.points.filter((p) => p.deliveries > base.deliveries);
  const low = Math.min(...later.map((p) => p.rss));
  const high = Math.max(...later.map((p) => p.rss));
  return (
    `${growth >= 0 ? '+' : ''}${fmtPct(growth)} (RSS ${fmtMiB(base.rss)} at ${fmtInt(base.deliveries)}, ` +
    `${fmtMiB(last.rss)} at ${fmtInt(last.deliveries)}, ${fmtMiB(low)}–${fmtMiB(high)} in between; ` +
    `heap ${fmtMiB(base.heapUsed)} → ${fmtMiB(last.heapUsed)})`
  );
}

function memoryGrowth(memory: MemoryResult): number {
  const first = memory.points.find((p) => p.deliveries === 100_000) ?? memory.points[0];
  return memory.points.at(-1)!.rss / first.rss - 1;
}

const LIMITS = proseOf('limits.md');

/** What limits a missed micro-benchmark target, by scheme (and `vsStandard`). */
const MICRO_LIMITS: Record<string, string> = {
  'standard-webhooks': oneLine(LIMITS('standard-webhooks')),
  github: oneLine(LIMITS('github')),
  stripe: oneLine(LIMITS('stripe')),
  vsStandard: oneLine(LIMITS('vs-standardwebhooks')),
};

function cpuLine(h: HttpResult): string {
  const db = h.dbCpuMicrosPerRequest === undefined ? '' : ` + PostgreSQL ${fmtInt(h.dbCpuMicrosPerRequest)} µs`;
  return `server ${fmtInt(h.cpuMicrosPerRequest)} µs${db} + load generator ${fmtInt(h.clientCpuMicrosPerRequest)} µs`;
}

function scaling(http: HttpResult[], adapter: string, config: string): string {
  const at50 = httpFigure(http, adapter, config);
  const more = http.find((h) => h.adapter === adapter && h.config === config && h.connections !== 50);
  if (!at50 || !more) return '';
  return `${fmtInt(at50.requestsPerSecond)} → ${fmtInt(more.requestsPerSecond)} req/s (${fmtX(more.requestsPerSecond / at50.requestsPerSecond)})`;
}

function httpThroughputLimit(http: HttpResult[], adapter: string): string {
  const a = httpFigure(http, adapter, 'bare')!;
  const c = httpFigure(http, adapter, 'hookwarden-pg')!;
  const more = http.find((h) => h.connections !== 50)?.connections;
  const machine = (h: HttpResult) =>
    h.cpuMicrosPerRequest + (h.dbCpuMicrosPerRequest ?? 0) + h.clientCpuMicrosPerRequest;
  const text = LIMITS('http-throughput', {
    cores: cpus().length,
    cpuA: cpuLine(a),
    machineA: fmtInt(machine(a)),
    cpuC: cpuLine(c),
    machineC: fmtInt(machine(c)),
    serverRatio: fmtX(c.cpuMicrosPerRequest / a.cpuMicrosPerRequest),
    machineAWithDb: fmtInt(machine(a) + (c.dbCpuMicrosPerRequest ?? 0)),
    dbPerRow: fmtInt(c.dbCpuMicrosPerRequest ?? 0),
    share: fmtPct(machine(a) / (machine(a) + (c.dbCpuMicrosPerRequest ?? 0))),
  });
  if (!more) return oneLine(text);
  const scaled = LIMITS('http-throughput-more', {
    connections: more,
    scalingC: scaling(http, adapter, 'hookwarden-pg'),
    scalingA: scaling(http, adapter, 'bare'),
    verdict: latencyVerdict(http, adapter, more),
  });
  return oneLine(`${text} ${scaled}`);
}

/** Whether (c) gained from more connections clearly more than (a) did, i.e. was waiting rather than busy. */
function latencyVerdict(http: HttpResult[], adapter: string, more: number): string {
  const gain = (config: string) =>
    httpFigure(http, adapter, config, more)!.requestsPerSecond / httpFigure(http, adapter, config)!.requestsPerSecond;
  if (!httpFigure(http, adapter, 'hookwarden-pg', more) || !httpFigure(http, adapter, 'bare', more)) return '';
  return gain('hookwarden-pg') > gain('bare') + 0.1 ? LIMITS('verdict-waiting') : LIMITS('verdict-cpu');
}

function httpLatencyLimit(http: HttpResult[], adapter: string): string {
  const c = httpFigure(http, adapter, 'hookwarden-pg')!;
  return oneLine(LIMITS('http-latency', { p50: c.p50Ms }));
}

function httpNaiveLimit(http: HttpResult[], adapter: string): string {
  const c = httpFigure(http, adapter, 'hookwarden-pg')!;
  const d = httpFigure(http, adapter, 'naive-pg')!;
  const more = http.find((h) => h.connections !== 50)?.connections;
  const c2 = more ? httpFigure(http, adapter, 'hookwarden-pg', more) : undefined;
  const d2 = more ? httpFigure(http, adapter, 'naive-pg', more) : undefined;
  const total = (h: HttpResult) => h.cpuMicrosPerRequest + (h.dbCpuMicrosPerRequest ?? 0) + h.clientCpuMicrosPerRequest;
  const text = LIMITS('http-naive', { cpuD: cpuLine(d), cpuC: cpuLine(c), ratio: fmtX(total(d) / total(c)) });
  if (!(c2 && d2)) return oneLine(text);
  const scaled = LIMITS('http-naive-more', {
    connections: more!,
    scalingD: scaling(http, adapter, 'naive-pg'),
    scalingC: scaling(http, adapter, 'hookwarden-pg'),
    ratio: fmtX(c2.requestsPerSecond / d2.requestsPerSecond),
  });
  return oneLine(`${text} ${scaled}`);
}
