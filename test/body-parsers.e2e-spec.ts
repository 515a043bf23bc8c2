// Bodies the platform refuses before any guard runs (too large, not parseable, unknown charset)
// are answered like every other refusal: a 4xx with a stable `code`, on Express and Fastify.
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Controller, Post, UseGuards } from '@nestjs/common';
import {
  github,
  standardWebhooks,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type VerifiedWebhook,
} from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const LIMIT = 1024 * 1024;

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  calls = 0;
  @Post('billing')
  @WebhookEndpoint('billing')
  receive() {
    this.calls++;
    return {};
  }
}

/** Sends a body in chunks with no Content-Length, so only the reading of the body can find its size. */
function sendChunked(baseUrl: string, path: string, chunks: number, chunkSize: number) {
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest(baseUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    // The server may answer and close before every chunk is written.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? undefined : reject(error)));
    const chunk = Buffer.alloc(chunkSize, 0x20);
    for (let i = 0; i < chunks; i++) req.write(chunk);
    req.end();
  });
}

describe.each(ADAPTERS)('body refusals carry a code on %s', (adapter) => {
  let running: RunningApp;
  let controller: HooksController;

  beforeAll(async () => {
    running = await startApp(
      adapter,
      [WebhookModule.forRoot({ endpoints: { billing: standardWebhooks({ secret: SECRET }) } })],
      [HooksController],
    );
    controller = running.app.get(HooksController);
  });
  afterAll(() => running.close());

  it('answers a declared body over the 1 MiB limit with 413 payload_too_large', async () => {
    const answer = await send(running.baseUrl, '/hooks/billing', {
      headers: { 'content-type': 'application/json' },
      body: `"${'x'.repeat(LIMIT)}"`,
    });
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
  });

  it('answers a chunked body that grows over the limit with 413 payload_too_large', async () => {
    const answer = await sendChunked(running.baseUrl, '/hooks/billing', 40, 64 * 1024);
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
  });

  it('answers malformed JSON with 400 invalid_body', async () => {
    const answer = await send(running.baseUrl, '/hooks/billing', {
      headers: { 'content-type': 'application/json' },
      body: '{"truncated":',
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ statusCode: 400, code: 'invalid_body' });
  });

  it('accepts a body of exactly the limit as far as the signature check (400 missing_header, not 413)', async () => {
    const answer = await send(running.baseUrl, '/hooks/billing', {
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(LIMIT, 1),
    });
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('missing_header');
  });

  it('never runs the handler for a refused body', () => {
    expect(controller.calls).toBe(0);
  });
});

describe.each(ADAPTERS)('a JSON body is UTF-8 on %s', (adapter) => {
  // A new user saw Express refuse `charset=latin1` (415) and `utf-16` (400) where Fastify took both
  // (201), reading the bytes as UTF-8: the same delivery had two fates. JSON is UTF-8 (RFC 8259).
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(
      adapter,
      [WebhookModule.forRoot({ endpoints: { billing: standardWebhooks({ secret: SECRET }) } })],
      [HooksController],
    );
  });
  afterAll(() => running.close());

  // `utf8` too: Express's parser (body-parser) takes only the registered name.
  it.each([
    'latin9',
    'latin1',
    'utf-16',
    'UTF-16LE',
    '"utf-32"',
    'utf8',
    'utf-8; charset=utf-16le',
    'utf-16; x="; charset=utf-8"',
  ])('refuses charset=%s with 415 unsupported_media_type', async (charset) => {
    const answer = await send(running.baseUrl, '/hooks/billing', {
      headers: { 'content-type': `application/json; charset=${charset}` },
      body: '{}',
    });
    expect(answer.status).toBe(415);
    expect(answer.json).toMatchObject({ statusCode: 415, code: 'unsupported_media_type' });
  });

  it.each(['utf-8', 'UTF-8', '"utf-8"'])('reads charset=%s (as far as the signature check)', async (charset) => {
    const answer = await send(running.baseUrl, '/hooks/billing', {
      headers: { 'content-type': `application/json; charset=${charset}` },
      body: '{}',
    });
    expect([answer.status, answer.json.code]).toEqual([400, 'missing_header']);
  });
});

