import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { WebhookConfigurationError, WebhookVerificationError } from '../core/errors';
import type { WebhookRequest } from '../core/request';
import { decodeStandardSecret, type WebhookSecret } from '../core/secret';
import { signStandardWebhook, standardWebhooksProvider, svixProvider } from './standard-webhooks';

// Published vectors: standard-webhooks/standard-webhooks libraries/go/webhook_test.go and
// libraries/rust/src/lib.rs (see shared/providers.md §19). SELF vectors are marked.
const GO = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const RUST = {
  secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
  id: 'msg_27UH4WbU6Z5A5EzD8u03UvzRbpk',
  timestamp: '1649367553',
  body: '{"email":"test@example.com","username":"test_user"}',
  signature: 'v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=',
};
/** SELF: the Go vector's message signed with the Rust vector's key. */
const ROTATED_SIGNATURE = 'v1,78nXHjpFP0tVJQW5D0SBwmVyyW87BV/rL6MgfM/Bw44=';

function request(headers: Record<string, string>, body: string | Buffer): WebhookRequest {
  return {
    method: 'POST',
    url: '/hooks',
    headers,
    query: {},
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
  };
}

function goRequest(
  overrides: Partial<Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>> = {},
  body: string | Buffer = GO.body,
) {
  return request(
    { 'webhook-id': GO.id, 'webhook-timestamp': GO.timestamp, 'webhook-signature': GO.signature, ...overrides },
    body,
  );
}

const secret = (value: string | Buffer, version = 1): WebhookSecret => ({ version, value });
const at = (unixSeconds: string | number) => ({ receivedAt: Number(unixSeconds) * 1000 });

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).code;
  }
  throw new Error('expected the verification to be refused');
}

