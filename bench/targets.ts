// The targets of the benchmarks, met or missed, and what limits a missed figure (the prose is in prose/limits.md).
import { cpus } from 'node:os';
import { fmtInt, fmtMiB, fmtPct, fmtX, httpFigure, microFigure } from './format';
import { type HttpResult } from './http.bench';
import { pairedDifference, type PairedDifference } from './paired.bench';
import type { InboxBenchResult } from './inbox.bench';
import {
  ADAPTERS,
  beforeConfig,
  DB_ROW_BUDGET_MICROS,
  EVENT_LOG_BUDGET_MICROS,
  GUARD_BUDGET_MICROS,
  INBOX_2XX_BUDGET_MICROS,
  INBOX_TARGETS,
  METRICS_BUDGET_MICROS,
  THROUGHPUT_SHARE,
  type MemoryResult,
  type Results,
} from './plan';
import { HOOKWARDEN_BEFORE } from './verify.bench';
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
      const before = micro.find((m) => m.scheme === scheme && m.name === HOOKWARDEN_BEFORE && m.size === worst.m.size);
      const beforeText = before
        ? `; before: ${fmtX(before.nsPerOp / microFigure(micro, scheme, before.size, 1, 'node:crypto limit'))} at ${before.size}`
        : '';
      out.push({
        name: `${scheme}: Hookwarden ≤ 1.25× the node:crypto limit at every size`,
        measured:
          `${ratios.map((r) => fmtX(r.ratio)).join(', ')} (worst ${fmtX(worst.ratio)} at ${worst.m.size}` +
          `${scheme === 'standard-webhooks' ? `, ${worst.m.secrets} secret${worst.m.secrets > 1 ? 's' : ''}` : ''})` +
          beforeText,
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
    for (const adapter of ADAPTERS) out.push(...httpTargets(http, adapter, results));
  }
  for (const adapter of ADAPTERS) {
    const on = pairedDifference(results.metrics, adapter, 'guard-metrics');
    const control = pairedDifference(results.metrics, adapter, 'guard-control');
    if (!on) continue;
    const inProcess = results.metricsCalls && results.metricsCalls.nsPerDelivery / 1000;
    const sign = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
    const http = (d: PairedDifference) =>
      `${sign(d.median)} µs (95% interval ${sign(d.low)} … ${sign(d.high)}, ${d.rounds} rounds)`;
    out.push({
      name: `${adapter}: metrics on add ≤ ${METRICS_BUDGET_MICROS} µs of server CPU per request`,
      measured:
        (inProcess === undefined ? '' : `${inProcess.toFixed(2)} µs in-process (all the code metrics add); `) +
        `HTTP, on − off: ${http(on)}` +
        (control ? `; control, off − off: ${http(control)}` : ''),
      // The in-process figure times the added code itself; the HTTP pair must not show a cost above
      // the budget (its interval reaching down to the budget or below).
      ok: inProcess !== undefined && inProcess <= METRICS_BUDGET_MICROS && on.low <= METRICS_BUDGET_MICROS,
      limit: oneLine(LIMITS('metrics-paired')),
    });
  }
  if (results.inbox) out.push(...inboxTargets(results.inbox));
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

/**
 * The ceiling analysis of (c) ÷ (a), from this run's figures: the CPU per request of everything on the machine
 * (server + PostgreSQL + load generator) predicts the throughput ratio when the cores are the limit, and the
 * difference is split into its steps: Nest's guard chain, WebhookGuard, the event log in Node, PostgreSQL.
 */
function httpThroughputLimit(http: HttpResult[], adapter: string, share: number): string {
  const get = (config: string) => httpFigure(http, adapter, config);
  const a = get('bare')!;
  const c = get('hookwarden-pg')!;
  const [a1, b] = [get('bare-guard'), get('guard')];
  const more = http.find((h) => h.connections !== 50)?.connections;
  const machine = (h: HttpResult) =>
    h.cpuMicrosPerRequest + (h.dbCpuMicrosPerRequest ?? 0) + h.clientCpuMicrosPerRequest;
  const step = (upper?: HttpResult, lower?: HttpResult) =>
    upper && lower ? signed(upper.cpuMicrosPerRequest - lower.cpuMicrosPerRequest) : '–';
  const db = c.dbCpuMicrosPerRequest ?? 0;
  const budget = machine(a) / share;
  const text = LIMITS('http-throughput', {
    cores: cpus().length,
    cpuA: cpuLine(a),
    machineA: fmtInt(machine(a)),
    cpuC: cpuLine(c),
    machineC: fmtInt(machine(c)),
    predicted: fmtPct(machine(a) / machine(c)),
    measured: fmtPct(c.requestsPerSecond / a.requestsPerSecond),
    extra: fmtInt(machine(c) - machine(a)),
    nestGuard: step(a1, a),
    guard: step(b, a1),
    eventLog: step(c, b),
    db: `${fmtInt(db)} µs`,
    client: signed(c.clientCpuMicrosPerRequest - a.clientCpuMicrosPerRequest),
    target: fmtPct(share),
    budget: fmtInt(budget),
    room: fmtInt(budget - machine(a)),
    dbCap: fmtPct(machine(a) / (machine(a) + db)),
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

const signed = (micros: number) => `${micros >= 0 ? '+' : ''}${micros.toFixed(1)} µs`;

/** A difference measured with the servers loaded at once: its median, its 95% interval, and the control's. */
function loadedAtOnce(paired: PairedDifference, control: PairedDifference | undefined): string {
  return (
    `${signed(paired.median)} loaded at once (median of ${paired.rounds} rounds' differences, 95% interval ` +
    `${paired.low.toFixed(1)} … ${paired.high.toFixed(1)}` +
    (control ? `; control ${signed(control.median)}` : '') +
    ')'
  );
}

/** The min–max of the rounds' server (or PostgreSQL) CPU per request. */
function spread(h: HttpResult, db = false): string {
  const values = h.rounds
    .map((r) => (db ? r.dbCpuMicrosPerRequest : r.cpuMicrosPerRequest))
    .filter((v): v is number => v !== undefined);
  return `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)} µs`;
}

/** A difference of server CPU per request between two configurations, against a budget. */
function difference(
  name: string,
  upper: HttpResult | undefined,
  lower: HttpResult | undefined,
  budget: number,
  labels: [string, string],
  before?: { upper?: HttpResult; lower?: HttpResult },
): Target | undefined {
  if (!upper || !lower) return undefined;
  const added = upper.cpuMicrosPerRequest - lower.cpuMicrosPerRequest;
  const wasAdded =
    before?.upper && before.lower ? before.upper.cpuMicrosPerRequest - before.lower.cpuMicrosPerRequest : undefined;
  return {
    name,
    measured:
      `${signed(added)} (${labels[0]} ${upper.cpuMicrosPerRequest.toFixed(1)} vs ${labels[1]} ` +
      `${lower.cpuMicrosPerRequest.toFixed(1)} µs)` +
      (wasAdded === undefined ? '' : `; before: ${signed(wasAdded)}`),
    ok: added <= budget,
    limit: oneLine(
      LIMITS('cpu-difference', {
        upper: labels[0],
        lower: labels[1],
        upperSpread: spread(upper),
        lowerSpread: spread(lower),
        excess: (added - budget).toFixed(1),
        budget,
        rounds: upper.rounds.length,
      }),
    ),
  };
}

function httpTargets(http: HttpResult[], adapter: string, results: Results): Target[] {
  const out: Array<Target | undefined> = [];
  const get = (config: string) => httpFigure(http, adapter, config);
  const [a, a1, b, c, d, e] = ['bare', 'bare-guard', 'guard', 'hookwarden-pg', 'naive-pg', 'hookwarden-pg-inbox'].map(
    get,
  );
  const beforeB = get(beforeConfig('guard'));
  const beforeC = get(beforeConfig('hookwarden-pg'));
  const guard = difference(
    `${adapter}: (b) − (a′) ≤ ${GUARD_BUDGET_MICROS} µs of server CPU per request`,
    b,
    a1,
    GUARD_BUDGET_MICROS,
    ['(b)', '(a′)'],
    { upper: beforeB, lower: a1 },
  );
  // Loaded at once, with (a″) beside them: decides when present, and splits off the HMAC itself.
  const pairedGuard = pairedDifference(results.guardPair, adapter, 'guard');
  const hmac = pairedDifference(results.guardPair, adapter, 'bare-hmac');
  const besides = pairedDifference(results.guardPair, adapter, 'guard', 'bare-hmac');
  const guardControl = pairedDifference(results.guardPair, adapter, 'bare-guard-control');
  if (guard && pairedGuard && hmac && besides) {
    const interval = (d: PairedDifference) =>
      `${signed(d.median)} (95% interval ${d.low.toFixed(1)} … ${d.high.toFixed(1)})`;
    guard.measured =
      `${loadedAtOnce(pairedGuard, guardControl)}; of it the node:crypto HMAC alone, (a″) − (a′): ${interval(hmac)}, ` +
      `and the rest, (b) − (a″): ${interval(besides)}; in the main rounds: ${guard.measured}`;
    guard.ok = pairedGuard.median <= GUARD_BUDGET_MICROS;
    guard.limit = oneLine(
      LIMITS('guard-paired', {
        added: pairedGuard.median.toFixed(1),
        hmac: hmac.median.toFixed(1),
        rest: besides.median.toFixed(1),
        budgetNote:
          hmac.median >= GUARD_BUDGET_MICROS
            ? `A budget of ${GUARD_BUDGET_MICROS} µs for all of (b) is less than the HMAC alone costs here.`
            : `The HMAC leaves ${(GUARD_BUDGET_MICROS - hmac.median).toFixed(1)} µs of the budget of ${GUARD_BUDGET_MICROS} µs for everything else.`,
      }),
    );
  }
  out.push(guard);
  out.push(
    difference(
      `${adapter}: (c) − (b) ≤ ${EVENT_LOG_BUDGET_MICROS} µs of server CPU per request`,
      c,
      b,
      EVENT_LOG_BUDGET_MICROS,
      ['(c)', '(b)'],
      { upper: beforeC, lower: beforeB },
    ),
  );
  for (const [label, h, was] of [
    ['(c)', c, beforeC],
    ['(e)', e, undefined],
  ] as const) {
    if (h?.dbCpuMicrosPerRequest === undefined) continue;
    const perRow = h.dbCpuMicrosPerRequest;
    out.push({
      name: `${adapter}: PostgreSQL CPU per accepted row in ${label} ≤ ${DB_ROW_BUDGET_MICROS} µs`,
      measured:
        `${perRow.toFixed(1)} µs (rounds ${spread(h, true)}; ${fmtInt(h.requestsPerSecond)} req/s)` +
        (was?.dbCpuMicrosPerRequest === undefined ? '' : `; before: ${was.dbCpuMicrosPerRequest.toFixed(1)} µs`),
      ok: perRow <= DB_ROW_BUDGET_MICROS,
      limit: oneLine(
        LIMITS('db-per-row', {
          config: label,
          perRow: perRow.toFixed(1),
          spread: spread(h, true),
          rps: fmtInt(h.requestsPerSecond),
          database: results.machine.postgres ?? 'PostgreSQL',
          jobs: label === '(e)' ? ` ${LIMITS('db-per-row-jobs')}` : '',
        }),
      ),
    });
  }
  const inbox = difference(
    `${adapter}: the inbox's 2xx path, (e) − (c) ≤ ${INBOX_2XX_BUDGET_MICROS} µs of server CPU per request`,
    e,
    c,
    INBOX_2XX_BUDGET_MICROS,
    ['(e)', '(c)'],
  );
  if (inbox && e && c && e.dbCpuMicrosPerRequest !== undefined && c.dbCpuMicrosPerRequest !== undefined) {
    inbox.measured += `; PostgreSQL beside it: ${signed(e.dbCpuMicrosPerRequest - c.dbCpuMicrosPerRequest)} per row`;
  }
  // Loaded at once (paired.bench.ts), the difference is resolved far more finely: it decides when present.
  const paired = pairedDifference(results.inboxPair, adapter, 'hookwarden-pg-inbox');
  const control = pairedDifference(results.inboxPair, adapter, 'hookwarden-pg-control');
  if (inbox && paired) {
    inbox.measured = `${loadedAtOnce(paired, control)}; in the main rounds: ${inbox.measured}`;
    inbox.ok = paired.median <= INBOX_2XX_BUDGET_MICROS;
    inbox.limit = oneLine(`${LIMITS('inbox-paired')} ${inbox.limit}`);
  }
  out.push(inbox);
  if (a && c) {
    const share = THROUGHPUT_SHARE[adapter] ?? 0.8;
    out.push({
      name: `${adapter}: (c) ≥ ${fmtPct(share)} of (a) requests/s`,
      measured:
        `${fmtPct(c.requestsPerSecond / a.requestsPerSecond)} (${fmtInt(c.requestsPerSecond)} vs ${fmtInt(a.requestsPerSecond)} req/s)` +
        (beforeC ? `; before: ${fmtPct(beforeC.requestsPerSecond / a.requestsPerSecond)}` : ''),
      ok: c.requestsPerSecond >= share * a.requestsPerSecond,
      limit: httpThroughputLimit(http, adapter, share),
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
  return out.filter((t): t is Target => t !== undefined);
}

function inboxTargets(inbox: InboxBenchResult): Target[] {
  const out: Target[] = [];
  const [ours, ...others] = inbox.systems;
  if (!ours) return out;
  for (const [prefix, factor] of [
    ['pg-boss', INBOX_TARGETS.vsPgBoss],
    ['graphile-worker', INBOX_TARGETS.vsGraphile],
  ] as const) {
    const other = others.find((s) => s.name.startsWith(prefix));
    if (!other) continue;
    const ratio = ours.jobsPerSecond / other.jobsPerSecond;
    out.push({
      name: `inbox: jobs/s ≥ ${factor}× ${prefix} (no-op handler, concurrency ${inbox.options.concurrency})`,
      measured: `${fmtX(ratio, 1)} (${fmtInt(ours.jobsPerSecond)} vs ${fmtInt(other.jobsPerSecond)} jobs/s)`,
      ok: ratio >= factor,
      limit: oneLine(LIMITS('inbox-throughput', { ours: fmtInt(ours.jobsPerSecond), other: other.name })),
    });
  }
  const at = ours.rates.find((r) => r.rate === INBOX_TARGETS.rate);
  const sustained = at !== undefined && at.committedPerSecond >= 0.9 * at.rate;
  const p50 = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : `> ${inbox.options.drainSeconds} s`);
  const lower = ours.rates.filter((r) => r.rate < INBOX_TARGETS.rate);
  const lowerText = lower.length
    ? lower.map((r) => `${fmtInt(r.rate)}/s: p50 ${p50(r.p50Ms)}, p99 ${p50(r.p99Ms)}`).join('; ')
    : 'none measured';
  out.push({
    name: `inbox: commit → handler start p50 ≤ ${INBOX_TARGETS.p50Ms} ms at ${fmtInt(INBOX_TARGETS.rate)} events/s`,
    measured: at
      ? `${p50(at.p50Ms)} (p99 ${p50(at.p99Ms)}; ${fmtInt(at.committedPerSecond)}/s committed, ` +
        `${fmtInt(at.started)} of ${fmtInt(at.sent)} started)` +
        (lower.length ? `; ${lowerText}` : '')
      : `not measured at ${fmtInt(INBOX_TARGETS.rate)}/s`,
    ok: at ? sustained && at.p50Ms <= INBOX_TARGETS.p50Ms : undefined,
    limit: at
      ? oneLine(
          sustained
            ? LIMITS('inbox-latency', {
                p50: p50(at.p50Ms),
                p99: p50(at.p99Ms),
                started: fmtInt(at.started),
                sent: fmtInt(at.sent),
                drainSeconds: inbox.options.drainSeconds,
                lower: lowerText,
              })
            : LIMITS('inbox-rate', {
                rate: fmtInt(at.rate),
                committed: fmtInt(at.committedPerSecond),
                lower: lowerText,
              }),
        )
      : undefined,
  });
  return out;
}
