// Issue 16 item 7: the two seed examples expressed as data only (the generic HMAC and a declarative
// rule, as the demo mounts them), end to end on Express and Fastify. Signatures come from node:crypto
// written out here, never from Hookwarden's signer.
import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import {
  WebhookChallenge,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type VerifiedWebhook,
} from '../src';
import { seedChallengeEndpoint, seedHandshakeEndpoint } from '../src/demo/demo-endpoints';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';

const SECRET = randomBytes(32).toString('hex');
const VERIFICATION_TOKEN = `vt_${randomBytes(16).toString('hex')}`;
const JSON_TYPE = { 'content-type': 'application/json' };
const hmacHex = (text: string) => createHmac('sha256', SECRET).update(text).digest('hex');

const received: VerifiedWebhook[] = [];

@Controller('hooks')
@UseGuards(WebhookGuard)
class SeedController {
  @Post('seed-handshake')
  @HttpCode(200)
  @WebhookEndpoint('seed-handshake')
  @WebhookChallenge()
  handshake(@WebhookEvent() event: VerifiedWebhook) {
    received.push(event);
    return { received: true };
  }

  @Post('seed-challenge')
  @HttpCode(200)
  @WebhookEndpoint('seed-challenge')
  challenge(@WebhookEvent() event: VerifiedWebhook) {
    received.push(event);
    return { received: true };
  }
}

describe.each(ADAPTERS)('the seed examples as data on %s', (adapter) => {
  let running: RunningApp;

  beforeAll(async () => {
    const endpoints = {
      'seed-handshake': seedHandshakeEndpoint(SECRET, VERIFICATION_TOKEN),
      'seed-challenge': seedChallengeEndpoint(SECRET),
    };
    running = await startApp(adapter, [WebhookModule.forRoot({ endpoints })], [SeedController]);
  });
  afterAll(() => running.close());
  beforeEach(() => received.splice(0));

  describe('handshake: the pre-defined verification token of the JSON body is echoed', () => {
    const handshake = (token: unknown) =>
      send(running.baseUrl, '/hooks/seed-handshake', {
        headers: JSON_TYPE,
        body: JSON.stringify({ verification_token: token }),
      });

    it('echoes the configured token, and never reaches the handler', async () => {
      const answer = await handshake(VERIFICATION_TOKEN);
      expect([answer.status, answer.text]).toEqual([200, VERIFICATION_TOKEN]);
      expect(received).toHaveLength(0);
    });

    it('refuses any other token with a code, echoing none of it', async () => {
      const answer = await handshake('attacker-chosen-token-zq7');
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ statusCode: 401, code: expect.any(String), message: expect.any(String) });
      expect(answer.text).not.toContain('zq7');
    });

    it('still verifies deliveries with the HMAC described as data', async () => {
      const body = JSON.stringify({ type: 'seed.event', n: randomBytes(4).toString('hex') });
      const signed = { ...JSON_TYPE, 'x-signature': `sha256=${hmacHex(body)}` };
      expect((await send(running.baseUrl, '/hooks/seed-handshake', { headers: signed, body })).status).toBe(200);
      expect(received).toHaveLength(1);
      const tampered = await send(running.baseUrl, '/hooks/seed-handshake', { headers: signed, body: `${body} ` });
      expect(tampered.status).toBe(401);
    });
  });

  describe('per-delivery challenge: HMAC-SHA256 of x-challenge-token equals the body hash', () => {
    const deliver = (token: string, hash: string, extra: Record<string, unknown> = {}) =>
      send(running.baseUrl, '/hooks/seed-challenge', {
        headers: { ...JSON_TYPE, 'x-challenge-token': token },
        body: JSON.stringify({ type: 'seed.event', ...extra, challenge_hash: hash }),
      });

    it('accepts the hash of the header, once: the same token again is a duplicate', async () => {
      const token = randomBytes(16).toString('hex');
      const first = await deliver(token, hmacHex(token));
      expect([first.status, first.json]).toEqual([200, { received: true }]);
      const replay = await deliver(token, hmacHex(token), { type: 'other body, same token' });
      expect(replay.status).toBe(200);
      expect(replay.json).toMatchObject({ duplicate: true });
      expect(received).toHaveLength(1);
    });

    it('refuses a wrong hash, a missing header and a missing hash with a code', async () => {
      const token = randomBytes(16).toString('hex');
      const wrong = await deliver(token, hmacHex(`${token}x`));
      expect([wrong.status, wrong.json.code]).toEqual([401, 'no_matching_signature']);
      const noHeader = await send(running.baseUrl, '/hooks/seed-challenge', {
        headers: JSON_TYPE,
        body: JSON.stringify({ challenge_hash: hmacHex(token) }),
      });
      expect([noHeader.status, noHeader.json.code]).toEqual([400, 'missing_header']);
      const noHash = await send(running.baseUrl, '/hooks/seed-challenge', {
        headers: { ...JSON_TYPE, 'x-challenge-token': token },
        body: '{"type":"seed.event"}',
      });
      expect([noHash.status, noHash.json.code]).toEqual([401, 'no_matching_signature']);
      expect(received).toHaveLength(0);
    });
  });
});
