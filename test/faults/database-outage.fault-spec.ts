// The database fails under a running app process: PostgreSQL stopped under load and started again,
// and a database that hangs because another connection holds a lock on the event table. Nothing
// may be acknowledged without its row; refusals are 503 + Retry-After within the deadline; the same
// process recovers by itself.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  createTestDatabase,
  startPrivatePostgres,
  type EmbeddedPostgres,
  type TestDatabase,
} from '../support/postgres';
import {
  deliver,
  eventRows,
  keepAlive,
  migrate,
  newId,
  runLanes,
  signDelivery,
  sleep,
  startAppProcess,
  type Answer,
  type AppProcess,
  type Delivery,
} from './support/harness';

const SECRET = 'whsec_' + randomBytes(32).toString('base64');
const KEY = randomBytes(32).toString('base64');
const DEADLINE_MS = 1000;
const RETRY_AFTER = 2;

jest.setTimeout(120_000);

interface Outcome {
  delivery: Delivery;
  sentAt: number;
  answer?: Answer;
  error?: string;
}

/** Sends fresh deliveries on `lanes` lanes until stopped; keeps every outcome. */
function load(app: AppProcess, lanes: number) {
  const outcomes: Outcome[] = [];
  let stopped = false;
  const agent = keepAlive(lanes);
  const done = runLanes(
    lanes,
    () => stopped,
    async () => {
      const outcome: Outcome = { delivery: signDelivery(SECRET, newId()), sentAt: Date.now() };
      outcomes.push(outcome);
      try {
        outcome.answer = await deliver(app.baseUrl, outcome.delivery, agent, 15_000);
        // A provider would wait for Retry-After; a short pause keeps the number of refusals sane.
        if (outcome.answer.status === 503) await sleep(5);
      } catch (error) {
        outcome.error = (error as Error).message;
        await sleep(20);
      }
    },
  );
  return {
    outcomes,
    stop: async () => {
      stopped = true;
      await done;
      agent.destroy();
    },
  };
}

const isAccepted = (o: Outcome) => o.answer?.status === 202 && o.answer.json?.handled === o.delivery.id;

describe.each(['express', 'fastify'] as const)('PostgreSQL stopped under load and started again (%s)', (adapter) => {
  let server: EmbeddedPostgres;
  let app: AppProcess;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    await migrate(server.url());
    app = await startAppProcess({
      databaseUrl: server.url(),
      adapter,
      secret: SECRET,
      encryptionKey: KEY,
      deadlineMs: DEADLINE_MS,
      retryAfterSeconds: RETRY_AFTER,
    });
  });
  afterAll(async () => {
    await app?.stop();
    await server?.destroy();
  });

  it('answers 503 + Retry-After while it is down, no 2xx without a row, and the same process accepts within 5 s of its return', async () => {
    const running = load(app, 16);
    while (running.outcomes.filter(isAccepted).length < 200) await sleep(10);
    await server.stop('immediate');
    const stoppedAt = Date.now();
    await sleep(3000);
    await server.start();
    const startedAt = Date.now();
    let recoveredAt: number | undefined;
    while (recoveredAt === undefined && Date.now() - startedAt < 10_000) {
      recoveredAt = running.outcomes.find((o) => o.sentAt >= startedAt && isAccepted(o))?.sentAt;
      await sleep(10);
    }
    await sleep(500);
    await running.stop();

    const { outcomes } = running;
    // The process stayed up and answered everything: 202 (accepted) or 503 with a code.
    app.assertAlive('while PostgreSQL was stopped and started');
    const failed = outcomes.filter((o) => o.error);
    expect({ failed: failed.length, first: failed.slice(0, 3).map((o) => o.error) }).toEqual({ failed: 0, first: [] });
    const unexpected = outcomes.filter((o) => !isAccepted(o) && o.answer?.status !== 503);
    expect(unexpected.map((o) => `${o.answer?.status} ${o.answer?.text}`)).toEqual([]);
    const refused = outcomes.filter((o) => o.answer?.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) {
      expect(o.answer!.headers['retry-after']).toBe(String(RETRY_AFTER));
      expect(o.answer!.json).toMatchObject({ statusCode: 503, code: 'event_log_unavailable' });
    }
    // Nothing was accepted while the server was down (with the answer's latency as slack).
    const acceptedDuring = outcomes.filter(
      (o) => isAccepted(o) && o.sentAt > stoppedAt + 100 && o.sentAt + o.answer!.ms < startedAt - 100,
    );
    expect(acceptedDuring).toEqual([]);
    // Back within 5 s of the database's return, in the same process.
    expect(recoveredAt).toBeDefined();
    expect(recoveredAt! - startedAt).toBeLessThan(5000);

    // Every acknowledged delivery is an accepted row.
    const acknowledged = outcomes.filter(isAccepted).map((o) => o.delivery.id);
    const rows = await eventRows(server.url(), acknowledged);
    const stored = new Set(rows.filter((r) => r.status === 'accepted').map((r) => r.message_id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);

    // The provider's retries of the refused deliveries are accepted and handled now.
    const agent = keepAlive(16);
    const retries = await Promise.all(refused.map((o) => deliver(app.baseUrl, o.delivery, agent)));
    agent.destroy();
    const retryStatuses = retries.map((r, i) => (r.json?.handled === refused[i].delivery.id ? 'handled' : r.text));
    const handled = retryStatuses.filter((s) => s === 'handled').length;
    console.log(
      `${adapter}: ${outcomes.length} sent, ${acknowledged.length} acknowledged (all stored), ` +
        `${refused.length} answered 503 in ${Math.round(Math.max(...refused.map((o) => o.answer!.ms)))} ms at most; ` +
        `accepting again ${recoveredAt! - startedAt} ms after the restart; ` +
        `${handled}/${refused.length} refused deliveries handled on retry`,
    );
    expect(retryStatuses.filter((s) => s !== 'handled')).toEqual([]);
  });
});

