// Issue 17: an endpoint created through instance A's admin API is served by instance B (another
// process, the other adapter, one database) within seconds, without a restart, and so is its
// disabling. The periodic reload is 10 minutes in these processes, so only PostgreSQL NOTIFY can
// bring the change.
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { keepAlive, migrate, post, signDelivery, sleep, startAppProcess, type AppProcess } from './support/harness';

const SECRET = 'whsec_' + randomBytes(32).toString('base64');
const TENANT_SECRET = 'whsec_' + randomBytes(32).toString('base64');
const KEY = randomBytes(32).toString('base64');
const ADMIN_TOKEN = randomBytes(24).toString('base64url');
/**
 * How soon a change made through A reaches B: NOTIFY, the listener, a reload and the next request,
 * across two processes on a busy machine (typically well under a second). Far below the 10-minute
 * periodic reload, so only the notification can bring it this soon.
 */
const PROPAGATION_MS = 5000;

jest.setTimeout(120_000);

describe('run-time endpoints on two app instances', () => {
  let db: TestDatabase;
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    db = await createTestDatabase('faults_tenants');
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

  it('serves on B within seconds an endpoint created through A, and stops within seconds when A disables it', async () => {
    const agent = keepAlive(4);
    const toTenant = (baseUrl: string) => {
      const delivery = signDelivery(TENANT_SECRET);
      return post(baseUrl, '/tenants/acme', { headers: delivery.headers, body: delivery.body, agent });
    };
    const admin = (method: string, path: string, body?: unknown) =>
      post(a.baseUrl, `/webhooks/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        agent,
      });
    /** Milliseconds until B answers `status`, polling every 10 ms for twice the bound. */
    const untilB = async (status: number, since: number) => {
      while (performance.now() - since < 2 * PROPAGATION_MS) {
        const answer = await toTenant(b.baseUrl);
        if (answer.status === status) return performance.now() - since;
        await sleep(10);
      }
      return undefined;
    };

    // Before: unknown on B (what follows measures the creation reaching it).
    const before = await toTenant(b.baseUrl);
    expect([before.status, before.json?.code]).toEqual([404, 'unknown_endpoint']);

    const created = await admin('POST', '/endpoints', {
      name: 'acme',
      provider: 'standard-webhooks',
      secret: TENANT_SECRET,
    });
    const createdAt = performance.now();
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(TENANT_SECRET);
    expect((await toTenant(a.baseUrl)).status).toBe(202);
    const served = await untilB(202, createdAt);
    console.log(`endpoint created through A served by B after ${served?.toFixed(0)} ms`);
    expect(served).toBeDefined();
    expect(served!).toBeLessThan(PROPAGATION_MS);

    expect((await admin('DELETE', '/endpoints/acme')).status).toBe(204);
    const disabledAt = performance.now();
    const gone = await untilB(404, disabledAt);
    console.log(`endpoint disabled through A refused by B after ${gone?.toFixed(0)} ms`);
    expect(gone).toBeDefined();
    expect(gone!).toBeLessThan(PROPAGATION_MS);
    agent.destroy();
  });
});
