// Answers that reflect what the sender chose, or say less than the README promises (issue 13,
// item 9): a JSON parse error must not echo the body; a 404 must not echo the path and carries a
// `code` (with WebhookNotFoundFilter); XML and multipart bodies are 415 unsupported_media_type as
// the README's table says, not 400 raw_body_missing. On Express and Fastify.
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Controller, Get, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { standardWebhooks, WebhookEndpoint, WebhookGuard, WebhookModule, WebhookNotFoundFilter } from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** Bytes an attacker wants reflected: markup and a marker to search for. */
const MARKER = 'zq7reflected<script>alert(1)</script>';

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  @Post('billing')
  @WebhookEndpoint('billing')
  receive() {
    return {};
  }
}

@Controller('invoices')
class InvoicesController {
  /** The app's own 404, with its own message: the filter leaves it as it is. */
  @Get(':id')
  find(@Param('id') id: string) {
    throw new NotFoundException(`Invoice ${id.length} characters long was not found`);
  }
}

/** Sends a raw request line and headers (targets fetch cannot send); the answer's status and body. */
function rawRequest(baseUrl: string, head: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on('data', (data: Buffer) => {
      answer += data.toString('latin1');
      const [headers, body = ''] = answer.split('\r\n\r\n');
      const length = Number(/content-length: *(\d+)/i.exec(headers)?.[1]);
      if (answer.includes('\r\n\r\n') && Buffer.byteLength(body, 'latin1') >= length) socket.destroy();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      const [headers, body = ''] = answer.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1]), body });
    });
    socket.on('connect', () => socket.write(`${head}\r\nHost: x\r\nConnection: close\r\n\r\n`));
  });
}

