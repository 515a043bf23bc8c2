// Every provider challenge end to end, as the provider sends it (GET, HEAD or POST), on Express and
// Fastify, registered with forRoot and forRootAsync: status, headers (nosniff, content type) and
// body of the answer, the handler never running, and the refusals (wrong verify token, unsigned or
// forged signed challenges, unsafe tokens, an endpoint without a strategy, a bad CEL rule at start-up).
// Expected values are the providers' documented examples and the published vectors, never values
// computed by Hookwarden; signatures are computed here with node:crypto.
import { createHmac, randomUUID } from 'node:crypto';
import { Controller, Get, Head, Injectable, Post, UseGuards } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  EventLogReader,
  WebhookChallenge,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  WebhookVerificationError,
  type SignatureScheme,
  type VerifiedWebhook,
  type WebhookEndpointDefinition,
  type WebhookRequest,
  type WebhookSecret,
} from '../src';
import { constantTimeEqualString } from '../src/core';
import { declarativeChallenge } from '../src/core/challenges/declarative/declarative-challenge.strategy';
import { twitterProvider } from '../src/providers/twitter';
import { zoomProvider } from '../src/providers/zoom';
import type { ChallengeStrategy } from '../src/core/challenge-strategy';
import {
  adobeIoChallenge,
  adobeSignChallenge,
  asanaChallenge,
  dropboxChallenge,
  metaChallenge,
  msGraphChallenge,
  oktaChallenge,
  slackChallenge,
  smartsheetChallenge,
  stravaChallenge,
  trelloChallenge,
  twitchChallenge,
  twitterChallenge,
  zoomChallenge,
} from '../src/providers/challenges';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send, type HttpAnswer } from './support/http';
import { publishedVector } from './support/scheme-testing';

const ZOOM = publishedVector('zoom', 'challenge');
const X = publishedVector('twitter_x', 'challenge');

const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TWITCH_SECRET = 's3cRe7_twitch_secret';
const ASANA_SECRET = 'b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81';
const APP_SECRET = 'app_secret_for_deliveries';
const ADOBE_SIGN_CLIENT_ID = 'CBJCHBCAABAAq0ZhQx7W8hNRk8aX9Ag5xDDvD5Sb';

// ---------------------------------------------------------------------------------------------
// Small signature schemes written for this test (the provider presets live elsewhere): each
// computes the provider's documented HMAC and compares it in constant time.

const hmac = (algorithm: string, key: string | Buffer, ...parts: Array<string | Buffer>) => {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
};

const header = (request: WebhookRequest, name: string) => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
};

function testScheme(
  name: string,
  signatureHeader: string,
  expected: (request: WebhookRequest, key: string | Buffer) => string | undefined,
): SignatureScheme {
  return {
    name,
    requiresSecret: true,
    verify(request: WebhookRequest, secrets: readonly WebhookSecret[]) {
      const presented = header(request, signatureHeader);
      if (presented === undefined) {
        throw new WebhookVerificationError('missing_header', `The ${signatureHeader} header is missing.`);
      }
      if (secrets.length === 0) throw new WebhookVerificationError('no_secret_configured', 'No secret.');
      for (const secret of secrets) {
        const want = expected(request, secret.value);
        if (want !== undefined && constantTimeEqualString(want, presented)) return { secretVersion: secret.version };
      }
      throw new WebhookVerificationError('no_matching_signature', 'No signature matches.');
    },
  };
}

/** Slack and Zoom: `v0=` hex HMAC-SHA256 over `v0:{timestamp}:{body}`. */
const v0Scheme = (name: string, signatureHeader: string, timestampHeader: string) =>
  testScheme(name, signatureHeader, (request, key) => {
    const ts = header(request, timestampHeader);
    return ts === undefined ? undefined : 'v0=' + hmac('sha256', key, `v0:${ts}:`, request.rawBody).toString('hex');
  });

const twitchScheme = testScheme('twitch', 'twitch-eventsub-message-signature', (request, key) => {
  const id = header(request, 'twitch-eventsub-message-id');
  const ts = header(request, 'twitch-eventsub-message-timestamp');
  if (id === undefined || ts === undefined) return undefined;
  return 'sha256=' + hmac('sha256', key, id, ts, request.rawBody).toString('hex');
});

