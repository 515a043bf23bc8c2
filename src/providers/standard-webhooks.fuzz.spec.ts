import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { WebhookVerificationError } from '../core/errors';
import type { WebhookRequest } from '../core/request';
import { standardWebhooksProvider } from './standard-webhooks';

// Property-based tests: hostile headers never raise anything but the typed error; a delivery signed
// per the spec (with node:crypto, written out here) always verifies; any one-byte change is refused.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = Buffer.from(SECRET.slice(6), 'base64');
const NOW = 1_700_000_000;
const scheme = standardWebhooksProvider.scheme();
const secrets = [{ version: 1, value: SECRET }];

const sign = (id: string, ts: string, body: Buffer) =>
  'v1,' + createHmac('sha256', KEY).update(`${id}.${ts}.`).update(body).digest('base64');

const req = (headers: Record<string, string>, body: Buffer): WebhookRequest => ({
  method: 'POST',
  url: '/',
  headers,
  query: {},
  rawBody: body,
});

const idArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const tsArb = fc.integer({ min: NOW - 300, max: NOW + 300 }).map(String);
const bodyArb = fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b));
const anyHeader = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.constant(''),
);

describe('StandardWebhooksScheme (property-based)', () => {
  it('throws nothing but WebhookVerificationError for arbitrary headers and bodies', () => {
    fc.assert(
      fc.property(anyHeader, anyHeader, anyHeader, bodyArb, (id, ts, signature, body) => {
        try {
          scheme.verify(
            req({ 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': signature }, body),
            secrets,
            {
              receivedAt: NOW * 1000,
            },
          );
        } catch (error) {
          if (!(error instanceof WebhookVerificationError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('verifies every delivery signed per the spec', () => {
    fc.assert(
      fc.property(idArb, tsArb, bodyArb, (id, ts, body) => {
        const result = scheme.verify(
          req({ 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sign(id, ts, body) }, body),
          secrets,
          { receivedAt: NOW * 1000 },
        );
        return result.messageId === id && result.secretVersion === 1;
      }),
      { numRuns: 500 },
    );
  });

  it('refuses any one-byte change of the body, id or timestamp', () => {
    fc.assert(
      fc.property(
        idArb,
        tsArb,
        bodyArb.filter((b) => b.length > 0),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom('body', 'id', 'timestamp'),
        (id, ts, body, position, delta, target) => {
          const signature = sign(id, ts, body);
          const body2 = Buffer.from(body);
          let [id2, ts2] = [id, ts];
          if (target === 'body') body2[position % body2.length] = (body2[position % body2.length] + delta) % 256;
          if (target === 'id') id2 = id.slice(0, -1) + (id.endsWith('a') ? 'b' : 'a');
          if (target === 'timestamp') ts2 = String(Number(ts) + 1 + (delta % 50));
          try {
            scheme.verify(
              req({ 'webhook-id': id2, 'webhook-timestamp': ts2, 'webhook-signature': signature }, body2),
              secrets,
              {
                receivedAt: NOW * 1000,
              },
            );
          } catch (error) {
            return error instanceof WebhookVerificationError;
          }
          return false;
        },
      ),
      { numRuns: 1000 },
    );
  });
});