describe('StandardWebhooksScheme', () => {
  const scheme = standardWebhooksProvider.scheme();

  describe('published vectors', () => {
    it('accepts the Go reference vector and reports its id, timestamp and secret version', () => {
      const result = scheme.verify(goRequest(), [secret(GO.secret, 7)], at(GO.timestamp));
      expect(result).toEqual({ secretVersion: 7, messageId: GO.id, signedAt: new Date(1614265330_000) });
    });

    it('accepts the Rust reference vector', () => {
      const req = request(
        { 'webhook-id': RUST.id, 'webhook-timestamp': RUST.timestamp, 'webhook-signature': RUST.signature },
        RUST.body,
      );
      expect(scheme.verify(req, [secret(RUST.secret)], at(RUST.timestamp)).secretVersion).toBe(1);
    });

    it('accepts the key with and without the whsec_ prefix, and as raw bytes', () => {
      const bare = GO.secret.slice('whsec_'.length);
      for (const value of [GO.secret, bare, Buffer.from(bare, 'base64')]) {
        expect(scheme.verify(goRequest(), [secret(value)], at(GO.timestamp)).messageId).toBe(GO.id);
      }
    });

    it('refuses the published invalid signature', () => {
      const req = goRequest({ 'webhook-signature': 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=' });
      expect(codeOf(() => scheme.verify(req, [secret(GO.secret)], at(GO.timestamp)))).toBe('no_matching_signature');
    });

    it('accepts an empty body (SELF vector)', () => {
      const req = goRequest({ 'webhook-signature': 'v1,v48jdbgvh29KJz2Qc+ghw8G6vG3nAKnujWBg8oM/62A=' }, '');
      expect(scheme.verify(req, [secret(GO.secret)], at(GO.timestamp)).messageId).toBe(GO.id);
    });

    it('accepts a UTF-8 body signed over its bytes (SELF vector)', () => {
      const req = goRequest(
        { 'webhook-signature': 'v1,rdMzOBjmBWRlLA9hnb5ZAFhhkeTkq1qZhvPyLFC2Ir4=' },
        '{"name":"Zoë ♥"}',
      );
      expect(scheme.verify(req, [secret(GO.secret)], at(GO.timestamp)).messageId).toBe(GO.id);
    });
  });

  describe('rotation', () => {
    const both = `${GO.signature} ${ROTATED_SIGNATURE}`;

    it('verifies a two-entry header with either key alone (SELF vector)', () => {
      expect(
        scheme.verify(goRequest({ 'webhook-signature': both }), [secret(GO.secret)], at(GO.timestamp)).secretVersion,
      ).toBe(1);
      expect(
        scheme.verify(goRequest({ 'webhook-signature': both }), [secret(RUST.secret, 2)], at(GO.timestamp))
          .secretVersion,
      ).toBe(2);
    });

    it('reports which of several live secrets matched', () => {
      const live = [secret(RUST.secret, 3), secret(GO.secret, 2)];
      expect(scheme.verify(goRequest(), live, at(GO.timestamp)).secretVersion).toBe(2);
      const onlyRotated = goRequest({ 'webhook-signature': ROTATED_SIGNATURE });
      expect(scheme.verify(onlyRotated, live, at(GO.timestamp)).secretVersion).toBe(3);
    });
  });

  describe('headers', () => {
    it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const)(
      'refuses a request without %s',
      (name) => {
        const headers: Record<string, string> = {
          'webhook-id': GO.id,
          'webhook-timestamp': GO.timestamp,
          'webhook-signature': GO.signature,
        };
        delete headers[name];
        expect(codeOf(() => scheme.verify(request(headers, GO.body), [secret(GO.secret)], at(GO.timestamp)))).toBe(
          'missing_header',
        );
      },
    );

    it.each([
      'hello',
      '1614265330abc',
      '-1614265330',
      '1614265330.5',
      ' 1614265330',
      '1e9',
      '9'.repeat(13),
      '１６１４２６５３３０',
    ])('refuses the timestamp %j as invalid', (timestamp) => {
      const req = goRequest({ 'webhook-timestamp': timestamp });
      expect(codeOf(() => scheme.verify(req, [secret(GO.secret)], at(GO.timestamp)))).toBe('invalid_header');
    });

    it.each(['msg.1', 'a b', 'a,b', 'é', 'x'.repeat(257)])('refuses the id %j as invalid', (id) => {
      expect(codeOf(() => scheme.verify(goRequest({ 'webhook-id': id }), [secret(GO.secret)], at(GO.timestamp)))).toBe(
        'invalid_header',
      );
    });

    it.each([
      ['a bogus signature', 'v1,dawfeoifkpqwoekfpqoekf'],
      ['a truncated header', GO.signature.slice(0, 8)],
      ['an empty v1 entry', 'v1,'],
      ['the signature with its last character removed', GO.signature.slice(0, -1)],
      ['the right digest under another version', GO.signature.replace('v1,', 'v2,')],
      ['the right digest without a version', GO.signature.slice(3)],
    ])('refuses %s', (_label, header) => {
      const req = goRequest({ 'webhook-signature': header });
      expect(codeOf(() => scheme.verify(req, [secret(GO.secret)], at(GO.timestamp)))).toBe('no_matching_signature');
    });

    it('accepts a header mixing a bogus v1, a v2 entry and the valid one', () => {
      const header = `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc ${GO.signature}`;
      expect(
        scheme.verify(goRequest({ 'webhook-signature': header }), [secret(GO.secret)], at(GO.timestamp)).messageId,
      ).toBe(GO.id);
    });

    it('refuses a header with more than 32 entries instead of scanning it', () => {
      const header = Array.from({ length: 33 }, () => GO.signature).join(' ');
      expect(
        codeOf(() => scheme.verify(goRequest({ 'webhook-signature': header }), [secret(GO.secret)], at(GO.timestamp))),
      ).toBe('invalid_header');
    });

    it('reads the svix-* headers in Svix mode, and not the webhook-* ones', () => {
      const svix = svixProvider.scheme();
      const req = request(
        { 'svix-id': GO.id, 'svix-timestamp': GO.timestamp, 'svix-signature': GO.signature },
        GO.body,
      );
      expect(svix.verify(req, [secret(GO.secret)], at(GO.timestamp)).messageId).toBe(GO.id);
      expect(codeOf(() => svix.verify(goRequest(), [secret(GO.secret)], at(GO.timestamp)))).toBe('missing_header');
    });
  });

  describe('timestamp window', () => {
    const ts = Number(GO.timestamp);

    it('accepts a timestamp exactly 300 s old or ahead, and refuses one more second either way', () => {
      expect(scheme.verify(goRequest(), [secret(GO.secret)], at(ts + 300)).messageId).toBe(GO.id);
      expect(scheme.verify(goRequest(), [secret(GO.secret)], at(ts - 300)).messageId).toBe(GO.id);
      expect(codeOf(() => scheme.verify(goRequest(), [secret(GO.secret)], at(ts + 301)))).toBe('timestamp_too_old');
      expect(codeOf(() => scheme.verify(goRequest(), [secret(GO.secret)], at(ts - 301)))).toBe('timestamp_too_new');
    });

    it('uses the configured tolerance', () => {
      const strict = standardWebhooksProvider.scheme({ toleranceSeconds: 10 });
      expect(codeOf(() => strict.verify(goRequest(), [secret(GO.secret)], at(ts + 11)))).toBe('timestamp_too_old');
      expect(strict.verify(goRequest(), [secret(GO.secret)], at(ts + 10)).messageId).toBe(GO.id);
    });

    it('judges a late-processed event by the time it was received', () => {
      // Received on time, verified an hour later from a queue: still valid.
      expect(scheme.verify(goRequest(), [secret(GO.secret)], { receivedAt: ts * 1000 + 1000 }).messageId).toBe(GO.id);
    });
  });

  describe('secrets', () => {
    it('fails closed with no live secret', () => {
      expect(codeOf(() => scheme.verify(goRequest(), [], at(GO.timestamp)))).toBe('no_secret_configured');
    });

    it('refuses a wrong secret', () => {
      expect(codeOf(() => scheme.verify(goRequest(), [secret(RUST.secret)], at(GO.timestamp)))).toBe(
        'no_matching_signature',
      );
    });

    it.each([
      '',
      'whsec_',
      'whsec_not base64!',
      'whsec_' + Buffer.alloc(16).toString('base64'),
      'whsec_' + Buffer.alloc(65).toString('base64'),
    ])('refuses the secret %j at configuration time', (value) => {
      expect(() => scheme.validateSecret!(value)).toThrow(WebhookConfigurationError);
      expect(() => decodeStandardSecret(value)).toThrow(WebhookConfigurationError);
    });

    it('refuses an empty raw secret', () => {
      expect(() => decodeStandardSecret(Buffer.alloc(0))).toThrow(WebhookConfigurationError);
    });
  });

  describe('bodies', () => {
    it('detects a one-byte change of the body', () => {
      const req = goRequest({}, GO.body.replace('2432232314', '2432232315'));
      expect(codeOf(() => scheme.verify(req, [secret(GO.secret)], at(GO.timestamp)))).toBe('no_matching_signature');
    });

    it('accepts a body that is not valid UTF-8, signed over its bytes', () => {
      const body = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x7b]);
      // The reference JS library can only sign strings (it re-encodes them as UTF-8), so these bytes
      // are signed with node:crypto as the spec describes.
      const key = Buffer.from(GO.secret.slice(6), 'base64');
      const sig = createHmac('sha256', key).update(`${GO.id}.${GO.timestamp}.`).update(body).digest('base64');
      const req = goRequest({ 'webhook-signature': `v1,${sig}` }, body);
      expect(scheme.verify(req, [secret(GO.secret)], at(GO.timestamp)).messageId).toBe(GO.id);
    });

    it('accepts what the standardwebhooks package signs, and it accepts the same request', () => {
      const wh = new Webhook(GO.secret);
      const now = new Date();
      const body = JSON.stringify({ type: 'invoice.paid', data: { amount: 4200 } });
      const signature = wh.sign('msg_interop', now, body);
      const headers = {
        'webhook-id': 'msg_interop',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      };
      expect(scheme.verify(request(headers, body), [secret(GO.secret)], { receivedAt: now.getTime() }).messageId).toBe(
        'msg_interop',
      );
      expect(wh.verify(body, headers)).toEqual(JSON.parse(body));
    });
  });
});