/** A hex HMAC-SHA256 of the body in one header: Meta, Dropbox, Asana, Smartsheet, … deliveries. */
const bodyScheme = (name: string, signatureHeader: string) =>
  testScheme(name, signatureHeader, (request, key) => hmac('sha256', key, request.rawBody).toString('hex'));

const endpoint = (
  provider: string,
  scheme: SignatureScheme,
  challenge: ChallengeStrategy | undefined,
  extra: Partial<WebhookEndpointDefinition> = {},
): WebhookEndpointDefinition => ({ provider, schemes: [scheme], challenge, ...extra });

// ---------------------------------------------------------------------------------------------
// The rules that reproduce Slack, Zoom and Meta without their presets.

const slackRule = declarativeChallenge({
  detect: 'http_method == "POST" && parsed_body.type == "url_verification"',
  body: '{{ parsed_body.challenge }}',
  signed: true,
});
const zoomRule = declarativeChallenge({
  detect: 'http_method == "POST" && parsed_body.event == "endpoint.url_validation"',
  signed: true,
  challenge_tokens: [
    { name: 'encrypted', algorithm: 'HMAC-SHA256', payload: 'parsed_body.payload.plainToken', encoding: 'hex' },
  ],
  body: { plainToken: '{{ parsed_body.payload.plainToken }}', encryptedToken: '{{ challenge_token["encrypted"] }}' },
});
const metaRule = declarativeChallenge({
  detect: 'http_method == "GET" && query_params["hub.mode"] == "subscribe"',
  verify_token: { value: 'query_params["hub.verify_token"]', secret: { from: 'named', name: 'verify-token' } },
  body: '{{ query_params["hub.challenge"] }}',
});

function endpoints(zoomSecret: string): Record<string, WebhookEndpointDefinition> {
  const slackScheme = v0Scheme('slack', 'x-slack-signature', 'x-slack-request-timestamp');
  // Zoom and X compute their answers with the signing secret: only a scheme that declares it refuses
  // such answers as signatures may sit beside them (issue 13 item 1), so these are the real ones.
  const zoomScheme = zoomProvider.scheme();
  return {
    slack: endpoint('slack', slackScheme, slackChallenge(), { secrets: [SLACK_SECRET] }),
    zoom: endpoint('zoom', zoomScheme, zoomChallenge(), { secrets: [zoomSecret] }),
    x: endpoint('twitter', twitterProvider.scheme(), twitterChallenge(), {
      secrets: [X.inputs.consumer_secret],
    }),
    meta: endpoint('meta', bodyScheme('meta', 'x-hub-signature-256'), metaChallenge(), {
      secrets: [APP_SECRET],
      namedSecrets: { 'verify-token': 'meatyhamhock' },
    }),
    strava: endpoint('strava', bodyScheme('strava', 'x-test-signature'), stravaChallenge(), {
      secrets: [APP_SECRET],
      namedSecrets: { 'verify-token': 'STRAVA' },
    }),
    twitch: endpoint('twitch', twitchScheme, twitchChallenge(), { secrets: [TWITCH_SECRET] }),
    asana: endpoint('asana', bodyScheme('asana', 'x-hook-signature'), asanaChallenge()),
    smartsheet: endpoint('smartsheet', bodyScheme('smartsheet', 'smartsheet-hmac-sha256'), smartsheetChallenge(), {
      secrets: [APP_SECRET],
    }),
    'adobe-sign': endpoint(
      'adobe-sign',
      bodyScheme('adobe-sign', 'x-test-signature'),
      adobeSignChallenge({ verifyClientId: true }),
      { secrets: [APP_SECRET], namedSecrets: { 'client-id': ADOBE_SIGN_CLIENT_ID } },
    ),
    'adobe-io': endpoint('adobe-io', bodyScheme('adobe-io', 'x-adobe-signature'), adobeIoChallenge(), {
      secrets: [APP_SECRET],
    }),
    trello: endpoint('trello', bodyScheme('trello', 'x-trello-webhook'), trelloChallenge(), { secrets: [APP_SECRET] }),
    dropbox: endpoint('dropbox', bodyScheme('dropbox', 'x-dropbox-signature'), dropboxChallenge(), {
      secrets: [APP_SECRET],
    }),
    graph: endpoint('ms-graph', bodyScheme('ms-graph', 'x-test-signature'), msGraphChallenge(), {
      secrets: [APP_SECRET],
    }),
    okta: endpoint('okta', bodyScheme('okta', 'x-test-signature'), oktaChallenge(), { secrets: [APP_SECRET] }),
    'rule-slack': endpoint('slack', slackScheme, slackRule, { secrets: [SLACK_SECRET] }),
    'rule-zoom': endpoint('zoom', zoomScheme, zoomRule, { secrets: [zoomSecret] }),
    'rule-meta': endpoint('meta', bodyScheme('meta', 'x-hub-signature-256'), metaRule, {
      secrets: [APP_SECRET],
      namedSecrets: { 'verify-token': 'meatyhamhock' },
    }),
    // No challenge strategy: a challenge sent here is verified like any delivery.
    plain: endpoint('slack', slackScheme, undefined, { secrets: [SLACK_SECRET] }),
  };
}

