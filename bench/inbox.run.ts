// `npm run bench:inbox`: the inbox section of `npm run bench` alone (see inbox.bench.ts). An entry
// of its own, so that the benchmark module does not import the tables, which import its types.
import { openDatabase } from './database';
import { runInboxBenchmark, type InboxOptions } from './inbox.bench';
import { inboxTable } from './results-markdown';

async function main(): Promise<void> {
  const db = await openDatabase((line) => console.log(line), []);
  try {
    const options: InboxOptions = {
      jobs: Number(process.env.INBOX_BENCH_JOBS ?? 3000),
      concurrency: Number(process.env.INBOX_BENCH_CONCURRENCY ?? 10),
      rates: (process.env.INBOX_BENCH_RATES ?? '200:5,500:5,1000:8').split(',').map((pair) => {
        const [rate, seconds] = pair.split(':').map(Number);
        return { rate, seconds };
      }),
      drainSeconds: Number(process.env.INBOX_BENCH_DRAIN_SECONDS ?? 5),
    };
    const result = await runInboxBenchmark(
      options,
      () => db.freshDatabase('bench_inbox'),
      console.log,
      process.env.INBOX_BENCH_SYSTEMS?.split(','),
    );
    console.log('\n' + inboxTable(result));
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(error.stack ?? error.message);
      process.exit(1);
    },
  );
}
