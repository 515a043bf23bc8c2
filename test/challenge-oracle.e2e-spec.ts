// Issue 13 item 1, end to end on Express and Fastify: an unauthenticated GET of X's CRC must not
// hand out the signature of a forged delivery. The attacker asks the CRC endpoint to sign a token
// (a form body such as `for_user_id=1337`, or a token-shaped string), then POSTs a delivery whose
// body is that token, with the answer as `x-twitter-webhooks-signature`, as a form, text,
// octet-stream and JSON. Every one is refused with a code and never reaches the handler; a genuine
// JSON delivery, signed here with node:crypto, still is handled. The same holds for a declarative
// CRC rule given to a route. Across endpoints: a secret shared between an endpoint whose CRC answers
// with it and a Mailgun endpoint (whose scheme signs token-shaped text) stops start-up, and when such
// a secret is added later the CRC is refused; a strategy that does not declare
// computesWithSigningSecret is never given the signing secret.
import { createHmac } from 'node:crypto';
import { Controller, Get, Injectable, Post, UseGuards } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import {
  declarativeChallenge,
  mailgun,
  SecretStore,
  twitter,
  WebhookConfigurationError,
  type ChallengeStrategy,
  WebhookChallenge,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type VerifiedWebhook,
} from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';

const CONSUMER_SECRET = 'x-consumer-secret-for-the-oracle-test';
const ADMIN_TOKEN = 'admin-token-for-the-oracle-test-0123456789';

@Injectable()
class Calls {
  readonly handled: unknown[] = [];
}

const crcRule = declarativeChallenge({
  detect: 'http_method == "GET" && "crc_token" in query_params',
  challenge_tokens: [
    {
      name: 'crc',
      algorithm: 'HMAC-SHA256',
      payload: 'query_params["crc_token"]',
      encoding: 'base64',
      prefix: 'sha256=',
    },
  ],
  body: { response_token: '{{ challenge_token["crc"] }}' },
});

@Controller('webhooks')
@UseGuards(WebhookGuard)
class XController {
  constructor(private readonly calls: Calls) {}

  @Get('twitter')
  @WebhookEndpoint('twitter')
  @WebhookChallenge()
  crc() {}

  @Post('twitter')
  @WebhookEndpoint('twitter')
  receive(@WebhookEvent() event: VerifiedWebhook) {
    this.calls.handled.push(event.payload);
    return { ok: true };
  }

  @Get('rule')
  @WebhookEndpoint('rule')
  @WebhookChallenge(crcRule)
  ruleCrc() {}

  @Post('rule')
  @WebhookEndpoint('rule')
  ruleReceive(@WebhookEvent() event: VerifiedWebhook) {
    this.calls.handled.push(event.payload);
    return { ok: true };
  }
}

const TYPES = ['application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream', 'application/json'];

describe.each(ADAPTERS)('challenge answers are no signatures (%s)', (adapter) => {
  let running: RunningApp;
  let calls: Calls;

  beforeAll(async () => {
    running = await startApp(
      adapter,
      [
        WebhookModule.forRoot({
          endpoints: {
            twitter: twitter({ consumerSecret: CONSUMER_SECRET }),
            rule: twitter({ consumerSecret: CONSUMER_SECRET, challenge: false }),
          },
        }),
      ],
      [XController],
      { providers: [Calls] },
    );
    calls = running.app.get(Calls);
  });
  afterAll(() => running.close());
  beforeEach(() => calls.handled.splice(0));

  it.each(['twitter', 'rule'])('%s: refuses to sign a form body as a CRC token', async (path) => {
    const answer = await send(
      running.baseUrl,
      `/webhooks/${path}?crc_token=${encodeURIComponent('for_user_id=1337')}`,
      {
        method: 'GET',
      },
    );
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'invalid_challenge' });
    expect(answer.text).not.toContain('for_user_id');
  });

  it.each(['twitter', 'rule'])(
    '%s: a CRC answer sent back as the signature of a body equal to its token is refused, whatever the type',
    async (path) => {
      for (const token of ['abc', 'YWJjZA==', '9b4507b3-9040-4669-9ca3-6b94edb50553']) {
        const crc = await send(running.baseUrl, `/webhooks/${path}?crc_token=${encodeURIComponent(token)}`, {
          method: 'GET',
        });
        expect(crc.status).toBe(200);
        // The answer is what X expects (computed here independently), so the oracle is real.
        const expected = 'sha256=' + createHmac('sha256', CONSUMER_SECRET).update(token).digest('base64');
        expect(crc.json).toEqual({ response_token: expected });
        for (const type of TYPES) {
          const forged = await send(running.baseUrl, `/webhooks/${path}`, {
            headers: { 'content-type': type, 'x-twitter-webhooks-signature': crc.json.response_token },
            body: token,
          });
          expect({ token, type, status: forged.status, code: forged.json?.code }).toEqual({
            token,
            type,
            status: 400,
            code: 'invalid_body',
          });
        }
      }
      expect(calls.handled).toEqual([]);
    },
  );

  it.each(['twitter', 'rule'])('%s: still handles a genuine JSON delivery', async (path) => {
    const body = JSON.stringify({ for_user_id: '2244994945', tweet_create_events: [] });
    const signature = 'sha256=' + createHmac('sha256', CONSUMER_SECRET).update(body).digest('base64');
    const answer = await send(running.baseUrl, `/webhooks/${path}`, {
      headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature },
      body,
    });
    expect(answer.status).toBe(201);
    expect(calls.handled).toEqual([JSON.parse(body)]);
  });
});

