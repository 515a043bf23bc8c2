// Bodies the platform refuses before any guard runs (too large, not parseable, unknown charset)
// are answered like every other refusal: a 4xx with a stable `code`, on Express and Fastify.
import { request as httpRequest } from 'node:http';
import { Controller, Post, UseGuards } from '@nestjs/common';
import { standardWebhooks, WebhookEndpoint, WebhookGuard, WebhookModule } from '../src';
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

describe('Express refuses an unknown charset', () => {
  it('with 415 unsupported_media_type', async () => {
    const running = await startApp(
      'express',
      [WebhookModule.forRoot({ endpoints: { billing: standardWebhooks({ secret: SECRET }) } })],
      [HooksController],
    );
    try {
      const answer = await send(running.baseUrl, '/hooks/billing', {
        headers: { 'content-type': 'application/json; charset=latin9' },
        body: '{}',
      });
      expect(answer.status).toBe(415);
      expect(answer.json).toMatchObject({ statusCode: 415, code: 'unsupported_media_type' });
    } finally {
      await running.close();
    }
  });
});
