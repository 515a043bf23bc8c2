// Answers that reflect what the sender chose, or say less than the README promises (issue 13,
// item 9): a JSON parse error must not echo the body; a 404 must not echo the path and carries a
// `code` (with WebhookNotFoundFilter); XML and multipart bodies are 415 unsupported_media_type as
// the README's table says, not 400 raw_body_missing. On Express and Fastify.
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
