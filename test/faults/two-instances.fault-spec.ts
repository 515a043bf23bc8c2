// Two app processes (Express and Fastify) on one PostgreSQL database, as behind a load balancer:
// every delivery sent to both at the same moment is accepted exactly once, and a secret rotated
// through instance A's admin API verifies on instance B within seconds, without a restart (PostgreSQL
// NOTIFY; the periodic reload is set to 10 minutes, so it cannot be what delivers it).
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
  type Answer,
  type AppProcess,
} from './support/harness';

const SECRET = 'whsec_' + randomBytes(32).toString('base64');
const NEXT_SECRET = 'whsec_' + randomBytes(32).toString('base64');
const KEY = randomBytes(32).toString('base64');
const ADMIN_TOKEN = randomBytes(24).toString('base64url');
const DELIVERIES = 1000;
/**
 * How soon a change made through one instance reaches the other: NOTIFY, the listener, a reload and
 * the next request, across two processes on a busy machine (typically well under a second). Far
 * below the 10-minute periodic reload, so only the notification can bring it this soon.
 */
const PROPAGATION_MS = 5000;

jest.setTimeout(120_000);

describe('two app instances on one database', () => {
  let db: TestDatabase;
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    db = await createTestDatabase('faults_two_instances');
    await migrate(db.url);
    const common = { databaseUrl: db.url, secret: SECRET, encryptionKey: KEY, adminToken: ADMIN_TOKEN };
    [a, b] = await Promise.all([
      startAppProcess({ ...common, adapter: 'express' }),
      startAppProcess({ ...common, adapter: 'fastify' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it(`accepts exactly ${DELIVERIES} of ${DELIVERIES} deliveries each sent to both instances at once`, async () => {
    const deliveries = Array.from({ length: DELIVERIES }, () => signDelivery(SECRET, newId('pair')));
    const agent = keepAlive(64);
    const answers: Array<{ id: string; a: Answer; b: Answer }> = [];
    const queue = [...deliveries];
    await runLanes(
      32,
      () => queue.length === 0,
      async () => {
        const delivery = queue.pop()!;
        const [fromA, fromB] = await Promise.all([
          deliver(a.baseUrl, delivery, agent),
          deliver(b.baseUrl, delivery, agent),
        ]);
        answers.push({ id: delivery.id, a: fromA, b: fromB });
      },
    );
    agent.destroy();

    // The copy that lost is a duplicate once the winner's handler answered, and 503
    // delivery_in_progress (retry later) while it had not: the winner's handler could still fail.
    const kind = (answer: Answer, id: string) =>
      answer.status === 202 && answer.json?.handled === id
        ? 'accepted'
        : answer.status === 200 && answer.json?.duplicate === true
          ? 'duplicate'
          : answer.status === 503 && answer.json?.code === 'delivery_in_progress' && answer.headers['retry-after']
            ? 'in_progress'
            : `${answer.status} ${answer.text}`;
    const pairs = answers.map(({ id, a: x, b: y }) => [kind(x, id), kind(y, id)].sort().join('+'));
    expect(pairs.filter((p) => p !== 'accepted+duplicate' && p !== 'accepted+in_progress')).toEqual([]);
    const inProgress = answers.filter(
      ({ id, a: x, b: y }) => kind(x, id) === 'in_progress' || kind(y, id) === 'in_progress',
    );
    const acceptedBy = { a: 0, b: 0 };
    for (const { id, a: x } of answers) acceptedBy[kind(x, id) === 'accepted' ? 'a' : 'b']++;

    // The database agrees: one accepted row per message id, and nothing else accepted. (Duplicate
    // rows are written under a per-second budget and counted beyond it, so they are at most one per copy.)
    const rows = await eventRows(
      db.url,
      deliveries.map((d) => d.id),
    );
    const accepted = rows.filter((r) => r.status === 'accepted');
    expect(accepted).toHaveLength(DELIVERIES);
    expect(new Set(accepted.map((r) => r.message_id)).size).toBe(DELIVERIES);
    expect(rows.filter((r) => r.status !== 'accepted' && r.status !== 'duplicate')).toEqual([]);
    expect(rows.filter((r) => r.status === 'duplicate').length).toBeLessThanOrEqual(DELIVERIES);
    // And so do the handlers of the two processes.
    const handled = await Promise.all([a, b].map((app) => post(app.baseUrl, '/health', { method: 'GET' })));
    expect(handled[0].json.handled + handled[1].json.handled).toBe(DELIVERIES);

    // The provider retries what was answered 503: every winner was acknowledged (on either
    // instance), so each retry, sent to the other instance, is a duplicate and runs no handler.
    const retryAgent = keepAlive(32);
    const retries = await Promise.all(
      inProgress.map(({ id, a: x }) => {
        const delivery = deliveries.find((d) => d.id === id)!;
        return deliver((kind(x, id) === 'in_progress' ? b : a).baseUrl, delivery, retryAgent);
      }),
    );
    retryAgent.destroy();
    expect(retries.filter((r) => !(r.status === 200 && r.json?.duplicate === true)).map((r) => r.text)).toEqual([]);
    const after = await Promise.all([a, b].map((app) => post(app.baseUrl, '/health', { method: 'GET' })));
    expect(after[0].json.handled + after[1].json.handled).toBe(DELIVERIES);
    console.log(
      `${DELIVERIES} deliveries × 2 instances: ${acceptedBy.a} accepted by A (express), ${acceptedBy.b} by B ` +
        `(fastify), ${DELIVERIES - inProgress.length} copies answered as duplicates, ${inProgress.length} as ` +
        `delivery_in_progress (their retries: duplicates), ${accepted.length} accepted rows`,
    );
  });

  it("verifies a secret rotated through instance A's admin API on instance B within seconds", async () => {
    const agent = keepAlive(4);
    // Before the rotation B refuses the new secret: what follows measures the rotation reaching it.
    expect((await deliver(b.baseUrl, signDelivery(NEXT_SECRET), agent)).status).toBe(401);

    const rotation = await post(a.baseUrl, '/webhooks/admin/endpoints/billing/secrets', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ secret: NEXT_SECRET, gracePeriodSeconds: 3600 }),
      agent,
    });
    const rotatedAt = performance.now();
    expect(rotation.status).toBe(201);
    expect(rotation.json).toMatchObject({ version: 2 });
    expect(rotation.text).not.toContain(NEXT_SECRET);

    let verifiedAfter: number | undefined;
    let attempts = 0;
    while (verifiedAfter === undefined && performance.now() - rotatedAt < 2 * PROPAGATION_MS) {
      attempts++;
      const answer = await deliver(b.baseUrl, signDelivery(NEXT_SECRET), agent);
      if (answer.status === 202) verifiedAfter = performance.now() - rotatedAt;
      else {
        expect(answer.json?.code).toBe('no_matching_signature');
        await sleep(10);
      }
    }
    console.log(`rotation through A verified on B after ${verifiedAfter?.toFixed(0)} ms (${attempts} attempts)`);
    expect(verifiedAfter).toBeDefined();
    expect(verifiedAfter!).toBeLessThan(PROPAGATION_MS);
    // The previous secret stays valid on both instances during the grace period.
    for (const app of [a, b]) expect((await deliver(app.baseUrl, signDelivery(SECRET), agent)).status).toBe(202);
    agent.destroy();
  });
});