describe.each(['express', 'fastify'] as const)('a database that hangs on a held lock (%s)', (adapter) => {
  let db: TestDatabase;
  let app: AppProcess;
  let locker: Client;

  beforeAll(async () => {
    db = await createTestDatabase(`faults_lock_${adapter}`);
    await migrate(db.url);
    app = await startAppProcess({
      databaseUrl: db.url,
      adapter,
      secret: SECRET,
      encryptionKey: KEY,
      deadlineMs: DEADLINE_MS,
      retryAfterSeconds: RETRY_AFTER,
    });
    locker = new Client({ connectionString: db.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await app?.stop();
    await db?.drop();
  });

  it(`answers 503 + Retry-After within the ${DEADLINE_MS} ms deadline while the event table is locked, then accepts the retries`, async () => {
    const running = load(app, 48);
    while (running.outcomes.filter(isAccepted).length < 100) await sleep(10);
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE webhook_events IN ACCESS EXCLUSIVE MODE');
    const lockedAt = Date.now();
    // Held for three deadlines under a steady load of 48 concurrent deliveries, far more than the
    // event log's pool of 4 connections: rows wait on the lock and in the queue.
    await sleep(3 * DEADLINE_MS);
    await locker.query('ROLLBACK');
    const releasedAt = Date.now();
    await sleep(500);
    await running.stop();

    const { outcomes } = running;
    app.assertAlive('while the event table was locked');
    const failed = outcomes.filter((o) => o.error);
    expect({ failed: failed.length, first: failed.slice(0, 3).map((o) => o.error) }).toEqual({ failed: 0, first: [] });
    // Sent while the lock was held and answered before it was released: only 503s.
    const blocked = outcomes.filter((o) => o.sentAt >= lockedAt && o.sentAt + o.answer!.ms < releasedAt);
    expect(blocked.length).toBeGreaterThan(48);
    expect([...new Set(blocked.map((o) => o.answer!.status))]).toEqual([503]);
    for (const o of blocked) {
      expect(o.answer!.headers['retry-after']).toBe(String(RETRY_AFTER));
      expect(o.answer!.json).toMatchObject({ code: 'event_log_unavailable' });
    }
    const refused = outcomes.filter((o) => o.answer!.status === 503);
    const slowest = Math.max(...refused.map((o) => o.answer!.ms));
    console.log(
      `${adapter}: ${blocked.length} deliveries during a ${releasedAt - lockedAt} ms lock, all 503, ` +
        `${refused.length} refused in all, the slowest in ${Math.round(slowest)} ms (deadline ${DEADLINE_MS} ms)`,
    );
    // The deadline counts from the moment the row is queued, after verification; 250 ms is the
    // slack for the log's deadline sweep (every writeTimeoutMs / 4, at most 250 ms) and 250 ms for loopback
    // HTTP on a busy machine. Without the deadline these requests would wait the whole 3 s lock.
    expect(slowest).toBeLessThanOrEqual(DEADLINE_MS + 500);
    expect(outcomes.filter((o) => o.answer!.status !== 503 && !isAccepted(o))).toEqual([]);

    // Every 2xx has its row; the provider's retries of the refused deliveries are accepted and
    // handled: the statements that waited on the lock were cancelled, none committed behind a 503.
    const acknowledged = outcomes.filter(isAccepted).map((o) => o.delivery.id);
    const rows = await eventRows(db.url, acknowledged);
    const stored = new Set(rows.filter((r) => r.status === 'accepted').map((r) => r.message_id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    const agent = keepAlive(48);
    const retries = await Promise.all(refused.map((o) => deliver(app.baseUrl, o.delivery, agent)));
    agent.destroy();
    expect(retries.filter((r, i) => r.json?.handled !== refused[i].delivery.id).map((r) => r.text)).toEqual([]);
  });
});
