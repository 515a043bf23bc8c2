// Issue 17, one endpoint per customer: endpoints created, rotated, disabled and re-enabled through
// the admin API while the app runs, served by one route `POST /tenants/:endpoint`, on Express and
// Fastify, with the in-memory stores and with PostgreSQL. Deliveries are signed by node:crypto
// written out here (Stripe's documented `t=…,v1=hex(HMAC-SHA256(secret, "t.body"))`), never by the
// code under test.
import { createHmac, randomBytes } from 'node:crypto';
import { Controller, HttpCode, Injectable, Post, UseGuards, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  AuditLog,
  EndpointStore,
  EventLogReader,
  OnWebhook,
  SecretStore,
  WebhookChallenge,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type AuditEntry,
  type VerifiedWebhook,
} from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send, type HttpAnswer } from './support/http';
import { createTestDatabase, type TestDatabase } from './support/postgres';
import { migratedDataSource } from './support/storages';
import { until } from './support/until';

const TOKEN = `adm_${randomBytes(18).toString('base64url')}`;
const KEY = randomBytes(32).toString('base64');
const PREFIX = '/webhooks/admin';

@Controller('tenants')
@UseGuards(WebhookGuard)
class TenantsController {
  static readonly received: VerifiedWebhook[] = [];

  @Post(':endpoint')
  @HttpCode(200)
  @WebhookEndpoint({ param: 'endpoint' })
  receive(@WebhookEvent() event: VerifiedWebhook) {
    TenantsController.received.push(event);
    return { ok: true, endpoint: event.endpoint };
  }

  /** The same, answering the endpoints' challenges too (handshakes, CRCs). */
  @Post('challenged/:endpoint')
  @HttpCode(200)
  @WebhookChallenge()
  @WebhookEndpoint({ param: 'endpoint' })
  receiveOrAnswer(@WebhookEvent() event: VerifiedWebhook) {
    return { ok: true, endpoint: event.endpoint };
  }
}

/** Stripe's signature, computed here from its documentation. */
function stripeHeaders(secret: string, body: string, at = Math.floor(Date.now() / 1000)): Record<string, string> {
  const v1 = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
  return { 'content-type': 'application/json', 'stripe-signature': `t=${at},v1=${v1}` };
}

const event = () => JSON.stringify({ id: `evt_${randomBytes(8).toString('hex')}`, type: 'invoice.paid' });

function modules(storage: string, db: () => TestDatabase, maxEndpoints?: number): DynamicModule[] {
  const options = {
    admin: { token: TOKEN },
    encryptionKey: KEY,
    eventLog: { maxDelayMs: 1 },
    ...(maxEndpoints ? { runtimeEndpoints: { maxEndpoints } } : {}),
  };
  if (storage === 'memory') return [WebhookModule.forRoot(options)];
  return [migratedDataSource(db().url), WebhookModule.forRoot({ storage: { type: 'typeorm' }, ...options })];
}