@Injectable()
class Calls {
  readonly handled: string[] = [];
}

@Controller('hooks')
@UseGuards(WebhookGuard)
class ProviderHooksController {
  constructor(private readonly calls: Calls) {}

  private handle(name: string, event: VerifiedWebhook) {
    this.calls.handled.push(`${name}:${event.id ?? 'delivery'}`);
    return { received: true };
  }

  @Post('slack') @WebhookEndpoint('slack') @WebhookChallenge() slack(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('slack', e);
  }
  @Post('zoom') @WebhookEndpoint('zoom') @WebhookChallenge() zoom(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('zoom', e);
  }
  @Get('x') @WebhookEndpoint('x') @WebhookChallenge() x(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('x', e);
  }
  @Get('meta') @WebhookEndpoint('meta') @WebhookChallenge() meta(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('meta', e);
  }
  @Get('strava') @WebhookEndpoint('strava') @WebhookChallenge() strava(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('strava', e);
  }
  @Post('twitch') @WebhookEndpoint('twitch') @WebhookChallenge() twitch(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('twitch', e);
  }
  @Post('asana') @WebhookEndpoint('asana') @WebhookChallenge() asana(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('asana', e);
  }
  @Post('smartsheet') @WebhookEndpoint('smartsheet') @WebhookChallenge() smartsheet(
    @WebhookEvent() e: VerifiedWebhook,
  ) {
    return this.handle('smartsheet', e);
  }
  @Get('adobe-sign') @WebhookEndpoint('adobe-sign') @WebhookChallenge() adobeSign(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('adobe-sign', e);
  }
  @Get('adobe-io') @WebhookEndpoint('adobe-io') @WebhookChallenge() adobeIo(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('adobe-io', e);
  }
  @Head('trello') @WebhookEndpoint('trello') @WebhookChallenge() trello(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('trello', e);
  }
  @Get('dropbox') @WebhookEndpoint('dropbox') @WebhookChallenge() dropbox(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('dropbox', e);
  }
  @Post('graph') @WebhookEndpoint('graph') @WebhookChallenge() graph(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('graph', e);
  }
  @Get('okta') @WebhookEndpoint('okta') @WebhookChallenge() okta(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('okta', e);
  }
  @Post('rule-slack') @WebhookEndpoint('rule-slack') @WebhookChallenge() ruleSlack(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('rule-slack', e);
  }
  @Post('rule-zoom') @WebhookEndpoint('rule-zoom') @WebhookChallenge() ruleZoom(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('rule-zoom', e);
  }
  @Get('rule-meta') @WebhookEndpoint('rule-meta') @WebhookChallenge() ruleMeta(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('rule-meta', e);
  }
  @Post('plain') @WebhookEndpoint('plain') plain(@WebhookEvent() e: VerifiedWebhook) {
    return this.handle('plain', e);
  }
}

const registrations = {
  forRoot: () => WebhookModule.forRoot({ endpoints: endpoints(ZOOM.inputs.secret_token) }),
  forRootAsync: () =>
    WebhookModule.forRootAsync({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ ZOOM_SECRET: ZOOM.inputs.secret_token })] }),
      ],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({ endpoints: endpoints(config.getOrThrow<string>('ZOOM_SECRET')) }),
    }),
};

