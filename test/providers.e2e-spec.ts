// Every provider preset through a real Nest app, on Express and on Fastify: one delivery signed the
// way the provider documents it (with the provider's SDK where one is installed, otherwise with
// node:crypto written out here, never with Hookwarden's own signers) is accepted and reaches the
// handler with its parsed payload; one forged or malformed delivery is refused with a code.
import { createHash, createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { Controller, Get, Injectable, Module, Post, UseGuards, type Type } from '@nestjs/common';
import Stripe from 'stripe';
import twilioSdk from 'twilio';
import {
  WebhookChallenge,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type VerifiedWebhook,
  type WebhookEndpointDefinition,
} from '../src';
import { basicAuth } from '../src/core/auth/basic-auth.scheme';
import { ipAllowList } from '../src/core/auth/ip-allow-list.scheme';
import {
  adobeIo,
  apiKeyEndpoint,
  asana,
  box,
  discord,
  dropbox,
  github,
  hmacEndpoint,
  instagram,
  intercom,
  linear,
  mailgun,
  meta,
  msGraph,
  okta,
  pagerduty,
  sendgrid,
  shopify,
  slack,
  smartsheet,
  square,
  standardWebhooksAsymmetric,
  strava,
  stripe,
  trello,
  twilio,
  twitch,
  twitter,
  whatsapp,
  zoom,
} from '../src/providers';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';

const PUBLIC = 'https://hooks.example.com';
const now = () => Math.floor(Date.now() / 1000);
const hmac = (algorithm: string, key: string | Buffer, ...parts: Array<string | Buffer>) => {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
};
const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

// Key pairs of the asymmetric providers: the app is configured with the public halves.
const ed25519 = generateKeyPairSync('ed25519');
const ed25519Raw = Buffer.from(ed25519.publicKey.export({ format: 'jwk' }).x!, 'base64url');
const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signEd25519 = (key: KeyObject, ...parts: Array<string | Buffer>) =>
  sign(null, Buffer.concat(parts.map((part) => Buffer.from(part))), key);

const SECRETS = {
  github: 'gh-webhook-secret',
  stripe: 'whsec_e2eStripeSigningSecretABCDEF0123',
  slack: '8f742231b10e8888abcd99yyyzzz85a5',
  shopify: 'shopify-client-secret',
  zoom: 'zoom-secret-token',
  twitch: 'twitch-subscription-secret',
  meta: 'meta-app-secret',
  dropbox: 'dropbox-app-secret',
  trello: 'trello-oauth-secret',
  asana: 'b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81',
  twilio: 'twilio-auth-token',
  square: 'square-signature-key',
  box: 'box-primary-key',
  pagerduty: 'pagerduty-secret',
  linear: 'linear-signing-secret',
  mailgun: 'mailgun-signing-key',
  intercom: 'intercom-client-secret',
  twitter: 'twitter-consumer-secret',
  smartsheet: 'smartsheet-shared-secret',
  msGraph: 'graph-client-state',
  okta: 'okta-authorization-value',
  strava: 'strava-url-token',
  acme: 'acme-hmac-secret',
  partner: 'partner-api-key',
};

const ENDPOINTS: Record<string, WebhookEndpointDefinition> = {
  github: github({ secret: SECRETS.github }),
  'github-behind-allow-list': github({
    secret: SECRETS.github,
    also: [ipAllowList({ allow: ['203.0.113.0/24'] }), basicAuth({ credentials: [{ username: 'u', password: 'p' }] })],
  }),
  'github-from-loopback': github({ secret: SECRETS.github, also: [ipAllowList({ allow: ['127.0.0.0/8', '::1'] })] }),
  stripe: stripe({ secret: SECRETS.stripe }),
  slack: slack({ signingSecret: SECRETS.slack }),
  shopify: shopify({ secret: SECRETS.shopify }),
  zoom: zoom({ secretToken: SECRETS.zoom }),
  twitch: twitch({ secret: SECRETS.twitch }),
  meta: meta({ appSecret: SECRETS.meta, verifyToken: 'meatyhamhock' }),
  whatsapp: whatsapp({ appSecret: SECRETS.meta }),
  instagram: instagram({ appSecret: SECRETS.meta }),
  dropbox: dropbox({ appSecret: SECRETS.dropbox }),
  trello: trello({ secret: SECRETS.trello, callbackUrl: `${PUBLIC}/trello` }),
  asana: asana({ secret: SECRETS.asana }),
  twilio: twilio({ authToken: SECRETS.twilio, url: `${PUBLIC}/twilio` }),
  square: square({ signatureKey: SECRETS.square, notificationUrl: `${PUBLIC}/square` }),
  box: box({ primaryKey: SECRETS.box, secondaryKey: 'box-secondary-key' }),
  pagerduty: pagerduty({ secret: SECRETS.pagerduty }),
  linear: linear({ secret: SECRETS.linear }),
  mailgun: mailgun({ signingKey: SECRETS.mailgun }),
  intercom: intercom({ clientSecret: SECRETS.intercom }),
  twitter: twitter({ consumerSecret: SECRETS.twitter }),
  smartsheet: smartsheet({ sharedSecret: SECRETS.smartsheet }),
  'ms-graph': msGraph({ clientState: SECRETS.msGraph }),
  okta: okta({ secret: SECRETS.okta }),
  discord: discord({ publicKey: ed25519Raw.toString('hex') }),
  sendgrid: sendgrid({ publicKey: p256.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') }),
  'adobe-io': adobeIo({
    publicKey: rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string,
    clientId: 'client_id1',
  }),
  strava: strava({ token: SECRETS.strava, verifyToken: 'STRAVA', subscriptionId: 120475 }),
  'standard-v1a': standardWebhooksAsymmetric({ publicKey: 'whpk_' + ed25519Raw.toString('base64') }),
  acme: hmacEndpoint({
    provider: 'acme',
    secret: SECRETS.acme,
    header: 'x-acme-signature',
    prefix: 'sha512=',
    algorithm: 'sha512',
    encoding: 'base64',
    template: '{id}.{timestamp}.{body}',
    idHeader: 'x-acme-delivery',
    timestampHeader: 'x-acme-timestamp',
  }),
  partner: apiKeyEndpoint({ provider: 'partner', header: 'x-api-key', secret: SECRETS.partner }),
};

/** One request as the test sends it. */
interface Delivery {
  path?: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

interface PresetCase {
  readonly endpoint: string;
  /** A genuine delivery and what the handler must receive. */
  accepted(): Delivery & { payload: unknown; id?: string; secretVersion?: number };
  /** A forged or malformed one and how it is refused. */
  refused(): Delivery & { status: number; code: string };
}

const stripeSdk = new Stripe('sk_test_unused');
const json = (value: unknown) => JSON.stringify(value);

const CASES: PresetCase[] = [
  {
    endpoint: 'github',
    accepted: () => {
      const body = json({ zen: 'Keep it logically awesome.', hook_id: 1 });
      const id = randomUUID();
      const signature = 'sha256=' + hmac('sha256', SECRETS.github, body).toString('hex');
      return {
        headers: { ...JSON_TYPE, 'x-github-delivery': id, 'x-github-event': 'ping', 'x-hub-signature-256': signature },
        body,
        payload: JSON.parse(body),
        id,
      };
    },
    refused: () => ({
      headers: { ...JSON_TYPE, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) },
      body: '{}',
      status: 401,
      code: 'no_matching_signature',
    }),
  },
  {
    endpoint: 'stripe',
    accepted: () => {
      const id = `evt_${randomUUID().replace(/-/g, '')}`;
      const body = json({ id, object: 'event', type: 'invoice.paid' });
      const header = stripeSdk.webhooks.generateTestHeaderString({ payload: body, secret: SECRETS.stripe });
      return { headers: { ...JSON_TYPE, 'stripe-signature': header }, body, payload: JSON.parse(body), id };
    },
    refused: () => {
      const body = json({ id: 'evt_old', object: 'event' });
      const timestamp = now() - 600;
      const header = stripeSdk.webhooks.generateTestHeaderString({ payload: body, secret: SECRETS.stripe, timestamp });
      return { headers: { ...JSON_TYPE, 'stripe-signature': header }, body, status: 401, code: 'timestamp_too_old' };
    },
  },
  {
    endpoint: 'slack',
    // A slash command: a form body, verified over its raw bytes and handed over as fields.
    accepted: () => {
      const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fwebhook-collect&text=hello+world';
      const ts = now();
      const signature = 'v0=' + hmac('sha256', SECRETS.slack, `v0:${ts}:`, body).toString('hex');
      return {
        headers: { ...FORM_TYPE, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature },
        body,
        payload: {
          token: 'xyzz0WbapA4vBCDEFasx0q6G',
          team_id: 'T1DC2JH3J',
          command: '/webhook-collect',
          text: 'hello world',
        },
      };
    },
    refused: () => ({
      headers: { ...FORM_TYPE, 'x-slack-request-timestamp': String(now()), 'x-slack-signature': 'a'.repeat(64) },
      body: 'command=%2Fx',
      status: 400,
      code: 'invalid_header',
    }),
  },
  {
    endpoint: 'shopify',
    accepted: () => {
      const body = json({ id: 1234567890, email: 'customer@example.com', total_price: '123.45' });
      const id = randomUUID();
      const signature = hmac('sha256', SECRETS.shopify, body).toString('base64');
      return {
        headers: { ...JSON_TYPE, 'x-shopify-webhook-id': id, 'x-shopify-hmac-sha256': signature },
        body,
        payload: JSON.parse(body),
        id,
      };
    },
    refused: () => ({
      headers: { ...JSON_TYPE, 'x-shopify-webhook-id': randomUUID() },
      body: '{}',
      status: 400,
      code: 'missing_header',
    }),
  },
  {
    endpoint: 'zoom',
    accepted: () => {
      const body = json({ event: 'meeting.started', payload: { account_id: 'abc123' }, event_ts: Date.now() });
      const ts = now();
      const signature = 'v0=' + hmac('sha256', SECRETS.zoom, `v0:${ts}:`, body).toString('hex');
      return {
        headers: { ...JSON_TYPE, 'x-zm-request-timestamp': String(ts), 'x-zm-signature': signature },
        body,
        payload: JSON.parse(body),
      };
    },
    refused: () => {
      const body = json({ event: 'meeting.ended' });
      const ts = now();
      const signature = 'v0=' + hmac('sha256', 'another-token', `v0:${ts}:`, body).toString('hex');
      return {
        headers: { ...JSON_TYPE, 'x-zm-request-timestamp': String(ts), 'x-zm-signature': signature },
        body,
        status: 401,
        code: 'no_matching_signature',
      };
    },
  },
  {
    endpoint: 'twitch',
    accepted: () => {
      const body = json({ subscription: { type: 'channel.follow' }, event: { user_name: 'viewer' } });
      const id = randomUUID();
      const timestamp = new Date().toISOString().replace('Z', '123456Z');
      const signature = 'sha256=' + hmac('sha256', SECRETS.twitch, id, timestamp, body).toString('hex');
      return {
        headers: {
          ...JSON_TYPE,
          'twitch-eventsub-message-id': id,
          'twitch-eventsub-message-timestamp': timestamp,
          'twitch-eventsub-message-type': 'notification',
          'twitch-eventsub-message-signature': signature,
        },
        body,
        payload: JSON.parse(body),
        id,
      };
    },
    refused: () => {
      const body = '{}';
      const id = randomUUID();
      const timestamp = new Date(Date.now() - 11 * 60_000).toISOString();
      const signature = 'sha256=' + hmac('sha256', SECRETS.twitch, id, timestamp, body).toString('hex');
      return {
        headers: {
          ...JSON_TYPE,
          'twitch-eventsub-message-id': id,
          'twitch-eventsub-message-timestamp': timestamp,
          'twitch-eventsub-message-signature': signature,
        },
        body,
        status: 401,
        code: 'timestamp_too_old',
      };
    },
  },
  ...(['meta', 'whatsapp', 'instagram'] as const).map((endpoint): PresetCase => ({
    endpoint,
    accepted: () => {
      // Meta sends non-ASCII as \u escapes; the raw bytes are what is signed.
      const body =
        '{"object":"page","entry":[{"id":"123","messaging":[{"message":{"text":"\\u00e4\\u00f6\\u00e5"}}]}]}';
      const signature = 'sha256=' + hmac('sha256', SECRETS.meta, body).toString('hex');
      return { headers: { ...JSON_TYPE, 'x-hub-signature-256': signature }, body, payload: JSON.parse(body) };
    },
    refused: () => {
      const signed = '{"object":"page","entry":[]}';
      const signature = 'sha256=' + hmac('sha256', SECRETS.meta, signed).toString('hex');
      return {
        headers: { ...JSON_TYPE, 'x-hub-signature-256': signature },
        body: '{"object": "page", "entry": []}',
        status: 401,
        code: 'no_matching_signature',
      };
    },
  })),
  {
    endpoint: 'dropbox',
    accepted: () => {
      const body = '{"delta": {"users": [12345]}, "list_folder": {"accounts": ["dbid:AAH4f99"]}}';
      const signature = hmac('sha256', SECRETS.dropbox, body).toString('hex');
      return { headers: { ...JSON_TYPE, 'x-dropbox-signature': signature }, body, payload: JSON.parse(body) };
    },
    refused: () => ({
      headers: { ...JSON_TYPE, 'x-dropbox-signature': hmac('sha256', 'the_secret', '{}').toString('hex') },
      body: '{}',
      status: 401,
      code: 'no_matching_signature',
    }),
  },
  {
    endpoint: 'trello',
    accepted: () => {
      const id = randomUUID().replace(/-/g, '').slice(0, 24);
      const body = json({ action: { id, type: 'updateCard' }, model: { id: 'board1' } });
      const signature = hmac('sha1', SECRETS.trello, body, `${PUBLIC}/trello`).toString('base64');
      return { headers: { ...JSON_TYPE, 'x-trello-webhook': signature }, body, payload: JSON.parse(body), id };
    },
    refused: () => {
      // Signed for the URL the app is reached at, not the registered callback URL.
      const body = json({ action: { id: 'a1' } });
      const signature = hmac('sha1', SECRETS.trello, body, 'http://127.0.0.1/hooks/trello').toString('base64');
      return {
        headers: { ...JSON_TYPE, 'x-trello-webhook': signature },
        body,
        status: 401,
        code: 'no_matching_signature',
      };
    },
  },
  {
    endpoint: 'asana',
    accepted: () => {
      const body = json({ events: [{ action: 'changed', resource: { gid: '1', resource_type: 'task' } }] });
      const signature = hmac('sha256', SECRETS.asana, body).toString('hex');
      return { headers: { ...JSON_TYPE, 'x-hook-signature': signature }, body, payload: JSON.parse(body) };
    },
    refused: () => ({
      headers: { ...JSON_TYPE, 'x-hook-signature': 'sha256=' + hmac('sha256', SECRETS.asana, '{}').toString('hex') },
      body: '{}',
      status: 400,
      code: 'invalid_header',
    }),
  },
  {
    endpoint: 'twilio',
    // An SMS status callback: a form body, signed by Twilio's SDK over the public URL and the params.
    accepted: () => {
      const params = {
        MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
        MessageStatus: 'delivered',
        Body: 'Zoë ♥ +1',
      };
      const url = `${PUBLIC}/twilio?tenant=a%20b`;
      const signature = twilioSdk.getExpectedTwilioSignature(SECRETS.twilio, url, params);
      return {
        path: '/hooks/twilio?tenant=a%20b',
        headers: { ...FORM_TYPE, 'x-twilio-signature': signature },
        body: new URLSearchParams(params).toString(),
        payload: params,
      };
    },
    refused: () => {
      const params = { MessageSid: 'SM1', MessageStatus: 'delivered' };
      const signature = twilioSdk.getExpectedTwilioSignature(SECRETS.twilio, `${PUBLIC}/twilio`, params);
      return {
        headers: { ...FORM_TYPE, 'x-twilio-signature': signature },
        body: new URLSearchParams({ ...params, MessageStatus: 'failed' }).toString(),
        status: 401,
        code: 'no_matching_signature',
      };
    },
  },
  {
    endpoint: 'square',
    accepted: () => {
      const id = randomUUID();
      const body = json({ merchant_id: 'MLEFBHHSJGVHD', type: 'payment.updated', event_id: id });
      const signature = hmac('sha256', SECRETS.square, `${PUBLIC}/square`, body).toString('base64');
      return {
        headers: { ...JSON_TYPE, 'x-square-hmacsha256-signature': signature },
        body,
        payload: JSON.parse(body),
        id,
      };
    },
    refused: () => ({
      headers: { ...JSON_TYPE, 'x-square-hmacsha256-signature': 'not-base64' },
      body: '{}',
      status: 400,
      code: 'invalid_header',
    }),
  },
  {
    endpoint: 'box',
    accepted: () => {
      const body = json({ type: 'webhook_event', trigger: 'FILE.UPLOADED', source: { id: '1', type: 'file' } });
      const id = randomUUID();
      const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');
      return {
        headers: {
          ...JSON_TYPE,
          'box-delivery-id': id,
          'box-delivery-timestamp': timestamp,
          'box-signature-algorithm': 'HmacSHA256',
          'box-signature-version': '1',
          'box-signature-primary': hmac('sha256', 'rotated-away', body, timestamp).toString('base64'),
          'box-signature-secondary': hmac('sha256', 'box-secondary-key', body, timestamp).toString('base64'),
        },
        body,
        payload: JSON.parse(body),
        id,
        // The primary key was regenerated in the console; the secondary (version 2) still matches.
        secretVersion: 2,
      };
    },
    refused: () => {
      const timestamp = new Date().toISOString();
      return {
        headers: {
          ...JSON_TYPE,
          'box-delivery-timestamp': timestamp,
          'box-signature-algorithm': 'HmacSHA1',
          'box-signature-version': '1',
          'box-signature-primary': hmac('sha256', SECRETS.box, '{}', timestamp).toString('base64'),
        },
        body: '{}',
        status: 400,
        code: 'invalid_header',
      };
    },
  },
  {
    endpoint: 'pagerduty',
    accepted: () => {
      const id = randomUUID();
      const body = json({ event: { id, event_type: 'incident.triggered', resource_type: 'incident' } });
      const signatures = [hmac('sha256', 'retired', body), hmac('sha256', SECRETS.pagerduty, body)];
      return {
        headers: { ...JSON_TYPE, 'x-pagerduty-signature': signatures.map((s) => `v1=${s.toString('hex')}`).join(',') },
        body,
        payload: JSON.parse(body),
        id,
      };
    },
    refused: () => ({
      headers: {
        ...JSON_TYPE,
        'x-pagerduty-signature': `v1=${hmac('sha256', SECRETS.pagerduty, '{}').toString('hex')}`,
      },
      body: '{"event":{}}',
      status: 401,
      code: 'no_matching_signature',
    }),
  },
  {
    endpoint: 'linear',
    accepted: () => {
      const id = randomUUID();
      const body = json({ action: 'create', type: 'Issue', data: { id: 'x' }, webhookTimestamp: Date.now() });
      return {
        headers: {
          ...JSON_TYPE,
          'linear-delivery': id,
          'linear-signature': hmac('sha256', SECRETS.linear, body).toString('hex'),
        },
        body,
        payload: JSON.parse(body),
        id,
      };
    },
    refused: () => {
      const body = json({ action: 'create', webhookTimestamp: Date.now() - 120_000 });
      return {
        headers: { ...JSON_TYPE, 'linear-signature': hmac('sha256', SECRETS.linear, body).toString('hex') },
        body,
        status: 401,
        code: 'timestamp_too_old',
      };
    },
  },
  {
    endpoint: 'mailgun',
    accepted: () => {
      const token = randomUUID().replace(/-/g, '') + 'abcdefghijklmnopqr';
      const timestamp = String(now());
      const signature = hmac('sha256', SECRETS.mailgun, timestamp + token).toString('hex');
      const body = json({ signature: { timestamp, token, signature }, 'event-data': { event: 'delivered' } });
      return { headers: JSON_TYPE, body, payload: JSON.parse(body), id: token };
    },
    refused: () => ({
      headers: JSON_TYPE,
      body: json({ 'event-data': { event: 'delivered' } }),
      status: 401,
      code: 'no_matching_signature',
    }),
  },
  {
    endpoint: 'intercom',
    accepted: () => {
      const id = `notif_${randomUUID()}`;
      const body = json({ type: 'notification_event', id, topic: 'ping', data: { item: { type: 'ping' } } });
      const signature = 'sha1=' + hmac('sha1', SECRETS.intercom, body).toString('hex');
      return { headers: { ...JSON_TYPE, 'x-hub-signature': signature }, body, payload: JSON.parse(body), id };
    },
    refused: () => ({
      headers: { ...JSON_TYPE, 'x-hub-signature': 'sha256=' + hmac('sha256', SECRETS.intercom, '{}').toString('hex') },
      body: '{}',
      status: 400,
      code: 'invalid_header',
    }),
  },
  {
    endpoint: 'twitter',
    accepted: () => {
      const body = json({ for_user_id: '2244994945', tweet_create_events: [] });
      const signature = 'sha256=' + hmac('sha256', SECRETS.twitter, body).toString('base64');
      return { headers: { ...JSON_TYPE, 'x-twitter-webhooks-signature': signature }, body, payload: JSON.parse(body) };
    },
    refused: () => ({
      headers: {
        ...JSON_TYPE,
        'x-twitter-webhooks-signature': 'sha256=' + hmac('sha256', SECRETS.twitter, '{}').toString('hex'),
      },
      body: '{}',
      status: 400,
      code: 'invalid_header',
    }),
  },
  {
    endpoint: 'smartsheet',
    accepted: () => {
      const nonce = randomUUID();
      const body = json({ nonce, timestamp: new Date().toISOString(), webhookId: 1, scope: 'sheet', events: [] });
      const signature = hmac('sha256', SECRETS.smartsheet, body).toString('hex');
      return {
        headers: { ...JSON_TYPE, 'smartsheet-hmac-sha256': signature },
        body,
        payload: JSON.parse(body),
        id: nonce,
      };
    },
    refused: () => ({
      headers: { ...JSON_TYPE, 'smartsheet-hmac-sha256': hmac('sha256', 'wrong', '{}').toString('hex') },
      body: '{}',
      status: 401,
      code: 'no_matching_signature',
    }),
  },
  {
    endpoint: 'ms-graph',
    accepted: () => {
      const body = json({ value: [{ subscriptionId: 's1', changeType: 'created', clientState: SECRETS.msGraph }] });
      return { headers: JSON_TYPE, body, payload: JSON.parse(body) };
    },
    refused: () => ({
      headers: JSON_TYPE,
      body: json({ value: [{ clientState: SECRETS.msGraph }, { clientState: 'forged' }] }),
      status: 401,
      code: 'no_matching_signature',
    }),
  },
  {
    endpoint: 'okta',
    accepted: () => {
      const eventId = randomUUID();
      const body = json({ eventType: 'com.okta.event_hook', eventId, data: { events: [] } });
      return { headers: { ...JSON_TYPE, authorization: SECRETS.okta }, body, payload: JSON.parse(body), id: eventId };
    },
    refused: () => ({
      headers: { ...JSON_TYPE, authorization: 'Basic guess' },
      body: '{}',
      status: 401,
      code: 'bad_credentials',
    }),
  },
  {
    endpoint: 'discord',
    accepted: () => {
      const id = String(BigInt(Date.now()) * 4194304n);
      const body = json({ id, type: 2, data: { name: 'ping' }, token: 'interaction-token' });
      const ts = String(now());
      return {
        headers: {
          ...JSON_TYPE,
          'x-signature-timestamp': ts,
          'x-signature-ed25519': signEd25519(ed25519.privateKey, ts, body).toString('hex'),
        },
        body,
        payload: JSON.parse(body),
        id,
      };
    },
    // Discord's routine check: a deliberately bad signature must get 401.
    refused: () => ({
      headers: { ...JSON_TYPE, 'x-signature-timestamp': String(now()), 'x-signature-ed25519': 'ab'.repeat(64) },
      body: json({ id: '1', type: 1 }),
      status: 401,
      code: 'no_matching_signature',
    }),
  },
  {
    endpoint: 'sendgrid',
    accepted: () => {
      const body = json([{ email: 'a@example.com', event: 'delivered', sg_event_id: randomUUID() }]);
      const ts = String(now());
      const signature = sign('sha256', Buffer.from(ts + body), { key: p256.privateKey, dsaEncoding: 'der' });
      return {
        headers: {
          ...JSON_TYPE,
          'x-twilio-email-event-webhook-timestamp': ts,
          'x-twilio-email-event-webhook-signature': signature.toString('base64'),
        },
        body,
        payload: JSON.parse(body),
      };
    },
    refused: () => {
      const body = json([{ event: 'open' }]);
      const ts = String(now());
      const signature = sign('sha256', Buffer.from(ts + body), { key: p256.privateKey, dsaEncoding: 'der' });
      return {
        headers: {
          ...JSON_TYPE,
          'x-twilio-email-event-webhook-timestamp': String(Number(ts) - 1),
          'x-twilio-email-event-webhook-signature': signature.toString('base64'),
        },
        body,
        status: 401,
        code: 'no_matching_signature',
      };
    },
  },
  {
    endpoint: 'adobe-io',
    accepted: () => {
      const id = randomUUID();
      const body = json({ event_id: id, event: { hello: 'world' }, recipient_client_id: 'client_id1' });
      return {
        headers: {
          ...JSON_TYPE,
          'x-adobe-digital-signature-1': sign('sha256', Buffer.from(body), rsa.privateKey).toString('base64'),
          'x-adobe-public-key1-path': '/attacker/chosen.pem',
        },
        body,
        payload: JSON.parse(body),
        id,
      };
    },
    refused: () => {
      const body = json({ event_id: 'e1', recipient_client_id: 'someone_else' });
      return {
        headers: {
          ...JSON_TYPE,
          'x-adobe-digital-signature-1': sign('sha256', Buffer.from(body), rsa.privateKey).toString('base64'),
        },
        body,
        status: 401,
        code: 'no_matching_signature',
      };
    },
  },
  {
    endpoint: 'strava',
    accepted: () => {
      const body = json({ aspect_type: 'create', object_id: 1360128428, subscription_id: 120475, owner_id: 134815 });
      return { path: `/hooks/strava?token=${SECRETS.strava}`, headers: JSON_TYPE, body, payload: JSON.parse(body) };
    },
    refused: () => ({
      headers: JSON_TYPE,
      body: json({ aspect_type: 'create', subscription_id: 120475 }),
      status: 401,
      code: 'bad_credentials',
    }),
  },
  {
    endpoint: 'standard-v1a',
    accepted: () => {
      const id = `msg_${randomUUID().replace(/-/g, '')}`;
      const ts = String(now());
      const body = json({ type: 'user.created', data: { id: 'u1' } });
      const signature = 'v1a,' + signEd25519(ed25519.privateKey, `${id}.${ts}.`, body).toString('base64');
      return {
        headers: { ...JSON_TYPE, 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': signature },
        body,
        payload: JSON.parse(body),
        id,
      };
    },
    refused: () => ({
      headers: {
        ...JSON_TYPE,
        'webhook-id': 'msg.1',
        'webhook-timestamp': String(now()),
        'webhook-signature': 'v1a,x',
      },
      body: '{}',
      status: 400,
      code: 'invalid_header',
    }),
  },
  {
    endpoint: 'acme',
    accepted: () => {
      const id = randomUUID();
      const ts = String(now());
      const body = json({ kind: 'order.shipped' });
      const signature = 'sha512=' + hmac('sha512', SECRETS.acme, `${id}.${ts}.`, body).toString('base64');
      return {
        headers: { ...JSON_TYPE, 'x-acme-delivery': id, 'x-acme-timestamp': ts, 'x-acme-signature': signature },
        body,
        payload: JSON.parse(body),
        id,
      };
    },
    refused: () => {
      const ts = String(now());
      const signature = 'sha512=' + hmac('sha512', SECRETS.acme, `id.${ts}.`, '{}').toString('base64');
      return {
        headers: { ...JSON_TYPE, 'x-acme-delivery': 'other-id', 'x-acme-timestamp': ts, 'x-acme-signature': signature },
        body: '{}',
        status: 401,
        code: 'no_matching_signature',
      };
    },
  },
  {
    endpoint: 'partner',
    accepted: () => ({
      headers: { ...JSON_TYPE, 'x-api-key': SECRETS.partner },
      body: '{"n":1}',
      payload: { n: 1 },
    }),
    refused: () => ({
      headers: { ...JSON_TYPE, 'x-api-key': SECRETS.partner.toUpperCase() },
      body: '{"n":1}',
      status: 401,
      code: 'bad_credentials',
    }),
  },
];

/** Records what the handlers received. */
@Injectable()
class Deliveries {
  readonly received: VerifiedWebhook[] = [];
}

@Module({ providers: [Deliveries], exports: [Deliveries] })
class DeliveriesModule {}

/** One `POST /hooks/<endpoint>` route per endpoint, answering challenges where the preset has one. */
function hooksController(): Type {
  @Controller('hooks')
  @UseGuards(WebhookGuard)
  class HooksController {
    constructor(readonly deliveries: Deliveries) {}

    @Get('meta')
    @WebhookEndpoint('meta')
    @WebhookChallenge()
    metaSubscription() {
      throw new Error('a challenge is answered by the module, never by the handler');
    }

    @Get('okta')
    @WebhookEndpoint('okta')
    @WebhookChallenge()
    oktaVerification() {
      throw new Error('a challenge is answered by the module, never by the handler');
    }

    @Get('strava')
    @WebhookEndpoint('strava')
    @WebhookChallenge()
    stravaSubscription() {
      throw new Error('a challenge is answered by the module, never by the handler');
    }
  }
  for (const endpoint of Object.keys(ENDPOINTS)) {
    // Written as a loop rather than 33 identical methods: the decorators are applied as Nest would.
    const method = `on_${endpoint}`;
    Object.defineProperty(HooksController.prototype, method, {
      value: function (this: HooksController, event: VerifiedWebhook) {
        this.deliveries.received.push(event);
        return { received: event.id ?? true };
      },
      configurable: true,
      writable: true,
    });
    const descriptor = Object.getOwnPropertyDescriptor(HooksController.prototype, method)!;
    const decorators = [WebhookEndpoint(endpoint), Post(endpoint)];
    if (ENDPOINTS[endpoint].challenge) decorators.unshift(WebhookChallenge());
    for (const decorate of decorators) decorate(HooksController.prototype, method, descriptor);
    WebhookEvent()(HooksController.prototype, method, 0);
  }
  return HooksController;
}

describe.each(ADAPTERS)('provider presets end to end on %s', (adapter) => {
  let running: RunningApp;
  let deliveries: Deliveries;

  beforeAll(async () => {
    running = await startApp(
      adapter,
      [WebhookModule.forRoot({ endpoints: ENDPOINTS }), DeliveriesModule],
      [hooksController()],
    );
    deliveries = running.app.get(Deliveries);
  });
  afterAll(() => running.close());
  beforeEach(() => deliveries.received.splice(0));

  it.each(CASES.map((c) => [c.endpoint, c] as const))('accepts a genuine %s delivery', async (endpoint, preset) => {
    const delivery = preset.accepted();
    const answer = await send(running.baseUrl, delivery.path ?? `/hooks/${endpoint}`, delivery);
    expect({ status: answer.status, body: answer.json }).toEqual({
      status: 201,
      body: { received: delivery.id ?? true },
    });
    expect(deliveries.received).toHaveLength(1);
    const [event] = deliveries.received;
    expect(event.endpoint).toBe(endpoint);
    expect(event.payload).toEqual(delivery.payload);
    expect(event.rawBody.equals(Buffer.from(delivery.body))).toBe(true);
    expect(event.id).toBe(delivery.id);
    expect(event.secretVersion).toBe(delivery.secretVersion ?? 1);
  });

  it.each(CASES.map((c) => [c.endpoint, c] as const))(
    'refuses a forged %s delivery with a code',
    async (endpoint, preset) => {
      const delivery = preset.refused();
      const answer = await send(running.baseUrl, delivery.path ?? `/hooks/${endpoint}`, delivery);
      expect(answer.json).toEqual({ statusCode: delivery.status, code: delivery.code, message: expect.any(String) });
      expect(answer.status).toBe(delivery.status);
      expect(deliveries.received).toHaveLength(0);
    },
  );

  it('accepts a 1 MiB body, verified over its exact bytes', async () => {
    const filler = 'x'.repeat(1024 * 1024 - '{"data":""}'.length);
    const body = `{"data":"${filler}"}`;
    expect(Buffer.byteLength(body)).toBe(1024 * 1024);
    const id = randomUUID();
    const signature = 'sha256=' + hmac('sha256', SECRETS.github, body).toString('hex');
    const answer = await send(running.baseUrl, '/hooks/github', {
      headers: { ...JSON_TYPE, 'x-github-delivery': id, 'x-hub-signature-256': signature },
      body,
    });
    expect(answer.status).toBe(201);
    expect(deliveries.received[0].rawBody.length).toBe(1024 * 1024);
    expect((deliveries.received[0].payload as { data: string }).data).toHaveLength(filler.length);
  });

  it('accepts a Twilio JSON body covered by bodySHA256', async () => {
    const body = '{"property": "value", "boolean": true}';
    const query = `bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
    const signature = twilioSdk.getExpectedTwilioSignature(SECRETS.twilio, `${PUBLIC}/twilio?${query}`, {});
    const answer = await send(running.baseUrl, `/hooks/twilio?${query}`, {
      headers: { ...JSON_TYPE, 'x-twilio-signature': signature },
      body,
    });
    expect(answer.status).toBe(201);
    expect(deliveries.received[0].payload).toEqual({ property: 'value', boolean: true });
  });

  describe('composed authenticators', () => {
    const githubDelivery = () => {
      const body = '{"zen":"Design for failure."}';
      return {
        headers: {
          ...JSON_TYPE,
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': 'sha256=' + hmac('sha256', SECRETS.github, body).toString('hex'),
          authorization: 'Basic ' + Buffer.from('u:p').toString('base64'),
        },
        body,
      };
    };

    it('refuses a genuine delivery from an address outside the allow-list with 403 ip_not_allowed', async () => {
      const answer = await send(running.baseUrl, '/hooks/github-behind-allow-list', githubDelivery());
      expect([answer.status, answer.json.code]).toEqual([403, 'ip_not_allowed']);
      expect(deliveries.received).toHaveLength(0);
    });

    it('requires every scheme: an allowed address and a valid signature', async () => {
      const accepted = await send(running.baseUrl, '/hooks/github-from-loopback', githubDelivery());
      expect(accepted.status).toBe(201);
      const forged = { ...githubDelivery(), body: '{"zen":"Forged."}' };
      const refused = await send(running.baseUrl, '/hooks/github-from-loopback', forged);
      expect([refused.status, refused.json.code]).toEqual([401, 'no_matching_signature']);
      expect(deliveries.received).toHaveLength(1);
    });
  });

  describe('challenges of the presets', () => {
    it('answers a signed Slack url_verification, and refuses an unsigned one', async () => {
      const body = json({
        token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
        challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
        type: 'url_verification',
      });
      const ts = now();
      const signature = 'v0=' + hmac('sha256', SECRETS.slack, `v0:${ts}:`, body).toString('hex');
      const answer = await send(running.baseUrl, '/hooks/slack', {
        headers: { ...JSON_TYPE, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature },
        body,
      });
      expect([answer.status, answer.text]).toEqual([200, '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P']);
      const unsigned = await send(running.baseUrl, '/hooks/slack', { headers: JSON_TYPE, body });
      expect([unsigned.status, unsigned.json.code]).toEqual([400, 'missing_header']);
      expect(deliveries.received).toHaveLength(0);
    });

    it('answers a signed Discord PING with PONG, and refuses a PING with a bad signature', async () => {
      const body = json({
        id: '787053080478613555',
        token: 'ThisIsATokenFromDiscordThatIsVeryLong',
        type: 1,
        version: 1,
      });
      const ts = String(now());
      const headers = { ...JSON_TYPE, 'x-signature-timestamp': ts };
      const signature = signEd25519(ed25519.privateKey, ts, body).toString('hex');
      const pong = await send(running.baseUrl, '/hooks/discord', {
        headers: { ...headers, 'x-signature-ed25519': signature },
        body,
      });
      expect([pong.status, pong.json]).toEqual([200, { type: 1 }]);
      const bad = await send(running.baseUrl, '/hooks/discord', {
        headers: { ...headers, 'x-signature-ed25519': 'cd'.repeat(64) },
        body,
      });
      expect([bad.status, bad.json.code]).toEqual([401, 'no_matching_signature']);
      expect(deliveries.received).toHaveLength(0);
    });

    it('answers Okta only when the verification carries the hook authorization header', async () => {
      const challenge = { 'x-okta-verification-challenge': 'Me_rShK8JHsTnbyYrWXCEoMGbM_zsZ6k0hLPZ_Pg' };
      const answer = await send(running.baseUrl, '/hooks/okta', {
        method: 'GET',
        headers: { ...challenge, authorization: SECRETS.okta },
      });
      expect([answer.status, answer.json]).toEqual([200, { verification: 'Me_rShK8JHsTnbyYrWXCEoMGbM_zsZ6k0hLPZ_Pg' }]);
      const anonymous = await send(running.baseUrl, '/hooks/okta', { method: 'GET', headers: challenge });
      expect([anonymous.status, anonymous.json.code]).toEqual([401, 'bad_credentials']);
    });

    it('answers Strava only with the URL token and the verify token', async () => {
      const query = 'hub.mode=subscribe&hub.challenge=15f7d1a91c1f40&hub.verify_token=STRAVA';
      const answer = await send(running.baseUrl, `/hooks/strava?${query}&token=${SECRETS.strava}`, { method: 'GET' });
      expect([answer.status, answer.json]).toEqual([200, { 'hub.challenge': '15f7d1a91c1f40' }]);
      const noToken = await send(running.baseUrl, `/hooks/strava?${query}`, { method: 'GET' });
      expect([noToken.status, noToken.json.code]).toEqual([401, 'bad_credentials']);
    });

    it("answers Meta's subscription check with the configured verify token", async () => {
      const query = 'hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock';
      const answer = await send(running.baseUrl, `/hooks/meta?${query}`, { method: 'GET' });
      expect([answer.status, answer.text]).toEqual([200, '1158201444']);
      const wrong = await send(
        running.baseUrl,
        '/hooks/meta?hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess',
        {
          method: 'GET',
        },
      );
      expect(wrong.status).toBe(401);
    });
  });
});
