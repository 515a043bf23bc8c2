// The tables of the benchmark's output and bench/RESULTS.md (its prose is in prose/results.md and prose/profiles.md).
import type { EventLogBenchResult } from './event-log.bench';
import { fmtInt, fmtMiB, fmtNs, fmtPct, fmtX, httpFigure, mark, microFigure, table } from './format';
import type { HttpResult } from './http.bench';
import { BUSY_CORES, CONFIG_LABELS, MAX_REPEATS, MEMORY_ADAPTER, type MemoryResult, type Results } from './plan';
import type { Target } from './targets';
import type { MicroResult } from './verify.bench';

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
    for (const size of [...new Set(micro.filter((m) => m.scheme === scheme).map((m) => m.size))]) {
      const get = (name: string) => microFigure(micro, scheme, size, 1, name);
      const limit = get('node:crypto limit');
      const hw = get('hookwarden');
      rows.push([size, fmtNs(limit), fmtNs(hw), fmtX(hw / limit), fmtNs(get(other)), fmtX(get(other) / hw, 1)]);
    }
    if (rows.length) {
      parts.push(
        `**${title}**, 1 secret\n\n` +
          table(
            ['body', 'node:crypto limit', 'Hookwarden', 'Hookwarden ÷ limit', `\`${other}\``, '÷ Hookwarden'],
            rows,
          ),
      );
    }
  }
  return parts.join('\n\n');
}

export function httpTable(http: HttpResult[]): string {
  const rows = http
    .filter((h) => h.connections === 50)
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
      'PostgreSQL CPU µs/req',
      'load generator CPU µs/req',
      'other jobs (cores)',
      'failed / requests',
    ],
    rows,
    'llrrrrrrrrrr',
  );
}