function admin(app: RunningApp, method: string, path: string, body?: unknown): Promise<HttpAnswer> {
  return send(app.baseUrl, PREFIX + path, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const deliver = (app: RunningApp, name: string, secret: string, body = event()) =>
  send(app.baseUrl, `/tenants/${name}`, { body, headers: stripeHeaders(secret, body) });

describe.each(['memory', 'typeorm'])('run-time endpoints, %s storage', (storage) => {
  let db: TestDatabase;

  beforeAll(async () => {
    if (storage === 'typeorm') db = await createTestDatabase('tenants');
  });

  afterAll(async () => {
    await db?.drop();
  });

  describe.each(ADAPTERS)('on %s', (adapter) => {
    let app: RunningApp;
    // One database per storage: each adapter uses its own endpoint names.
    const n = (name: string) => `${name}-${adapter}`;
    const audited: AuditEntry[] = [];

    beforeAll(async () => {
      app = await startApp(
        adapter,
        modules(storage, () => db),
        [TenantsController],
        {
          overrides: [
            [AuditLog, { record: async (entry: AuditEntry) => void audited.push(entry), recent: async () => [] }],
          ],
        },
      );
    });

    afterAll(async () => {
      await app?.close();
    });

    it('creates an endpoint (secret shown once), delivers, rotates, disables and re-enables it', async () => {
      const name = n('acme');
      const created = await admin(app, 'POST', '/endpoints', { name, provider: 'stripe' });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ name, provider: 'stripe', source: 'runtime', enabled: true });
      const secret = created.json.secret as string;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
      expect(created.json.liveSecretVersions).toEqual([1]);

      // Not shown again.
      const read = await admin(app, 'GET', `/endpoints/${name}`);
      expect(read.status).toBe(200);
      expect(read.text).not.toContain(secret);
      expect(read.json).toMatchObject({ name, enabled: true, schemes: ['stripe'] });

      const first = await deliver(app, name, secret);
      expect([first.status, first.json]).toEqual([200, { ok: true, endpoint: name }]);
      expect(TenantsController.received.at(-1)).toMatchObject({ endpoint: name, provider: 'stripe', secretVersion: 1 });
      // A wrong secret is refused as on any endpoint.
      const forged = await deliver(app, name, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      expect([forged.status, forged.json.code]).toEqual([401, 'no_matching_signature']);

      // Rotate through the existing secret route: both live during the grace period.
      const rotated = await admin(app, 'POST', `/endpoints/${name}/secrets`, { gracePeriodSeconds: 60 });
      expect(rotated.status).toBe(201);
      const next = rotated.json.secret as string;
      expect((await deliver(app, name, next)).status).toBe(200);
      expect((await deliver(app, name, secret)).status).toBe(200);
      expect(TenantsController.received.at(-2)).toMatchObject({ secretVersion: 2 });
      await admin(app, 'DELETE', `/endpoints/${name}/secrets/1`);
      expect((await deliver(app, name, secret)).status).toBe(401);

      // Disable: 404 with a code, the log kept.
      expect((await admin(app, 'DELETE', `/endpoints/${name}`)).status).toBe(204);
      const disabled = await deliver(app, name, next);
      expect([disabled.status, disabled.json.code]).toEqual([404, 'unknown_endpoint']);
      const log = await admin(app, 'GET', `/events?endpoint=${name}&status=accepted`);
      expect(log.json.items.length).toBe(3);
      expect((await admin(app, 'GET', `/endpoints/${name}`)).json.enabled).toBe(false);

      // Re-enable.
      const enabled = await admin(app, 'PATCH', `/endpoints/${name}`, { enabled: true });
      expect([enabled.status, enabled.json.enabled]).toEqual([200, true]);
      expect((await deliver(app, name, next)).status).toBe(200);

      const actions = audited.filter((e) => e.endpoint === name).map((e) => e.action);
      expect(actions).toEqual([
        'endpoint.create',
        'endpoint.get',
        'secret.rotate',
        'secret.revoke',
        'endpoint.disable',
        'events.list',
        'endpoint.get',
        'endpoint.enable',
      ]);
      expect(JSON.stringify(audited)).not.toContain(secret);
    });

    it('never lets a PATCH that raced a DELETE enable the endpoint again; a DELETE is always 204', async () => {
      // An operator cutting off a tenant must find it off: each write is based on what it read, and a
      // write based on a definition changed meanwhile is refused (409 endpoint_changed), not applied.
      for (let round = 0; round < 12; round++) {
        const name = n(`race${round}`);
        expect((await admin(app, 'POST', '/endpoints', { name, provider: 'stripe' })).status).toBe(201);
        const [patched, deleted] = await Promise.all([
          admin(app, 'PATCH', `/endpoints/${name}`, { options: { tolerance: 120 + round } }),
          admin(app, 'DELETE', `/endpoints/${name}`),
        ]);
        expect([200, 409]).toContain(patched.status);
        if (patched.status === 409) expect(patched.json.code).toBe('endpoint_changed');
        if (deleted.status === 409) expect(deleted.json.code).toBe('endpoint_changed');
        // DELETE only turns the endpoint off (never writes back options it read): always 204, off,
        // and a PATCH that went through keeps its change.
        expect(deleted.status).toBe(204);
        const after = (await admin(app, 'GET', `/endpoints/${name}`)).json;
        expect(after.enabled).toBe(false);
        if (patched.status === 200) expect(after.options).toMatchObject({ tolerance: 120 + round });
        expect((await admin(app, 'DELETE', `/endpoints/${name}`)).status).toBe(204);
        // Two at once on an enabled endpoint: both 204, disabling is idempotent.
        const twice = n(`twice${round}`);
        expect((await admin(app, 'POST', '/endpoints', { name: twice, provider: 'stripe' })).status).toBe(201);
        const both = await Promise.all([
          admin(app, 'DELETE', `/endpoints/${twice}`),
          admin(app, 'DELETE', `/endpoints/${twice}`),
        ]);
        expect(both.map((a) => a.status)).toEqual([204, 204]);
      }
    });

    it('adds no signing secret through PATCH: a new one goes through the rotation route and its limits', async () => {
      const name = n('capped');
      const created = await admin(app, 'POST', '/endpoints', { name, provider: 'stripe' });
      expect(created.status).toBe(201);
      const fresh = `whsec_${randomBytes(24).toString('base64')}`;
      const patched = await admin(app, 'PATCH', `/endpoints/${name}`, { options: { secret: fresh } });
      expect([patched.status, patched.json.code]).toEqual([400, 'invalid_endpoint']);
      expect(patched.text).not.toContain(fresh);
      expect((await admin(app, 'GET', `/endpoints/${name}`)).json.liveSecretVersions).toEqual([1]);
      // The live secret itself may be given again (nothing is added).
      const same = await admin(app, 'PATCH', `/endpoints/${name}`, { options: { secret: created.json.secret } });
      expect(same.status).toBe(200);
      expect(same.json.liveSecretVersions).toEqual([1]);
    });

    it('answers a NUL in a secret, an option or a filter 400 with a code, and stores nothing', async () => {
      const name = n('nul');
      const created = await admin(app, 'POST', '/endpoints', {
        name,
        provider: 'github',
        secret: 'gh-tenant-secret\u0000',
      });
      expect(created.status).toBe(400);
      expect(created.json.code).toBeDefined();
      expect((await admin(app, 'GET', `/endpoints/${name}`)).status).toBe(404);
      const option = await admin(app, 'POST', '/endpoints', {
        name,
        provider: 'hmac',
        options: { header: 'x-sig\u0000', algorithm: 'sha256', encoding: 'hex' },
        secret: 'a-long-enough-shared-secret',
      });
      expect(option.status).toBe(400);
      expect(option.json.code).toBeDefined();
      expect((await admin(app, 'GET', `/endpoints/${name}`)).status).toBe(404);
      expect(
        (await admin(app, 'POST', '/endpoints', { name, provider: 'github', secret: 'gh-tenant-secret' })).status,
      ).toBe(201);
      const rotated = await admin(app, 'POST', `/endpoints/${name}/secrets`, { secret: 'another\u0000secret' });
      expect([rotated.status, typeof rotated.json.code]).toEqual([400, 'string']);
      const listed = await admin(app, 'GET', `/events?eventType=%00`);
      expect([listed.status, typeof listed.json.code]).toEqual([400, 'string']);
    });

    it('answers an unknown name 404 with a code, recorded under one name', async () => {
      const body = event();
      const answer = await send(app.baseUrl, `/tenants/${n('nobody')}`, { body, headers: stripeHeaders('x', body) });
      expect([answer.status, answer.json]).toEqual([
        404,
        { statusCode: 404, code: 'unknown_endpoint', message: expect.any(String) },
      ]);
      const reader = app.app.get<EventLogReader>(EventLogReader);
      const deadline = Date.now() + 3000;
      let rows: { endpoint: string; reason?: string; path: string }[] = [];
      while (Date.now() < deadline && rows.length === 0) {
        rows = (await reader.list({ reason: 'unknown_endpoint', limit: 50 })).items.filter((e) =>
          e.path.includes(n('nobody')),
        );
        if (rows.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(rows[0]).toMatchObject({ endpoint: '-', reason: 'unknown_endpoint' });
      // The name they are recorded under is a filter of the admin API too.
      const listed = await admin(app, 'GET', '/events?endpoint=-&limit=500');
      expect(listed.status).toBe(200);
      expect(listed.json.items.length).toBeGreaterThan(0);
      expect(listed.json.items.every((e: { endpoint: string }) => e.endpoint === '-')).toBe(true);
    });

    it('keeps options that hold secrets out of every answer, and seeds a signing secret given in the options', async () => {
      const name = n('meta');
      const appSecret = randomBytes(16).toString('hex');
      const created = await admin(app, 'POST', '/endpoints', {
        name,
        provider: 'meta',
        options: { appSecret, verifyToken: 'tenant-verify-token' },
      });
      expect(created.status).toBe(201);
      expect(created.json.secret).toBeUndefined();
      expect(created.text).not.toContain(appSecret);
      expect(created.text).not.toContain('tenant-verify-token');
      expect(created.json.namedSecrets).toEqual([{ name: 'verify-token', liveSecretVersions: [1] }]);
      expect((await admin(app, 'GET', '/endpoints')).text).not.toContain(appSecret);
      // Meta signs with X-Hub-Signature-256: sha256=hex(HMAC-SHA256(appSecret, body)).
      const body = JSON.stringify({ object: 'page', entry: [] });
      const signature = `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
      const delivered = await send(app.baseUrl, `/tenants/${name}`, {
        body,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      });
      expect(delivered.status).toBe(200);
    });

    it('generates no secret for a provider that delivers its own in a handshake (Asana), which then completes', async () => {
      const name = n('asana');
      const created = await admin(app, 'POST', '/endpoints', { name, provider: 'asana' });
      expect(created.status).toBe(201);
      expect(created.json.secret).toBeUndefined();
      expect(created.json.liveSecretVersions).toEqual([]);
      const handshake = randomBytes(16).toString('hex');
      const answer = await send(app.baseUrl, `/tenants/challenged/${name}`, {
        body: '',
        headers: { 'x-hook-secret': handshake },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-hook-secret')).toBe(handshake);
      // Asana then signs with it: X-Hook-Signature = hex(HMAC-SHA256(secret, body)).
      const body = JSON.stringify({ events: [] });
      const signed = await send(app.baseUrl, `/tenants/challenged/${name}`, {
        body,
        headers: {
          'content-type': 'application/json',
          'x-hook-signature': createHmac('sha256', handshake).update(body).digest('hex'),
        },
      });
      expect(signed.status).toBe(200);
    });

    it('keeps secrets given as lists out of every answer and of the stored options', async () => {
      const name = n('rolling');
      const [older, newer] = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
      const created = await admin(app, 'POST', '/endpoints', {
        name,
        provider: 'stripe',
        options: { secret: [`whsec_${older}`, `whsec_${newer}`] },
      });
      expect(created.status).toBe(201);
      expect(created.json.liveSecretVersions).toEqual([2, 1]);
      for (const answer of [
        created,
        await admin(app, 'GET', `/endpoints/${name}`),
        await admin(app, 'GET', '/endpoints'),
      ]) {
        expect(answer.text).not.toContain(older);
        expect(answer.text).not.toContain(newer);
      }
      const stored = await app.app.get<EndpointStore>(EndpointStore).get(name);
      expect(JSON.stringify(stored)).not.toContain(older);
      expect(JSON.stringify(stored)).not.toContain(newer);
      // A list under another secret-named option cannot be kept encrypted as one value: refused.
      const listed = await admin(app, 'POST', '/endpoints', {
        name: n('listed'),
        provider: 'meta',
        options: { appSecret: randomBytes(16).toString('hex'), verifyToken: ['VERIFY-ONE', 'VERIFY-TWO'] },
      });
      expect(listed.status === 201 ? listed.text : listed.json.code).not.toContain('VERIFY-ONE');
      // A secret that is no string is refused without being quoted back.
      const numeric = await admin(app, 'POST', '/endpoints', {
        name: n('numeric'),
        provider: 'stripe',
        options: { secret: 987654321012345 },
      });
      expect(numeric.status).toBe(400);
      expect(numeric.text).not.toContain('987654321012345');
    });

    it('refuses a challenge keyed with a literal secret, and a named challenge key another endpoint signs with', async () => {
      const key = randomBytes(20).toString('hex');
      const crc = (secret: unknown) => ({
        detect: 'http_method == "GET" && has(query_params.p)',
        challenge_tokens: [{ name: 't', algorithm: 'HMAC-SHA256', payload: 'query_params.p', encoding: 'hex', secret }],
        body: '{{ challenge_token["t"] }}',
      });
      // A literal would be stored and shown in clear, and escapes the shared-secret check.
      const literal = await admin(app, 'POST', '/endpoints', {
        name: n('crclit'),
        provider: 'hmac',
        options: { header: 'x-sig' },
        challenge: crc(key),
      });
      expect([literal.status, literal.json.code]).toEqual([400, 'invalid_endpoint']);
      expect(literal.text).not.toContain(key);

      expect(
        (await admin(app, 'POST', '/endpoints', { name: n('mgk'), provider: 'mailgun', secret: key })).status,
      ).toBe(201);
      const named = await admin(app, 'POST', '/endpoints', {
        name: n('crcnamed'),
        provider: 'hmac',
        options: { header: 'x-sig' },
        challenge: crc({ from: 'named', name: 'crc-key' }),
      });
      expect(named.status).toBe(201);
      // Its answers, HMAC(key, p), would be Mailgun signatures of p = timestamp + token.
      const rotated = await admin(app, 'POST', `/endpoints/${n('crcnamed')}/secrets?name=crc-key`, { secret: key });
      expect([rotated.status, rotated.json.code]).toEqual([409, 'shared_secret']);
      expect(
        (
          await admin(app, 'POST', `/endpoints/${n('crcnamed')}/secrets?name=crc-key`, {
            secret: randomBytes(20).toString('hex'),
          })
        ).status,
      ).toBe(201);
    });

    // The other direction: the Mailgun side's signing secret set to the named key a challenge
    // computes with. Refused by the admin API; and if the store holds it anyway (written by another
    // tool), the challenge is refused rather than answered with a Mailgun signature.
    it("refuses a signing secret that is another endpoint's named challenge key, and a challenge answered with one", async () => {
      const key = randomBytes(20).toString('hex');
      const named = await admin(app, 'POST', '/endpoints', {
        name: n('crcrev'),
        provider: 'hmac',
        options: { header: 'x-sig' },
        challenge: {
          detect: 'has(query_params.p)',
          challenge_tokens: [
            {
              name: 't',
              algorithm: 'HMAC-SHA256',
              payload: 'query_params.p',
              encoding: 'hex',
              secret: { from: 'named', name: 'crc-key' },
            },
          ],
          body: '{{ challenge_token["t"] }}',
        },
      });
      expect(named.status).toBe(201);
      expect((await admin(app, 'POST', `/endpoints/${n('crcrev')}/secrets?name=crc-key`, { secret: key })).status).toBe(
        201,
      );
      const mailgun = await admin(app, 'POST', '/endpoints', { name: n('mgrev'), provider: 'mailgun' });
      expect(mailgun.status).toBe(201);
      const rotated = await admin(app, 'POST', `/endpoints/${n('mgrev')}/secrets`, { secret: key });
      expect([rotated.status, rotated.json.code]).toEqual([409, 'shared_secret']);
      const created = await admin(app, 'POST', '/endpoints', { name: n('mgrev2'), provider: 'mailgun', secret: key });
      expect([created.status, created.json.code]).toEqual([409, 'shared_secret']);

      // Written around the admin API: the challenge is not answered.
      await app.app.get<SecretStore>(SecretStore).addSecret(n('mgrev'), key);
      const p = `${Math.floor(Date.now() / 1000)}${randomBytes(25).toString('hex')}`;
      const answer = await send(app.baseUrl, `/tenants/challenged/${n('crcrev')}?p=${p}`, { body: '' });
      expect([answer.status, answer.json.code]).toEqual([400, 'invalid_challenge']);
      expect(answer.text).not.toContain(createHmac('sha256', key).update(p).digest('hex'));
    });

    it('refuses a secret another endpoint holds while one of them answers challenges with it', async () => {
      const secret = randomBytes(20).toString('hex');
      const other = randomBytes(20).toString('hex');
      // Mailgun signs timestamp + token, which a challenge token can be; Zoom answers its URL
      // validation with HMAC-SHA256(secret, token): with Mailgun's key, an answer would be a signature.
      const mailgun = await admin(app, 'POST', '/endpoints', { name: n('mg'), provider: 'mailgun', secret });
      expect(mailgun.status).toBe(201);
      const zoom = await admin(app, 'POST', '/endpoints', { name: n('zoom'), provider: 'zoom', secret });
      expect([zoom.status, zoom.json.code]).toEqual([409, 'shared_secret']);
      expect(zoom.text).not.toContain(secret);
      expect((await admin(app, 'GET', `/endpoints/${n('zoom')}`)).status).toBe(404);
      expect(
        (await admin(app, 'POST', '/endpoints', { name: n('zoom'), provider: 'zoom', secret: other })).status,
      ).toBe(201);
      // Nor can a rotation bring them together.
      const rotated = await admin(app, 'POST', `/endpoints/${n('mg')}/secrets`, { secret: other });
      expect([rotated.status, rotated.json.code]).toEqual([409, 'shared_secret']);
    });

    it('checks a definition like the options at start-up: a bad CEL rule is a 400 naming field and position', async () => {
      const generic = {
        name: n('generic'),
        provider: 'hmac',
        options: { header: 'x-acme-signature', prefix: 'sha256=' },
        challenge: { detect: 'http_method == "POST" &&& x', body: '{{ parsed_body.challenge }}' },
      };
      const bad = await admin(app, 'POST', '/endpoints', generic);
      expect([bad.status, bad.json.code]).toEqual([400, 'invalid_endpoint']);
      expect(bad.json.message).toMatch(/challenge\.detect at line 1, column 25/);
      const good = await admin(app, 'POST', '/endpoints', {
        ...generic,
        challenge: {
          detect: 'http_method == "POST" && has(parsed_body.challenge)',
          body: '{{ parsed_body.challenge }}',
          signed: true,
        },
      });
      expect(good.status).toBe(201);
      expect(good.json).toMatchObject({ challenge: 'declarative', challengeRules: { signed: true } });

      const unknown = await admin(app, 'POST', '/endpoints', { name: n('x1'), provider: 'no-such-provider' });
      expect([unknown.status, unknown.json.code, unknown.json.message]).toEqual([
        400,
        'invalid_endpoint',
        expect.stringMatching(/^provider: /),
      ]);
      const noUrl = await admin(app, 'POST', '/endpoints', { name: n('x2'), provider: 'twilio' });
      expect([noUrl.status, noUrl.json.code]).toEqual([400, 'invalid_endpoint']);
      // An option of the wrong type is named as such, never with the engine's own error ("headers.some is not a function").
      for (const options of [{ header: 123 }, { header: ['x-sig'], template: 5 }, { prefix: { a: 1 } }]) {
        const wrong = await admin(app, 'POST', '/endpoints', { name: n('x5'), provider: 'hmac', options });
        expect([wrong.status, wrong.json.code]).toEqual([400, 'invalid_endpoint']);
        expect(wrong.json.message).toMatch(/^(options: |The hmac scheme )/);
        expect(wrong.json.message).not.toMatch(/is not a function|Cannot read|undefined/);
      }
      const code = await admin(app, 'POST', '/endpoints', { name: n('x3'), provider: 'stripe', options: { also: [] } });
      expect([code.status, code.json.code]).toEqual([400, 'invalid_endpoint']);
      // Keys that could reach a prototype are refused, however the body spells them.
      for (const raw of [
        `{"name":"${n('x4')}","provider":"stripe","options":{"__proto__":{"also":[1]}}}`,
        `{"name":"${n('x4')}","provider":"stripe","options":{"constructor":{"prototype":{"also":[1]}}}}`,
      ]) {
        const polluted = await send(app.baseUrl, `${PREFIX}/endpoints`, {
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: raw,
        });
        // Fastify's JSON parser refuses `__proto__` itself (invalid_body); the admin pipe refuses the rest.
        expect([raw, polluted.status, polluted.json.code]).toEqual([
          raw,
          400,
          expect.stringMatching(/^(validation_failed|invalid_body)$/),
        ]);
        expect(({} as { also?: unknown }).also).toBeUndefined();
      }
      const badName = await admin(app, 'POST', '/endpoints', { name: 'Upper.Case', provider: 'stripe' });
      expect([badName.status, badName.json.code]).toEqual([400, 'validation_failed']);
      const again = await admin(app, 'POST', '/endpoints', { name: n('generic'), provider: 'stripe' });
      expect([again.status, again.json.code]).toEqual([409, 'endpoint_exists']);
      expect((await admin(app, 'GET', `/endpoints/${n('x1')}`)).status).toBe(404);
    });
  });

  it('bounds what one noisy endpoint writes to the log; another endpoint keeps its own budget', async () => {
    const budgeted: DynamicModule[] =
      storage === 'memory'
        ? [WebhookModule.forRoot({ admin: { token: TOKEN }, inMemoryEventLog: { rejectedPerSecond: 3 } })]
        : [
            migratedDataSource(db.url),
            WebhookModule.forRoot({
              storage: { type: 'typeorm' },
              admin: { token: TOKEN },
              encryptionKey: KEY,
              eventLog: { maxDelayMs: 1, rejectedPerSecond: 3 },
            }),
          ];
    const app = await startApp('fastify', budgeted, [TenantsController]);
    try {
      for (const name of ['noisy', 'quiet']) {
        expect((await admin(app, 'POST', '/endpoints', { name, provider: 'github' })).status).toBe(201);
      }
      const forged = (name: string) =>
        send(app.baseUrl, `/tenants/${name}`, {
          body: '{}',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
        });
      const answers = await Promise.all(Array.from({ length: 60 }, () => forged('noisy')));
      expect(answers.every((a) => a.status === 401)).toBe(true);
      expect((await forged('quiet')).status).toBe(401);

      const reader = app.app.get<EventLogReader>(EventLogReader);
      const rows = async (endpoint: string) => (await reader.list({ endpoint, status: 'rejected', limit: 500 })).items;
      const deadline = Date.now() + 5000;
      let noisy = await rows('noisy');
      while (noisy.reduce((sum, e) => sum + (e.occurrences ?? 1), 0) < 60 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        noisy = await rows('noisy');
      }
      // Every refusal counted, few rows: 3 a second one by one, the rest in summary rows.
      expect(noisy.reduce((sum, e) => sum + (e.occurrences ?? 1), 0)).toBe(60);
      expect(noisy.length).toBeLessThan(20);
      expect(await rows('quiet')).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('refuses endpoints past the maximum', async () => {
    const app = await startApp(
      'express',
      modules(storage, () => db, 2),
      [TenantsController],
    );
    try {
      if (storage === 'typeorm') {
        await app.app.get(DataSource).query(`DELETE FROM webhook_endpoints`);
        await app.app.get<{ refresh(): Promise<void> }>(EndpointStore).refresh();
      }
      for (const name of ['lim-a', 'lim-b']) {
        expect((await admin(app, 'POST', '/endpoints', { name, provider: 'github' })).status).toBe(201);
      }
      const third = await admin(app, 'POST', '/endpoints', { name: 'lim-c', provider: 'github' });
      expect([third.status, third.json.code]).toEqual([409, 'too_many_endpoints']);
    } finally {
      await app.close();
    }
  });
});

describe('@OnWebhook on a run-time endpoint, admin on, no runtimeEndpoints option', () => {
  // A new user's handler for an endpoint made through the admin API stopped start-up ("names the
  // unknown endpoint") unless `runtimeEndpoints: { maxEndpoints: 1000 }`, the default, was set.
  @Injectable()
  class TenantHandlers {
    static readonly handled: VerifiedWebhook[] = [];

    @OnWebhook('globex', 'invoice.*')
    onInvoice(delivery: VerifiedWebhook) {
      TenantHandlers.handled.push(delivery);
    }
  }

  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(
      'express',
      [WebhookModule.forRoot({ admin: { token: TOKEN }, eventLog: { maxDelayMs: 1 } })],
      [TenantsController],
      { providers: [TenantHandlers] },
    );
  });
  afterAll(() => app?.close());

  it('starts, and the handler runs after the 2xx for the endpoint once it is created', async () => {
    const created = await admin(app, 'POST', '/endpoints', { name: 'globex', provider: 'stripe' });
    expect(created.status).toBe(201);
    const body = event();
    expect((await deliver(app, 'globex', created.json.secret as string, body)).status).toBe(200);
    await until(() => TenantHandlers.handled.length === 1, 5000);
    expect(TenantHandlers.handled[0]).toMatchObject({ endpoint: 'globex', eventType: 'invoice.paid' });
    expect(TenantHandlers.handled[0].rawBody.toString()).toBe(body);
  });
});
