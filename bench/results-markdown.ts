// The tables of the benchmark's output and bench/RESULTS.md (its prose is in prose/results.md and prose/profiles.md).
import type { EventLogBenchResult } from './event-log.bench';
import { fmtInt, fmtMiB, fmtNs, fmtPct, fmtX, httpFigure, mark, microFigure, table } from './format';
import type { HttpResult } from './http.bench';
import { pairedFigure, pairedDifference, type PairedResult } from './paired.bench';
import { DRAIN_CAP_SECONDS, type InboxBenchResult } from './inbox.bench';
import {
  BEFORE_CONFIGS,
  BEFORE_PREFIX,
  beforeConfig,
  BUSY_CORES,
  GUARD_BUDGET_MICROS,
  CONFIG_LABELS,
  INBOX_2XX_BUDGET_MICROS,
  INBOX_TARGETS,
  MAX_REPEATS,
  MEMORY_ADAPTER,
  METRICS_BUDGET_MICROS,
  METRICS_LABELS,
  type MemoryResult,
  type Results,
} from './plan';
import type { Target } from './targets';
import { proseOf } from './prose';
import { HOOKWARDEN_BEFORE, type MicroResult } from './verify.bench';
import type { MetricsCallResult } from './metrics.bench';

const TEXT = proseOf('results.md');
const PROFILES = proseOf('profiles.md');

export function microTables(micro: MicroResult[]): string {
  const parts: string[] = [];
  const sw = micro.filter((m) => m.scheme === 'standard-webhooks');
  if (sw.length) {
    const rows: Array<Array<string | number>> = [];
    for (const size of [...new Set(sw.map((m) => m.size))]) {
      for (const secrets of [1, 3]) {
        const get = (name: string) => microFigure(micro, 'standard-webhooks', size, secrets, name);
        const limit = get('node:crypto limit');
        const hw = get('hookwarden');
        if (limit === undefined) continue;
        rows.push([
          size,
          secrets,
          fmtNs(limit),
          fmtNs(hw),
          fmtX(hw / limit),
          fmtNs(get('standardwebhooks')),
          fmtX(get('standardwebhooks') / hw, 1),
          fmtNs(get('svix')),
          fmtX(get('svix') / hw, 1),
        ]);
      }
    }
    parts.push(
      "**Standard Webhooks** (signed with the last live secret; time per verification, best of the rounds' medians)\n\n" +
        table(
          [
            'body',
            'live secrets',
            'node:crypto limit',
            'Hookwarden',
            'Hookwarden ÷ limit',
            'standardwebhooks',
            '÷ Hookwarden',
            'svix',
            '÷ Hookwarden',
          ],
          rows,
          'lrrrrrrrr',
        ),
    );
  }
  for (const [scheme, title, other] of [
    ['github', 'GitHub (`X-Hub-Signature-256`)', '@octokit/webhooks-methods'],
    ['stripe', 'Stripe (`Stripe-Signature`)', 'stripe.webhooks.constructEvent'],
  ] as const) {
    const rows: Array<Array<string | number>> = [];
    const withBefore = micro.some((m) => m.scheme === scheme && m.name === HOOKWARDEN_BEFORE);
    for (const size of [...new Set(micro.filter((m) => m.scheme === scheme).map((m) => m.size))]) {
      const get = (name: string) => microFigure(micro, scheme, size, 1, name);
      const limit = get('node:crypto limit');
      const hw = get('hookwarden');
      const before = get(HOOKWARDEN_BEFORE);
      rows.push([
        size,
        fmtNs(limit),
        ...(withBefore ? [fmtNs(before), fmtX(before / limit)] : []),
        fmtNs(hw),
        fmtX(hw / limit),
        fmtNs(get(other)),
        fmtX(get(other) / hw, 1),
      ]);
    }
    if (rows.length) {
      parts.push(
        `**${title}**, 1 secret\n\n` +
          table(
            [
              'body',
              'node:crypto limit',
              ...(withBefore ? ['Hookwarden before', 'before ÷ limit'] : []),
              'Hookwarden',
              'Hookwarden ÷ limit',
              `\`${other}\``,
              '÷ Hookwarden',
            ],
            rows,
          ),
      );
    }
  }
  return parts.join('\n\n');
}