describe('standardWebhooksProvider.scheme().sign()', () => {
  const input = {
    body: Buffer.from(GO.body),
    key: GO.secret,
    timestamp: Number(GO.timestamp),
    id: GO.id,
    contentType: 'application/json',
  };

  it('reproduces the published Go vector (TestWebhookSign), with the id and timestamp headers', () => {
    expect(standardWebhooksProvider.scheme().sign(input).headers).toEqual({
      'webhook-signature': GO.signature,
      'webhook-id': GO.id,
      'webhook-timestamp': GO.timestamp,
    });
    expect(signStandardWebhook({ id: GO.id, timestamp: Number(GO.timestamp), body: GO.body, secret: GO.secret })).toBe(
      GO.signature,
    );
  });

  it('signs under svix-* headers for Svix, and the standardwebhooks package accepts it', () => {
    const now = Math.floor(Date.now() / 1000);
    const signed = svixProvider.scheme().sign({ ...input, timestamp: now });
    expect(signed.headers['svix-signature']).toBe(
      'v1,' +
        createHmac('sha256', Buffer.from(GO.secret.slice(6), 'base64'))
          .update(`${GO.id}.${now}.`)
          .update(GO.body)
          .digest('base64'),
    );
    const headers = {
      'webhook-id': signed.headers['svix-id'],
      'webhook-timestamp': signed.headers['svix-timestamp'],
      'webhook-signature': signed.headers['svix-signature'],
    };
    expect(new Webhook(GO.secret).verify(GO.body, headers)).toEqual(JSON.parse(GO.body));
  });
});
