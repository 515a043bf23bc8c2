// The bad-input matrix: hostile and malformed requests against every kind of endpoint — Standard
// Webhooks and Svix deliveries, URL verification challenges of each kind, the admin REST API — on
// Express and on Fastify, through real HTTP on a real PostgreSQL. Every answer must be a 4xx with a
// JSON `code` (the exact code where the case names one), never a 5xx; no handler runs and no admin
// operation takes effect; the app stays healthy afterwards.
//
// Requests go out over raw TCP sockets, so that the matrix can send what HTTP clients refuse to:
// duplicated headers, raw non-ASCII bytes, CR/LF in values, broken framing.
//
// The same run is the leak check: Nest's logs (a capturing LoggerService), the process's stdout and
// stderr, every answer body, every row of Hookwarden's tables and every admin answer are searched
// for the configured secrets, the generated one, the verify token, the master key and the admin
// token (in their text, base64 and hex forms). The one place a secret may appear is the 201 that
// returns a generated secret, once.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Injectable, Logger, Module, type INestApplication, type LoggerService } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  standardWebhooks,
  svix,
  useWebhookBodyParsers,
  WebhookModule,
  type VerifiedWebhook,
  type WebhookEndpointDefinition,
} from '../src';
import { standardWebhooksProvider } from '../src/providers/standard-webhooks';
import { basicAuthEndpoint, github, meta, shopify, slack, strava, stripe, twitch, zoom } from '../src/providers';
import {
  adobeSignChallenge,
  asanaChallenge,
  dropboxChallenge,
  msGraphChallenge,
  oktaChallenge,
  smartsheetChallenge,
  trelloChallenge,
  twitterChallenge,
} from '../src/providers/challenges';
import Stripe from 'stripe';
import { apiKey } from '../src/core/auth/api-key.scheme';
import { msGraphProvider } from '../src/providers/ms-graph';
import { ADAPTERS, type AdapterName } from './support/apps';
import { parsedJson } from './support/http';
import { createTestDatabase, withClient, type TestDatabase } from './support/postgres';
import { webhookRoutesController, type WebhookHandler } from './support/routes';
import { migratedDataSource, standardWebhooksHeaders } from './support/storages';

// --- the secrets the leak check looks for ------------------------------------------------------------

const whsec = () => 'whsec_' + randomBytes(32).toString('base64');
const SECRETS = {
  billing: whsec(),
  other: whsec(),
  legacy: whsec(),
  challenges: whsec(),
  rotated: whsec(),
  slack: randomBytes(16).toString('hex'),
  github: randomBytes(20).toString('hex'),
  stripe: whsec(),
  zoom: randomBytes(16).toString('base64url'),
  twitch: randomBytes(20).toString('hex'),
  shopify: `shpss_${randomBytes(16).toString('hex')}`,
  meta: randomBytes(16).toString('hex'),
  /** Strava signs nothing: a secret token travels in the callback URL's query string. */
  strava: randomBytes(24).toString('base64url'),
};
const VERIFY_TOKEN = `vt_${randomBytes(18).toString('hex')}`;
/** A static API key a partner sends in a header of the endpoint's choosing. */
const PARTNER_KEY = `pk_${randomBytes(24).toString('base64url')}`;
/** Microsoft Graph's clientState: a secret that travels in every notification body. */
const GRAPH_STATE = `cs_${randomBytes(24).toString('hex')}`;
/** HTTP Basic credentials, `user:password`, the endpoint's secret. */
const BASIC_CREDENTIALS = `hooks:${randomBytes(18).toString('base64url')}`;
const MASTER_KEY = randomBytes(32);
const ADMIN_TOKEN = `adm_${randomBytes(24).toString('base64url')}`;
const ADMIN = '/webhooks/admin';
const LIMIT = 1024 * 1024;

// --- the app under test ----------------------------------------------------------------------------

/** Records which deliveries reached a handler (none may, in the matrix). */
@Injectable()
class Calls implements WebhookHandler {
  readonly handled: string[] = [];

  handle(event: VerifiedWebhook) {
    this.handled.push(`${event.endpoint}:${event.id}`);
    return { handled: event.id };
  }
}

/** An endpoint whose deliveries are Standard Webhooks and whose URL check is `challenge`. */
const withChallenge = (
  provider: string,
  challenge: WebhookEndpointDefinition['challenge'],
  extra: Partial<WebhookEndpointDefinition> = {},
): WebhookEndpointDefinition => ({
  provider,
  schemes: [standardWebhooksProvider.scheme()],
  secrets: [SECRETS.challenges],
  challenge,
  ...extra,
});

const endpoints = (): Record<string, WebhookEndpointDefinition> => ({
  billing: standardWebhooks({ secret: SECRETS.billing }),
  other: standardWebhooks({ secret: SECRETS.other }),
  legacy: svix({ secret: SECRETS.legacy }),
  meta: meta({ appSecret: SECRETS.meta, verifyToken: VERIFY_TOKEN }),
  slack: slack({ signingSecret: SECRETS.slack }),
  github: github({ secret: SECRETS.github }),
  stripe: stripe({ secret: SECRETS.stripe }),
  zoom: zoom({ secretToken: SECRETS.zoom }),
  twitch: twitch({ secret: SECRETS.twitch }),
  shopify: shopify({ secret: SECRETS.shopify }),
  strava: strava({ token: SECRETS.strava, verifyToken: VERIFY_TOKEN, subscriptionId: 42 }),
  dropbox: withChallenge('dropbox', dropboxChallenge()),
  // Asana hands over the signing secret in its handshake; this endpoint already has one, so a
  // handshake is a forged attempt to replace it.
  asana: withChallenge('asana', asanaChallenge()),
  okta: withChallenge('okta', oktaChallenge()),
  msgraph: {
    provider: 'ms-graph',
    schemes: [msGraphProvider.scheme()],
    secrets: [GRAPH_STATE],
    challenge: msGraphChallenge(),
  },
  basic: basicAuthEndpoint({ provider: 'basic', secret: BASIC_CREDENTIALS }),
  partner: { provider: 'partner', schemes: [apiKey({ header: 'x-partner-key' })], secrets: [PARTNER_KEY] },
  twitter: withChallenge('twitter', twitterChallenge()),
  smartsheet: withChallenge('smartsheet', smartsheetChallenge()),
  adobesign: withChallenge('adobe-sign', adobeSignChallenge()),
  trello: withChallenge('trello', trelloChallenge()),
});

const HooksController = webhookRoutesController('hooks', Calls, [
  { method: 'POST', endpoint: 'billing', status: 202 },
  { method: 'POST', endpoint: 'other', status: 202 },
  { method: 'POST', endpoint: 'legacy', status: 202 },
  { method: 'GET', endpoint: 'meta', challenge: true },
  { method: 'POST', endpoint: 'meta', status: 202 },
  { method: 'POST', endpoint: 'slack', challenge: true },
  { method: 'POST', endpoint: 'github' },
  { method: 'POST', endpoint: 'stripe' },
  { method: 'POST', endpoint: 'zoom', challenge: true },
  { method: 'POST', endpoint: 'twitch', challenge: true },
  { method: 'POST', endpoint: 'strava' },
  { method: 'POST', endpoint: 'shopify' },
  { method: 'GET', endpoint: 'dropbox', challenge: true },
  { method: 'POST', endpoint: 'asana', challenge: true },
  { method: 'GET', endpoint: 'okta', challenge: true },
  { method: 'POST', endpoint: 'msgraph', challenge: true },
  { method: 'POST', endpoint: 'basic', status: 202 },
  { method: 'POST', endpoint: 'partner', status: 202 },
  { method: 'GET', endpoint: 'twitter', challenge: true },
  { method: 'POST', endpoint: 'smartsheet', challenge: true },
  { method: 'GET', endpoint: 'adobesign', challenge: true },
  { method: 'HEAD', endpoint: 'trello', challenge: true },
]);

@Module({ providers: [Calls], exports: [Calls] })
class CallsModule {}

/** Every line any logger was asked to write, and every write to stdout and stderr. */
const logLines: string[] = [];
const capture =
  (level: string) =>
  (message: unknown, ...rest: unknown[]) =>
    void logLines.push(
      `[${level}] ${[message, ...rest].map((p) => (p instanceof Error ? p.stack : String(p))).join(' ')}`,
    );
const captureLogger: LoggerService = {
  log: capture('log'),
  error: capture('error'),
  warn: capture('warn'),
  debug: capture('debug'),
  verbose: capture('verbose'),
  fatal: capture('fatal'),
};
const outputWrites: string[] = [];

interface Running {
  app: INestApplication;
  port: number;
  db: TestDatabase;
  calls: Calls;
}

async function startMatrixApp(adapter: AdapterName): Promise<Running> {
  const db = await createTestDatabase(`bad_input_${adapter}`);
  const moduleRef = await Test.createTestingModule({
    imports: [
      CallsModule,
      migratedDataSource(db.url),
      WebhookModule.forRootAsync({
        storage: { type: 'typeorm' },
        admin: true,
        useFactory: () => ({
          encryptionKey: MASTER_KEY.toString('base64'),
          endpoints: endpoints(),
          admin: { token: ADMIN_TOKEN },
          // Every rejection gets its own row, so the leak check sees all of them.
          eventLog: { rejectedPerSecond: 10_000, floodBytesPerSecond: 1e12 },
        }),
      }),
    ],
    controllers: [HooksController],
  }).compile();
  const app = moduleRef.createNestApplication(adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(), {
    rawBody: true,
    logger: captureLogger,
  });
  useWebhookBodyParsers(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, port, db, calls: app.get(Calls) };
}

// --- raw HTTP ------------------------------------------------------------------------------------------

type HeaderValue = string | Buffer;
interface RawRequest {
  method: string;
  /** The request target, sent as is (Buffer for raw bytes). */
  path: string | Buffer;
  headers?: Array<[string, HeaderValue]>;
  body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked in 64 KiB chunks instead of Content-Length. */
  chunked?: boolean;
  /**
   * Half-close the connection after writing (the server then sees the request end early). Off by
   * default: Node's server aborts a request whose client half-closes before it is answered.
   */
  endAfterWrite?: boolean;
}
interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