/** Server CPU per request above (a′) on the same adapter, signed, or '–'. */
export function aboveFloor(http: HttpResult[], h: HttpResult): string {
  const floor = httpFigure(http, h.adapter, 'bare-guard', h.connections);
  return floor ? signed(h.cpuMicrosPerRequest - floor.cpuMicrosPerRequest) : '–';
}

const signed = (micros: number, digits = 1) => `${micros >= 0 ? '+' : ''}${micros.toFixed(digits)}`;

/** The min–max of a result's rounds, server CPU per request. */
export function cpuSpread(h: HttpResult, pick = (r: HttpResult['rounds'][number]) => r.cpuMicrosPerRequest): string {
  const values = h.rounds.map(pick).filter((v): v is number => v !== undefined);
  return `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
}

export function httpTable(http: HttpResult[]): string {
  const rows = http
    .filter((h) => h.connections === 50 && !h.config.startsWith(BEFORE_PREFIX))
    .map((h) => {
      const a = httpFigure(http, h.adapter, 'bare')!;
      return [
        h.adapter,
        CONFIG_LABELS[h.config] ?? h.config,
        fmtInt(h.requestsPerSecond),
        fmtPct(h.requestsPerSecond / a.requestsPerSecond),
        `${h.p50Ms} ms`,
        `${h.p99Ms} ms`,
        fmtX(h.p99Ms / a.p99Ms),
        fmtInt(h.cpuMicrosPerRequest),
        aboveFloor(http, h),
        h.dbCpuMicrosPerRequest === undefined ? '–' : fmtInt(h.dbCpuMicrosPerRequest),
        fmtInt(h.clientCpuMicrosPerRequest),
        h.otherCores === undefined ? '–' : `${h.otherCores.toFixed(2)}${h.repeated ? ` (${h.repeated} again)` : ''}`,
        h.errors + h.non2xx === 0
          ? `0 of ${fmtInt(h.total)}`
          : `**${fmtInt(h.errors + h.non2xx)}** of ${fmtInt(h.total)}`,
      ];
    });
  return table(
    [
      'adapter',
      'configuration',
      'req/s',
      '÷ (a)',
      'p50',
      'p99',
      'p99 ÷ (a)',
      'server CPU µs/req',
      'server CPU above (a′)',
      'PostgreSQL CPU µs/req',
      'load generator CPU µs/req',
      'other jobs (cores)',
      'failed / requests',
    ],
    rows,
    'llrrrrrrrrrrr',
  );
}

/** (e) against (c): what the inbox adds to the 2xx path, in the server and in PostgreSQL. */
export function inbox2xxTable(http: HttpResult[], pair?: PairedResult[]): string {
  const rows: string[][] = [];
  for (const adapter of [...new Set(http.map((h) => h.adapter))]) {
    const c = httpFigure(http, adapter, 'hookwarden-pg');
    const e = httpFigure(http, adapter, 'hookwarden-pg-inbox');
    if (!c || !e) continue;
    const db = (h: HttpResult) => (h.dbCpuMicrosPerRequest === undefined ? '–' : h.dbCpuMicrosPerRequest.toFixed(1));
    rows.push([
      adapter,
      `${fmtInt(c.requestsPerSecond)} / ${fmtInt(e.requestsPerSecond)}`,
      `${c.cpuMicrosPerRequest.toFixed(1)} (${cpuSpread(c)})`,
      `${e.cpuMicrosPerRequest.toFixed(1)} (${cpuSpread(e)})`,
      signed(e.cpuMicrosPerRequest - c.cpuMicrosPerRequest),
      db(c),
      db(e),
      c.dbCpuMicrosPerRequest === undefined || e.dbCpuMicrosPerRequest === undefined
        ? '–'
        : signed(e.dbCpuMicrosPerRequest - c.dbCpuMicrosPerRequest),
      pairedCell(pairedDifference(pair, adapter, 'hookwarden-pg-inbox')),
      pairedCell(pairedDifference(pair, adapter, 'hookwarden-pg-control')),
    ]);
  }
  return table(
    [
      'adapter',
      'req/s (c) / (e)',
      'server CPU µs/req (c) (rounds)',
      'server CPU µs/req (e) (rounds)',
      `(e) − (c), server (target ≤ ${INBOX_2XX_BUDGET_MICROS})`,
      'PostgreSQL CPU µs/row (c)',
      'PostgreSQL CPU µs/row (e)',
      '(e) − (c), PostgreSQL',
      `(e) − (c), server, loaded at once (target ≤ ${INBOX_2XX_BUDGET_MICROS})`,
      'control − (c), loaded at once',
    ],
    rows,
    'lrrrrrrrrr',
  );
}

/** The guard pair (issue 19): what WebhookGuard adds above (a′), and how much of it the HMAC alone is. */
export function guardPairTable(pair?: PairedResult[]): string {
  const rows: string[][] = [];
  for (const adapter of [...new Set((pair ?? []).map((r) => r.adapter))]) {
    const cell = (name: string, lower?: string) => pairedIntervalCell(pairedDifference(pair, adapter, name, lower));
    rows.push([adapter, cell('guard'), cell('bare-hmac'), cell('guard', 'bare-hmac'), cell('bare-guard-control')]);
  }
  return table(
    [
      'adapter',
      `(b) − (a′) (target ≤ ${GUARD_BUDGET_MICROS})`,
      '(a″) − (a′): the node:crypto HMAC alone',
      '(b) − (a″): all WebhookGuard does besides',
      'control − (a′)',
    ],
    rows,
    'lrrrr',
  );
}

/** A paired difference: its median, then its 95% interval. */
function pairedIntervalCell(d: ReturnType<typeof pairedDifference>): string {
  return d ? `${signed(d.median, 1)} (${d.low.toFixed(1)} … ${d.high.toFixed(1)})` : '–';
}

/** A paired difference: its median, then the rounds' range. */
function pairedCell(d: ReturnType<typeof pairedDifference>): string {
  return d ? `${signed(d.median, 2)} (${d.min.toFixed(1)} … ${d.max.toFixed(1)})` : '–';
}

/** The `--before` tree against this one, (b) and (c) per adapter, measured in the same rounds. */
export function beforeAfterTable(http: HttpResult[]): string {
  const rows: string[][] = [];
  const arrow = (before: string, after: string) => `${before} → ${after}`;
  for (const adapter of [...new Set(http.map((h) => h.adapter))]) {
    for (const config of BEFORE_CONFIGS) {
      const before = httpFigure(http, adapter, beforeConfig(config));
      const after = httpFigure(http, adapter, config);
      if (!before || !after) continue;
      const db = (h: HttpResult) => (h.dbCpuMicrosPerRequest === undefined ? '–' : fmtInt(h.dbCpuMicrosPerRequest));
      rows.push([
        adapter,
        CONFIG_LABELS[config],
        arrow(fmtInt(before.requestsPerSecond), fmtInt(after.requestsPerSecond)),
        fmtX(after.requestsPerSecond / before.requestsPerSecond),
        arrow(fmtInt(before.cpuMicrosPerRequest), fmtInt(after.cpuMicrosPerRequest)),
        arrow(aboveFloor(http, before), aboveFloor(http, after)),
        arrow(db(before), db(after)),
        arrow(`${before.p99Ms} ms`, `${after.p99Ms} ms`),
      ]);
    }
  }
  if (rows.length === 0) return '';
  return table(
    [
      'adapter',
      'configuration',
      'req/s before → after',
      'after ÷ before',
      'server CPU µs/req',
      'server CPU above (a′)',
      'PostgreSQL CPU µs/req',
      'p99',
    ],
    rows,
    'llrrrrrr',
  );
}

const fmtMs = (ms: number, drainSeconds: number) =>
  Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : `> ${drainSeconds} s`;

/** The inbox beside pg-boss and graphile-worker: jobs/s, and commit → start at each steady rate. */
export function inboxTable(inbox: InboxBenchResult): string {
  const rates = inbox.options.rates;
  const drain = inbox.options.drainSeconds;
  const rows = inbox.systems.map((s) => [
    s.name,
    s.setup,
    fmtInt(s.jobsPerSecond),
    ...s.rates.flatMap((r) => [
      `${fmtMs(r.p50Ms, drain)} / ${fmtMs(r.p99Ms, drain)}`,
      `${fmtInt(r.committedPerSecond)}/s; ${fmtInt(r.started)} of ${fmtInt(r.sent)}`,
    ]),
  ]);
  return table(
    [
      'system',
      'set-up',
      'jobs/s (backlog drained)',
      ...rates.flatMap((r) => [
        `commit → start p50 / p99 at ${fmtInt(r.rate)}/s`,
        `at ${fmtInt(r.rate)}/s: committed; started`,
      ]),
    ],
    rows,
    'llr' + 'rr'.repeat(rates.length),
  );
}

/** Whether each system sustained the issue's rate, as a sentence. */
export function inboxRateNote(inbox: InboxBenchResult): string {
  const target = INBOX_TARGETS.rate;
  const at = inbox.systems.flatMap((s) => s.rates.filter((r) => r.rate === target).map((r) => ({ s, r })));
  if (at.length === 0) return `This run had no steady rate of ${fmtInt(target)} jobs/s.`;
  const short = at.filter(({ r }) => r.committedPerSecond < 0.9 * r.rate);
  return (
    `At ${fmtInt(target)}/s the enqueues committed ` +
    at.map(({ s, r }) => `${fmtInt(r.committedPerSecond)}/s for ${s.name}`).join(', ') +
    (short.length === 0
      ? ': the rate was sustained by every system.'
      : `: ${short.map(({ s }) => s.name).join(' and ')} did not sustain it (below 90%) on this machine, so ` +
        `${short.length > 1 ? 'their' : 'its'} latency at ${fmtInt(target)}/s includes a backlog of enqueues; the ` +
        'lower rate is the line to read for latency alone.')
  );
}

export function concurrencyTable(http: HttpResult[]): string {
  const more = http.filter((h) => h.connections !== 50 && !h.config.startsWith(BEFORE_PREFIX));
  if (more.length === 0) return '';
  const rows = more.map((h) => {
    const at50 = httpFigure(http, h.adapter, h.config)!;
    const bare = httpFigure(http, h.adapter, 'bare', h.connections);
    return [
      h.adapter,
      CONFIG_LABELS[h.config] ?? h.config,
      fmtInt(at50.requestsPerSecond),
      fmtInt(h.requestsPerSecond),
      fmtX(h.requestsPerSecond / at50.requestsPerSecond),
      bare ? fmtPct(h.requestsPerSecond / bare.requestsPerSecond) : '–',
      `${h.p50Ms} ms`,
      `${h.p99Ms} ms`,
      fmtInt(h.cpuMicrosPerRequest),
      h.dbCpuMicrosPerRequest === undefined ? '–' : fmtInt(h.dbCpuMicrosPerRequest),
      h.errors + h.non2xx === 0
        ? `0 of ${fmtInt(h.total)}`
        : `**${fmtInt(h.errors + h.non2xx)}** of ${fmtInt(h.total)}`,
    ];
  });
  const connections = more[0].connections;
  const ratios = [...new Set(more.map((h) => h.adapter))]
    .map((adapter) => {
      const c = httpFigure(http, adapter, 'hookwarden-pg', connections);
      const d = httpFigure(http, adapter, 'naive-pg', connections);
      return c && d ? `${adapter}: (c) ÷ (d) = ${fmtX(c.requestsPerSecond / d.requestsPerSecond)}` : '';
    })
    .filter(Boolean)
    .join('; ');
  return (
    table(
      [
        'adapter',
        'configuration',
        'req/s at 50',
        `req/s at ${connections}`,
        'gain',
        `÷ (a) at ${connections}`,
        'p50',
        'p99',
        'server CPU µs/req',
        'PostgreSQL CPU µs/req',
        'failed / requests',
      ],
      rows,
      'llrrrrrrrrr',
    ) + (ratios ? `\n\nAt ${connections} connections ${ratios}.` : '')
  );
}

export function eventLogTable(results: EventLogBenchResult[]): string {
  const baseline = results.find((r) => r.name.startsWith('one INSERT per request'))?.rowsPerSecond ?? NaN;
  return table(
    ['writer', 'rows', 'seconds', 'rows/s', '÷ one INSERT per request (same connections)'],
    results.map((r) => [
      r.name,
      fmtInt(r.rows),
      r.seconds.toFixed(2),
      fmtInt(r.rowsPerSecond),
      fmtX(r.rowsPerSecond / baseline, 1),
    ]),
  );
}

export function memoryTable(memory: MemoryResult): string {
  const base = memory.points.find((p) => p.deliveries === 100_000) ?? memory.points[0];
  return table(
    ['deliveries', 'RSS', 'heap used', 'RSS vs 100k'],
    memory.points.map((p) => [
      fmtInt(p.deliveries),
      fmtMiB(p.rss),
      fmtMiB(p.heapUsed),
      p.deliveries >= base.deliveries && p !== base
        ? `${p.rss >= base.rss ? '+' : ''}${fmtPct(p.rss / base.rss - 1)}`
        : '',
    ]),
  );
}

/** The metrics pair: server CPU per request off and on, loaded at once, and their per-round differences. */
export function metricsTable(metrics: PairedResult[], calls?: MetricsCallResult): string {
  const rows: string[][] = [];
  const difference = (d: ReturnType<typeof pairedDifference>) =>
    d ? [`${signed(d.median, 2)} µs`, `${d.min.toFixed(1)} … ${d.max.toFixed(1)}`] : ['', ''];
  for (const adapter of [...new Set(metrics.map((m) => m.adapter))]) {
    const off = pairedFigure(metrics, adapter, 'guard');
    const on = pairedFigure(metrics, adapter, 'guard-metrics');
    if (!off || !on) continue;
    rows.push([
      adapter,
      `${off.cpuMicrosPerRequest.toFixed(1)} µs`,
      ...difference(pairedDifference(metrics, adapter, 'guard-control')),
      ...difference(pairedDifference(metrics, adapter, 'guard-metrics')),
      `${fmtInt(off.requestsPerSecond)} / ${fmtInt(on.requestsPerSecond)}`,
      String(on.rounds.length),
    ]);
  }
  return (
    table(
      [
        'adapter',
        'server CPU/req, off',
        'control − off (median)',
        'control − off (rounds)',
        'on − off (median)',
        'on − off (rounds)',
        'req/s off / on',
        'rounds',
      ],
      rows,
      'lrrrrrrr',
    ) +
    (calls
      ? `\n\nIn-process, all that metrics on add to one delivery (two \`performance.now()\` calls, an observation, an increment): ` +
        `${(calls.nsPerDelivery / 1000).toFixed(2)} µs of CPU (median of ${calls.rounds.length} rounds, ` +
        `${(Math.min(...calls.rounds) / 1000).toFixed(2)}–${(Math.max(...calls.rounds) / 1000).toFixed(2)} µs).`
      : '')
  );
}