// Genuine deliveries the two platforms' parsers used to treat differently: Fastify refused a body
// with a `__proto__` or `constructor.prototype` key (user-chosen keys: labels, metadata) and an
// empty JSON body; Express refused a top-level JSON string. Signed with node:crypto (GitHub's
// scheme); the provider was told each failed and would retry until it disabled the endpoint. The
// handler's payload comes without the prototype keys.
const GITHUB_SECRET = 'body-parsers-github-secret';

@Controller('hooks')
@UseGuards(WebhookGuard)
class PayloadController {
  payloads: unknown[] = [];
  @Post('github')
  @WebhookEndpoint('github')
  receive(@WebhookEvent() event: VerifiedWebhook) {
    this.payloads.push(event.payload);
    return {};
  }
}

describe.each(ADAPTERS)('genuine JSON deliveries are parsed alike on %s', (adapter) => {
  let running: RunningApp;
  let controller: PayloadController;
  let delivery = 0;

  beforeAll(async () => {
    running = await startApp(
      adapter,
      [WebhookModule.forRoot({ endpoints: { github: github({ secret: GITHUB_SECRET }) } })],
      [PayloadController],
    );
    controller = running.app.get(PayloadController);
  });
  afterAll(() => running.close());

  const deliver = (body: string, contentType = 'application/json') =>
    send(running.baseUrl, '/hooks/github', {
      headers: {
        'content-type': contentType,
        'x-github-event': 'issues',
        'x-github-delivery': `d-${adapter}-${++delivery}`,
        'x-hub-signature-256': 'sha256=' + createHmac('sha256', GITHUB_SECRET).update(body).digest('hex'),
      },
      body,
    });

  it('accepts keys named __proto__ and constructor.prototype, and hands the handler the body without them', async () => {
    const body =
      '{"action":"labeled","label":{"__proto__":{"admin":true},"name":"x"},"m":{"constructor":{"prototype":{"a":1}},"k":2}}';
    const answer = await deliver(body);
    expect(answer.status).toBe(201);
    const payload = controller.payloads.at(-1) as Record<string, Record<string, unknown>>;
    // Prototype poisoning removed, as secure-json-parse's 'remove' does: nothing reaches a prototype.
    expect(JSON.parse(JSON.stringify(payload))).toEqual({ action: 'labeled', label: { name: 'x' }, m: { k: 2 } });
    expect(Object.prototype.hasOwnProperty.call(payload.label, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  // A hostile review's bodies: the keys written with JSON escapes, and a +json type of its own.
  it('removes the keys however they are written, and for every JSON type the parsers parse', async () => {
    const escaped = '{"label":{"\\u005f_proto__":{"admin":true}},"m":{"constructor":{"prot\\u006ftype":{"a":1}}}}';
    expect((await deliver(escaped)).status).toBe(201);
    expect(JSON.parse(JSON.stringify(controller.payloads.at(-1)))).toEqual({ label: {}, m: {} });
    const typed = await deliver('{"__proto__":{"admin":true},"k":1}', 'application/x$y+json');
    expect(typed.status).toBe(201);
    const payload = controller.payloads.at(-1) as object;
    expect(Object.prototype.hasOwnProperty.call(payload, '__proto__')).toBe(false);
    expect(JSON.parse(JSON.stringify(payload))).toEqual({ k: 1 });
  });

  it('accepts a top-level JSON string and an empty JSON body', async () => {
    expect((await deliver('"hello"')).status).toBe(201);
    expect(controller.payloads.at(-1)).toBe('hello');
    expect((await deliver('')).status).toBe(201);
  });
});
