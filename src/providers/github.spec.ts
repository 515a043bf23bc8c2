import { createHmac } from 'node:crypto';
import { signVector } from '../../test/support/provider-spec';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { githubProvider } from './github';

// UPSTREAM vector: github/docs validating-webhook-deliveries.md. Other signatures follow the same
// documented algorithm with node:crypto: sha256=<hex HMAC-SHA256(secret, body)>.
const VECTOR = publishedVector('github', 'signature');
const sign = (key: string, body: string | Buffer) => 'sha256=' + createHmac('sha256', key).update(body).digest('hex');
const NOW = 1_700_000_000;

describe('GitHubScheme', () => {
  const scheme = githubProvider.scheme();
  const request = (headers: Record<string, string>, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({ headers: { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', ...headers }, body });

  it('accepts the published vector and reports X-GitHub-Delivery as the id', () => {
    const result = scheme.verify(
      request({ 'x-hub-signature-256': VECTOR.expected }),
      [secret(VECTOR.inputs.secret, 3)],
      at(NOW),
    );
    expect(result).toEqual({
      secretVersion: 3,
      messageId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      signedAt: undefined,
      // The id header is not signed: deduplication keys on the signed content instead.
      unsignedMessageId: true,
    });
  });

  // The event header is unsigned and part of the dedupe key: each made-up or re-cased name made
  // one captured delivery new again, handled once more per name.
  it("accepts GitHub's event names in X-GitHub-Event and refuses other values", () => {
    const run = (event: string) =>
      scheme.verify(
        request({ 'x-hub-signature-256': VECTOR.expected, 'x-github-event': event }),
        [secret(VECTOR.inputs.secret)],
        at(NOW),
      );
    for (const event of ['push', 'pull_request_review_comment', 'projects_v2_item', 'ping']) {
      expect(run(event)).toMatchObject({ unsignedEventType: event });
    }
    for (const event of ['Issues', 'ISSUES', 'issues ', 'x-1', 'orders/create', '_push', '1push', 'a'.repeat(101)]) {
      expect(refusal(() => run(event))).toBe('invalid_header');
    }
  });

  it('accepts upper-case hex digits', () => {
    const upper = 'sha256=' + VECTOR.expected.slice(7).toUpperCase();
    expect(
      scheme.verify(request({ 'x-hub-signature-256': upper }), [secret(VECTOR.inputs.secret)], at(NOW)).secretVersion,
    ).toBe(1);
  });

  it('refuses a tampered body and a wrong secret', () => {
    const headers = { 'x-hub-signature-256': VECTOR.expected };
    expect(
      refusal(() => scheme.verify(request(headers, 'Hello, World?'), [secret(VECTOR.inputs.secret)], at(NOW))),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(headers), [secret("It's a secret to everybody")], at(NOW)))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses missing and malformed signatures, and the legacy sha1 header alone', () => {
    const secrets = [secret(VECTOR.inputs.secret)];
    expect(refusal(() => scheme.verify(request({}), secrets, at(NOW)))).toBe('missing_header');
    const sha1 = 'sha1=' + createHmac('sha1', VECTOR.inputs.secret).update(VECTOR.inputs.body).digest('hex');
    expect(refusal(() => scheme.verify(request({ 'x-hub-signature': sha1 }), secrets, at(NOW)))).toBe('missing_header');
    for (const malformed of [
      VECTOR.expected.slice(7),
      'sha256=',
      VECTOR.expected + '00',
      'SHA256=' + VECTOR.expected.slice(7),
    ]) {
      expect(refusal(() => scheme.verify(request({ 'x-hub-signature-256': malformed }), secrets, at(NOW)))).toBe(
        'invalid_header',
      );
    }
    const badId = request({ 'x-hub-signature-256': VECTOR.expected, 'x-github-delivery': 'has space' });
    expect(refusal(() => scheme.verify(badId, secrets, at(NOW)))).toBe('invalid_header');
  });

  describeSchemeProperties({
    scheme,
    secrets: [secret('old-secret', 1), secret('new-secret', 2)],
    now: NOW,
    headers: ['x-hub-signature-256', 'x-github-delivery'],
    covers: ['body'],
    expectedId: (message) => message.id,
    request: (message, signed) =>
      webhookRequest({
        headers: { 'x-github-delivery': message.id, 'x-hub-signature-256': sign('new-secret', signed.body) },
        body: message.body,
      }),
  });
});

describe('githubProvider.scheme().sign()', () => {
  it('reproduces the published vector, with the delivery id and event type headers', () => {
    const signed = signVector(githubProvider.scheme(), VECTOR, 'secret', { id: 'd-1', eventType: 'ping' });
    expect(signed.headers).toEqual({
      'x-hub-signature-256': VECTOR.expected,
      'x-github-delivery': 'd-1',
      'x-github-event': 'ping',
    });
  });
});
