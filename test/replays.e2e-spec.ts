// Issue 13, items 2 and 8 (Twilio), end to end on Express and Fastify: where a provider sends no
// message id, what it signed is the dedupe key. A byte-identical replay of a signed Zoom, Meta, X,
// SendGrid or Slack-command delivery is answered as a duplicate and the handler runs once. Twilio's
// I-Twilio-Idempotency-Token is unsigned: a replay with a fresh token is still a duplicate, a
// replay carrying another delivery's token cannot suppress it, and parameters re-split across the
// concatenated signed string are the same signed content, hence a duplicate. The handler of a
// Twilio form sees the parameters exactly as the scheme verified them. Dropbox and Microsoft Graph
// send identical bodies for distinct changes: both are handled (a documented decision). Shopify and
// GitHub name the topic only in an unsigned header: one body under two topics is two events, both
// handled; a topic not of the provider's form is refused. With `dedupeSignedContent: false` an
// unsigned id header is never the key (a replay carrying it would suppress the genuine delivery).
// Each preset whose id is in the signed body (Trello, Square, PagerDuty, Intercom, Smartsheet,
// Okta, Adobe I/O) deduplicates on it. Every signature is computed here with node:crypto or the
// provider's SDK, never with Hookwarden's code.
import { createHmac, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { Controller, Injectable, Post, UseGuards } from '@nestjs/common';
import twilioSdk from 'twilio';
import {
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  adobeIo,
  dropbox,
  github,
  intercom,
  meta,
  msGraph,
  okta,
  pagerduty,
  sendgrid,
  shopify,
  slack,
  smartsheet,
  square,
  trello,
  twilio,
  twitter,
  zoom,
  type VerifiedWebhook,
} from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { createTestDatabase, type TestDatabase } from './support/postgres';
import { eventLogStorages } from './support/storages';
import { send } from './support/http';

const PUBLIC = 'https://hooks.example.com';
const SECRET = 'replay-test-secret';
const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = () => Math.floor(Date.now() / 1000);
const hmac = (algorithm: string, key: string, ...parts: string[]) => {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
};
const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

@Injectable()
class Handled {
  readonly calls: Array<{ endpoint: string; payload: unknown; id?: string; dedupeKey?: string }> = [];
}

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  constructor(private readonly handled: Handled) {}

  private record(event: VerifiedWebhook) {
    this.handled.calls.push({
      endpoint: event.endpoint,
      payload: event.payload,
      id: event.id,
      dedupeKey: event.dedupeKey,
    });
    return { ok: true };
  }

  @Post('github')
  @WebhookEndpoint('github')
  github(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('zoom')
  @WebhookEndpoint('zoom')
  zoom(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('meta')
  @WebhookEndpoint('meta')
  meta(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('twitter')
  @WebhookEndpoint('twitter')
  twitter(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('sendgrid')
  @WebhookEndpoint('sendgrid')
  sendgrid(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('slack')
  @WebhookEndpoint('slack')
  slack(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('twilio')
  @WebhookEndpoint('twilio')
  twilio(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('dropbox')
  @WebhookEndpoint('dropbox')
  dropbox(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('ms-graph')
  @WebhookEndpoint('ms-graph')
  msgraph(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('shopify')
  @WebhookEndpoint('shopify')
  shopify(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('github-off')
  @WebhookEndpoint('github-off')
  githubOff(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('trello')
  @WebhookEndpoint('trello')
  trello(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('square')
  @WebhookEndpoint('square')
  square(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('pagerduty')
  @WebhookEndpoint('pagerduty')
  pagerduty(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('intercom')
  @WebhookEndpoint('intercom')
  intercom(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('smartsheet')
  @WebhookEndpoint('smartsheet')
  smartsheet(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('okta')
  @WebhookEndpoint('okta')
  okta(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }

  @Post('adobe-io')
  @WebhookEndpoint('adobe-io')
  adobeIo(@WebhookEvent() event: VerifiedWebhook) {
    return this.record(event);
  }
}

interface Delivery {
  path?: string;
  headers: Record<string, string>;
  body: string;
}

const signed: Record<string, () => Delivery> = {
  zoom: () => {
    const body = JSON.stringify({ event: 'meeting.started', payload: { account_id: randomUUID() } });
    const ts = String(now());
    const signature = 'v0=' + hmac('sha256', SECRET, `v0:${ts}:`, body).toString('hex');
    return { headers: { ...JSON_TYPE, 'x-zm-request-timestamp': ts, 'x-zm-signature': signature }, body };
  },
  meta: () => {
    const body = JSON.stringify({ object: 'page', entry: [{ id: randomUUID(), time: Date.now(), changes: [] }] });
    return {
      headers: { ...JSON_TYPE, 'x-hub-signature-256': 'sha256=' + hmac('sha256', SECRET, body).toString('hex') },
      body,
    };
  },
  twitter: () => {
    const body = JSON.stringify({ for_user_id: '2244994945', tweet_create_events: [{ id_str: randomUUID() }] });
    const signature = 'sha256=' + hmac('sha256', SECRET, body).toString('base64');
    return { headers: { ...JSON_TYPE, 'x-twitter-webhooks-signature': signature }, body };
  },
  sendgrid: () => {
    const body = JSON.stringify([{ email: 'a@example.com', event: 'delivered', sg_event_id: randomUUID() }]);
    const ts = String(now());
    const signature = sign('sha256', Buffer.from(ts + body), { key: p256.privateKey, dsaEncoding: 'der' });
    return {
      headers: {
        ...JSON_TYPE,
        'x-twilio-email-event-webhook-timestamp': ts,
        'x-twilio-email-event-webhook-signature': signature.toString('base64'),
      },
      body,
    };
  },
  slack: () => {
    // A slash command: a form without event_id.
    const body = new URLSearchParams({ command: '/deploy', text: randomUUID(), team_id: 'T1' }).toString();
    const ts = String(now());
    const signature = 'v0=' + hmac('sha256', SECRET, `v0:${ts}:`, body).toString('hex');
    return { headers: { ...FORM_TYPE, 'x-slack-request-timestamp': ts, 'x-slack-signature': signature }, body };
  },
};

/** A Twilio status callback signed by Twilio's own SDK over the public URL and the parameters. */
function twilioDelivery(params: Record<string, string>, token: string = randomUUID()): Delivery {
  const signature = twilioSdk.getExpectedTwilioSignature(SECRET, `${PUBLIC}/twilio`, params);
  return {
    path: '/hooks/twilio',
    headers: { ...FORM_TYPE, 'x-twilio-signature': signature, 'i-twilio-idempotency-token': token },
    body: new URLSearchParams(params).toString(),
  };
}

/**
 * Presets whose message id is in the signed (or, for Okta, header-authenticated) body: `body(id)`
 * builds a payload carrying that id (none when `undefined`), `sign` the headers the provider sends.
 */
interface BodyIdPreset {
  body(id: string | undefined, variant: string): string;
  sign(body: string): Record<string, string>;
}
const withId = (id: string | undefined, build: (id: string) => object, rest: object) =>
  JSON.stringify(id === undefined ? rest : { ...build(id), ...rest });
const bodyIdPresets: Record<string, BodyIdPreset> = {
  trello: {
    body: (id, variant) => withId(id, (id) => ({ action: { id, type: 'updateCard' } }), { model: { name: variant } }),
    sign: (body) => ({ 'x-trello-webhook': hmac('sha1', SECRET, body, `${PUBLIC}/trello`).toString('base64') }),
  },
  square: {
    body: (id, variant) => withId(id, (id) => ({ event_id: id }), { type: 'payment.updated', data: { variant } }),
    sign: (body) => ({
      'x-square-hmacsha256-signature': hmac('sha256', SECRET, `${PUBLIC}/square`, body).toString('base64'),
    }),
  },
  pagerduty: {
    body: (id, variant) => withId(id, (id) => ({ event: { id, event_type: 'incident.triggered' } }), { note: variant }),
    sign: (body) => ({ 'x-pagerduty-signature': 'v1=' + hmac('sha256', SECRET, body).toString('hex') }),
  },
  intercom: {
    body: (id, variant) => withId(id, (id) => ({ id }), { type: 'notification_event', topic: 'ping', data: variant }),
    sign: (body) => ({ 'x-hub-signature': 'sha1=' + hmac('sha1', SECRET, body).toString('hex') }),
  },
  smartsheet: {
    body: (id, variant) => withId(id, (nonce) => ({ nonce }), { scope: 'sheet', webhookId: 1, events: [variant] }),
    sign: (body) => ({ 'smartsheet-hmac-sha256': hmac('sha256', SECRET, body).toString('hex') }),
  },
  okta: {
    // Okta signs nothing: the hook's authorization header authenticates the body.
    body: (id, variant) =>
      withId(id, (eventId) => ({ eventId }), { eventType: 'com.okta.event_hook', data: { variant } }),
    sign: () => ({ authorization: SECRET }),
  },
  'adobe-io': {
    body: (id, variant) => withId(id, (event_id) => ({ event_id }), { event: { variant } }),
    sign: (body) => ({
      'x-adobe-digital-signature-1': sign('sha256', Buffer.from(body), rsa.privateKey).toString('base64'),
    }),
  },
};

const ENDPOINTS = () => ({
  zoom: zoom({ secretToken: SECRET }),
  github: github({ secret: SECRET }),
  meta: meta({ appSecret: SECRET }),
  twitter: twitter({ consumerSecret: SECRET }),
  sendgrid: sendgrid({
    publicKey: p256.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  }),
  slack: slack({ signingSecret: SECRET }),
  twilio: twilio({ authToken: SECRET, url: `${PUBLIC}/twilio` }),
  dropbox: dropbox({ appSecret: SECRET }),
  'ms-graph': msGraph({ clientState: SECRET }),
  shopify: shopify({ secret: SECRET }),
  'github-off': { ...github({ secret: SECRET }), dedupeSignedContent: false },
  trello: trello({ secret: SECRET, callbackUrl: `${PUBLIC}/trello` }),
  square: square({ signatureKey: SECRET, notificationUrl: `${PUBLIC}/square` }),
  pagerduty: pagerduty({ secret: SECRET }),
  intercom: intercom({ clientSecret: SECRET }),
  smartsheet: smartsheet({ sharedSecret: SECRET }),
  okta: okta({ secret: SECRET }),
  'adobe-io': adobeIo({ publicKey: rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString() }),
});

const KEY = Buffer.alloc(32, 7).toString('base64');
const storages = eventLogStorages(ENDPOINTS, KEY);

describe.each(Object.keys(storages))('replays without a provider message id, %s event log', (storage) => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (storage === 'typeorm') db = await createTestDatabase('replays');
  });
  afterAll(async () => {
    await db?.drop();
  });

  describe.each(ADAPTERS)('on %s', (adapter) => {
    let running: RunningApp;
    let handled: Handled;
    const post = (name: string, delivery: Delivery) =>
      send(running.baseUrl, delivery.path ?? `/hooks/${name}`, { headers: delivery.headers, body: delivery.body });

    beforeAll(async () => {
      running = await startApp(
        adapter,
        storages[storage](() => db),
        [HooksController],
        { providers: [Handled] },
      );
      handled = running.app.get(Handled);
    });
    afterAll(() => running.close());
    beforeEach(() => handled.calls.splice(0));

    it.each(Object.keys(signed))(
      '%s: a byte-identical replay is a duplicate and the handler runs once',
      async (name) => {
        const delivery = signed[name]();
        const first = await post(name, delivery);
        expect(first.status).toBe(201);
        const replay = await post(name, delivery);
        expect([replay.status, replay.json]).toEqual([200, { received: true, duplicate: true }]);
        expect(handled.calls).toHaveLength(1);
        // The provider sent no id; the key is derived from what it signed, and says so.
        expect(handled.calls[0].id).toBeUndefined();
        expect(handled.calls[0].dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
        // Another genuine delivery is not mistaken for the first.
        expect((await post(name, signed[name]())).status).toBe(201);
        expect(handled.calls).toHaveLength(2);
      },
    );

    it('github: a replay under a fresh X-GitHub-Delivery (unsigned) is still a duplicate', async () => {
      const body = JSON.stringify({ zen: randomUUID(), hook_id: 1 });
      const headers = {
        ...JSON_TYPE,
        'x-hub-signature-256': 'sha256=' + hmac('sha256', SECRET, body).toString('hex'),
      };
      const first = await post('github', { headers: { ...headers, 'x-github-delivery': randomUUID() }, body });
      expect(first.status).toBe(201);
      const replay = await post('github', { headers: { ...headers, 'x-github-delivery': randomUUID() }, body });
      expect([replay.status, replay.json]).toEqual([200, { received: true, duplicate: true }]);
      expect(handled.calls).toHaveLength(1);
      // GitHub's id is still reported; the key is the signed content.
      expect(handled.calls[0].id).toMatch(/^[0-9a-f-]{36}$/);
      expect(handled.calls[0].dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('twilio: a replay with a fresh idempotency token is a duplicate (the token is unsigned)', async () => {
      const params = { MessageSid: `SM${randomUUID().replace(/-/g, '')}`, MessageStatus: 'delivered' };
      expect((await post('twilio', twilioDelivery(params, 'token-1'))).status).toBe(201);
      const replay = await post('twilio', twilioDelivery(params, 'token-2'));
      expect([replay.status, replay.json]).toEqual([200, { received: true, duplicate: true }]);
      expect(handled.calls).toHaveLength(1);
    });

    it("twilio: a replay carrying another delivery's token does not suppress that delivery", async () => {
      const a = { MessageSid: `SM${randomUUID().replace(/-/g, '')}`, MessageStatus: 'sent' };
      const b = { MessageSid: `SM${randomUUID().replace(/-/g, '')}`, MessageStatus: 'delivered' };
      expect((await post('twilio', twilioDelivery(a, 'token-of-a'))).status).toBe(201);
      // The attacker replays A with the token B will carry, before B arrives.
      expect((await post('twilio', twilioDelivery(a, 'token-of-b'))).status).toBe(200);
      expect((await post('twilio', twilioDelivery(b, 'token-of-b'))).status).toBe(201);
      expect(handled.calls.map((call) => (call.payload as Record<string, string>).MessageSid)).toEqual([
        a.MessageSid,
        b.MessageSid,
      ]);
    });

    it('twilio: parameters re-split across the signed string are the same signed content, a duplicate', async () => {
      const sid = `SM${randomUUID().replace(/-/g, '')}`;
      const genuine = { Body: 'hello', From: '+15550001', MessageSid: sid };
      expect((await post('twilio', twilioDelivery(genuine))).status).toBe(201);
      // "Bodyhello" + "From+15550001" + "MessageSid…" signs the same as "Bodyhello" + "From+15550001MessageSid…":
      // the attacker folds MessageSid into From, keeping the captured signature.
      const signature = twilioSdk.getExpectedTwilioSignature(SECRET, `${PUBLIC}/twilio`, genuine);
      const resplit = new URLSearchParams({ Body: 'hello', From: `+15550001MessageSid${sid}` }).toString();
      const answer = await post('twilio', {
        path: '/hooks/twilio',
        headers: { ...FORM_TYPE, 'x-twilio-signature': signature, 'i-twilio-idempotency-token': randomUUID() },
        body: resplit,
      });
      expect([answer.status, answer.json]).toEqual([200, { received: true, duplicate: true }]);
      expect(handled.calls).toHaveLength(1);
    });

    it("twilio: the handler gets the parameters the scheme verified, not another parser's reading", async () => {
      const params = { 'To[0]': '+1555', 'a[b]': 'c', MessageSid: `SM${randomUUID()}` };
      const delivery = twilioDelivery(params);
      expect(
        (await post('twilio', { ...delivery, body: delivery.body + '&MessageStatus=x&MessageStatus=y' })).status,
      ).toBe(401);
      expect((await post('twilio', delivery)).status).toBe(201);
      expect(handled.calls).toHaveLength(1);
      expect({ ...(handled.calls[0].payload as object) }).toEqual(params);
    });

    it.each([
      ['shopify', 'x-shopify-topic', 'x-shopify-webhook-id', ['orders/create', 'orders/paid', 'orders/updated']],
      ['github', 'x-github-event', 'x-github-delivery', ['check_run', 'check_suite']],
    ] as const)(
      '%s: one body under several topics (unsigned %s) is handled once per topic, and a replay per topic is a duplicate',
      async (name, topicHeader, idHeader, topics) => {
        // Shopify sends the same order body as orders/create, orders/paid and orders/updated.
        const body = JSON.stringify({ id: 820982911946154500, note: randomUUID(), financial_status: 'paid' });
        const signature: Record<string, string> =
          name === 'shopify'
            ? { 'x-shopify-hmac-sha256': hmac('sha256', SECRET, body).toString('base64') }
            : { 'x-hub-signature-256': 'sha256=' + hmac('sha256', SECRET, body).toString('hex') };
        const deliver = (topic: string) =>
          post(name, {
            headers: { ...JSON_TYPE, ...signature, [topicHeader]: topic, [idHeader]: randomUUID() },
            body,
          });
        for (const topic of topics) expect((await deliver(topic)).status).toBe(201);
        expect(handled.calls).toHaveLength(topics.length);
        expect(new Set(handled.calls.map((call) => call.dedupeKey)).size).toBe(topics.length);
        // A replay under a topic already handled (with a fresh unsigned id) is still a duplicate.
        const replay = await deliver(topics[1]);
        expect([replay.status, replay.json]).toEqual([200, { received: true, duplicate: true }]);
        // The attacker's variants: the topic re-cased, doubled slashes, made up. Each was a new key.
        for (const variant of [topics[0].toUpperCase(), `${topics[0]}/`, 'X1', 'x 1']) {
          const refused = await deliver(variant);
          expect([refused.status, refused.json.code]).toEqual([400, 'invalid_header']);
        }
        expect(handled.calls).toHaveLength(topics.length);
      },
    );

    it("dedupeSignedContent: false: an unsigned id header is never the key, so a replay carrying another delivery's id cannot suppress it", async () => {
      const delivery = (body: string, id: string): Delivery => ({
        headers: {
          ...JSON_TYPE,
          'x-hub-signature-256': 'sha256=' + hmac('sha256', SECRET, body).toString('hex'),
          'x-github-delivery': id,
        },
        body,
      });
      const a = JSON.stringify({ zen: randomUUID() });
      const b = JSON.stringify({ zen: randomUUID() });
      const idOfB = randomUUID();
      expect((await post('github-off', delivery(a, randomUUID()))).status).toBe(201);
      // The attacker replays A under the id B will carry, before B arrives.
      expect((await post('github-off', delivery(a, idOfB))).status).toBe(201);
      const genuine = await post('github-off', delivery(b, idOfB));
      expect([genuine.status, genuine.json]).toEqual([201, { ok: true }]);
      expect(handled.calls.map((call) => call.payload)).toEqual([JSON.parse(a), JSON.parse(a), JSON.parse(b)]);
      // The id is still reported, but nothing is keyed on it.
      expect(handled.calls[2].id).toBe(idOfB);
      expect(handled.calls.every((call) => call.dedupeKey === undefined)).toBe(true);
    });

    it.each(Object.keys(bodyIdPresets))(
      '%s: the id in the body is the key: a replay, or a re-sent copy with other bytes, is a duplicate',
      async (name) => {
        const preset = bodyIdPresets[name];
        const id = `evt-${randomUUID()}`;
        const deliver = (body: string) => post(name, { headers: { ...JSON_TYPE, ...preset.sign(body) }, body });
        const body = preset.body(id, 'first');
        const first = await deliver(body);
        expect(first.status).toBe(201);
        expect(handled.calls[0]).toMatchObject({ id, dedupeKey: id });
        const replay = await deliver(body);
        expect([replay.status, replay.json]).toEqual([200, { received: true, duplicate: true }]);
        // The provider's retry of the same event, in other (validly signed) bytes: still that event.
        const copy = await deliver(preset.body(id, 'retried'));
        expect([copy.status, copy.json]).toEqual([200, { received: true, duplicate: true }]);
        // Another event is not mistaken for it.
        expect((await deliver(preset.body(`evt-${randomUUID()}`, 'first'))).status).toBe(201);
        expect(handled.calls).toHaveLength(2);
      },
    );

    it.each(Object.keys(bodyIdPresets))(
      '%s: a body without an id is keyed by its content: a byte-identical replay is a duplicate',
      async (name) => {
        const preset = bodyIdPresets[name];
        const body = preset.body(undefined, randomUUID());
        const deliver = () => post(name, { headers: { ...JSON_TYPE, ...preset.sign(body) }, body });
        expect((await deliver()).status).toBe(201);
        const replay = await deliver();
        expect([replay.status, replay.json]).toEqual([200, { received: true, duplicate: true }]);
        expect(handled.calls).toHaveLength(1);
        expect(handled.calls[0].id).toBeUndefined();
        expect(handled.calls[0].dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
      },
    );

    it.each(['dropbox', 'ms-graph'])(
      '%s: identical bodies are distinct notifications, so each one is handled (no content deduplication)',
      async (name) => {
        const body =
          name === 'dropbox'
            ? '{"delta": {"users": [12345]}, "list_folder": {"accounts": ["dbid:AAH4f99"]}}'
            : JSON.stringify({
                value: [
                  { subscriptionId: 's1', changeType: 'updated', resource: '/me/drive/root', clientState: SECRET },
                ],
              });
        const headers =
          name === 'dropbox'
            ? { ...JSON_TYPE, 'x-dropbox-signature': hmac('sha256', SECRET, body).toString('hex') }
            : JSON_TYPE;
        expect((await post(name, { headers, body })).status).toBe(201);
        expect((await post(name, { headers, body })).status).toBe(201);
        expect(handled.calls).toHaveLength(2);
        expect(handled.calls[0].dedupeKey).toBeUndefined();
      },
    );
  });
});
