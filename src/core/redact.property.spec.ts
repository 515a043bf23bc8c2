import fc from 'fast-check';
import { headerValue, type WebhookRequest } from './request';
import { REDACTED, redactHeaders } from './redact';

// Property-based tests of the header redaction that guards the event log and the admin API: the
// value of a header that carries a credential or a signature never survives, whatever its case,
// its value or the headers around it; every other header is kept as received (joined when sent
// twice); nothing else is added.

/** The credential and signature headers of the providers Hookwarden verifies, as they send them. */
const PROVIDER_SECRET_HEADERS = [
  'Authorization',
  'Cookie',
  'Proxy-Authorization',
  'webhook-signature',
  'svix-signature',
  'Stripe-Signature',
  'X-Hub-Signature',
  'X-Hub-Signature-256',
  'X-Slack-Signature',
  'x-zm-signature',
  'x-twitter-webhooks-signature',
  'Twitch-Eventsub-Message-Signature',
  'X-Shopify-Hmac-Sha256',
  'x-square-hmacsha256-signature',
  'X-Twilio-Signature',
  'X-Twilio-Email-Event-Webhook-Signature',
  'X-PagerDuty-Signature',
  'Linear-Signature',
  'X-Signature-Ed25519',
  'X-Hook-Secret',
  'X-Hook-Signature',
  'X-Dropbox-Signature',
  'Box-Signature-Primary',
  'Box-Signature-Secondary',
  // Trello signs with base64 HMAC-SHA1 in this header (src/providers/trello.ts).
  'X-Trello-Webhook',
  'X-Adobe-Digital-Signature-1',
  'Smartsheet-Hmac-SHA256',
  'X-Api-Key',
  'X-Webhook-Auth',
  'X-Auth-Token',
  'X-Webhook-Secret',
  'X-Webhook-Password',
];

/** Headers that carry no secret and must stay readable for an operator. */
const PLAIN_HEADERS = ['content-type', 'user-agent', 'webhook-id', 'webhook-timestamp', 'x-github-event', 'host'];

const SENSITIVE = /signature|authorization|cookie|secret|token|api-?key|hmac|password|x-hook-secret|x-webhook-auth/i;
const headerNames = fc.stringMatching(/^[a-z][a-z0-9-]{0,40}$/);
const values = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 80 }));
const headerValues = fc.oneof(values, fc.array(values, { minLength: 1, maxLength: 4 }));
/** Mixed case, as providers send them; Node lower-cases names, custom adapters may not. */
const anyCase = (name: string, flips: boolean[]) =>
  [...name].map((c, i) => (flips[i % Math.max(1, flips.length)] ? c.toUpperCase() : c)).join('');

describe('redactHeaders (property-based)', () => {
  it("replaces the value of every provider's credential and signature header, in any case", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROVIDER_SECRET_HEADERS),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        headerValues,
        (name, flips, value) => {
          const cased = anyCase(name, flips);
          const safe = redactHeaders({ [cased]: value });
          return safe[cased] === REDACTED;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never lets the value of a sensitive header through, whatever the other headers are', () => {
    const plainNames = headerNames.filter((name) => !SENSITIVE.test(name));
    // The other headers cannot contain the secret: their values have no ':'.
    const plainValues = fc.stringMatching(/^[A-Za-z0-9 ,;=/+-]{0,60}$/);
    fc.assert(
      fc.property(
        fc.dictionary(plainNames, plainValues, { maxKeys: 20 }),
        fc.constantFrom(...PROVIDER_SECRET_HEADERS).map((name) => name.toLowerCase()),
        fc.string({ minLength: 8, maxLength: 64 }),
        (others, name, random) => {
          const secret = `s3cr3t:${random}`;
          return !JSON.stringify(redactHeaders({ ...others, [name]: secret })).includes(secret);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps every other header as received, joining repeated values, and drops undefined ones', () => {
    fc.assert(
      fc.property(
        fc.dictionary(headerNames, fc.option(headerValues, { nil: undefined }), { maxKeys: 20 }),
        (headers) => {
          const safe = redactHeaders(headers);
          for (const [name, value] of Object.entries(headers)) {
            if (value === undefined) {
              if (name in safe) return false;
            } else if (SENSITIVE.test(name)) {
              if (safe[name] !== REDACTED) return false;
            } else if (safe[name] !== (Array.isArray(value) ? value.join(', ') : value)) {
              return false;
            }
          }
          return Object.keys(safe).every((name) => headers[name] !== undefined);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps the plain headers an operator needs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PLAIN_HEADERS),
        values,
        (name, value) => redactHeaders({ [name]: value })[name] === value,
      ),
    );
  });

  it('does not change the headers it is given', () => {
    fc.assert(
      fc.property(fc.dictionary(headerNames, headerValues, { maxKeys: 10 }), (headers) => {
        const before = JSON.stringify(headers);
        redactHeaders(headers);
        return JSON.stringify(headers) === before;
      }),
    );
  });
});

describe('headerValue (property-based)', () => {
  const request = (headers: WebhookRequest['headers']): WebhookRequest => ({
    method: 'POST',
    url: '/',
    headers,
    query: {},
    rawBody: Buffer.alloc(0),
  });

  it('reads a header sent once as is, and one sent several times as one joined value', () => {
    fc.assert(
      fc.property(headerNames, headerValues, (name, value) => {
        const read = headerValue(request({ [name]: value }), name);
        return read === (Array.isArray(value) ? value.join(', ') : value);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads an absent header as undefined', () => {
    fc.assert(fc.property(headerNames, (name) => headerValue(request({}), name) === undefined));
  });
});