// ---------------------------------------------------------------------------------------------
// Requests as the providers send them.

const now = () => String(Math.floor(Date.now() / 1000));

/** A JSON POST signed the Slack way (v0 over `v0:ts:body`). */
function slackPost(body: string, secret = SLACK_SECRET): Record<string, string> {
  const ts = now();
  return {
    'content-type': 'application/json',
    'x-slack-request-timestamp': ts,
    'x-slack-signature': 'v0=' + hmac('sha256', secret, `v0:${ts}:${body}`).toString('hex'),
  };
}

function zoomPost(body: string, secret = ZOOM.inputs.secret_token): Record<string, string> {
  const ts = now();
  return {
    'content-type': 'application/json',
    'x-zm-request-timestamp': ts,
    'x-zm-signature': 'v0=' + hmac('sha256', secret, `v0:${ts}:${body}`).toString('hex'),
  };
}

function twitchPost(body: string, type: string): Record<string, string> {
  const id = randomUUID();
  const ts = new Date().toISOString();
  return {
    'content-type': 'application/json',
    'twitch-eventsub-message-id': id,
    'twitch-eventsub-message-timestamp': ts,
    'twitch-eventsub-message-type': type,
    'twitch-eventsub-message-retry': '0',
    'twitch-eventsub-message-signature': 'sha256=' + hmac('sha256', TWITCH_SECRET, id, ts, body).toString('hex'),
  };
}

// The documented bodies (shared/providers.md).
const SLACK_CHALLENGE = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P';
const SLACK_BODY = `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"${SLACK_CHALLENGE}","type":"url_verification"}`;
const ZOOM_BODY = `{"payload":{"plainToken":"${ZOOM.inputs.plainToken}"},"event_ts":1654503849680,"event":"endpoint.url_validation"}`;
const ZOOM_ANSWER = { plainToken: ZOOM.inputs.plainToken, encryptedToken: ZOOM.expected };
const META_QUERY = 'hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock';
const TWITCH_BODY =
  '{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","status":"webhook_callback_verification_pending","type":"channel.follow","version":"2","condition":{"broadcaster_user_id":"12826"},"transport":{"method":"webhook","callback":"https://example.com/webhooks/callback"},"created_at":"2019-11-16T10:11:12.634234626Z"}}';
const GRAPH_TOKEN =
  'Validation: Testing client application reachability for subscription Request-Id: 3b3f9821-ce3f-23d9-879b-00a23f3';

function expectText(answer: HttpAnswer, body: string) {
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  expect(answer.text).toBe(body);
}

function expectJson(answer: HttpAnswer, body: unknown) {
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  expect(answer.json).toEqual(body);
}

function expectRefused(answer: HttpAnswer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.json).toMatchObject({ statusCode: status, code });
}