export function concurrencyTable(http: HttpResult[]): string {
  const more = http.filter((h) => h.connections !== 50);
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
  out.push('# Benchmark results');
  out.push(
    `Written by \`npm run bench${results.args.full ? ' -- --full' : ''}\` on ${results.started.toISOString().replace('T', ' ').slice(0, 16)} UTC ` +
      `(${((results.finished!.getTime() - results.started.getTime()) / 60000).toFixed(1)} minutes). Do not edit by hand: the next run rewrites it.`,
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
  out.push(
    'The load generator (autocannon), the Nest servers and PostgreSQL all run on this machine, which is shared ' +
      'with other jobs: figures are compared only with figures of the same run, as ratios measured side by side.',
  );
  out.push('## Targets');
  out.push(targetTable(goals));
  const missed = goals.filter((g) => g.ok === false && g.limit);
  if (missed.length) {
    out.push('### What limits the missed figures');
    out.push(missed.map((g) => `- **${g.name}** — ${g.limit}`).join('\n'));
  }
  if (results.micro) {
    out.push('## 1. Verification micro-benchmarks');
    out.push(
      `mitata \`measure\`, ${p.micro.rounds} interleaved rounds of every contender (≥ ${p.micro.minCpuMs} ms of CPU ` +
        "each); a figure is the best round's median time per verification. Bodies are JSON events of exactly " +
        '1 KiB, 20 KiB and 1 MiB. The limit is a bare node:crypto HMAC-SHA256 plus timingSafeEqual over the same ' +
        'bytes, once per live secret. standardwebhooks and svix verify with one `Webhook` per live secret, tried ' +
        'in turn (what an app with several live secrets has to write); every contender must accept the delivery.',
    );
    out.push(microTables(results.micro));
  }
  if (results.http) {
    out.push('## 2. HTTP end to end');
    out.push(
      `autocannon, 50 connections, every request a fresh Standard Webhooks delivery (1 KiB JSON, unique id, signed ` +
        `by the load generator) to \`POST /hooks/bench\`. Per adapter the four servers run at once, each in its own ` +
        `process; each is warmed up for ${p.http.warmupSeconds} s, then measured in ${p.http.rounds} interleaved ` +
        `rounds of ${p.http.roundSeconds} s; figures are the medians of the rounds. CPU columns are CPU time ` +
        `(user + system, all threads) per request during the rounds: the server process, PostgreSQL's processes, ` +
        `and this process, which runs autocannon and signs the deliveries. "Other jobs" is the machine's CPU time ` +
        `(/proc/stat) minus those, in cores, median of the kept rounds: a round during which other jobs kept more ` +
        `than ${BUSY_CORES} cores busy was measured again (at most ${MAX_REPEATS} times per adapter; "n again").`,
    );
    out.push(httpTable(results.http));
    const more = results.plan.http.more;
    out.push(
      `**Supplementary: ${more.connections} connections** (${more.rounds} interleaved rounds of ${more.roundSeconds} s ` +
        'after the main rounds, same servers). Not a target: it shows which configurations are bound by latency ' +
        '(their throughput grows with concurrency) and which by CPU (it does not).',
    );
    out.push(concurrencyTable(results.http));
    out.push('![Requests per second by configuration](throughput.svg)');
    out.push(
      Object.entries(CONFIG_LABELS)
        .map(([, label]) => `- ${label}`)
        .join('\n') +
        '\n\n(c) uses the module defaults: group commit of up to 100 rows, 2 ms delay, a pool of 4 connections. ' +
        '(d) uses TypeORM defaults (a pool of 10) and `repository.insert()`; each configuration has its own database.',
    );
  }
  if (results.eventLog) {
    out.push('## 3. Event log: group commit against one INSERT per request');
    out.push(
      `bench/event-log.bench.ts: 1 KiB bodies, 256 requests in flight, PostgreSQL with fsync on; ` +
        `${fmtInt(p.eventLog.rows)} rows per run of group commit (a quarter for the slower writers), ` +
        `best of ${p.eventLog.rounds} interleaved rounds.`,
    );
    out.push(eventLogTable(results.eventLog));
  }
  const memorySection = (memory: MemoryResult, note: string) =>
    `${note}\n\n${memoryTable(memory)}\n\n${fmtInt(memory.points.at(-1)!.deliveries)} deliveries in ` +
    `${memory.seconds.toFixed(0)} s, ${memory.failed} failed.`;
  if (results.memory || results.fullMemory) {
    out.push('## 4. Memory');
    out.push(
      `RSS of configuration (c) on ${MEMORY_ADAPTER} (a fresh server and database), read after a forced full ` +
        'garbage collection (`GET /__rss`), at each checkpoint of signed, unique deliveries sent by autocannon with ' +
        '50 connections. Between checkpoints RSS moves by tens of MiB (memory the allocator keeps or hands back), ' +
        'while the JavaScript heap after GC stays flat: read the trend over the checkpoints, not one pair of points.',
    );
    if (results.memory) {
      out.push(
        memorySection(
          results.memory,
          results.memory.full
            ? `This run (\`--full\`), ${results.memory.date}:`
            : `This run, ${results.memory.date} (the default run stops at ` +
                `${fmtInt(results.memory.points.at(-1)!.deliveries)} deliveries to stay within 10 minutes; the ` +
                '1M figure comes from `npm run bench -- --full`):',
        ),
      );
    }
    if (results.fullMemory) {
      out.push(
        memorySection(results.fullMemory, `Last \`--full\` run, ${results.fullMemory.date} (up to 1M deliveries):`),
      );
    }
  }
  out.push('## Profiles');
  out.push(PROFILE_NOTES);
  out.push('## Reproduce');
  out.push(
    '```sh\nnpm run bench                 # everything, ~6 minutes on 2 cores\nnpm run bench -- --full       # memory check up to 1M deliveries (~4 more minutes)\n' +
      'npm run bench -- --only=micro # one section (micro, event-log, http, memory)\n```\n\n' +
      'Run lengths of this run: ' +
      Object.entries(results.sectionSeconds)
        .map(([name, s]) => `${name} ${s.toFixed(0)} s`)
        .join(', ') +
      '.',
  );
  return out.join('\n\n') + '\n';
}

/**
 * What `node --cpu-prof` showed while these benchmarks were written (Fastify servers under the same
 * load, 10 s each, and in-process A/B runs of scratch copies); static text, dated, not re-measured by
 * each run.
 */
const PROFILE_NOTES = `Findings of \`node --cpu-prof\` on the bench servers (10 s of load each) and of A/B runs of scratch
copies against this tree (same harness, interleaved rounds), on this machine while the benchmarks were written
(2026-11-23). Per-request figures are CPU time divided by requests; they move by ±20% with the machine's load, so
read them as sizes, not decimals.

### Changed after profiling

- **No interceptor on the guarded route** (src/nest/unacknowledged-answer.ts, webhook.decorators.ts). A failed
  handler's delivery used to be released by an interceptor that \`@WebhookEndpoint()\` bound to every route; Nest
  runs interceptors through an rxjs pipeline and \`AsyncResource.bind\` (which on Node 20 also wraps accessors in
  \`util.deprecate\`, DEP0172). A/B with it removed: (b) Fastify 130 → 97 µs server CPU per request
  (9,177 → 12,107 req/s), Express 235 → 172 µs; (c) Fastify 131 → 100 µs, Express 229 → 169 µs. The guard now
  wraps the raw response's \`end()\` for the one request, the way express-session saves a session, and withdraws
  the acceptance before an answer outside 2xx goes out: the success path pays one property write.
- **Event ids read without parsing the body** (src/core/schemes/json-field.ts): Stripe, Discord, Adobe I/O and
  \`HmacScheme\`/\`apiKey\` with \`idField\` used to \`JSON.parse\` the whole body for the id. The reader walks the
  top-level keys and stops at the id (strings skipped with a native \`indexOf\`); a fast-check property checks it
  against \`JSON.parse\`. Stripe at 1 MiB: 2.08 ms → 0.52 ms (limit 0.52 ms); at 1 KiB the reader costs ~0.1 µs.
- **Digests compared as text** (src/core/constant-time.ts \`constantTimeEqualText\`): \`hmac.digest()\` allocates
  a Buffer that costs ~0.45 µs more than \`hmac.digest('hex' | 'base64')\`, and decoding the signature another
  ~0.1 µs. Standard Webhooks, Stripe and \`HmacScheme\` now compare the digest in the provider's encoding (hex
  lower-cased, base64 canonical) with an XOR-accumulating loop (no early exit), as stripe-node does; plus a
  fast path for the one-entry \`webhook-signature\` header, Stripe's header walked with \`indexOf\`, and
  \`HmacScheme\`'s header names, template flags and error text worked out once. 1 KiB: Standard Webhooks
  1.37× → ~1.1× the limit, GitHub 1.32× → ~1.14×, Stripe 2.1× → ~1.3×.
- **No new property on Express's request** (src/nest/verified-deliveries.ts): the guard left the delivery for
  \`@WebhookEvent()\` under a symbol on the request; on Express (whose requests have their prototype swapped)
  that one store was 2.4% of the guarded server's samples (~4 µs). A WeakMap entry costs a quarter of it. The
  response wrapper's own store onto Express's response costs about the same (2.2%) and stays: it is what lets
  a failed delivery be retried, and on Fastify (plain ServerResponse) it does not show in the profile.
- **Route metadata cached** (src/nest/webhook.guard.ts): two \`Reflector.getAllAndOverride\` calls per request
  became one WeakMap lookup per controller and handler.
- **In-memory ring without SHA-256 on the hot path** (src/storage/in-memory/in-memory-event-log.ts): the hash
  of a recent event's body is computed when it is read; ~1.5–3 µs per request less.

### What remains

- **Socket system calls are expensive on this VM.** In the bare Fastify server \`writev\` (sending the response)
  is ~20% of the samples and garbage collection ~15%. Every configuration pays them once per request.
- **Fastify's body parsing binds an AsyncResource per request** (\`ContentTypeParser.run\` → \`AsyncResource.bind\`
  → \`util.deprecate\` on Node 20): ~7% of the guarded Fastify server's samples. Every configuration, the bare route
  included, parses its body the same way, so it is not part of the difference; Node 22 drops the deprecation wrap.
- **(b) − (a), ~25 µs per request on Fastify**: verifying (~3 µs), the in-memory duplicate check (a Map of up to
  100,000 ids per endpoint, ~3% of the samples), Nest's guard chain, the event record (\`redactHeaders\`, Dates)
  and the garbage collection of what the in-memory log keeps (every accepted id for the replay window, the last
  1,000 events with a copy of their bodies).
- **(c) − (b), the PostgreSQL event log: ~20–25 µs per row in Node** (SHA-256 of the body, cleaning and JSON of
  the headers, pg encoding the 16 array parameters ~1.8 µs per row, the batch's socket write) **and 40–55 µs per
  row in PostgreSQL** (a heap insert, three index entries and ~1.3 KiB of WAL per row, an fsync per batch), on the
  same two cores as everything else. Measured alone (TypeOrmEventLog, no HTTP), a batch of one row costs
  175–400 µs in Node and 230–290 µs in PostgreSQL; with 50 rows in flight, 20–30 µs and 23–25 µs per row. This is
  why the group commit matters, and why (c) gets cheaper per request as the load rises. PostgreSQL's share alone is
  what keeps (c) from 80% of (a): the target leaves (c) 25% more CPU per request than the bare route in all, and
  PostgreSQL's rows take about that much by themselves (see the notes on the missed targets).
- **Tried in src/storage/typeorm and not kept:** the batch as one JSON parameter instead of 16 arrays
  (\`JSON.stringify\` costs the same as pg's array encoding: 1.6–2.1 vs 1.8 µs per row); the batch INSERT without
  its duplicates CTE (no measurable change in PostgreSQL's CPU per row — and it is needed); other group-commit
  settings for (c) on Fastify, interleaved, median of 3 rounds (req/s): defaults 4,932 and 5,698 in two sessions;
  maxDelayMs 0: 3,895, 1: 3,665, 4: 5,281; poolSize 1: 5,031, 2: 4,439, 8: 3,303. The defaults were best. Each
  of the events table's indexes serves a query (the primary key, the unique accepted id, the per-endpoint list,
  the BRIN on \`received_at\` for retention), so none was dropped.`;
