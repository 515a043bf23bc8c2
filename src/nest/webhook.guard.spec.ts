import type { HttpException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Test } from '@nestjs/testing';
import { Webhook } from 'standardwebhooks';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { standardWebhooks } from '../providers/standard-webhooks';
import { EventLog, EventLogUnavailableError } from '../storage/event-log.interface';
import { InMemoryEventLog } from '../storage/in-memory/in-memory-event-log';
import { verifiedDeliveries } from './verified-deliveries';
import { WebhookChallenge, WebhookEndpoint } from './webhook.decorators';
import { WebhookDirectResponse, WebhookException } from './webhook.exceptions';
import { WebhookGuard } from './webhook.guard';
import { WebhookModule } from './webhook.module';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const BODY = '{"type":"invoice.paid"}';

/** Answers `{"type":"url_verification","token":…}` with the token, unsigned. */
const echo: ChallengeStrategy = {
  kind: 'token-echo',
  signed: false,
  detect: (request) => request.rawBody.includes('"url_verification"'),
  respond: (request) => ({ status: 200, body: (JSON.parse(request.rawBody.toString()) as { token: string }).token }),
};

// Routes as the guard reads them: only their decorators matter, so they are not mounted.
class Hooks {
  @WebhookEndpoint('billing')
  billing() {}

  @WebhookEndpoint('billing')
  @WebhookChallenge(echo)
  verified() {}

  @WebhookEndpoint('billing')
  @WebhookChallenge()
  noStrategy() {}

  undecorated() {}

  @WebhookEndpoint('unknown')
  unknown() {}
}

/** An Express-like request, signed by the reference `standardwebhooks` package unless told otherwise. */
function request(
  options: { body?: string; id?: string; headers?: Record<string, string | undefined>; raw?: boolean } = {},
) {
  const body = options.body ?? BODY;
  const id = options.id ?? 'msg_1';
  return {
    method: 'POST',
    url: '/hooks/billing',
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': new Webhook(SECRET).sign(id, new Date(), body),
      ...options.headers,
    },
    query: {},
    body: JSON.parse(body) as unknown,
    rawBody: options.raw === false ? undefined : Buffer.from(body),
    socket: { remoteAddress: '203.0.113.7' },
  };
}

/** The raw response the guard settles the delivery on: `end()` runs once the event log is told. */
function response() {
  const res = { statusCode: 200, ended: false, writeHead: () => res, end: () => ((res.ended = true), res) };
  return res;
}

async function guard(eventLog = new InMemoryEventLog()) {
  const moduleRef = await Test.createTestingModule({
    imports: [WebhookModule.forRoot({ endpoints: { billing: standardWebhooks({ secret: SECRET }) } })],
  })
    .overrideProvider(EventLog)
    .useValue(eventLog)
    .compile();
  await moduleRef.init();
  const instance = moduleRef.get(WebhookGuard);
  const activate = (route: keyof Hooks, req = request(), res = response()) =>
    instance.canActivate(new ExecutionContextHost([req, res], Hooks, Hooks.prototype[route]));
  return { activate };
}

/** What the guard threw instead of letting the handler run. */
async function thrown(promise: Promise<boolean>): Promise<unknown> {
  return promise.then(
    (admitted) => {
      throw new Error(`expected a refusal, the guard answered ${admitted}`);
    },
    (error: unknown) => error,
  );
}

function httpAnswer(error: unknown) {
  expect(error).toBeInstanceOf(WebhookException);
  const exception = error as HttpException;
  return { status: exception.getStatus(), body: exception.getResponse() };
}

/** A direct answer (no handler): status, headers and body. */
function directAnswer(error: unknown) {
  expect(error).toBeInstanceOf(WebhookDirectResponse);
  const answer = error as WebhookDirectResponse;
  return [answer.status, answer.headers, answer.body];
}

