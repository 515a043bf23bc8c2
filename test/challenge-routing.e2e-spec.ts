// How WebhookGuard answers URL verification challenges, whatever the strategy: the handler never
// runs for a challenge, the module writes the answer (nosniff, content type), signed challenges are
// verified first, a secret-delivering handshake stores its secret once, every answer is recorded,
// and mistakes in the routes stop start-up. The strategies here are small application-written ones;
// the provider strategies are tested in test/challenges.e2e-spec.ts.
import { Controller, Get, Head, Injectable, Post, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Webhook } from 'standardwebhooks';
import {
  EventLogReader,
  ipAllowList,
  SecretStore,
  standardWebhooks,
  WebhookChallenge,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  WebhookVerificationError,
  type ChallengeContext,
  type ChallengeStrategy,
  type VerifiedWebhook,
  type WebhookRequest,
} from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const DELIVERED_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const REPLACEMENT_SECRET = 'whsec_' + Buffer.alloc(32, 9).toString('base64');

@Injectable()
class Calls {
  readonly handled: string[] = [];
}

/** `{"type":"ping","token":"…"}` answered with the token as text; refused when the token is "bad". */
const pingEcho = (signed: boolean): ChallengeStrategy => ({
  kind: 'token-echo',
  signed,
  detect: (request) => request.rawBody.includes('"type":"ping"'),
  respond: (request) => {
    const token = (JSON.parse(request.rawBody.toString('utf8')) as { token: string }).token;
    if (token === 'bad') throw new WebhookVerificationError('invalid_challenge', 'The token is not acceptable.');
    return { status: 200, body: token };
  },
});

/** GET ?probe=x answered as JSON with the named secret count, to see what the context held. */
const probeJson: ChallengeStrategy = {
  kind: 'token-echo',
  signed: false,
  secretNames: ['verify-token'],
  detect: (request) => request.method === 'GET' && typeof request.query.probe === 'string',
  respond: (request, context: ChallengeContext) => ({
    status: 200,
    body: { probe: request.query.probe as string, verifyTokens: context.namedSecrets['verify-token'].length },
  }),
};

/** An Asana-like handshake: the secret arrives in a header and is echoed back in one. */
const handshake: ChallengeStrategy = {
  kind: 'header-code',
  signed: false,
  detect: (request: WebhookRequest) => typeof request.headers['x-hook-secret'] === 'string',
  respond: (request) => ({ status: 200, headers: { 'X-Hook-Secret': request.headers['x-hook-secret'] as string } }),
  deliveredSecret: (request) => request.headers['x-hook-secret'] as string,
};

/** A strategy class resolved through dependency injection. */
@Injectable()
class HeadStrategy implements ChallengeStrategy {
  readonly kind = 'status-only' as const;
  readonly signed = false;
  constructor(private readonly calls: Calls) {}
  detect(request: WebhookRequest) {
    return request.method === 'HEAD';
  }
  respond() {
    this.calls.handled.push('head-strategy');
    return { status: 200 };
  }
}

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  constructor(private readonly calls: Calls) {}

  @Post('open')
  @WebhookEndpoint('open')
  @WebhookChallenge()
  open(@WebhookEvent() event: VerifiedWebhook) {
    this.calls.handled.push(`open:${event.id}`);
    return { ok: true };
  }

  @Post('signed')
  @WebhookEndpoint('signed')
  @WebhookChallenge(pingEcho(true))
  signedRoute(@WebhookEvent() event: VerifiedWebhook) {
    this.calls.handled.push(`signed:${event.id}`);
    return { ok: true };
  }

  @Post('plain')
  @WebhookEndpoint('open')
  plain(@WebhookEvent() event: VerifiedWebhook) {
    this.calls.handled.push(`plain:${event.id}`);
    return { ok: true };
  }

  @Get('probe')
  @WebhookEndpoint('probe')
  @WebhookChallenge(probeJson)
  probe() {
    this.calls.handled.push('probe');
  }

  @Head('head')
  @WebhookEndpoint('open')
  @WebhookChallenge(HeadStrategy)
  head() {
    this.calls.handled.push('head');
  }

  @Post('handshake')
  @WebhookEndpoint('handshake')
  @WebhookChallenge()
  onHandshake(@WebhookEvent() event: VerifiedWebhook) {
    this.calls.handled.push(`handshake:${event.id}`);
    return { ok: true };
  }

  @Post('fenced')
  @WebhookEndpoint('fenced')
  @WebhookChallenge()
  onFenced() {
    this.calls.handled.push('fenced');
  }

  @Post('local')
  @WebhookEndpoint('local')
  @WebhookChallenge()
  onLocal() {
    this.calls.handled.push('local');
  }

  @Post('replaceable')
  @WebhookEndpoint('replaceable')
  @WebhookChallenge()
  onReplaceable(@WebhookEvent() event: VerifiedWebhook) {
    this.calls.handled.push(`replaceable:${event.id}`);
    return { ok: true };
  }
}

