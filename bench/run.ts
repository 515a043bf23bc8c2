// `npm run bench`: every benchmark in one run, side by side, then a table on stdout and a rewritten
// bench/RESULTS.md with bench/throughput.svg. See `npm run bench -- --help`.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { throughputChartSvg } from './chart';
import { DATABASE_CONFIGS, openDatabase } from './database';
import { runEventLogBenchmark } from './event-log.bench';
import { fmtMiB } from './format';
import { runHttpSuite, runMemoryCheck, startServer } from './http.bench';
import { runInboxBenchmark } from './inbox.bench';
import {
  ADAPTERS,
  BEFORE_CONFIGS,
  BEFORE_PREFIX,
  beforeConfig,
  BUSY_CORES,
  CONFIGS,
  FULL_MEMORY_FILE,
  MAX_REPEATS,
  MEMORY_ADAPTER,
  METRICS_CONFIGS,
  GUARD_PAIR_CONFIGS,
  INBOX_PAIR_CONFIGS,
  parseArgs,
  plan,
  USAGE,
  type MemoryResult,
  type Results,
} from './plan';
import {
  concurrencyTable,
  beforeAfterTable,
  eventLogTable,
  httpTable,
  guardPairTable,
  inbox2xxTable,
  inboxRateNote,
  inboxTable,
  memoryTable,
  metricsTable,
  microTables,
  resultsMarkdown,
  targetTable,
} from './results-markdown';
import { runMetricsCallBenchmark } from './metrics.bench';
import { runPairedSuite } from './paired.bench';
import { targets } from './targets';
import { runVerifyBenchmarks } from './verify.bench';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  if (args.check) {
    // Every benchmark module is loaded by now (static imports); the chart library too.
    await throughputChartSvg([]);
    console.log('bench ok');
    return;
  }
  const steps = plan(args);
  const results: Results = {
    started: new Date(),
    machine: machineInfo(),
    loads: [],
    sectionSeconds: {},
    plan: steps,
    args,
  };
  const log = (line: string) => console.log(line);
  log(`Hookwarden benchmarks — ${results.machine.cpu}, ${results.machine.cores} cores, Node ${process.version}`);
  log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  const section = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const before = loadavg();
    const started = Date.now();
    log(`\n== ${name} (load ${before.map((l) => l.toFixed(2)).join(' ')})`);
    try {
      return await run();
    } finally {
      results.sectionSeconds[name] = (Date.now() - started) / 1000;
      results.loads.push({ section: name, before, after: loadavg() });
      log(`   ${name}: ${results.sectionSeconds[name].toFixed(0)} s`);
    }
  };

  if (args.only.has('micro')) {
    results.micro = await section('micro', () => runVerifyBenchmarks({ ...steps.micro, before: args.before }));
    log(microTables(results.micro));
  }

  if (args.only.has('metrics')) {
    const secret = 'whsec_' + randomBytes(32).toString('base64');
    results.metrics = await section('metrics', () =>
      runPairedSuite({
        adapters: ADAPTERS,
        configs: METRICS_CONFIGS,
        env: () => ({ BENCH_SECRET: secret }),
        secret,
        ...steps.metrics,
        log,
      }),
    );
    results.metricsCalls = runMetricsCallBenchmark(args.quick ? 1 : 7, args.quick ? 10_000 : 500_000);
    log(metricsTable(results.metrics, results.metricsCalls));
  }

  const needsDatabase = ['event-log', 'http', 'memory', 'inbox'].some((name) => args.only.has(name as never));
  const beforeConfigs = args.before ? BEFORE_CONFIGS.map(beforeConfig) : [];
  const database = needsDatabase
    ? await openDatabase(log, [...DATABASE_CONFIGS, ...beforeConfigs.filter((c) => c.endsWith('-pg'))])
    : undefined;
  try {
    if (database) results.machine.postgres = database.version;
    if (args.only.has('event-log')) {
      results.eventLog = await section('event-log', () =>
        runEventLogBenchmark({ ...steps.eventLog, serverUrl: database!.serverUrl }),
      );
      log(eventLogTable(results.eventLog));
    }
    const secret = 'whsec_' + randomBytes(32).toString('base64');
    if (args.only.has('http')) {
      results.http = await section('http', () =>
        runHttpSuite({
          adapters: ADAPTERS,
          // The tree before the change runs beside this one, in the same interleaved rounds.
          configs: [...CONFIGS, ...beforeConfigs],
          before: args.before,
          env: (config) => ({ BENCH_SECRET: secret, DATABASE_URL: database!.urlFor(config) }),
          secret,
          ...steps.http,
          dbCpuMicros: database!.cpuMicros,
          // Other jobs are told apart only when every process of the benchmark is known (embedded PostgreSQL).
          busyCores: database!.embedded ? BUSY_CORES : undefined,
          maxRepeats: args.quick ? 0 : MAX_REPEATS,
          log,
        }),
      );
      results.guardPair = await runPairedSuite({
        adapters: ADAPTERS,
        configs: GUARD_PAIR_CONFIGS,
        env: () => ({ BENCH_SECRET: secret }),
        secret,
        ...steps.guardPair,
        log,
      });
      results.inboxPair = await runPairedSuite({
        adapters: ADAPTERS,
        configs: INBOX_PAIR_CONFIGS,
        env: async ({ name }) => ({
          BENCH_SECRET: secret,
          DATABASE_URL: await database!.freshDatabase(`bench_pair_${name.replace(/-/g, '_')}`),
        }),
        secret,
        ...steps.inboxPair,
        log,
      });
      log(httpTable(results.http));
      log('\n' + guardPairTable(results.guardPair));
      log('\n' + inbox2xxTable(results.http, results.inboxPair));
      if (args.before) log('\n' + beforeAfterTable(results.http));
      log('\n' + concurrencyTable(results.http));
    }
    if (args.only.has('memory')) {
      results.memory = await section('memory', async () => {
        // A fresh server and database, so that the check starts from nothing delivered.
        const url = await database!.freshDatabase('memory');
        const server = await startServer(MEMORY_ADAPTER, 'hookwarden-pg', { BENCH_SECRET: secret, DATABASE_URL: url });
        try {
          const baseline = await server.rss();
          log(`  after start: RSS ${fmtMiB(baseline.rss)}, heap ${fmtMiB(baseline.heapUsed)}`);
          const run = await runMemoryCheck(server, secret, steps.memoryCheckpoints, log);
          return {
            adapter: MEMORY_ADAPTER,
            date: new Date().toISOString().slice(0, 10),
            full: args.full,
            points: [{ deliveries: 0, rss: baseline.rss, heapUsed: baseline.heapUsed }, ...run.points],
            seconds: run.seconds,
            failed: run.failed,
          } satisfies MemoryResult;
        } finally {
          await server.stop();
        }
      });
      log(memoryTable(results.memory));
      if (args.full && args.write) writeFileSync(FULL_MEMORY_FILE, JSON.stringify(results.memory, null, 2) + '\n');
    }
    if (args.only.has('inbox')) {
      results.inbox = await section('inbox', () =>
        runInboxBenchmark(steps.inbox, () => database!.freshDatabase('bench_inbox'), log),
      );
      log(inboxTable(results.inbox));
      log(inboxRateNote(results.inbox));
    }
  } finally {
    await database?.close();
  }
  if (!results.memory?.full && existsSync(FULL_MEMORY_FILE)) {
    results.fullMemory = JSON.parse(readFileSync(FULL_MEMORY_FILE, 'utf8')) as MemoryResult;
  }
  results.finished = new Date();

  const goals = targets(results);
  log('\n' + targetTable(goals));
  log(`\nTotal: ${((results.finished.getTime() - results.started.getTime()) / 1000).toFixed(0)} s`);
  // Built on every run, so that a quick run checks the prose and the chart too; written over bench/ only by a full
  // one (a quick run's go to the temporary directory, to read).
  const dir = args.write ? __dirname : tmpdir();
  const prefix = args.write ? '' : 'hookwarden-bench-';
  if (results.http) {
    const main = results.http.filter((h) => h.connections === 50 && !h.config.startsWith(BEFORE_PREFIX));
    writeFileSync(join(dir, `${prefix}throughput.svg`), await throughputChartSvg(main));
  }
  const file = join(dir, `${prefix}RESULTS.md`);
  // Laid out by prettier with the repository's settings, so the tables read well as plain text too.
  const prettier = await import('prettier');
  const options = { ...(await prettier.resolveConfig(join(__dirname, 'RESULTS.md'))), filepath: file };
  writeFileSync(file, await prettier.format(resultsMarkdown(results, goals), options));
  log(`Wrote ${file}` + (results.http ? ' and throughput.svg beside it' : ''));
}

function machineInfo(): Record<string, string> {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: String(cpuList.length),
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${process.platform} ${release()}`,
  };
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