/** A 503 the provider retries at `Retry-After`. */
function retryLater(retryAfter: string, code: string, message: string) {
  return [503, { 'Retry-After': retryAfter }, { statusCode: 503, code, message }];
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('WebhookGuard', () => {
  it('lets a verified first delivery reach the handler, with the delivery for @WebhookEvent()', async () => {
    const { activate } = await guard();
    const req = request();
    await expect(activate('billing', req)).resolves.toBe(true);
    expect(verifiedDeliveries.get(req)).toMatchObject({
      endpoint: 'billing',
      id: 'msg_1',
      payload: { type: 'invoice.paid' },
    });
  });

  it('answers a copy 200 without the handler once the first was answered 2xx', async () => {
    const { activate } = await guard();
    const res = response();
    await activate('billing', request(), res);
    res.end();
    await settled();
    expect(res.ended).toBe(true);
    expect(directAnswer(await thrown(activate('billing')))).toEqual([200, {}, { received: true, duplicate: true }]);
  });

  it('answers a copy 503 delivery_in_progress while the first is being handled', async () => {
    const { activate } = await guard();
    await activate('billing');
    expect(directAnswer(await thrown(activate('billing')))).toEqual(
      retryLater('5', 'delivery_in_progress', 'This delivery is being handled; retry later.'),
    );
  });

  it('runs the handler again for the retry of a delivery whose handler failed', async () => {
    const { activate } = await guard();
    const res = response();
    await activate('billing', request(), res);
    res.statusCode = 500;
    res.end();
    await settled();
    await expect(activate('billing')).resolves.toBe(true);
  });

  it.each([
    [400, 'missing_header', { 'webhook-signature': undefined }, true],
    [400, 'invalid_header', { 'webhook-timestamp': 'soon' }, true],
    [401, 'no_matching_signature', { 'webhook-signature': 'v1,AAAA' }, true],
    [401, 'timestamp_too_old', { 'webhook-timestamp': '1614265330' }, true],
    [400, 'raw_body_missing', {}, false],
    [415, 'unsupported_media_type', { 'content-type': 'application/xml' }, false],
  ] as const)('answers %i %s', async (status, code, headers, raw) => {
    const { activate } = await guard();
    const { status: answered, body } = httpAnswer(await thrown(activate('billing', request({ headers, raw }))));
    expect(answered).toBe(status);
    expect(body).toMatchObject({ statusCode: status, code });
  });

  it('answers 503 storage_unavailable with Retry-After when the delivery cannot be recorded', async () => {
    const eventLog = new InMemoryEventLog();
    jest.spyOn(eventLog, 'record').mockRejectedValue(new EventLogUnavailableError('down', 7));
    const { activate } = await guard(eventLog);
    expect(directAnswer(await thrown(activate('billing')))).toEqual(
      retryLater('7', 'storage_unavailable', 'The webhook could not be stored; retry later.'),
    );
  });

  it('answers the challenge on a @WebhookChallenge() route, as text with nosniff, without the handler', async () => {
    const { activate } = await guard();
    const challenge = request({ body: '{"type":"url_verification","token":"t0k"}' });
    expect(directAnswer(await thrown(activate('verified', challenge)))).toEqual([
      200,
      { 'X-Content-Type-Options': 'nosniff', 'Content-Type': 'text/plain; charset=utf-8' },
      't0k',
    ]);
    // A delivery on the same route is verified as one.
    await expect(activate('verified')).resolves.toBe(true);
  });

  it.each(['undecorated', 'unknown', 'noStrategy'] as const)(
    'answers a coded 500 endpoint_misconfigured on a route whose configuration cannot work (%s)',
    async (route) => {
      const { activate } = await guard();
      const { status, body } = httpAnswer(await thrown(activate(route)));
      expect(status).toBe(500);
      expect(body).toEqual({
        statusCode: 500,
        code: 'endpoint_misconfigured',
        message: 'This webhook endpoint is misconfigured; the server log says why.',
      });
    },
  );
});