function signed(body: string, secret = SECRET) {
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  const at = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

const moduleFor = () =>
  WebhookModule.forRoot({
    endpoints: {
      open: { ...standardWebhooks({ secret: SECRET }), challenge: pingEcho(false) },
      signed: standardWebhooks({ secret: SECRET }),
      probe: { ...standardWebhooks({ secret: SECRET }), namedSecrets: { 'verify-token': ['first', 'second'] } },
      handshake: { ...standardWebhooks(), challenge: handshake },
      replaceable: { ...standardWebhooks({ secret: SECRET }), challenge: handshake, allowSecretReplacement: true },
      // The same unsigned challenge behind an IP allow-list that excludes, and one that admits, loopback.
      fenced: {
        ...standardWebhooks({ secret: SECRET, also: [ipAllowList({ allow: ['192.0.2.0/24'] })] }),
        challenge: pingEcho(false),
      },
      local: {
        ...standardWebhooks({ secret: SECRET, also: [ipAllowList({ allow: ['127.0.0.0/8', '::1'] })] }),
        challenge: pingEcho(false),
      },
    },
  });

describe.each(ADAPTERS)('challenges answered by WebhookGuard on %s', (adapter) => {
  let running: RunningApp;
  let calls: Calls;

  beforeAll(async () => {
    running = await startApp(adapter, [moduleFor()], [HooksController], { providers: [Calls] });
    calls = running.app.get(Calls);
  });
  afterAll(() => running.close());
  beforeEach(() => calls.handled.splice(0));

  const events = () => running.app.get<EventLogReader>(EventLogReader).list({ limit: 50 });

  it('answers a detected challenge itself, as text/plain with nosniff, and never runs the handler', async () => {
    const answer = await send(running.baseUrl, '/hooks/open', {
      headers: { 'content-type': 'application/json' },
      body: '{"type":"ping","token":"tok-123"}',
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('tok-123');
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(calls.handled).toEqual([]);
  });

  it("refuses an unsigned challenge from outside the endpoint's IP allow-list, as it would a delivery", async () => {
    const body = '{"type":"ping","token":"fenced-token"}';
    const headers = { 'content-type': 'application/json' };
    const refused = await send(running.baseUrl, '/hooks/fenced', { headers, body });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ code: 'ip_not_allowed' });
    expect(refused.text).not.toContain('fenced-token');
    const admitted = await send(running.baseUrl, '/hooks/local', {
      headers,
      body: '{"type":"ping","token":"local-token"}',
    });
    expect(admitted.status).toBe(200);
    expect(admitted.text).toBe('local-token');
    expect(calls.handled).toEqual([]);
    const rows = (await events()).items.filter((e) => e.endpoint === 'fenced');
    expect(rows[0]).toMatchObject({ status: 'rejected', reason: 'ip_not_allowed' });
  });

  it('records every answered challenge in the event log with status "challenge"', async () => {
    const body = '{"type":"ping","token":"recorded-token"}';
    await send(running.baseUrl, '/hooks/open', { headers: { 'content-type': 'application/json' }, body });
    const page = await events();
    const row = page.items.find((e) => e.status === 'challenge' && e.path === '/hooks/open');
    expect(row).toMatchObject({ endpoint: 'open', status: 'challenge', method: 'POST' });
  });

  it('verifies a request that is not a challenge as a delivery, and runs the handler', async () => {
    const body = '{"type":"invoice.paid"}';
    const headers = signed(body);
    const answer = await send(running.baseUrl, '/hooks/open', { headers, body });
    expect(answer.status).toBe(201);
    expect(calls.handled).toEqual([`open:${headers['webhook-id']}`]);
  });

  it('refuses a challenge the strategy rejects with its 400 code, recorded as rejected', async () => {
    const answer = await send(running.baseUrl, '/hooks/open', {
      headers: { 'content-type': 'application/json' },
      body: '{"type":"ping","token":"bad"}',
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ statusCode: 400, code: 'invalid_challenge' });
    expect(calls.handled).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50)); // rejections are recorded after the answer
    const page = await events();
    expect(page.items.some((e) => e.status === 'rejected' && e.reason === 'invalid_challenge')).toBe(true);
  });

  it('does not answer challenges on a route without @WebhookChallenge(): the request must verify', async () => {
    const answer = await send(running.baseUrl, '/hooks/plain', {
      headers: { 'content-type': 'application/json' },
      body: '{"type":"ping","token":"tok-123"}',
    });
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('missing_header');
    expect(calls.handled).toEqual([]);
  });

  it('verifies the signature of a signed challenge before answering it', async () => {
    const body = '{"type":"ping","token":"signed-token"}';
    const unsigned = await send(running.baseUrl, '/hooks/signed', {
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(unsigned.status).toBe(400);
    expect(unsigned.json.code).toBe('missing_header');

    const forged = await send(running.baseUrl, '/hooks/signed', { headers: signed(body, REPLACEMENT_SECRET), body });
    expect(forged.status).toBe(401);
    expect(forged.json.code).toBe('no_matching_signature');

    const genuine = await send(running.baseUrl, '/hooks/signed', { headers: signed(body), body });
    expect(genuine.status).toBe(200);
    expect(genuine.text).toBe('signed-token');
    expect(calls.handled).toEqual([]);
  });

  it('answers an object body as JSON and hands the strategy the named secrets from the store', async () => {
    const answer = await send(running.baseUrl, '/hooks/probe?probe=abc', { method: 'GET' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.json).toEqual({ probe: 'abc', verifyTokens: 2 });
    expect(calls.handled).toEqual([]);
  });

  it('resolves a strategy class through dependency injection and answers HEAD with a bare status', async () => {
    const answer = await send(running.baseUrl, '/hooks/head', { method: 'HEAD' });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(calls.handled).toEqual(['head-strategy']);
  });

  it('stores the secret a handshake delivers, then verifies deliveries with it', async () => {
    const body = '{"type":"task.added"}';
    const before = await send(running.baseUrl, '/hooks/handshake', { headers: signed(body, DELIVERED_SECRET), body });
    expect(before.status).toBe(401);
    expect(before.json.code).toBe('no_secret_configured');

    const answer = await send(running.baseUrl, '/hooks/handshake', {
      headers: { 'x-hook-secret': DELIVERED_SECRET },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-hook-secret')).toBe(DELIVERED_SECRET);
    const stored = await running.app.get<SecretStore>(SecretStore).listSecrets('handshake');
    expect(stored).toHaveLength(1);

    const headers = signed(body, DELIVERED_SECRET);
    const after = await send(running.baseUrl, '/hooks/handshake', { headers, body });
    expect(after.status).toBe(201);
    expect(calls.handled).toEqual([`handshake:${headers['webhook-id']}`]);
  });

  it('refuses a second handshake for an endpoint that has a secret (409), keeping the first secret', async () => {
    const answer = await send(running.baseUrl, '/hooks/handshake', {
      headers: { 'x-hook-secret': REPLACEMENT_SECRET },
    });
    expect(answer.status).toBe(409);
    expect(answer.json.code).toBe('handshake_refused');
    const body = '{"type":"task.changed"}';
    const stillFirst = await send(running.baseUrl, '/hooks/handshake', {
      headers: signed(body, DELIVERED_SECRET),
      body,
    });
    expect(stillFirst.status).toBe(201);
  });

  it('replaces the secret on a new handshake where the endpoint allows it, the old one ending at once', async () => {
    const answer = await send(running.baseUrl, '/hooks/replaceable', {
      headers: { 'x-hook-secret': REPLACEMENT_SECRET },
    });
    expect(answer.status).toBe(200);
    const body = '{"type":"task.deleted"}';
    const withNew = await send(running.baseUrl, '/hooks/replaceable', {
      headers: signed(body, REPLACEMENT_SECRET),
      body,
    });
    expect(withNew.status).toBe(201);
    const withOld = await send(running.baseUrl, '/hooks/replaceable', { headers: signed(body), body });
    expect(withOld.status).toBe(401);
  });
});

describe('challenge routes checked at start-up', () => {
  const compile = async (controller: new (...args: never[]) => unknown, challenge?: ChallengeStrategy) => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        WebhookModule.forRoot({ endpoints: { hooks: { ...standardWebhooks({ secret: SECRET }), challenge } } }),
      ],
      controllers: [controller],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await app.init();
    } finally {
      await app.close();
    }
  };

  it('refuses @WebhookChallenge() on an endpoint that has no challenge strategy, naming route and endpoint', async () => {
    @Controller()
    @UseGuards(WebhookGuard)
    class NoStrategy {
      @Get('x')
      @WebhookEndpoint('hooks')
      @WebhookChallenge()
      verify() {}
    }
    await expect(compile(NoStrategy)).rejects.toThrow(/NoStrategy\.verify.*endpoint "hooks" has no challenge strategy/);
  });

  it('refuses @WebhookChallenge() on a route without WebhookGuard, which would never answer it', async () => {
    @Controller()
    class Unguarded {
      @Get('x')
      @WebhookEndpoint('hooks')
      @WebhookChallenge()
      verify() {}
    }
    await expect(compile(Unguarded, pingEcho(false))).rejects.toThrow(
      /Unguarded\.verify.*no @UseGuards\(WebhookGuard\)/,
    );
  });

  it("stops start-up with the strategy's own validation error, naming the endpoint", async () => {
    @Controller()
    @UseGuards(WebhookGuard)
    class Fine {
      @Get('x')
      @WebhookEndpoint('hooks')
      @WebhookChallenge()
      verify() {}
    }
    const broken: ChallengeStrategy = {
      ...pingEcho(false),
      validate: () => {
        throw new Error('challenge.detect: syntax error at 1:5');
      },
    };
    await expect(compile(Fine, broken)).rejects.toThrow(
      'Webhook endpoint "hooks": challenge.detect: syntax error at 1:5',
    );
  });
});
