// The admin API while its database is down: every route that needs storage answers 503
// `storage_unavailable` with Retry-After (never a 500), on Express and Fastify, and answers again
// once the database is back. The database is a private embedded PostgreSQL, stopped for real.
import { randomBytes } from 'node:crypto';
import { TypeOrmModule } from '@nestjs/typeorm';
import { standardWebhooks, WebhookModule } from '../src';
import { HOOKWARDEN_MIGRATIONS } from '../src/storage/typeorm';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';
import { startPrivatePostgres, type EmbeddedPostgres } from './support/postgres';

const TOKEN = `adm_${randomBytes(18).toString('base64url')}`;
const KEY = randomBytes(32).toString('base64');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PREFIX = '/webhooks/admin';
const auth = { authorization: `Bearer ${TOKEN}` };

/** Each admin route that reads or writes storage. */
const ROUTES: Array<{ name: string; method: string; path: string; body?: string }> = [
  { name: 'list endpoints', method: 'GET', path: '/endpoints' },
  { name: 'list secret versions', method: 'GET', path: '/endpoints/billing/secrets' },
  { name: 'rotate a secret', method: 'POST', path: '/endpoints/billing/secrets', body: '{}' },
  { name: 'revoke a secret version', method: 'DELETE', path: '/endpoints/billing/secrets/1' },
  { name: 'list events', method: 'GET', path: '/events' },
  { name: 'read one event', method: 'GET', path: '/events/1' },
];

function call(running: RunningApp, route: (typeof ROUTES)[number]) {
  return send(running.baseUrl, PREFIX + route.path, {
    method: route.method,
    headers: { ...auth, ...(route.body ? { 'content-type': 'application/json' } : {}) },
    body: route.body,
  });
}

describe.each(ADAPTERS)('the admin API with its database stopped on %s', (adapter) => {
  let server: EmbeddedPostgres;
  let running: RunningApp;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    running = await startApp(
      adapter,
      [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: server.url(),
          autoLoadEntities: true,
          migrations: HOOKWARDEN_MIGRATIONS,
          migrationsRun: true,
          logging: false,
          // The pool's connect attempts fail fast once the server is gone.
          extra: { connectionTimeoutMillis: 2000 },
        }),
        WebhookModule.forRoot({
          storage: { type: 'typeorm' },
          admin: { token: TOKEN },
          encryptionKey: KEY,
          endpoints: { billing: standardWebhooks({ secret: SECRET }) },
          eventLog: { retryAfterSeconds: 7 },
        }),
      ],
      [],
    );
  }, 60_000); // initdb when DATABASE_URL points elsewhere (no template cluster), on a busy machine
  afterAll(async () => {
    await running?.close();
    await server?.destroy();
  });

  it('answers while the database is up (the routes below are real)', async () => {
    const answer = await call(running, ROUTES[1]!);
    expect(answer.status).toBe(200);
  });

  describe('once the server is stopped', () => {
    beforeAll(() => server.stop('fast'), 60_000);

    it.each(ROUTES)('$name: 503 storage_unavailable with Retry-After', async (route) => {
      const answer = await call(running, route);
      expect(answer.status).toBe(503);
      expect(answer.json).toEqual({ statusCode: 503, code: 'storage_unavailable', message: expect.any(String) });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it.each(['/console', '/console/events/1', '/console/inbox', '/console/secrets'])(
      'the console page %s: 503 storage_unavailable as a page of its own, with Retry-After, never a 500',
      async (path) => {
        // A new user's console answered 500 while PostgreSQL was down (Fastify also logged that the
        // reply's content type did not match its body).
        const answer = await send(running.baseUrl, PREFIX + path, { method: 'GET', headers: auth });
        expect([answer.status, answer.text]).toEqual([503, '503 storage_unavailable']);
        expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(answer.text).toBe('503 storage_unavailable');
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      },
    );

    it('answers again once the database is back', async () => {
      await server.start();
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
        status = (await call(running, ROUTES[1]!)).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(200);
    }, 60_000);
  });
});