/** A custom strategy that answers with how many signing secrets it was given. */
const counting = (computesWithSigningSecret: boolean): ChallengeStrategy => ({
  kind: 'token-echo',
  signed: false,
  computesWithSigningSecret,
  detect: (request) => request.method === 'GET',
  respond: (_request, context) => ({ status: 200, body: { secrets: context.secrets.length } }),
});
const declaresNothing = counting(false);
const declaresComputing = counting(true);

@Controller('shared')
@UseGuards(WebhookGuard)
class SharedController {
  @Get('x')
  @WebhookEndpoint('x')
  @WebhookChallenge()
  crc() {}

  @Get('rule')
  @WebhookEndpoint('rule')
  @WebhookChallenge(crcRule)
  ruleCrc() {}

  @Get('custom')
  @WebhookEndpoint('own')
  @WebhookChallenge(declaresNothing)
  custom() {}

  @Get('declared')
  @WebhookEndpoint('own')
  @WebhookChallenge(declaresComputing)
  declared() {}
}

describe('a signing secret shared with an endpoint that accepts challenge answers (Mailgun)', () => {
  it('refuses to start when an X endpoint and a Mailgun endpoint share a secret', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        WebhookModule.forRoot({
          endpoints: {
            x: twitter({ consumerSecret: 'one-shared-key' }),
            mg: mailgun({ signingKey: 'one-shared-key' }),
          },
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    try {
      const started = app.init();
      await expect(started).rejects.toThrow(WebhookConfigurationError);
      await expect(started).rejects.toThrow(/"x" and "mg" share a signing secret/);
    } finally {
      await app.close();
    }
  });

  describe.each(ADAPTERS)('on %s', (adapter) => {
    let running: RunningApp;
    const get = (path: string) => send(running.baseUrl, path, { method: 'GET' });

    beforeAll(async () => {
      running = await startApp(
        adapter,
        [
          WebhookModule.forRoot({
            endpoints: {
              x: twitter({ consumerSecret: 'x-own-secret' }),
              rule: twitter({ consumerSecret: 'rule-own-secret', challenge: false }),
              mg: mailgun({ signingKey: 'mailgun-own-key' }),
              own: twitter({ consumerSecret: 'custom-own-secret', challenge: false }),
            },
            admin: { token: ADMIN_TOKEN },
          }),
        ],
        [SharedController],
      );
    });
    afterAll(() => running.close());

    it('refuses through the admin API a rotation that would share a CRC secret with a Mailgun key', async () => {
      const rotate = (endpoint: string, secret: string) =>
        send(running.baseUrl, `/webhooks/admin/endpoints/${endpoint}/secrets`, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ secret }),
        });
      for (const [endpoint, secret] of [
        ['mg', 'x-own-secret'],
        ['x', 'mailgun-own-key'],
      ]) {
        const refused = await rotate(endpoint, secret);
        expect([refused.status, refused.json?.code]).toEqual([409, 'shared_secret']);
        expect(refused.text).not.toContain(secret);
      }
      const store = running.app.get<SecretStore>(SecretStore);
      expect((await store.getLiveSecrets('mg')).map((s) => s.value)).toEqual(['mailgun-own-key']);
      expect((await rotate('mg', 'a-key-of-its-own')).status).toBe(201);
      const crc = await get(`/shared/x?crc_token=${'b'.repeat(40)}`);
      expect(crc.status).toBe(200);
    });

    it('refuses the CRC once a secret it computes with is also a Mailgun key (rotated in after start-up)', async () => {
      const token = 'a'.repeat(40);
      const before = await get(`/shared/x?crc_token=${token}`);
      expect(before.status).toBe(200);
      expect(before.json).toEqual({
        response_token: 'sha256=' + createHmac('sha256', 'x-own-secret').update(token).digest('base64'),
      });
      const store = running.app.get<SecretStore>(SecretStore);
      await store.addSecret('mg', 'x-own-secret');
      await store.addSecret('mg', 'rule-own-secret');
      for (const path of ['/shared/x', '/shared/rule']) {
        const after = await get(`${path}?crc_token=${token}`);
        expect([after.status, after.json?.code]).toEqual([400, 'invalid_challenge']);
        expect(after.text).not.toContain('sha256=');
      }
    });

    it('gives the signing secrets only to a strategy that declares computesWithSigningSecret', async () => {
      expect((await get('/shared/custom')).json).toEqual({ secrets: 0 });
      expect((await get('/shared/declared')).json).toEqual({ secrets: 1 });
    });
  });
});