describe.each(ADAPTERS)('provider challenges on %s', (adapter) => {
  describe.each(Object.keys(registrations) as Array<keyof typeof registrations>)('with %s', (registration) => {
    let running: RunningApp;
    let calls: Calls;
    const url = () => running.baseUrl;

    beforeAll(async () => {
      running = await startApp(adapter, [registrations[registration]()], [ProviderHooksController], {
        providers: [Calls],
      });
      calls = running.app.get(Calls);
    });
    afterAll(() => running.close());
    beforeEach(() => calls.handled.splice(0));
    afterEach(() => expect(calls.handled).toEqual([]));

    describe('Slack', () => {
      it('answers a signed url_verification with the challenge', async () => {
        expectText(
          await send(url(), '/hooks/slack', { headers: slackPost(SLACK_BODY), body: SLACK_BODY }),
          SLACK_CHALLENGE,
        );
      });

      it('answers a signed ssl_check with a bare 200', async () => {
        const body = 'ssl_check=1&token=Jhj5dZrVaK7ZwHHjRyZWjbDl';
        const headers = { ...slackPost(body), 'content-type': 'application/x-www-form-urlencoded' };
        const answer = await send(url(), '/hooks/slack', { headers, body });
        expect(answer.status).toBe(200);
        expect(answer.text).toBe('');
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      });

      it('refuses an unsigned url_verification (400) and a forged one (401)', async () => {
        const unsigned = await send(url(), '/hooks/slack', {
          headers: { 'content-type': 'application/json' },
          body: SLACK_BODY,
        });
        expectRefused(unsigned, 400, 'missing_header');
        const forged = await send(url(), '/hooks/slack', {
          headers: slackPost(SLACK_BODY, 'not-the-secret'),
          body: SLACK_BODY,
        });
        expectRefused(forged, 401, 'no_matching_signature');
      });
    });

    describe('Zoom', () => {
      it('answers a signed endpoint.url_validation with the published vector', async () => {
        expectJson(await send(url(), '/hooks/zoom', { headers: zoomPost(ZOOM_BODY), body: ZOOM_BODY }), ZOOM_ANSWER);
      });

      it('refuses an unsigned (400) or forged (401) validation', async () => {
        const unsigned = await send(url(), '/hooks/zoom', {
          headers: { 'content-type': 'application/json' },
          body: ZOOM_BODY,
        });
        expectRefused(unsigned, 400, 'missing_header');
        const forged = await send(url(), '/hooks/zoom', { headers: zoomPost(ZOOM_BODY, 'wrong'), body: ZOOM_BODY });
        expectRefused(forged, 401, 'no_matching_signature');
      });
    });

    it('X: answers the CRC GET with the vector', async () => {
      const answer = await send(url(), `/hooks/x?crc_token=${X.inputs.crc_token}`, { method: 'GET' });
      expectJson(answer, X.expected);
    });

    describe('Meta', () => {
      it('echoes hub.challenge as text after a matching verify token', async () => {
        expectText(await send(url(), `/hooks/meta?${META_QUERY}`, { method: 'GET' }), '1158201444');
      });

      it('refuses a wrong verify token (401)', async () => {
        const wrong = META_QUERY.replace('meatyhamhock', 'meatyhamhack');
        const answer = await send(url(), `/hooks/meta?${wrong}`, { method: 'GET' });
        expectRefused(answer, 401, 'challenge_verification_failed');
        expect(answer.text).not.toContain('1158201444');
      });

      it('records each answered challenge in the event log', async () => {
        const reader = running.app.get<EventLogReader>(EventLogReader);
        const count = async () =>
          (await reader.list({ endpoint: 'meta', limit: 100 })).items.filter((e) => e.status === 'challenge').length;
        const before = await count();
        expect((await send(url(), `/hooks/meta?${META_QUERY}`, { method: 'GET' })).status).toBe(200);
        expect(await count()).toBe(before + 1);
      });
    });

    describe('Strava', () => {
      it('answers {"hub.challenge": …} after a matching verify token', async () => {
        const answer = await send(
          url(),
          '/hooks/strava?hub.verify_token=STRAVA&hub.challenge=15f7d1a91c1f40&hub.mode=subscribe',
          { method: 'GET' },
        );
        expectJson(answer, { 'hub.challenge': '15f7d1a91c1f40' });
      });

      it('refuses a wrong verify token', async () => {
        const answer = await send(
          url(),
          '/hooks/strava?hub.verify_token=nope&hub.challenge=15f7d1a91c1f40&hub.mode=subscribe',
          {
            method: 'GET',
          },
        );
        expectRefused(answer, 401, 'challenge_verification_failed');
      });
    });

    describe('Twitch', () => {
      it('echoes the challenge of a signed webhook_callback_verification as text', async () => {
        const answer = await send(url(), '/hooks/twitch', {
          headers: twitchPost(TWITCH_BODY, 'webhook_callback_verification'),
          body: TWITCH_BODY,
        });
        expectText(answer, 'pogchamp-kappa-360noscope-vohiyo');
      });

      it('refuses an unsigned verification', async () => {
        const answer = await send(url(), '/hooks/twitch', {
          headers: {
            'content-type': 'application/json',
            'twitch-eventsub-message-type': 'webhook_callback_verification',
          },
          body: TWITCH_BODY,
        });
        expectRefused(answer, 400, 'missing_header');
      });
    });

    it('Asana: echoes X-Hook-Secret, stores it, then verifies deliveries with it; a second handshake is refused', async () => {
      const handshake = await send(url(), '/hooks/asana', {
        headers: { 'x-hook-secret': ASANA_SECRET, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(handshake.status).toBe(200);
      expect(handshake.headers.get('x-hook-secret')).toBe(ASANA_SECRET);
      expect(handshake.headers.get('x-content-type-options')).toBe('nosniff');

      const body = '{"events":[]}';
      const delivery = await send(url(), '/hooks/asana', {
        headers: {
          'content-type': 'application/json',
          // The SELF vector of shared/providers.md §7 for this secret and body.
          'x-hook-signature': '10468027b67df18c739cc4794c6fc2d2806dcaaf2259fc3e1ed9d26433659853',
        },
        body,
      });
      expect(delivery.status).toBe(201);
      expect(calls.handled).toEqual(['asana:delivery']);
      calls.handled.splice(0);

      const again = await send(url(), '/hooks/asana', {
        headers: { 'x-hook-secret': 'c'.repeat(64), 'content-type': 'application/json' },
        body: '{}',
      });
      expectRefused(again, 409, 'handshake_refused');
    });

    it('Smartsheet: answers with the Smartsheet-Hook-Response header and the JSON body', async () => {
      const challenge = 'd6c4d2a1-2e1f-4b5a-9d5c-0f3a2b1c4d5e';
      const answer = await send(url(), '/hooks/smartsheet', {
        headers: { 'content-type': 'application/json', 'smartsheet-hook-challenge': challenge },
        body: `{"challenge":"${challenge}","webhookId":1234567890}`,
      });
      expectJson(answer, { smartsheetHookResponse: challenge });
      expect(answer.headers.get('smartsheet-hook-response')).toBe(challenge);
    });

    describe('Adobe Sign', () => {
      it('echoes the configured client id in the header and the body', async () => {
        const answer = await send(url(), '/hooks/adobe-sign', {
          method: 'GET',
          headers: { 'x-adobesign-clientid': ADOBE_SIGN_CLIENT_ID },
        });
        expectJson(answer, { xAdobeSignClientId: ADOBE_SIGN_CLIENT_ID });
        expect(answer.headers.get('x-adobesign-clientid')).toBe(ADOBE_SIGN_CLIENT_ID);
      });

      it('refuses another client id', async () => {
        const answer = await send(url(), '/hooks/adobe-sign', {
          method: 'GET',
          headers: { 'x-adobesign-clientid': 'CBJCHBCAABAAsomeoneelse' },
        });
        expectRefused(answer, 401, 'challenge_verification_failed');
        expect(answer.headers.get('x-adobesign-clientid')).toBeNull();
      });
    });

    it('Adobe I/O Events: answers {"challenge": …}', async () => {
      const answer = await send(url(), '/hooks/adobe-io?challenge=8ec8d794-e0ab-42df-9017-e3dada8e84f7', {
        method: 'GET',
      });
      expectJson(answer, { challenge: '8ec8d794-e0ab-42df-9017-e3dada8e84f7' });
    });

    it('Trello: answers HEAD with 200 and no body', async () => {
      const answer = await send(url(), '/hooks/trello', { method: 'HEAD' });
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    });

    describe('Dropbox', () => {
      it('echoes the challenge as text/plain with nosniff', async () => {
        expectText(await send(url(), '/hooks/dropbox?challenge=abc123', { method: 'GET' }), 'abc123');
      });

      it('refuses an oversized, a markup and a binary challenge with 400 invalid_challenge, never reflecting it', async () => {
        for (const challenge of ['a'.repeat(257), '%3Cscript%3Ealert(1)%3C%2Fscript%3E', '%00%FF%0D%0A']) {
          const answer = await send(url(), `/hooks/dropbox?challenge=${challenge}`, { method: 'GET' });
          expectRefused(answer, 400, 'invalid_challenge');
          expect(answer.text).not.toContain('script');
          expect(answer.text).not.toContain('aaaaaaaa');
        }
      });
    });

    it('Microsoft Graph: echoes the URL-decoded validationToken as text', async () => {
      const query = new URLSearchParams({ validationToken: GRAPH_TOKEN }).toString();
      const answer = await send(url(), `/hooks/graph?${query}`, {
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: '',
      });
      expectText(answer, GRAPH_TOKEN);
    });

    it('Okta: answers the documented verification example', async () => {
      const answer = await send(url(), '/hooks/okta', {
        method: 'GET',
        headers: {
          'x-okta-verification-challenge': 'Me_rShK8JHsTnbyYrWXCEoMGbM_zsZ6k0hLPZ_Pg',
          authorization: 'my-shared-secret',
          accept: 'application/json',
        },
      });
      expectJson(answer, { verification: 'Me_rShK8JHsTnbyYrWXCEoMGbM_zsZ6k0hLPZ_Pg' });
    });

    describe('declarative rules, without the presets', () => {
      it('reproduce Slack', async () => {
        expectText(
          await send(url(), '/hooks/rule-slack', { headers: slackPost(SLACK_BODY), body: SLACK_BODY }),
          SLACK_CHALLENGE,
        );
        const unsigned = await send(url(), '/hooks/rule-slack', {
          headers: { 'content-type': 'application/json' },
          body: SLACK_BODY,
        });
        expectRefused(unsigned, 400, 'missing_header');
      });

      it('reproduce Zoom', async () => {
        expectJson(
          await send(url(), '/hooks/rule-zoom', { headers: zoomPost(ZOOM_BODY), body: ZOOM_BODY }),
          ZOOM_ANSWER,
        );
      });

      it('reproduce Meta', async () => {
        expectText(await send(url(), `/hooks/rule-meta?${META_QUERY}`, { method: 'GET' }), '1158201444');
        const wrong = META_QUERY.replace('meatyhamhock', 'x');
        expectRefused(
          await send(url(), `/hooks/rule-meta?${wrong}`, { method: 'GET' }),
          401,
          'challenge_verification_failed',
        );
      });

      it('refuse to echo markup', async () => {
        const body = '{"type":"url_verification","challenge":"<svg onload=alert(1)>"}';
        const answer = await send(url(), '/hooks/rule-slack', { headers: slackPost(body), body });
        expectRefused(answer, 400, 'invalid_challenge');
        expect(answer.text).not.toContain('svg');
      });
    });

    it('does not answer a challenge on an endpoint without a challenge strategy', async () => {
      const answer = await send(url(), '/hooks/plain', {
        headers: { 'content-type': 'application/json' },
        body: SLACK_BODY,
      });
      expectRefused(answer, 400, 'missing_header');
      expect(answer.text).not.toContain(SLACK_CHALLENGE);
    });
  });
});

describe('challenge configuration checked at start-up', () => {
  async function start(definitions: Record<string, WebhookEndpointDefinition>, controller: new () => unknown) {
    const moduleRef = await Test.createTestingModule({
      imports: [WebhookModule.forRoot({ endpoints: definitions })],
      controllers: [controller],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await app.init();
    } finally {
      await app.close();
    }
  }

  @Controller()
  @UseGuards(WebhookGuard)
  class RuleController {
    @Post('hook')
    @WebhookEndpoint('rule')
    @WebhookChallenge()
    hook() {}
  }

  const scheme = bodyScheme('test', 'x-test-signature');

  it('a syntax error in a rule fails app init, naming endpoint, field and position', async () => {
    const rule = declarativeChallenge({ detect: 'http_method == "POST" &&& parsed_body.type == "url_verification"' });
    await expect(start({ rule: endpoint('custom', scheme, rule) }, RuleController)).rejects.toThrow(
      'Webhook endpoint "rule": challenge.detect at line 1, column 25: syntax error',
    );
  });

  it('a reference to an unknown challenge token fails app init', async () => {
    const rule = declarativeChallenge({
      detect: 'http_method == "GET"',
      challenge_tokens: [
        { name: 'crc', algorithm: 'HMAC-SHA256', payload: 'query_params["crc_token"]', encoding: 'base64' },
      ],
      body: { response_token: 'sha256={{ challenge_token["crcc"] }}' },
    });
    await expect(start({ rule: endpoint('custom', scheme, rule) }, RuleController)).rejects.toThrow(
      'Webhook endpoint "rule": challenge.body.response_token at line 1, column 11: unknown challenge token "crcc" (defined: crc).',
    );
  });

  it('@WebhookChallenge() on an endpoint without a challenge strategy fails app init', async () => {
    await expect(start({ rule: endpoint('custom', scheme, undefined) }, RuleController)).rejects.toThrow(
      /endpoint "rule" has no challenge strategy/,
    );
  });
});