export function targetTable(goals: Target[]): string {
  return table(
    ['target', 'measured', ''],
    goals.map((g) => [g.name, g.measured, g.ok === undefined ? 'not measured' : mark(g.ok)]),
    'lll',
  );
}

export function resultsMarkdown(results: Results, goals: Target[]): string {
  const m = results.machine;
  const p = results.plan;
  const out: string[] = [];
  out.push(
    TEXT('intro', {
      options: [results.args.full ? '--full' : '', results.args.before ? `--before=${results.args.before}` : '']
        .filter(Boolean)
        .reduce((text, option) => `${text} ${option}`, '')
        .replace(/^ /, ' -- '),
      started: results.started.toISOString().replace('T', ' ').slice(0, 16),
      minutes: ((results.finished!.getTime() - results.started.getTime()) / 60000).toFixed(1),
    }),
  );
  out.push(
    table(
      ['', ''],
      [
        ['CPU', `${m.cpu}, ${m.cores} cores`],
        ['memory', m.memory],
        ['Node.js', m.node],
        ['OS', m.os],
        ...(m.postgres ? [['database', m.postgres]] : []),
        [
          'load average (1 min) per section, before → after',
          results.loads.map((l) => `${l.section} ${l.before[0].toFixed(2)} → ${l.after[0].toFixed(2)}`).join(', '),
        ],
      ],
      'll',
    ),
  );
  out.push(TEXT('shared-machine'));
  out.push(TEXT('targets'));
  out.push(targetTable(goals));
  const missed = goals.filter((g) => g.ok === false && g.limit);
  if (missed.length) {
    out.push(TEXT('missed'));
    out.push(missed.map((g) => `- **${g.name}** — ${g.limit}`).join('\n'));
  }
  if (results.micro) {
    out.push(TEXT('micro', { rounds: p.micro.rounds, minCpuMs: p.micro.minCpuMs }));
    out.push(microTables(results.micro));
  }
  if (results.http) {
    out.push(
      TEXT('http', {
        warmupSeconds: p.http.warmupSeconds,
        rounds: p.http.rounds,
        roundSeconds: p.http.roundSeconds,
        busyCores: BUSY_CORES,
        maxRepeats: MAX_REPEATS,
      }),
    );
    out.push(httpTable(results.http));
    if (results.guardPair?.length) {
      out.push(
        TEXT('http-guard', {
          budget: GUARD_BUDGET_MICROS,
          pairRate: p.guardPair.rate,
          pairRounds: p.guardPair.rounds,
          pairSeconds: p.guardPair.roundSeconds,
        }),
      );
      out.push(guardPairTable(results.guardPair));
    }
    if (results.http.some((h) => h.config === 'hookwarden-pg-inbox')) {
      out.push(
        TEXT('http-inbox', {
          budget: INBOX_2XX_BUDGET_MICROS,
          pairRate: p.inboxPair.rate,
          pairRounds: p.inboxPair.rounds,
          pairSeconds: p.inboxPair.roundSeconds,
        }),
      );
      out.push(inbox2xxTable(results.http, results.inboxPair));
    }
    const beforeAfter = beforeAfterTable(results.http);
    if (beforeAfter) {
      out.push(TEXT('http-before', { before: results.args.before ?? '' }));
      out.push(beforeAfter);
    }
    const more = results.plan.http.more;
    out.push(
      TEXT('http-more', { connections: more.connections, rounds: more.rounds, roundSeconds: more.roundSeconds }),
    );
    out.push(concurrencyTable(results.http));
    out.push(
      TEXT('http-legend', {
        configurations: Object.values(CONFIG_LABELS)
          .map((label) => `- ${label}`)
          .join('\n'),
      }),
    );
  }
  if (results.eventLog) {
    out.push(TEXT('event-log', { rows: fmtInt(p.eventLog.rows), rounds: p.eventLog.rounds }));
    out.push(eventLogTable(results.eventLog));
  }
  const memorySection = (memory: MemoryResult, note: string) =>
    TEXT('memory-run', {
      note,
      table: memoryTable(memory),
      deliveries: fmtInt(memory.points.at(-1)!.deliveries),
      seconds: memory.seconds.toFixed(0),
      failed: memory.failed,
    });
  if (results.memory || results.fullMemory) {
    out.push(TEXT('memory', { adapter: MEMORY_ADAPTER }));
    if (results.memory) {
      out.push(
        memorySection(
          results.memory,
          results.memory.full
            ? TEXT('memory-this-full-run', { date: results.memory.date })
            : TEXT('memory-this-run', {
                date: results.memory.date,
                deliveries: fmtInt(results.memory.points.at(-1)!.deliveries),
              }),
        ),
      );
    }
    if (results.fullMemory) {
      out.push(memorySection(results.fullMemory, TEXT('memory-last-full-run', { date: results.fullMemory.date })));
    }
  }
  if (results.metrics) {
    out.push(
      TEXT('metrics', {
        ...p.metrics,
        budget: METRICS_BUDGET_MICROS,
        configurations: Object.values(METRICS_LABELS)
          .map((label) => `- ${label}`)
          .join('\n'),
      }),
    );
    out.push(metricsTable(results.metrics, results.metricsCalls));
  }
  if (results.inbox) {
    const o = results.inbox.options;
    out.push(
      TEXT('inbox', {
        database: results.machine.postgres ?? 'PostgreSQL',
        concurrency: o.concurrency,
        jobs: fmtInt(o.jobs),
        rates: o.rates.map((r) => `${fmtInt(r.rate)} jobs/s for ${r.seconds} s`).join(' and '),
        drainSeconds: o.drainSeconds,
        drainCap: DRAIN_CAP_SECONDS,
      }),
    );
    out.push(inboxTable(results.inbox));
    out.push(inboxRateNote(results.inbox));
  }
  out.push(PROFILES('profiles'));
  out.push(
    TEXT('reproduce', {
      lengths: Object.entries(results.sectionSeconds)
        .map(([name, s]) => `${name} ${s.toFixed(0)} s`)
        .join(', '),
    }),
  );
  return out.join('\n\n') + '\n';
}