/** One request on its own connection (`Connection: close`); resolves with the parsed answer. */
function rawRequest(port: number, request: RawRequest): Promise<RawAnswer> {
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const lines: Buffer[] = [];
  {
    const line = (text: string | Buffer) =>
      lines.push(Buffer.concat([Buffer.from(text as never), Buffer.from('\r\n')]));
    line(
      Buffer.concat([Buffer.from(`${request.method} `), Buffer.from(request.path as never), Buffer.from(' HTTP/1.1')]),
    );
    line(`Host: 127.0.0.1:${port}`);
    line('Connection: close');
    for (const [name, value] of request.headers ?? [])
      line(Buffer.concat([Buffer.from(`${name}: `), Buffer.from(value as never)]));
    const declared = (request.headers ?? []).some(([name]) => /^(content-length|transfer-encoding)$/i.test(name));
    if (body && !declared) line(request.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`);
    line('');
    if (body && request.chunked) {
      for (let i = 0; i < body.length; i += 65_536) {
        const chunk = body.subarray(i, i + 65_536);
        lines.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
      }
      lines.push(Buffer.from('0\r\n\r\n'));
    } else if (body) lines.push(body);
  }
  return new Promise<RawAnswer>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      const data = Buffer.concat(received);
      const parsed = parseAnswer(data);
      if (parsed) {
        settled = true;
        resolve(parsed);
      } else if (error || socket.destroyed) {
        settled = true;
        reject(error ?? new Error(`the connection closed without an answer (${data.length} bytes)`));
      }
    };
    socket.setTimeout(15_000, () => socket.destroy(new Error('no answer within 15 s')));
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // The server may answer (413) and close before the whole body is written.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      ['EPIPE', 'ECONNRESET'].includes(error.code ?? '') ? undefined : finish(error),
    );
    socket.on('close', () => finish(new Error('closed')));
    socket.on('connect', () => {
      for (const part of lines) socket.write(part);
      if (request.endAfterWrite) socket.end();
    });
  });
}

/** Parses a complete HTTP/1.1 answer, or returns undefined while it is incomplete. */
function parseAnswer(data: Buffer): RawAnswer | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...headerLines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] = headers[name] ? `${headers[name]}, ${line.slice(colon + 1).trim()}` : line.slice(colon + 1).trim();
  }
  let body = data.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const parts: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const lineEnd = body.indexOf('\r\n', offset);
      if (lineEnd < 0) return undefined;
      const size = parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
      if (size === 0) break;
      parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined && body.length < Number(headers['content-length'])) {
    return undefined;
  }
  const text = body.toString('utf8');
  return { status, headers, text, json: parsedJson(text) };
}

// --- building deliveries -------------------------------------------------------------------------------

const now = () => Math.floor(Date.now() / 1000);
const newId = () => `msg_${randomBytes(9).toString('hex')}`;
const keyOf = (secret: string) => Buffer.from(secret.slice('whsec_'.length), 'base64');
/** A Standard Webhooks v1 signature for any timestamp text (also hostile ones), with node:crypto. */
const hmacV1 = (secret: string, id: string, timestamp: string, body: string | Buffer) =>
  'v1,' + createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64');
/** A delivery signed by the `standardwebhooks` package (at `at`, Unix seconds; now by default). */
const referenceSigned = (
  secret: string,
  body: string,
  options: { at?: number; prefix?: 'webhook' | 'svix' } = {},
): { headers: Headers; body: string } => {
  const at = new Date((options.at ?? now()) * 1000);
  const headers = standardWebhooksHeaders(secret, newId(), body, { at, prefix: options.prefix });
  return { headers: Object.entries(headers), body };
};

type Headers = Array<[string, HeaderValue]>;
interface DeliveryOptions {
  secret?: string;
  id?: string;
  timestamp?: string;
  body?: string | Buffer;
  prefix?: 'webhook' | 'svix';
  contentType?: string | null;
  signature?: HeaderValue;
}
/** A delivery to `billing` (unless told otherwise), validly signed unless the options change that. */
function delivery(options: DeliveryOptions = {}): { headers: Headers; body: string | Buffer } {
  const id = options.id ?? newId();
  const timestamp = options.timestamp ?? String(now());
  const body = options.body ?? '{"type":"invoice.paid","amount":4200}\n';
  const prefix = options.prefix ?? 'webhook';
  const signature = options.signature ?? hmacV1(options.secret ?? SECRETS.billing, id, timestamp, body);
  const headers: Headers = [
    [`${prefix}-id`, id],
    [`${prefix}-timestamp`, timestamp],
    [`${prefix}-signature`, signature],
  ];
  if (options.contentType !== null) headers.unshift(['content-type', options.contentType ?? 'application/json']);
  return { headers, body };
}
const without = (headers: Headers, name: string) => headers.filter(([n]) => n !== name);
const replaced = (headers: Headers, name: string, value: HeaderValue) =>
  headers.map(([n, v]): [string, HeaderValue] => (n === name ? [n, value] : [n, v]));
const post = (path: string, d: { headers: Headers; body: string | Buffer }): RawRequest => ({
  method: 'POST',
  path,
  headers: d.headers,
  body: d.body,
});
const toBilling = (d: { headers: Headers; body: string | Buffer }) => post('/hooks/billing', d);
/** A delivery of `body` to `billing` whose signature `sign` makes from its id and timestamp. */
const signedBy = (sign: (id: string, timestamp: string) => HeaderValue, body = '{}') => {
  const id = newId();
  const timestamp = String(now());
  return toBilling(delivery({ id, timestamp, body, signature: sign(id, timestamp) }));
};
/** A delivery to `billing` with its headers changed by `change` (a valid one unless `d` is given). */
const edited = (change: (headers: Headers) => Headers, d = delivery()) =>
  toBilling({ ...d, headers: change(d.headers) });
/** A well-formed `v1,…` entry that matches no secret. */
const wrongSignature = () => 'v1,' + randomBytes(32).toString('base64');
/** The right `v1,…` signature of the body `{}` for `billing`. */
const rightDigest = (id: string, timestamp: string) => hmacV1(SECRETS.billing, id, timestamp, '{}');
const utf8AsLatin1 = (text: string) => Buffer.from(text, 'utf8');

// --- the matrix ----------------------------------------------------------------------------------------

interface Case {
  group: string;
  name: string;
  request: () => RawRequest;
  /** The exact status (or one of them), when the case knows it. */
  status?: number | number[];
  /** The exact code, when the case knows it. */
  code?: string | RegExp;
}

/** The answer a case expects: this status and this code. */
const refused = (status: number, code: string) => ({ status, code });

const cases: Case[] = [];
const add = (group: string, list: Array<Omit<Case, 'group'>>) => cases.push(...list.map((c) => ({ group, ...c })));

add('Standard Webhooks headers', [
  {
    name: 'no webhook headers at all',
    request: () => post('/hooks/billing', { headers: [['content-type', 'application/json']], body: '{}' }),
    ...refused(400, 'missing_header'),
  },
  ...(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const).flatMap((header) => [
    { name: `${header} missing`, request: () => edited((h) => without(h, header)), ...refused(400, 'missing_header') },
    {
      name: `${header} empty`,
      request: () => edited((h) => replaced(h, header, '')),
      ...refused(400, 'missing_header'),
    },
    {
      name: `${header} only whitespace`,
      request: () => edited((h) => replaced(h, header, '   \t ')),
      ...refused(400, 'missing_header'),
    },
  ]),
  {
    name: 'webhook-id sent twice (same value)',
    request: () => edited((h) => [...h, h.find(([n]) => n === 'webhook-id')!]),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'webhook-timestamp sent twice',
    request: () => edited((h) => [...h, ['webhook-timestamp', String(now())]]),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'webhook-signature sent twice, both wrong',
    request: () =>
      edited((h) => [...h, ['webhook-signature', wrongSignature()]], delivery({ signature: wrongSignature() })),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'webhook-id of 257 characters',
    request: () => toBilling(delivery({ id: 'a'.repeat(257) })),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'webhook-id of 8 KiB',
    request: () => toBilling(delivery({ id: 'a'.repeat(8192) })),
    ...refused(400, 'invalid_header'),
  },
  {
    name: "webhook-id containing '.'",
    request: () => toBilling(delivery({ id: 'msg.1' })),
    ...refused(400, 'invalid_header'),
  },
  {
    name: "webhook-id containing ','",
    request: () => toBilling(delivery({ id: 'msg,1' })),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'webhook-id containing a space',
    request: () => toBilling(delivery({ id: 'msg 1' })),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'webhook-id of raw UTF-8 bytes',
    request: () => edited((h) => replaced(h, 'webhook-id', utf8AsLatin1('msg_é🙂'))),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'webhook-id with SQL, wrong signature',
    request: () => toBilling(delivery({ id: "x');DROP_TABLE_webhook_events;--", signature: wrongSignature() })),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'webhook-signature of 33 entries',
    request: () => toBilling(delivery({ signature: Array.from({ length: 33 }, wrongSignature).join(' ') })),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'webhook-signature of 32 wrong entries',
    request: () => toBilling(delivery({ signature: Array.from({ length: 32 }, wrongSignature).join(' ') })),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'webhook-signature of 12 KiB in one entry',
    request: () => toBilling(delivery({ signature: `v1,${'A'.repeat(12_288)}` })),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'svix-* headers sent to a webhook-* endpoint (valid svix signature)',
    request: () => toBilling(delivery({ prefix: 'svix' })),
    ...refused(400, 'missing_header'),
  },
  {
    name: 'webhook-* headers with a bad signature beside valid svix-* ones',
    request: () =>
      edited(
        (h) => [...h, ...delivery({ prefix: 'svix', body: '{}' }).headers.slice(1)],
        delivery({ signature: wrongSignature(), body: '{}' }),
      ),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'webhook-* headers sent to the svix endpoint',
    request: () => post('/hooks/legacy', delivery({ secret: SECRETS.legacy })),
    ...refused(400, 'missing_header'),
  },
]);

add('signatures', [
  {
    name: 'invalid base64 in the v1 entry',
    request: () => toBilling(delivery({ signature: 'v1,' + '!'.repeat(43) + '=' })),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'the right digest without base64 padding',
    request: () => signedBy((id, ts) => rightDigest(id, ts).replace(/=$/, '')),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'the right digest in base64url',
    request: () => {
      for (;;) {
        const id = newId();
        const ts = String(now());
        const sig = hmacV1(SECRETS.billing, id, ts, '{}');
        if (/[+/]/.test(sig.slice(3)))
          return toBilling(
            delivery({ id, timestamp: ts, body: '{}', signature: sig.replace(/\+/g, '-').replace(/\//g, '_') }),
          );
      }
    },
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'the right digest truncated to 40 characters',
    request: () => signedBy((id, ts) => rightDigest(id, ts).slice(0, 43)),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'the right digest with a character appended',
    request: () => signedBy((id, ts) => rightDigest(id, ts) + 'A'),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'the right digest in hex instead of base64',
    request: () =>
      signedBy((id, ts) => 'v1,' + createHmac('sha256', keyOf(SECRETS.billing)).update(`${id}.${ts}.{}`).digest('hex')),
    ...refused(401, 'no_matching_signature'),
  },
  ...(['v2,', 'V1,', 'v1a,', '', 'v1 ', 'v1;', 'v1=', 'v0,'] as const).map((prefix) => ({
    name: `the right digest under ${JSON.stringify(prefix)} instead of "v1,"`,
    request: () => signedBy((id, ts) => prefix + rightDigest(id, ts).slice(3)),
    ...refused(401, 'no_matching_signature'),
  })),
  {
    name: '"v1" alone',
    request: () => toBilling(delivery({ signature: 'v1' })),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: '"v1," with nothing after it',
    request: () => toBilling(delivery({ signature: 'v1,' })),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'a signature made with the secret of another endpoint',
    request: () => toBilling(delivery({ secret: SECRETS.other })),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: "a complete delivery for endpoint 'other' replayed to 'billing'",
    request: () => toBilling(referenceSigned(SECRETS.other, '{"to":"other"}')),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: "a valid svix delivery for 'legacy' relabelled as webhook-* for 'billing'",
    request: () =>
      edited(
        (h) => h.map(([n, v]): [string, HeaderValue] => [n.replace('svix-', 'webhook-'), v]),
        delivery({ prefix: 'svix', secret: SECRETS.legacy }),
      ),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'a signature keyed with the base64 text of the secret (not decoded)',
    request: () =>
      signedBy(
        (id, ts) => 'v1,' + createHmac('sha256', SECRETS.billing.slice(6)).update(`${id}.${ts}.{}`).digest('base64'),
      ),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'a signature keyed with the whole "whsec_…" string',
    request: () =>
      signedBy((id, ts) => 'v1,' + createHmac('sha256', SECRETS.billing).update(`${id}.${ts}.{}`).digest('base64')),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'a signature over the body alone',
    request: () =>
      toBilling(
        delivery({
          body: '{}',
          signature: 'v1,' + createHmac('sha256', keyOf(SECRETS.billing)).update('{}').digest('base64'),
        }),
      ),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'a signature over the re-serialized JSON, not the bytes sent',
    request: () => signedBy((id, ts) => hmacV1(SECRETS.billing, id, ts, '{"type":"x"}'), '{ "type" : "x" }'),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'a valid signature, the body cut by its last byte',
    request: () => {
      const d = delivery();
      return toBilling({ ...d, body: (d.body as string).slice(0, -1) });
    },
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'a valid signature, one byte of the body changed',
    request: () => {
      const d = delivery();
      return toBilling({ ...d, body: (d.body as string).replace('4200', '4201') });
    },
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'a valid signature, a newline appended to the body',
    request: () => {
      const d = delivery();
      return toBilling({ ...d, body: `${d.body}\n` });
    },
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'a valid signature, another webhook-id',
    request: () => edited((h) => replaced(h, 'webhook-id', newId())),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'a valid signature, the timestamp one second later',
    request: () =>
      edited((h) => replaced(h, 'webhook-timestamp', String(now() + 1)), delivery({ timestamp: String(now()) })),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'a signature with a Cyrillic "v" in "v1"',
    request: () => signedBy((id, ts) => Buffer.concat([utf8AsLatin1('в'), Buffer.from(rightDigest(id, ts).slice(1))])),
    ...refused(401, 'no_matching_signature'),
  },
]);

add('timestamps', [
  ...(
    [
      ['negative', '-1'],
      ['negative, of the right size', `-${now()}`],
      ['negative zero', '-0'],
      ['fractional', `${now()}.5`],
      ['with ".0"', `${now()}.0`],
      ['in exponent notation', '1.7e9'],
      ['in hex', '0x6553F100'],
      ['with a plus sign', `+${now()}`],
      ['in milliseconds (13 digits)', String(Date.now())],
      ['of 400 digits', '9'.repeat(400)],
      ['with a suffix', `${now()}abc`],
      ['with a space inside', `${String(now()).slice(0, 4)} ${String(now()).slice(4)}`],
      ['"NaN"', 'NaN'],
      ['"Infinity"', 'Infinity'],
      ['as an ISO date', new Date().toISOString()],
      ['in full-width digits', String(now()).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
      ['in Arabic-Indic digits', String(now()).replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)))],
    ] as const
  ).map(([what, value]) => ({
    name: `a timestamp ${what}, signed over that text`,
    request: () => {
      const id = newId();
      const d = delivery({ id, body: '{}', signature: hmacV1(SECRETS.billing, id, value, '{}') });
      return toBilling({ ...d, headers: replaced(d.headers, 'webhook-timestamp', utf8AsLatin1(value)) });
    },
    ...refused(400, 'invalid_header'),
  })),
  {
    name: 'a timestamp of 12 nines (year 33658), validly signed',
    request: () => {
      const id = newId();
      return toBilling(delivery({ id, timestamp: '999999999999', body: '{}' }));
    },
    ...refused(401, 'timestamp_too_new'),
  },
  {
    name: 'timestamp 0, validly signed',
    request: () => toBilling(delivery({ timestamp: '0' })),
    ...refused(401, 'timestamp_too_old'),
  },
  {
    name: 'a timestamp 301 s old, signed by standardwebhooks',
    request: () => toBilling(referenceSigned(SECRETS.billing, '{}', { at: now() - 301 })),
    ...refused(401, 'timestamp_too_old'),
  },
  {
    name: 'a timestamp 301 s ahead, signed by standardwebhooks',
    // Whole seconds rounded up: with now()'s floor, up to a second of the 301 was already gone when sent.
    request: () => toBilling(referenceSigned(SECRETS.billing, '{}', { at: Math.ceil(Date.now() / 1000) + 301 })),
    ...refused(401, 'timestamp_too_new'),
  },
  {
    name: 'a timestamp a day old, validly signed',
    request: () => toBilling(delivery({ timestamp: String(now() - 86_400) })),
    ...refused(401, 'timestamp_too_old'),
  },
]);

const bigJson = (bytes: number) => `{"pad":"${'x'.repeat(bytes - 10)}"}`;
add('bodies', [
  {
    name: 'JSON of 1 MiB + 1 byte',
    request: () => toBilling(delivery({ body: bigJson(LIMIT + 1) })),
    ...refused(413, 'payload_too_large'),
  },
  {
    name: 'JSON of 4 MiB',
    request: () => toBilling(delivery({ body: bigJson(4 * LIMIT) })),
    ...refused(413, 'payload_too_large'),
  },
  {
    name: 'octet-stream of 1 MiB + 1 byte',
    request: () => toBilling(delivery({ body: Buffer.alloc(LIMIT + 1, 7), contentType: 'application/octet-stream' })),
    ...refused(413, 'payload_too_large'),
  },
  {
    name: 'text/plain of 2 MiB',
    request: () => toBilling(delivery({ body: 'a'.repeat(2 * LIMIT), contentType: 'text/plain' })),
    ...refused(413, 'payload_too_large'),
  },
  {
    name: 'a form of 2 MiB',
    request: () =>
      toBilling(delivery({ body: `a=${'b'.repeat(2 * LIMIT)}`, contentType: 'application/x-www-form-urlencoded' })),
    ...refused(413, 'payload_too_large'),
  },
  {
    name: 'chunked JSON growing past 1 MiB',
    request: () => ({ ...toBilling(delivery({ body: bigJson(LIMIT + 65_536) })), chunked: true }),
    ...refused(413, 'payload_too_large'),
  },
  {
    name: 'truncated JSON',
    request: () => toBilling(delivery({ body: '{"type":"invoice.paid","amount":' })),
    ...refused(400, 'invalid_body'),
  },
  {
    name: 'JSON followed by garbage',
    request: () => toBilling(delivery({ body: '{"a":1}xyz' })),
    ...refused(400, 'invalid_body'),
  },
  {
    name: 'JSON of bytes that are not UTF-8, wrong signature',
    request: () =>
      toBilling(
        delivery({
          body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
          signature: wrongSignature(),
        }),
      ),
    code: /^(invalid_body|no_matching_signature)$/,
  },
  {
    name: 'JSON in UTF-16 with a byte-order mark',
    request: () =>
      toBilling(delivery({ body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}', 'utf16le')]) })),
    code: /invalid_body|unsupported_media_type|no_matching_signature/,
  },
  {
    name: 'an empty JSON body with a wrong signature',
    request: () => toBilling(delivery({ body: '', signature: wrongSignature() })),
  },
  {
    name: 'a prototype-poisoning JSON body, wrong signature',
    request: () =>
      toBilling(
        delivery({
          body: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
          signature: wrongSignature(),
        }),
      ),
  },
  {
    name: 'JSON nested 100,000 levels deep',
    request: () =>
      toBilling(
        delivery({
          body: '['.repeat(100_000) + ']'.repeat(100_000),
          signature: wrongSignature(),
        }),
      ),
  },
  {
    name: 'a JSON object of 40,000 keys, wrong signature',
    request: () =>
      toBilling(
        delivery({
          body: JSON.stringify(Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`k${i}`, i]))),
          signature: wrongSignature(),
        }),
      ),
    status: 401,
  },
  {
    name: 'a form of 5,000 fields, wrong signature',
    request: () =>
      toBilling(
        delivery({
          body: Array.from({ length: 5000 }, (_, i) => `f${i}=${i}`).join('&'),
          contentType: 'application/x-www-form-urlencoded',
          signature: wrongSignature(),
        }),
      ),
  },
  {
    name: 'non-UTF-8 text, wrong signature',
    request: () =>
      toBilling(
        delivery({
          body: Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff]),
          contentType: 'text/plain; charset=utf-8',
          signature: wrongSignature(),
        }),
      ),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'binary octet-stream, signed for other bytes',
    request: () => {
      const d = delivery({ body: Buffer.from([1, 2, 3]), contentType: 'application/octet-stream' });
      return toBilling({ ...d, body: Buffer.from([1, 2, 4]) });
    },
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'a body shorter than its Content-Length (the connection ends)',
    request: () => ({
      ...toBilling(delivery({ body: '{"a":1}' })),
      headers: [...delivery({ body: '{"a":1}' }).headers, ['content-length', '64']],
      endAfterWrite: true,
    }),
    status: 400,
  },
]);

add('content types', [
  { name: 'no Content-Type, body signed', request: () => toBilling(delivery({ contentType: null })) },
  { name: 'application/xml', request: () => toBilling(delivery({ body: '<a>1</a>', contentType: 'application/xml' })) },
  {
    name: 'multipart/form-data',
    request: () =>
      toBilling(
        delivery({
          body: '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n',
          contentType: 'multipart/form-data; boundary=b',
        }),
      ),
  },
  {
    name: 'application/json; charset=utf-16, wrong signature',
    request: () =>
      toBilling(
        delivery({
          contentType: 'application/json; charset=utf-16',
          signature: wrongSignature(),
        }),
      ),
  },
  {
    name: 'application/json; charset=latin9, wrong signature',
    request: () =>
      toBilling(
        delivery({
          contentType: 'application/json; charset=latin9',
          signature: wrongSignature(),
        }),
      ),
  },
  {
    name: 'a Content-Type of ";;;", wrong signature',
    request: () => toBilling(delivery({ contentType: ';;;', signature: wrongSignature() })),
  },
  {
    name: 'a Content-Type with a 2 KiB parameter',
    request: () =>
      toBilling(
        delivery({
          contentType: `application/json; x=${'y'.repeat(2048)}`,
          signature: wrongSignature(),
        }),
      ),
  },
  {
    name: 'Content-Type "application/json, text/plain"',
    request: () =>
      toBilling(
        delivery({
          contentType: 'application/json, text/plain',
          signature: wrongSignature(),
        }),
      ),
  },
  {
    name: 'text/html with markup, wrong signature',
    request: () =>
      toBilling(
        delivery({
          body: '<script>alert(1)</script>',
          contentType: 'text/html',
          signature: wrongSignature(),
        }),
      ),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'Content-Encoding: gzip over a body that is not gzip, wrong signature',
    request: () => edited((h) => [...h, ['content-encoding', 'gzip']], delivery({ signature: wrongSignature() })),
  },
  {
    name: 'Content-Encoding: x-unknown, wrong signature',
    request: () => edited((h) => [...h, ['content-encoding', 'x-unknown']], delivery({ signature: wrongSignature() })),
  },
]);

add('HTTP framing', [
  {
    name: 'a header block over 16 KiB',
    request: () => edited((h) => [...h, ['x-padding', 'p'.repeat(20_000)]]),
    status: 431,
  },
  {
    name: 'a NUL byte in a header value',
    request: () => edited((h) => replaced(h, 'webhook-id', Buffer.from('msg\0x'))),
    status: 400,
  },
  {
    name: 'a bare CR in a header value',
    request: () => edited((h) => replaced(h, 'webhook-id', 'msg\rx')),
    status: 400,
  },
  {
    name: 'an obsolete folded header line',
    request: () => edited((h) => replaced(h, 'webhook-id', 'msg\r\n folded')),
    status: 400,
  },
  {
    name: 'Content-Length and Transfer-Encoding together (smuggling)',
    request: () => edited((h) => [...h, ['content-length', '5'], ['transfer-encoding', 'chunked']]),
    status: 400,
  },
  {
    name: 'two different Content-Length headers',
    request: () => edited((h) => [...h, ['content-length', '2'], ['content-length', '3']], delivery({ body: '{}' })),
    status: 400,
  },
  {
    name: 'a non-numeric Content-Length',
    request: () => edited((h) => [...h, ['content-length', 'abc']], delivery({ body: '{}' })),
    status: 400,
  },
  { name: 'a header name with a space', request: () => edited((h) => [...h, ['bad name', 'x']]), status: 400 },
]);

const metaQuery = (challenge: string, verifyToken = VERIFY_TOKEN, mode = 'subscribe') =>
  `/hooks/meta?hub.mode=${mode}&hub.verify_token=${encodeURIComponent(verifyToken)}&hub.challenge=${challenge}`;
const hostileTokens: Array<[string, string]> = [
  ['markup', encodeURIComponent('<script>alert(1)</script>')],
  ['a CR LF header-injection attempt', encodeURIComponent('ok\r\nSet-Cookie: session=stolen')],
  ['a newline', encodeURIComponent('line1\nline2')],
  ['a double quote', encodeURIComponent('a"onload="x')],
  ['a NUL byte', '%00abc'],
  ['non-ASCII text', encodeURIComponent('tökén🙂')],
  ['257 characters', 'a'.repeat(257)],
  ['an empty value', ''],
];
// --- provider presets, signed per each provider's documented algorithm (node:crypto) or its SDK -----

const hmacHex = (key: string, text: string | Buffer) => createHmac('sha256', key).update(text).digest('hex');
const hmacB64 = (key: string, text: string | Buffer) => createHmac('sha256', key).update(text).digest('base64');
const stripeSdk = new Stripe('sk_test_unused');
const json = (value: unknown) => JSON.stringify(value);
/** Slack and Zoom: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`. */
function v0(provider: 'slack' | 'zoom', body: string, options: { ts?: string; secret?: string } = {}): RawRequest {
  const ts = options.ts ?? String(now());
  const [sig, time] =
    provider === 'slack'
      ? ['x-slack-signature', 'x-slack-request-timestamp']
      : ['x-zm-signature', 'x-zm-request-timestamp'];
  const signature = `v0=${hmacHex(options.secret ?? SECRETS[provider], `v0:${ts}:${body}`)}`;
  return {
    method: 'POST',
    path: `/hooks/${provider}`,
    headers: [
      ['content-type', 'application/json'],
      [time, utf8AsLatin1(ts)],
      [sig, signature],
    ],
    body,
  };
}
/** Twitch EventSub: `sha256=` + hex HMAC-SHA256 of id + RFC 3339 timestamp + body. */
function twitchRequest(
  body: string,
  options: { type?: string; ts?: string; id?: string; secret?: string } = {},
): RawRequest {
  const id = options.id ?? newId();
  const ts = options.ts ?? new Date().toISOString();
  return {
    method: 'POST',
    path: '/hooks/twitch',
    headers: [
      ['content-type', 'application/json'],
      ['twitch-eventsub-message-id', id],
      ['twitch-eventsub-message-timestamp', ts],
      ['twitch-eventsub-message-type', options.type ?? 'notification'],
      ['twitch-eventsub-message-signature', `sha256=${hmacHex(options.secret ?? SECRETS.twitch, id + ts + body)}`],
    ],
    body,
  };
}
const githubRequest = (body: string, headers: Headers): RawRequest => ({
  method: 'POST',
  path: '/hooks/github',
  headers: [['content-type', 'application/json'], ['x-github-delivery', randomBytes(16).toString('hex')], ...headers],
  body,
});
const stripeRequest = (body: string, signature: string): RawRequest => ({
  method: 'POST',
  path: '/hooks/stripe',
  headers: [
    ['content-type', 'application/json'],
    ['stripe-signature', signature],
  ],
  body,
});
const shopifyRequest = (body: string, signature: string): RawRequest => ({
  method: 'POST',
  path: '/hooks/shopify',
  headers: [
    ['content-type', 'application/json'],
    ['x-shopify-webhook-id', newId()],
    ['x-shopify-hmac-sha256', signature],
  ],
  body,
});
const metaPost = (body: string, headers: Headers): RawRequest => ({
  method: 'POST',
  path: '/hooks/meta',
  headers: [['content-type', 'application/json'], ...headers],
  body,
});
const urlVerification = (challenge: unknown) => json({ token: 'x', challenge, type: 'url_verification' });
const zoomCrc = (plainToken: unknown) =>
  json({ payload: { plainToken }, event_ts: Date.now(), event: 'endpoint.url_validation' });
const twitchVerification = (challenge: unknown) =>
  json({ challenge, subscription: { id: 's', type: 'channel.follow' } });
const slackEvent = json({ type: 'event_callback', event_id: 'Ev1', event: { type: 'message' } });
const githubBody = json({ action: 'opened', number: 1 });

add('provider presets', [
  {
    name: 'Slack: no X-Slack-Signature',
    request: () =>
      ((r) => ({ ...r, headers: r.headers!.filter(([n]) => n !== 'x-slack-signature') }))(v0('slack', slackEvent)),
    ...refused(400, 'missing_header'),
  },
  {
    name: 'Slack: no X-Slack-Request-Timestamp',
    request: () =>
      ((r) => ({ ...r, headers: r.headers!.filter(([n]) => n !== 'x-slack-request-timestamp') }))(
        v0('slack', slackEvent),
      ),
    ...refused(400, 'missing_header'),
  },
  {
    name: 'Slack: a signature of 63 hex digits',
    request: () =>
      ((r) => ({ ...r, headers: replaced(r.headers!, 'x-slack-signature', `v0=${'a'.repeat(63)}`) }))(
        v0('slack', slackEvent),
      ),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'Slack: a signature that is not hex',
    request: () =>
      ((r) => ({ ...r, headers: replaced(r.headers!, 'x-slack-signature', `v0=${'zz'.repeat(32)}`) }))(
        v0('slack', slackEvent),
      ),
    ...refused(400, 'invalid_header'),
  },
  {
    name: "Slack: signed with Zoom's secret (another endpoint)",
    request: () => v0('slack', slackEvent, { secret: SECRETS.zoom }),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'Slack: a timestamp 301 s old, validly signed',
    request: () => v0('slack', slackEvent, { ts: String(now() - 301) }),
    ...refused(401, 'timestamp_too_old'),
  },
  {
    name: 'Slack: a negative timestamp, signed over it',
    request: () => v0('slack', slackEvent, { ts: '-5' }),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'Slack: a fractional timestamp, signed over it',
    request: () => v0('slack', slackEvent, { ts: `${now()}.25` }),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'Slack: a timestamp in Devanagari digits, signed over it',
    request: () =>
      v0('slack', slackEvent, { ts: String(now()).replace(/\d/g, (d) => String.fromCharCode(0x0966 + Number(d))) }),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'Slack: url_verification with a markup challenge, validly signed',
    request: () => v0('slack', urlVerification('<script>alert(1)</script>')),
    ...refused(400, 'invalid_challenge'),
  },
  {
    name: 'Slack: url_verification with a CR LF challenge, validly signed',
    request: () => v0('slack', urlVerification('abc\r\nSet-Cookie: a=b')),
    ...refused(400, 'invalid_challenge'),
  },
  {
    name: 'Slack: url_verification with a 300-character challenge, validly signed',
    request: () => v0('slack', urlVerification('c'.repeat(300))),
    ...refused(400, 'invalid_challenge'),
  },
  {
    name: 'Slack: url_verification with an object as challenge, validly signed',
    request: () => v0('slack', urlVerification({ $gt: '' })),
    ...refused(400, 'invalid_challenge'),
  },
  {
    name: 'Slack: url_verification without a signature',
    request: () => ({
      method: 'POST',
      path: '/hooks/slack',
      headers: [['content-type', 'application/json']],
      body: urlVerification('abc'),
    }),
    ...refused(400, 'missing_header'),
  },
  {
    name: 'Slack: url_verification signed for another body',
    request: () => ({ ...v0('slack', urlVerification('other')), body: urlVerification('abc') }),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'GitHub: no X-Hub-Signature-256',
    request: () => githubRequest(githubBody, []),
    ...refused(400, 'missing_header'),
  },
  {
    name: 'GitHub: only the legacy SHA-1 X-Hub-Signature, valid (downgrade)',
    request: () =>
      githubRequest(githubBody, [
        ['x-hub-signature', `sha1=${createHmac('sha1', SECRETS.github).update(githubBody).digest('hex')}`],
      ]),
    ...refused(400, 'missing_header'),
  },
  {
    name: 'GitHub: a SHA-1 digest under sha1= in the SHA-256 header',
    request: () =>
      githubRequest(githubBody, [
        ['x-hub-signature-256', `sha1=${createHmac('sha1', SECRETS.github).update(githubBody).digest('hex')}`],
      ]),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'GitHub: the right digest without "sha256="',
    request: () => githubRequest(githubBody, [['x-hub-signature-256', hmacHex(SECRETS.github, githubBody)]]),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'GitHub: the right digest in base64',
    request: () =>
      githubRequest(githubBody, [['x-hub-signature-256', `sha256=${hmacB64(SECRETS.github, githubBody)}`]]),
    ...refused(400, 'invalid_header'),
  },
  {
    name: "GitHub: signed with Meta's app secret (same header, another endpoint)",
    request: () => githubRequest(githubBody, [['x-hub-signature-256', `sha256=${hmacHex(SECRETS.meta, githubBody)}`]]),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'GitHub: a valid signature, the body re-serialized',
    request: () => ({
      ...githubRequest(githubBody, [['x-hub-signature-256', `sha256=${hmacHex(SECRETS.github, githubBody)}`]]),
      body: JSON.stringify(JSON.parse(githubBody), null, 1),
    }),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'GitHub: the signature header sent twice',
    request: () =>
      githubRequest(githubBody, [
        ['x-hub-signature-256', `sha256=${hmacHex(SECRETS.github, githubBody)}`],
        ['x-hub-signature-256', `sha256=${hmacHex(SECRETS.github, githubBody)}`],
      ]),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'Stripe: no Stripe-Signature',
    request: () => ({
      method: 'POST',
      path: '/hooks/stripe',
      headers: [['content-type', 'application/json']],
      body: '{"id":"evt_1"}',
    }),
    ...refused(400, 'missing_header'),
  },
  {
    name: 'Stripe: "t=" only',
    request: () => stripeRequest('{"id":"evt_1"}', `t=${now()}`),
    status: 401,
    code: /no_matching_signature|invalid_header/,
  },
  {
    name: 'Stripe: a v0 (test-mode) signature only',
    request: () =>
      stripeRequest('{"id":"evt_1"}', `t=${now()},v0=${hmacHex(SECRETS.stripe, `${now()}.{"id":"evt_1"}`)}`),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'Stripe: signed by the stripe SDK 301 s ago',
    request: () =>
      stripeRequest(
        '{"id":"evt_1"}',
        stripeSdk.webhooks.generateTestHeaderString({
          payload: '{"id":"evt_1"}',
          secret: SECRETS.stripe,
          timestamp: now() - 301,
        }),
      ),
    ...refused(401, 'timestamp_too_old'),
  },
  {
    name: 'Stripe: signed by the stripe SDK with another secret',
    request: () =>
      stripeRequest(
        '{"id":"evt_1"}',
        stripeSdk.webhooks.generateTestHeaderString({ payload: '{"id":"evt_1"}', secret: whsec() }),
      ),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'Stripe: a timestamp that is not digits',
    request: () => stripeRequest('{"id":"evt_1"}', `t=1e9,v1=${'a'.repeat(64)}`),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'Stripe: a header of 40 v1 entries',
    request: () =>
      stripeRequest(
        '{"id":"evt_1"}',
        `t=${now()},${Array.from({ length: 40 }, () => `v1=${randomBytes(32).toString('hex')}`).join(',')}`,
      ),
    status: /* either refused as malformed or unmatched */ [400, 401],
  },
  {
    name: 'Zoom: CRC with a markup plainToken, validly signed',
    request: () => v0('zoom', zoomCrc('<img src=x onerror=alert(1)>')),
    ...refused(400, 'invalid_challenge'),
  },
  {
    name: 'Zoom: CRC with a CR LF plainToken, validly signed',
    request: () => v0('zoom', zoomCrc('a\r\nb')),
    ...refused(400, 'invalid_challenge'),
  },
  {
    name: 'Zoom: CRC with a 300-character plainToken, validly signed',
    request: () => v0('zoom', zoomCrc('p'.repeat(300))),
    ...refused(400, 'invalid_challenge'),
  },
  {
    name: 'Zoom: CRC without a signature',
    request: () => ({
      method: 'POST',
      path: '/hooks/zoom',
      headers: [['content-type', 'application/json']],
      body: zoomCrc('abc'),
    }),
    ...refused(400, 'missing_header'),
  },
  {
    name: 'Zoom: a delivery signed 301 s ago',
    request: () => v0('zoom', '{"event":"meeting.started"}', { ts: String(now() - 301) }),
    ...refused(401, 'timestamp_too_old'),
  },
  {
    name: 'Twitch: a verification challenge with markup, validly signed',
    request: () =>
      twitchRequest(twitchVerification('<svg onload=alert(1)>'), { type: 'webhook_callback_verification' }),
    ...refused(400, 'invalid_challenge'),
  },
  {
    name: 'Twitch: a verification challenge with a newline, validly signed',
    request: () => twitchRequest(twitchVerification('a\nb'), { type: 'webhook_callback_verification' }),
    ...refused(400, 'invalid_challenge'),
  },
  {
    name: 'Twitch: a Unix timestamp instead of RFC 3339, signed over it',
    request: () => twitchRequest('{"event":{}}', { ts: String(now()) }),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'Twitch: a timestamp 11 minutes old, validly signed',
    request: () => twitchRequest('{"event":{}}', { ts: new Date(Date.now() - 660_000).toISOString() }),
    ...refused(401, 'timestamp_too_old'),
  },
  {
    name: 'Twitch: no message id',
    request: () =>
      ((r) => ({ ...r, headers: r.headers!.filter(([n]) => n !== 'twitch-eventsub-message-id') }))(
        twitchRequest('{"event":{}}'),
      ),
    ...refused(400, 'missing_header'),
  },
  {
    name: 'Twitch: a verification signed with another secret',
    request: () =>
      twitchRequest(twitchVerification('abc'), { type: 'webhook_callback_verification', secret: SECRETS.github }),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'Shopify: a base64 digest of the wrong length',
    request: () => shopifyRequest('{"id":1}', randomBytes(20).toString('base64')),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'Shopify: the right digest in hex',
    request: () => shopifyRequest('{"id":1}', hmacHex(SECRETS.shopify, '{"id":1}')),
    ...refused(400, 'invalid_header'),
  },
  {
    name: 'Shopify: a valid signature, another body',
    request: () => ({ ...shopifyRequest('{"id":1}', hmacB64(SECRETS.shopify, '{"id":1}')), body: '{"id":2}' }),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'Strava: no token',
    request: () => ({
      method: 'POST',
      path: '/hooks/strava',
      headers: [['content-type', 'application/json']],
      body: '{"subscription_id":42}',
    }),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'Strava: a wrong token',
    request: () => ({
      method: 'POST',
      path: `/hooks/strava?token=${randomBytes(24).toString('base64url')}`,
      headers: [['content-type', 'application/json']],
      body: '{"subscription_id":42}',
    }),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'Strava: the token sent twice (an array)',
    request: () => ({
      method: 'POST',
      path: `/hooks/strava?token=${SECRETS.strava}&token=${SECRETS.strava}`,
      headers: [['content-type', 'application/json']],
      body: '{"subscription_id":42}',
    }),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'Strava: the right token for another subscription',
    request: () => ({
      method: 'POST',
      path: `/hooks/strava?token=${SECRETS.strava}`,
      headers: [['content-type', 'application/json']],
      body: '{"subscription_id":43}',
    }),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'Meta: a delivery with only the SHA-1 X-Hub-Signature (downgrade)',
    request: () =>
      metaPost('{"object":"page"}', [
        ['x-hub-signature', `sha1=${createHmac('sha1', SECRETS.meta).update('{"object":"page"}').digest('hex')}`],
      ]),
    ...refused(400, 'missing_header'),
  },
  {
    name: 'Meta: a delivery signed in base64',
    request: () =>
      metaPost('{"object":"page"}', [['x-hub-signature-256', `sha256=${hmacB64(SECRETS.meta, '{"object":"page"}')}`]]),
    ...refused(400, 'invalid_header'),
  },
]);

const graphBody = (states: unknown[]) =>
  JSON.stringify({
    value: states.map((clientState, i) => ({ subscriptionId: `sub-${i}`, clientState, changeType: 'created' })),
  });
const toGraph = (body: string | Buffer, contentType = 'application/json'): RawRequest => ({
  method: 'POST',
  path: '/hooks/msgraph',
  headers: [['content-type', contentType]],
  body,
});
const toPartner = (headers: Headers, body = '{"event":"x"}'): RawRequest => ({
  method: 'POST',
  path: '/hooks/partner',
  headers: [['content-type', 'application/json'], ...headers],
  body,
});
const basicAuth = (credentials: string | Buffer, scheme = 'Basic'): Headers => [
  [
    'authorization',
    Buffer.concat([Buffer.from(`${scheme} `), Buffer.from(Buffer.from(credentials).toString('base64'))]),
  ],
];
const toBasic = (headers: Headers): RawRequest => ({
  method: 'POST',
  path: '/hooks/basic',
  headers: [['content-type', 'application/json'], ...headers],
  body: '{"event":"x"}',
});
add('API key and body-secret endpoints', [
  { name: 'Basic auth: no Authorization header', request: () => toBasic([]), status: 401, code: 'bad_credentials' },
  {
    name: 'Basic auth: a wrong password',
    request: () => toBasic(basicAuth('hooks:wrong-password')),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'Basic auth: the right password for another user',
    request: () => toBasic(basicAuth(`admin:${BASIC_CREDENTIALS.split(':')[1]}`)),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'Basic auth: the credentials as a Bearer token',
    request: () => toBasic(basicAuth(BASIC_CREDENTIALS, 'Bearer')),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'Basic auth: credentials that are not base64',
    request: () => toBasic([['authorization', 'Basic !!!not-base64!!!']]),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'Basic auth: base64 of bytes that are not UTF-8',
    request: () => toBasic(basicAuth(Buffer.from([0x68, 0x3a, 0xff, 0xfe, 0xc3]))),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'Basic auth: credentials without a colon',
    request: () => toBasic(basicAuth(BASIC_CREDENTIALS.replace(':', ''))),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'Basic auth: credentials in the URL (user:password@)',
    request: () => ({ ...toBasic([]), path: `/hooks/basic?auth=${encodeURIComponent(BASIC_CREDENTIALS)}` }),
    ...refused(401, 'bad_credentials'),
  },
  { name: 'API key: no key header', request: () => toPartner([]), status: 401, code: 'bad_credentials' },
  {
    name: 'API key: an empty key',
    request: () => toPartner([['x-partner-key', '']]),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'API key: a wrong key',
    request: () => toPartner([['x-partner-key', `pk_${randomBytes(24).toString('base64url')}`]]),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'API key: the key without its last character',
    request: () => toPartner([['x-partner-key', PARTNER_KEY.slice(0, -1)]]),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'API key: the key with a character appended',
    request: () => toPartner([['x-partner-key', `${PARTNER_KEY}=`]]),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'API key: the key sent twice (joined by Node)',
    request: () =>
      toPartner([
        ['x-partner-key', PARTNER_KEY],
        ['x-partner-key', PARTNER_KEY],
      ]),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'API key: a key of 12 KiB',
    request: () => toPartner([['x-partner-key', 'k'.repeat(12_288)]]),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'API key: the key in the query string instead of the header',
    request: () => ({ ...toPartner([]), path: `/hooks/partner?x-partner-key=${PARTNER_KEY}` }),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'API key: the key as a Bearer token',
    request: () => toPartner([['authorization', `Bearer ${PARTNER_KEY}`]]),
    ...refused(401, 'bad_credentials'),
  },
  {
    name: 'MS Graph: a body without "value"',
    request: () => toGraph('{"notifications":[]}'),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'MS Graph: an empty batch',
    request: () => toGraph('{"value":[]}'),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'MS Graph: a wrong clientState',
    request: () => toGraph(graphBody(['cs_wrong'])),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'MS Graph: a forged notification riding with a genuine one',
    request: () => toGraph(graphBody([GRAPH_STATE, 'cs_forged'])),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'MS Graph: clientState as a number',
    request: () => toGraph(graphBody([12345])),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'MS Graph: clientState as an object',
    request: () => toGraph(graphBody([{ $eq: GRAPH_STATE }])),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'MS Graph: a clientState of 129 characters',
    request: () => toGraph(graphBody([GRAPH_STATE.padEnd(129, 'x')])),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'MS Graph: 1,001 notifications',
    request: () => toGraph(graphBody(Array.from({ length: 1001 }, () => GRAPH_STATE))),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'MS Graph: "value" as an object',
    request: () => toGraph('{"value":{"clientState":"cs_wrong"}}'),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'MS Graph: the batch as text/plain',
    request: () => toGraph(graphBody(['cs_wrong']), 'text/plain'),
    ...refused(401, 'no_matching_signature'),
  },
  {
    name: 'MS Graph: truncated JSON',
    request: () => toGraph('{"value":[{"clientState":'),
    ...refused(400, 'invalid_body'),
  },
]);

add('challenges', [
  ...hostileTokens.map(([what, token]) => ({
    name: `Meta: hub.challenge with ${what} (right verify token)`,
    request: () => ({ method: 'GET', path: metaQuery(token) }),
    ...refused(400, 'invalid_challenge'),
  })),
  {
    name: 'Meta: hub.challenge sent twice',
    request: () => ({ method: 'GET', path: `${metaQuery('a')}&hub.challenge=b` }),
    ...refused(400, 'invalid_challenge'),
  },
  {
    name: 'Meta: a wrong verify token with a markup challenge',
    request: () => ({ method: 'GET', path: metaQuery(encodeURIComponent('<b>x</b>'), 'wrong-token') }),
    ...refused(401, 'challenge_verification_failed'),
  },
  {
    name: 'Meta: no verify token',
    request: () => ({ method: 'GET', path: '/hooks/meta?hub.mode=subscribe&hub.challenge=abc' }),
    ...refused(401, 'challenge_verification_failed'),
  },
  {
    name: 'Meta: a verify token with a CR LF injection',
    request: () => ({ method: 'GET', path: metaQuery('abc', `${VERIFY_TOKEN}\r\nX-Evil: 1`) }),
    ...refused(401, 'challenge_verification_failed'),
  },
  {
    name: 'Meta: the verify token sent twice',
    request: () => ({ method: 'GET', path: `${metaQuery('abc')}&hub.verify_token=${VERIFY_TOKEN}` }),
    ...refused(401, 'challenge_verification_failed'),
  },
  {
    name: 'Meta: the verify token with a different case',
    request: () => ({ method: 'GET', path: metaQuery('abc', VERIFY_TOKEN.toUpperCase()) }),
    ...refused(401, 'challenge_verification_failed'),
  },
  {
    name: 'Meta: hub.mode other than subscribe is a delivery without headers',
    request: () => ({ method: 'GET', path: metaQuery('abc', VERIFY_TOKEN, 'unsubscribe') }),
    ...refused(400, 'missing_header'),
  },
  ...hostileTokens.map(([what, token]) => ({
    name: `Dropbox: challenge with ${what}`,
    request: () => ({ method: 'GET', path: `/hooks/dropbox?challenge=${token}` }),
    ...refused(400, 'invalid_challenge'),
  })),
  {
    name: 'Dropbox: challenge as an array (challenge[]=a)',
    request: () => ({ method: 'GET', path: '/hooks/dropbox?challenge[]=a&challenge[]=b' }),
    ...refused(400, 'invalid_challenge'),
  },
  ...hostileTokens.slice(0, 7).map(([what, token]) => ({
    name: `Microsoft Graph: validationToken with ${what}`,
    request: () => ({
      method: 'POST',
      path: `/hooks/msgraph?validationToken=${token === 'a'.repeat(257) ? 'a'.repeat(1025) : token}`,
    }),
    ...refused(400, 'invalid_challenge'),
  })),
  ...hostileTokens.map(([what, token]) => ({
    name: `X/Twitter CRC: crc_token with ${what}`,
    request: () => ({ method: 'GET', path: `/hooks/twitter?crc_token=${token}` }),
    ...refused(400, 'invalid_challenge'),
  })),
  ...(
    [
      ['markup', '<img src=x onerror=alert(1)>'],
      ['a double quote', 'a"b'],
      ['raw UTF-8 bytes', utf8AsLatin1('tökén')],
      ['300 characters', 'a'.repeat(300)],
    ] as Array<[string, HeaderValue]>
  ).flatMap(([what, value]) => [
    {
      name: `Okta: x-okta-verification-challenge with ${what}`,
      request: () => ({
        method: 'GET',
        path: '/hooks/okta',
        headers: [['x-okta-verification-challenge', value]] as Headers,
      }),
      ...refused(400, 'invalid_challenge'),
    },
    {
      name: `Smartsheet: Smartsheet-Hook-Challenge with ${what}`,
      request: () => ({
        method: 'POST',
        path: '/hooks/smartsheet',
        headers: [
          ['smartsheet-hook-challenge', value],
          ['content-type', 'application/json'],
        ] as Headers,
        body: '{}',
      }),
      ...refused(400, 'invalid_challenge'),
    },
    {
      name: `Adobe Sign: X-AdobeSign-ClientId with ${what}`,
      request: () => ({
        method: 'GET',
        path: '/hooks/adobesign',
        headers: [['x-adobesign-clientid', value]] as Headers,
      }),
      ...refused(400, 'invalid_challenge'),
    },
    {
      name: `Asana: X-Hook-Secret with ${what}`,
      request: () => ({
        method: 'POST',
        path: '/hooks/asana',
        headers: [
          ['x-hook-secret', value],
          ['content-type', 'application/json'],
        ] as Headers,
        body: '{}',
      }),
      ...refused(400, 'invalid_challenge'),
    },
  ]),
  {
    name: 'Asana: a forged handshake to replace the secret of an endpoint that has one',
    request: () => ({
      method: 'POST',
      path: '/hooks/asana',
      headers: [
        ['x-hook-secret', randomBytes(16).toString('hex')],
        ['content-type', 'application/json'],
      ] as Headers,
      body: '{}',
    }),
    ...refused(409, 'handshake_refused'),
  },
]);

// --- the admin API ---------------------------------------------------------------------------------------

const bearer = (token = ADMIN_TOKEN): Headers => [['authorization', `Bearer ${token}`]];
const admin = (method: string, path: string, extra: Partial<RawRequest> = {}): RawRequest => ({
  method,
  path: ADMIN + path,
  headers: [...bearer(), ...(extra.headers ?? [])],
  ...(extra.body !== undefined ? { body: extra.body } : {}),
});
/**
 * 404 with Hookwarden's code, or, on Fastify, 414 path_too_long: its router refuses a path
 * parameter over 100 characters before any controller runs.
 */
const unknownParam = (code: string) => ({
  status: [404, 414],
  code: new RegExp(`^(${code}|path_too_long)$`),
});
const rotate = (body: string | Buffer, contentType = 'application/json', endpoint = 'billing') =>
  admin('POST', `/endpoints/${endpoint}/secrets`, { headers: [['content-type', contentType]], body });

add('admin authentication', [
  {
    name: 'no Authorization header',
    request: () => ({ method: 'GET', path: `${ADMIN}/endpoints` }),
    ...refused(401, 'missing_admin_token'),
  },
  {
    name: 'an empty Authorization header',
    request: () => ({ method: 'GET', path: `${ADMIN}/endpoints`, headers: [['authorization', '']] }),
    ...refused(401, 'missing_admin_token'),
  },
  {
    name: '"Bearer" without a token',
    request: () => ({ method: 'GET', path: `${ADMIN}/endpoints`, headers: [['authorization', 'Bearer']] }),
    ...refused(401, 'malformed_admin_token'),
  },
  {
    name: 'a wrong token',
    request: () => ({
      method: 'GET',
      path: `${ADMIN}/endpoints`,
      headers: bearer(`adm_${randomBytes(24).toString('base64url')}`),
    }),
    ...refused(401, 'invalid_admin_token'),
  },
  {
    name: 'the token with one character more',
    request: () => ({ method: 'GET', path: `${ADMIN}/endpoints`, headers: bearer(`${ADMIN_TOKEN}x`) }),
    ...refused(401, 'invalid_admin_token'),
  },
  {
    name: 'the token without its last character',
    request: () => ({ method: 'GET', path: `${ADMIN}/endpoints`, headers: bearer(ADMIN_TOKEN.slice(0, -1)) }),
    ...refused(401, 'invalid_admin_token'),
  },
  {
    name: 'the token in upper case',
    request: () => ({ method: 'GET', path: `${ADMIN}/endpoints`, headers: bearer(ADMIN_TOKEN.toUpperCase()) }),
    ...refused(401, 'invalid_admin_token'),
  },
  {
    name: 'the token as Basic credentials',
    request: () => ({
      method: 'GET',
      path: `${ADMIN}/endpoints`,
      headers: [['authorization', `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`]],
    }),
    ...refused(401, 'malformed_admin_token'),
  },
  {
    name: 'the token in the query string',
    request: () => ({ method: 'GET', path: `${ADMIN}/endpoints?access_token=${ADMIN_TOKEN}` }),
    ...refused(401, 'missing_admin_token'),
  },
  {
    name: 'a wrong token first, the right one second',
    request: () => ({
      method: 'GET',
      path: `${ADMIN}/endpoints`,
      headers: [...bearer('wrong-token-wrong-token'), ...bearer()],
    }),
    ...refused(401, 'invalid_admin_token'),
  },
  {
    name: 'a token of 600 characters',
    request: () => ({ method: 'GET', path: `${ADMIN}/endpoints`, headers: bearer('t'.repeat(600)) }),
    ...refused(401, 'malformed_admin_token'),
  },
  {
    name: 'a token with raw non-ASCII bytes',
    request: () => ({
      method: 'GET',
      path: `${ADMIN}/endpoints`,
      headers: [['authorization', Buffer.concat([Buffer.from('Bearer '), utf8AsLatin1('tökén-tökén-tökén')])]],
    }),
    ...refused(401, 'malformed_admin_token'),
  },
  {
    name: 'a tab between "Bearer" and the token',
    request: () => ({
      method: 'GET',
      path: `${ADMIN}/endpoints`,
      headers: [['authorization', `Bearer\t${ADMIN_TOKEN}`]],
    }),
    ...refused(401, 'malformed_admin_token'),
  },
  {
    name: 'a rotation without a token',
    request: () => ({
      method: 'POST',
      path: `${ADMIN}/endpoints/billing/secrets`,
      headers: [['content-type', 'application/json']],
      body: '{}',
    }),
    ...refused(401, 'missing_admin_token'),
  },
  {
    name: 'a revocation with a wrong token',
    request: () => ({
      method: 'DELETE',
      path: `${ADMIN}/endpoints/billing/secrets/1`,
      headers: bearer('wrong-token-wrong-token'),
    }),
    ...refused(401, 'invalid_admin_token'),
  },
  {
    name: 'the event log with a wrong token',
    request: () => ({ method: 'GET', path: `${ADMIN}/events`, headers: bearer('wrong-token-wrong-token') }),
    ...refused(401, 'invalid_admin_token'),
  },
  {
    name: 'one event with no token',
    request: () => ({ method: 'GET', path: `${ADMIN}/events/1` }),
    ...refused(401, 'missing_admin_token'),
  },
]);

add('admin paths', [
  ...(
    [
      ['unknown', 'unknown'],
      ['SQL', encodeURIComponent("billing';DROP TABLE webhook_events;--")],
      ['an encoded ../ traversal', '..%2F..%2Fetc%2Fpasswd'],
      ['a NUL byte', 'billing%00'],
      ['a right-to-left override', '%E2%80%AEgnillib'],
      ['8 KiB', 'b'.repeat(8192)],
      ['the name of a named secret key', 'meta.verify-token'],
      ['different case', 'BILLING'],
      ['a trailing space', 'billing%20'],
    ] as const
  ).flatMap(([what, name]) => {
    // A NUL is refused by the admin pipe before any store is asked (no text column can hold one).
    const expected = name.includes('%00') ? refused(400, 'validation_failed') : unknownParam('unknown_endpoint');
    return [
      {
        name: `listing secrets of an endpoint named with ${what}`,
        request: () => admin('GET', `/endpoints/${name}/secrets`),
        ...expected,
      },
      {
        name: `rotating the secret of an endpoint named with ${what}`,
        request: () => rotate(`{"secret":"${whsec()}"}`, 'application/json', name),
        ...expected,
      },
    ];
  }),
  { name: 'an endpoint name with malformed percent-encoding', request: () => admin('GET', '/endpoints/%ZZ/secrets') },
  ...['0', '-1', '1.5', '99999999999', '1%20OR%201=1', 'abc', '1e3', '%2e%2e'].map((version) => ({
    name: `revoking secret version ${decodeURIComponent(version)}`,
    request: () => admin('DELETE', `/endpoints/billing/secrets/${version}`),
    ...refused(404, 'unknown_version'),
  })),
  ...[
    'abc',
    '-1',
    '99999999999999999999',
    "1'%20OR%20'1'='1",
    '1;DROP%20TABLE%20webhook_events',
    '..%2F..%2F',
    'a'.repeat(200),
  ].map((id) => ({
    name: `reading event ${decodeURIComponent(id).slice(0, 40)}`,
    request: () => admin('GET', `/events/${id}`),
    ...unknownParam('unknown_event'),
  })),
  {
    name: 'a secret name with a path traversal',
    request: () => admin('GET', '/endpoints/meta/secrets?name=..%2F..%2Fx'),
    ...refused(400, 'validation_failed'),
  },
  {
    name: 'a secret name the endpoint does not declare',
    request: () => admin('GET', '/endpoints/billing/secrets?name=verify-token'),
    ...refused(404, 'unknown_secret_name'),
  },
  {
    name: 'a secret name with SQL',
    request: () => admin('GET', `/endpoints/meta/secrets?name=${encodeURIComponent("x' OR '1'='1")}`),
    ...refused(400, 'validation_failed'),
  },
]);

add('admin queries', [
  ...(
    [
      ['endpoint with SQL', `endpoint=${encodeURIComponent("billing' OR '1'='1")}`],
      ['endpoint with a statement', `endpoint=${encodeURIComponent('billing;DROP TABLE webhook_events')}`],
      ['endpoint twice', 'endpoint=billing&endpoint=other'],
      ['endpoint as an array', 'endpoint[]=billing'],
      ['endpoint of 100 characters', `endpoint=${'a'.repeat(100)}`],
      ['status with SQL', `status=${encodeURIComponent("accepted' OR 1=1--")}`],
      ['status in upper case', 'status=ACCEPTED'],
      ['reason with a UNION', `reason=${encodeURIComponent("x' UNION SELECT ciphertext FROM webhook_secrets--")}`],
      ['since not a date', 'since=yesterday'],
      ['since with month 13', 'since=2024-13-45T00:00:00Z'],
      ['since in Unix seconds', 'since=1700000000'],
      ['until before since', 'since=2024-02-01T00:00:00Z&until=2024-01-01T00:00:00Z'],
      ['limit 0', 'limit=0'],
      ['limit -1', 'limit=-1'],
      ['limit 501', 'limit=501'],
      ['limit 1e9', 'limit=1e9'],
      ['limit "abc"', 'limit=abc'],
      ['limit 1.5', 'limit=1.5'],
      ['limit of 20 digits', 'limit=99999999999999999999'],
      ['limit twice', 'limit=5&limit=6'],
      ['an unknown parameter', 'drop=table'],
      ['a cursor of 600 characters', `cursor=${'a'.repeat(600)}`],
    ] as const
  ).map(([what, query]) => ({
    name: `listing events with ${what}`,
    request: () => admin('GET', `/events?${query}`),
    ...refused(400, 'validation_failed'),
  })),
  ...(
    [
      ['garbage', 'garbage'],
      ['SQL', encodeURIComponent("' OR 1=1--")],
      ['base64url of "v1.1 OR 1=1"', Buffer.from('v1.1 OR 1=1').toString('base64url')],
      ['base64url of an id past bigint', Buffer.from('v1.99999999999999999999').toString('base64url')],
      ['base64url of "v2.1"', Buffer.from('v2.1').toString('base64url')],
      ['padded base64 of a real shape', Buffer.from('v1.1').toString('base64')],
    ] as const
  ).map(([what, cursor]) => ({
    name: `listing events with a cursor of ${what}`,
    request: () => admin('GET', `/events?cursor=${cursor}`),
    status: 400,
    code: /invalid_cursor|validation_failed/,
  })),
]);

add('admin bodies', [
  { name: 'a rotation with malformed JSON', request: () => rotate('{"secret":'), status: 400, code: 'invalid_body' },
  { name: 'a rotation with a JSON array', request: () => rotate('[]'), status: 400 },
  { name: 'a rotation with JSON null', request: () => rotate('null'), status: 400 },
  {
    name: 'a rotation with a number as the secret',
    request: () => rotate('{"secret":123}'),
    ...refused(400, 'validation_failed'),
  },
  {
    name: 'a rotation with an empty secret',
    request: () => rotate('{"secret":""}'),
    ...refused(400, 'validation_failed'),
  },
  {
    name: 'a rotation with a secret that is not whsec_',
    request: () => rotate('{"secret":"not-a-webhook-secret"}'),
    ...refused(400, 'invalid_secret'),
  },
  {
    name: 'a rotation with a whsec_ of 8 bytes',
    request: () => rotate(`{"secret":"whsec_${randomBytes(8).toString('base64')}"}`),
    ...refused(400, 'invalid_secret'),
  },
  {
    name: 'a rotation with a secret of 5,000 characters',
    request: () => rotate(`{"secret":"${'s'.repeat(5000)}"}`),
    ...refused(400, 'validation_failed'),
  },
  {
    name: 'a rotation with a negative grace period',
    request: () => rotate('{"gracePeriodSeconds":-1}'),
    ...refused(400, 'validation_failed'),
  },
  {
    name: 'a rotation with a grace period of 1e12',
    request: () => rotate('{"gracePeriodSeconds":1e12}'),
    ...refused(400, 'validation_failed'),
  },
  {
    name: 'a rotation with a grace period as a string',
    request: () => rotate('{"gracePeriodSeconds":"60"}'),
    ...refused(400, 'validation_failed'),
  },
  {
    name: 'a rotation with a fractional grace period',
    request: () => rotate('{"gracePeriodSeconds":1.5}'),
    ...refused(400, 'validation_failed'),
  },
  {
    name: 'a rotation with an unknown field',
    request: () => rotate(`{"secret":"${whsec()}","admin":true}`),
    ...refused(400, 'validation_failed'),
  },
  {
    name: 'a rotation with a __proto__ field',
    request: () => rotate(`{"__proto__":{"secret":"${whsec()}"}}`),
    status: 400,
  },
  {
    name: 'a rotation sent as text/plain',
    request: () => rotate(`{"secret":"${whsec()}"}`, 'text/plain'),
    status: 400,
  },
  {
    name: 'a rotation of 2 MiB',
    request: () => rotate(`{"secret":"${'s'.repeat(2 * LIMIT)}"}`),
    ...refused(413, 'payload_too_large'),
  },
  {
    name: 'a rotation with a secret that holds a NUL',
    request: () => rotate('{"secret":"whsec_\\u0000abc"}'),
    status: 400,
  },
]);

// --- running it ------------------------------------------------------------------------------------------

cases.forEach((c, i) => Object.assign(c, { name: `#${String(i + 1).padStart(3, '0')} ${c.group}: ${c.name}` }));
const answers = new Map<AdapterName, Array<{ name: string; answer: RawAnswer }>>();

beforeAll(() => {
  Logger.overrideLogger(captureLogger);
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: never[]) => {
      outputWrites.push(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
      return original(chunk as never, ...rest);
    }) as never);
  }
});
afterAll(() => {
  jest.restoreAllMocks();
  Logger.overrideLogger(['log', 'error', 'warn']);
});