describe.each(ADAPTERS)('answers reflect nothing the sender chose, on %s', (adapter) => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp(
      adapter,
      [WebhookModule.forRoot({ endpoints: { billing: standardWebhooks({ secret: SECRET }) } })],
      [HooksController, InvoicesController],
      { providers: [{ provide: APP_FILTER, useClass: WebhookNotFoundFilter } as never] },
    );
  });
  afterAll(() => running.close());

  it.each([
    ['a JSON body cut short', `{"type":"${MARKER}`],
    ['a JSON body with a bad token', `{"type": ${MARKER}}`],
    ['a JSON body with trailing bytes', `{"type":1} ${MARKER}`],
  ])('answers %s 400 invalid_body with a fixed message', async (_name, body) => {
    const answer = await send(running.baseUrl, '/hooks/billing', {
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ statusCode: 400, code: 'invalid_body', message: expect.any(String) });
    // Not even a few bytes of it (Node's JSON.parse quotes about ten characters around the error).
    expect(answer.text).not.toContain('zq7');
    expect(answer.text).not.toContain('"type');
    expect(answer.text).not.toContain('\\"type');
  });

  it.each([
    ['an unknown path', 'POST', `/hooks/${encodeURIComponent(MARKER)}`],
    ['a webhook route with the wrong method', 'GET', '/hooks/billing'],
    ['an unknown path with a query', 'GET', `/nowhere?q=${encodeURIComponent(MARKER)}`],
  ])('answers %s 404 not_found without echoing it', async (_name, method, path) => {
    const answer = await send(running.baseUrl, path, { method });
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ statusCode: 404, code: 'not_found', message: expect.any(String) });
    expect(answer.text).not.toContain('zq7reflected');
    expect(answer.text).not.toContain('/hooks');
    expect(answer.text).not.toContain('nowhere');
  });

  it.each([
    ['an absolute-form target', 'GET http://x/zq7reflected HTTP/1.1'],
    ['an asterisk target', 'OPTIONS * HTTP/1.1'],
  ])('answers %s 404 not_found without echoing it', async (_name, line) => {
    const answer = await rawRequest(running.baseUrl, line);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ statusCode: 404, code: 'not_found', message: expect.any(String) });
    expect(answer.body).not.toContain('zq7');
    expect(answer.body).not.toContain('*');
  });

  it.each([
    ['an unknown path', `GET /zq7reflected%zz${encodeURIComponent(MARKER)} HTTP/1.1`],
    ["the app's own route", `GET /invoices/%zz${encodeURIComponent(MARKER)} HTTP/1.1`],
    ['the webhook route', `POST /hooks/%zzbilling${encodeURIComponent(MARKER)} HTTP/1.1`],
  ])('answers a malformed percent-encoding in %s 400 invalid_path without echoing it', async (_name, line) => {
    const answer = await rawRequest(running.baseUrl, line);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ statusCode: 400, code: 'invalid_path', message: expect.any(String) });
    expect(answer.body).not.toContain('zq7');
    expect(answer.body).not.toContain('%zz');
  });

  it('answers an over-long path parameter without echoing it', async () => {
    // Fastify refuses a parameter over 100 characters (414); Express has no such limit.
    const answer = await rawRequest(running.baseUrl, `GET /invoices/zq7${'a'.repeat(200)} HTTP/1.1`);
    expect(answer.body).not.toContain('zq7');
    expect(answer.body).not.toContain('aaaa');
    if (adapter === 'fastify') {
      expect(answer.status).toBe(414);
      expect(JSON.parse(answer.body)).toEqual({ statusCode: 414, code: 'path_too_long', message: expect.any(String) });
    } else {
      expect(answer.status).toBe(404);
    }
  });

  it.each([
    ['gzip', (body: Buffer) => gzipSync(body)],
    ['deflate', (body: Buffer) => body],
    ['br', (body: Buffer) => body],
  ])('refuses a %s-encoded body 415: raw bytes only', async (encoding, encode) => {
    for (const type of ['application/json', 'text/plain', 'application/octet-stream']) {
      const answer = await send(running.baseUrl, '/hooks/billing', {
        headers: { 'content-type': type, 'content-encoding': encoding },
        body: encode(Buffer.from('{"type":"invoice.paid"}')),
      });
      expect({ type, status: answer.status, json: answer.json }).toEqual({
        type,
        status: 415,
        json: { statusCode: 415, code: 'unsupported_media_type', message: expect.any(String) },
      });
    }
  });

  // type-is reads `! # $ & ^` in a subtype: both platforms parse these as JSON and keep the raw
  // bytes (the guard then asks for its headers), where Fastify answered 415.
  it.each(['application/a!+json', 'application/a$+json', 'application/vnd.x#y&z^w+json'])(
    'reads a %s body like JSON',
    async (type) => {
      const answer = await send(running.baseUrl, '/hooks/billing', {
        headers: { 'content-type': type },
        body: '{"type":"invoice.paid"}',
      });
      expect({ status: answer.status, code: answer.json?.code }).toEqual({ status: 400, code: 'missing_header' });
    },
  );

  it("leaves the application's own 404 answers as they are", async () => {
    const answer = await send(running.baseUrl, '/invoices/42', { method: 'GET' });
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ statusCode: 404, message: 'Invoice 2 characters long was not found' });
  });

  it.each([
    ['XML', 'application/xml', `<event>${MARKER}</event>`],
    [
      'multipart',
      'multipart/form-data; boundary=xyz',
      `--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n${MARKER}\r\n--xyz--\r\n`,
    ],
    ['an unknown type', 'application/x-unknown', MARKER],
  ])('answers a %s body 415 unsupported_media_type, as the README says', async (_name, type, body) => {
    const answer = await send(running.baseUrl, '/hooks/billing', { headers: { 'content-type': type }, body });
    expect(answer.status).toBe(415);
    expect(answer.json).toEqual({ statusCode: 415, code: 'unsupported_media_type', message: expect.any(String) });
    expect(answer.text).not.toContain('zq7reflected');
  });
});
