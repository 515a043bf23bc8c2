// The app process killed with SIGKILL in the middle of a load, three times (Express, Fastify,
// Express), on one PostgreSQL database. After every restart, each message id that was answered 2xx
// before a kill must be an `accepted` row of the event log, and a redelivery of it (the same bytes)
// must be answered as a duplicate, without running the handler again. The acceptances a kill left
// unanswered are in progress until their lease runs out; then a retry is handled (or, when the
// acknowledgement was written just before the kill, a duplicate): none stays blocked.
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import {
  deliver,
  eventRows,
  keepAlive,
  migrate,
  newId,
  post,
  runLanes,
  signDelivery,
  sleep,
  startAppProcess,
  type AppProcess,
  type Delivery,
} from './support/harness';

const SECRET = 'whsec_' + randomBytes(32).toString('base64');
const KEY = randomBytes(32).toString('base64');
const ROUNDS: Array<'express' | 'fastify'> = ['express', 'fastify', 'express'];
/** Short, so the test can show a killed process's unanswered acceptances handled on retry. */
const LEASE_SECONDS = 3;
const LANES = 32;

jest.setTimeout(180_000);

describe('the app process killed with SIGKILL under load, three times', () => {
  let db: TestDatabase;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('faults_sigkill');
    await migrate(db.url);
  });
  afterAll(async () => {
    app?.kill('SIGKILL');
    await app?.exited;
    await db?.drop();
  });

  const start = (adapter: 'express' | 'fastify') =>
    startAppProcess({
      databaseUrl: db.url,
      adapter,
      secret: SECRET,
      encryptionKey: KEY,
      deadlineMs: 2000,
      handlingLeaseSeconds: LEASE_SECONDS,
    });

  /** Every acknowledged id is an accepted row; every redelivery is a 200 duplicate, the handler idle. */
  async function expectDurableAndDuplicate(target: AppProcess, acknowledged: Map<string, Delivery>) {
    const ids = [...acknowledged.keys()];
    const rows = await eventRows(db.url, ids);
    const accepted = new Set(rows.filter((r) => r.status === 'accepted').map((r) => r.message_id));
    const lost = ids.filter((id) => !accepted.has(id));
    expect({ acknowledged: ids.length, lost }).toEqual({ acknowledged: ids.length, lost: [] });

    const agent = keepAlive();
    const queue = [...acknowledged.values()];
    const wrong: string[] = [];
    await runLanes(
      LANES,
      () => queue.length === 0,
      async () => {
        const delivery = queue.pop()!;
        const answer = await deliver(target.baseUrl, delivery, agent);
        if (answer.status !== 200 || answer.json?.duplicate !== true) {
          wrong.push(`${delivery.id}: ${answer.status} ${answer.text}`);
        }
      },
    );
    agent.destroy();
    expect(wrong).toEqual([]);
    const health = await post(target.baseUrl, '/health', { method: 'GET' });
    expect(health.json.handled).toBe(0);
  }

  it('loses no acknowledged delivery: after each restart every 2xx id is an accepted row and its redelivery a duplicate; unanswered ones are handled after their lease', async () => {
    const acknowledged = new Map<string, Delivery>();
    /** Accepted rows whose answer the kill cut off: their handler may or may not have run. */
    const unanswered = new Map<string, Delivery>();
    const report: string[] = [];
    for (const [round, adapter] of ROUNDS.entries()) {
      app = await start(adapter);
      // Whatever earlier rounds acknowledged survived the kills.
      await expectDurableAndDuplicate(app, acknowledged);

      const target = app;
      const agent = keepAlive(LANES);
      const counts = { acknowledged: 0, unavailable: 0, failed: 0, other: [] as string[] };
      let killed = false;
      const sent: Delivery[] = [];
      const load = runLanes(
        LANES,
        () => killed,
        async () => {
          const delivery = signDelivery(SECRET, newId(`r${round}`));
          sent.push(delivery);
          try {
            const answer = await deliver(target.baseUrl, delivery, agent, 10_000);
            if (answer.status === 202 && answer.json?.handled === delivery.id) {
              acknowledged.set(delivery.id, delivery);
              counts.acknowledged++;
            } else if (answer.status === 503) counts.unavailable++;
            else counts.other.push(`${answer.status} ${answer.text}`);
          } catch {
            counts.failed++; // the connection died with the process: not acknowledged
          }
        },
      );
      // Kill at a random moment once the load is well under way (≥ 300 acknowledged this round).
      while (counts.acknowledged < 300) await sleep(10);
      await sleep(Math.floor(Math.random() * 400));
      target.kill('SIGKILL');
      const exit = await target.exited;
      killed = true;
      await load;
      agent.destroy();
      expect(exit.signal).toBe('SIGKILL');
      expect(counts.other).toEqual([]);
      // Requests were in flight when the process died.
      expect(counts.failed).toBeGreaterThan(0);

      const rows = await eventRows(
        db.url,
        sent.map((d) => d.id),
      );
      const committedUnanswered = rows.filter((r) => r.status === 'accepted' && !acknowledged.has(r.message_id));
      for (const r of committedUnanswered)
        unanswered.set(
          r.message_id,
          sent.find((d) => d.id === r.message_id)!,
        );
      report.push(
        `round ${round + 1} (${adapter}): ${sent.length} sent, ${counts.acknowledged} acknowledged, ` +
          `${counts.failed} cut by the kill, ${counts.unavailable} answered 503, ` +
          `${committedUnanswered.length} committed but unanswered`,
      );
    }
    app = await start('fastify');
    await expectDurableAndDuplicate(app, acknowledged);
    report.push(`after 3 kills: ${acknowledged.size} acknowledged deliveries, 0 lost, all redeliveries duplicates`);

    // The acceptances the kills left unanswered are in progress until their lease runs out; then
    // the provider's retry takes one over and runs the handler (or, when the kill fell between the
    // acknowledgement and the answer, is a duplicate). None stays blocked, none is lost.
    await sleep(LEASE_SECONDS * 1000 + 500);
    const agent = keepAlive(LANES);
    const outcomes = await Promise.all(
      [...unanswered.values()].map(async (delivery) => {
        const answer = await deliver(app!.baseUrl, delivery, agent);
        if (answer.status === 202 && answer.json?.handled === delivery.id) return 'handled';
        if (answer.status === 200 && answer.json?.duplicate === true) return 'duplicate';
        return `${delivery.id}: ${answer.status} ${answer.text}`;
      }),
    );
    agent.destroy();
    expect(outcomes.filter((o) => o !== 'handled' && o !== 'duplicate')).toEqual([]);
    const handledNow = outcomes.filter((o) => o === 'handled').length;
    report.push(
      `${unanswered.size} acceptances left unanswered by the kills: after the ${LEASE_SECONDS} s lease, ` +
        `${handledNow} handled on retry, ${unanswered.size - handledNow} duplicates (acknowledged before the kill)`,
    );
    console.log(report.join('\n'));
  });
});