describe.each(ADAPTERS)(`bad-input matrix (${cases.length} cases) on %s`, (adapter) => {
  let running: Running;
  let secretRowsBefore: number;
  const seen: Array<{ name: string; answer: RawAnswer }> = [];
  /** Secrets the admin API generated in this run, and the 201 answers that returned them. */
  const generated: string[] = [];
  const generatedAnswers: string[] = [];

  beforeAll(async () => {
    running = await startMatrixApp(adapter);
    answers.set(adapter, seen);
    secretRowsBefore = await countSecretRows(running.db.url);
  });
  afterAll(async () => {
    await running?.app.close();
    await running?.db.drop();
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s → a 4xx with a code, no handler', async (_name, c) => {
    const handledBefore = running.calls.handled.length;
    const answer = await rawRequest(running.port, c.request());
    seen.push({ name: c.name, answer });
    const summary = { status: answer.status, code: answer.json?.code, body: answer.text.slice(0, 300) };
    expect(summary.status).toBeGreaterThanOrEqual(400);
    expect(summary.status).toBeLessThan(500);
    // On a status mismatch the diff shows the whole answer.
    if (c.status !== undefined && ![c.status].flat().includes(summary.status)) {
      expect(summary).toEqual({ ...summary, status: c.status });
    }
    expect(answer.headers['content-type'] ?? '').toMatch(/^application\/json/);
    expect(typeof summary.code === 'string' && summary.code.length > 0 ? 'a code' : summary).toBe('a code');
    if (c.code !== undefined)
      expect(summary.code).toMatch(c.code instanceof RegExp ? c.code : new RegExp(`^${c.code}$`));
    expect(running.calls.handled.slice(handledBefore)).toEqual([]);
  });

  it('took no admin action: no secret version was added or revoked, nothing was polluted', async () => {
    expect(await countSecretRows(running.db.url)).toBe(secretRowsBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(running.calls.handled).toEqual([]);
  });

  it('is healthy after the matrix: a valid delivery is handled, the admin API and a challenge answer', async () => {
    const d = delivery({ body: '{"after":"matrix"}' });
    const ok = await rawRequest(running.port, toBilling(d));
    expect([ok.status, ok.json?.handled]).toEqual([202, d.headers.find(([n]) => n === 'webhook-id')![1]]);
    const endpointsAnswer = await rawRequest(running.port, admin('GET', '/endpoints'));
    expect(endpointsAnswer.status).toBe(200);
    const challenge = await rawRequest(running.port, { method: 'GET', path: metaQuery('1158201444') });
    expect([challenge.status, challenge.text]).toEqual([200, '1158201444']);
    expect(challenge.headers['x-content-type-options']).toBe('nosniff');
    const head = await rawRequest(running.port, { method: 'HEAD', path: '/hooks/trello' });
    expect(head.status).toBe(200);
  });

  it('builds deliveries that are accepted unmutated, so that each mutation is what the matrix refuses', async () => {
    for (const request of [
      toBilling(delivery()),
      edited((h) => h),
      signedBy(rightDigest),
      toBilling(referenceSigned(SECRETS.billing, '{}')),
    ]) {
      expect((await rawRequest(running.port, request)).status).toBe(202);
    }
  });

  it('generates a Standard Webhooks secret in its provider format (whsec_ and 24–64 bytes of base64)', async () => {
    const answer = await rawRequest(running.port, rotate('{"gracePeriodSeconds":86400}', 'application/json', 'legacy'));
    expect(answer.status).toBe(201);
    generated.push(answer.json.secret);
    generatedAnswers.push(answer.text);
    expect(answer.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/);
  });

  it('leaks no secret, generated secret, verify token, master key or admin token into logs, answers or rows', async () => {
    // What a working installation does: accepted deliveries, challenges answered, two rotations (one
    // with a secret given, one generated), and an operator browsing every admin view.
    for (const [path, secret, prefix] of [
      ['/hooks/billing', SECRETS.billing, 'webhook'],
      ['/hooks/other', SECRETS.other, 'webhook'],
      ['/hooks/legacy', SECRETS.legacy, 'svix'],
    ] as const) {
      const body = JSON.stringify({ type: 'leak.check', path });
      const answer = await rawRequest(running.port, post(path, referenceSigned(secret, body, { prefix })));
      expect([path, answer.status]).toEqual([path, 202]);
    }
    const stravaEvent = await rawRequest(running.port, {
      method: 'POST',
      path: `/hooks/strava?token=${SECRETS.strava}`,
      headers: [['content-type', 'application/json']],
      body: '{"subscription_id":42,"object_type":"activity"}',
    });
    expect(stravaEvent.status).toBe(201);
    const basicAnswer = await rawRequest(running.port, toBasic(basicAuth(BASIC_CREDENTIALS)));
    expect(basicAnswer.status).toBe(202);
    const partner = await rawRequest(running.port, toPartner([['x-partner-key', PARTNER_KEY]]));
    expect([partner.status, partner.json?.handled]).toEqual([202, undefined]);
    const graph = await rawRequest(running.port, toGraph(graphBody([GRAPH_STATE])));
    expect(graph.status).toBe(201);
    for (const path of [metaQuery('9988776655'), '/hooks/dropbox?challenge=abc123', '/hooks/twitter?crc_token=xyz']) {
      expect((await rawRequest(running.port, { method: 'GET', path })).status).toBe(200);
    }
    const given = await rawRequest(running.port, rotate(JSON.stringify({ secret: SECRETS.rotated })));
    expect([given.status, given.json?.secret]).toEqual([201, undefined]);
    const made = await rawRequest(running.port, rotate('{}', 'application/json', 'other'));
    expect(made.status).toBe(201);
    generated.push(made.json.secret);
    generatedAnswers.push(made.text);
    const madeToken = await rawRequest(
      running.port,
      admin('POST', '/endpoints/meta/secrets?name=verify-token', {
        headers: [['content-type', 'application/json']],
        body: '{}',
      }),
    );
    expect(madeToken.status).toBe(201);
    generated.push(madeToken.json.secret);
    generatedAnswers.push(madeToken.text);
    // The new secrets work: a delivery signed with the generated one, a challenge with the new token.
    const withGenerated = await rawRequest(running.port, post('/hooks/other', referenceSigned(made.json.secret, '{}')));
    expect(withGenerated.status).toBe(202);
    const challengeWithGenerated = await rawRequest(running.port, {
      method: 'GET',
      path: metaQuery('4242', madeToken.json.secret),
    });
    expect([challengeWithGenerated.status, challengeWithGenerated.text]).toEqual([200, '4242']);

    // Every admin view an operator can open.
    const adminAnswers: string[] = [];
    const view = async (path: string) => {
      const answer = await rawRequest(running.port, admin('GET', path));
      expect([path, answer.status]).toEqual([path, 200]);
      adminAnswers.push(answer.text);
      return answer.json;
    };
    await view('/endpoints');
    for (const name of Object.keys(endpoints())) await view(`/endpoints/${name}/secrets`);
    await view('/endpoints/meta/secrets?name=verify-token');
    await new Promise((resolve) => setTimeout(resolve, 100)); // rejections are recorded after their answer
    const ids: string[] = [];
    for (let cursor: string | undefined, page = 0; page < 20; page++) {
      const list = await view(`/events?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...list.items.map((item: { id: string }) => item.id));
      cursor = list.nextCursor;
      if (!cursor) break;
    }
    expect(ids.length).toBeGreaterThan(cases.length / 2);
    for (const id of ids) await view(`/events/${id}`);

    // The admin API has no audit route: the audit trail is read from its table below. It must hold
    // the rotations and views above, or the scan of it would prove nothing.
    const rows = await withClient(running.db.url, async (client) => {
      const { rows: audited } = await client.query(`SELECT DISTINCT action, endpoint FROM webhook_audit`);
      expect(audited).toEqual(
        expect.arrayContaining([
          { action: 'secret.rotate', endpoint: 'billing' },
          { action: 'secret.rotate', endpoint: 'other' },
          { action: 'secret.rotate', endpoint: 'meta' },
          { action: 'events.get', endpoint: 'billing' },
        ]),
      );
      const texts: string[] = [];
      for (const table of ['webhook_events', 'webhook_audit', 'webhook_secrets', 'webhook_encryption_keys']) {
        const { rows: found } = await client.query(
          `SELECT row_to_json(t)::text AS row, t::text AS raw FROM ${table} t`,
        );
        for (const r of found as Array<{ row: string; raw: string }>) texts.push(`${table} ${r.row} ${r.raw}`);
      }
      const { rows: bodies } = await client.query(`SELECT encode(body, 'escape') AS body FROM webhook_events`);
      texts.push(...(bodies as Array<{ body: string }>).map((b) => b.body));
      return texts;
    });

    const haystacks: Record<string, string[]> = {
      'a log line': logLines,
      'stdout/stderr': outputWrites,
      'a matrix answer': seen.map((s) => `${s.name}: ${JSON.stringify(s.answer.headers)} ${s.answer.text}`),
      'an admin answer': adminAnswers,
      'a database row': rows,
    };
    const needles = secretForms([
      ...Object.values(SECRETS),
      VERIFY_TOKEN,
      PARTNER_KEY,
      GRAPH_STATE,
      BASIC_CREDENTIALS,
      Buffer.from(BASIC_CREDENTIALS).toString('base64'),
      ADMIN_TOKEN,
      MASTER_KEY.toString('base64'),
      ...generated,
    ]);
    const found: string[] = [];
    for (const [where, texts] of Object.entries(haystacks)) {
      for (const text of texts) {
        for (const [needle, what] of needles) {
          if (text.includes(needle)) found.push(`${what} in ${where}: …${excerpt(text, needle)}…`);
        }
      }
    }
    console.log(
      `leak check (${adapter}): ${needles.length} secret forms searched in ${logLines.length} log lines, ` +
        `${outputWrites.length} output writes, ${seen.length} matrix answers, ${adminAnswers.length} admin answers, ` +
        `${rows.length} rows; ${found.length} found`,
    );
    expect(found).toEqual([]);
    // A generated secret is shown once: in the 201 of its rotation, nowhere else.
    for (const secret of generated) expect(generatedAnswers.filter((text) => text.includes(secret))).toHaveLength(1);
  });

  it('keeps the size and SHA-256 of a body that carries a credential (MS Graph), but not the body', async () => {
    const body = graphBody([GRAPH_STATE]).replace('created', 'updated');
    expect((await rawRequest(running.port, toGraph(body))).status).toBe(201);
    const list = await rawRequest(running.port, admin('GET', '/events?endpoint=msgraph&status=accepted&limit=1'));
    const detail = await rawRequest(running.port, admin('GET', `/events/${list.json.items[0].id}`));
    // StoredWebhookEvent: "Size and SHA-256 (hex) of the whole body, kept even when the body itself is not."
    expect(detail.json).toMatchObject({
      bodySize: Buffer.byteLength(body),
      bodySha256: createHash('sha256').update(body).digest('hex'),
      bodyBase64: '',
    });
  });
});

/** The forms in which a secret could leak: as given, its base64 payload, its key bytes in hex and base64url. */
function secretForms(secrets: string[]): Array<[string, string]> {
  const forms: Array<[string, string]> = [];
  for (const [i, secret] of secrets.entries()) {
    const what = `secret #${i + 1} (${secret.slice(0, 6)}…)`;
    forms.push([secret, what]);
    const payload = secret.startsWith('whsec_') ? secret.slice(6) : secret;
    const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(payload) ? Buffer.from(payload, 'base64') : Buffer.from(secret);
    for (const form of [payload, bytes.toString('hex'), bytes.toString('base64url'), bytes.toString('base64')]) {
      if (form.length >= 16 && !forms.some(([f]) => f === form)) forms.push([form, `${what} as ${form.slice(0, 4)}…`]);
    }
  }
  return forms;
}

function excerpt(text: string, needle: string): string {
  const at = text.indexOf(needle);
  return text.slice(Math.max(0, at - 60), at + needle.length + 20).replace(/\s+/g, ' ');
}

async function countSecretRows(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM webhook_secrets WHERE revoked_at IS NULL`);
    return rows[0].n as number;
  });
}
