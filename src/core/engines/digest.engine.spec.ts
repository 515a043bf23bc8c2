import { createHash } from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import { at, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { DigestScheme } from './digest.engine';

// The plain-digest engine as data; expected digests are computed here with node:crypto.
const NOW = 1_700_000_000;
const sha = (algorithm: string, text: string) => createHash(algorithm).update(text).digest('hex');

describe('DigestScheme', () => {
  it('hashes a template over the body, the timestamp and the secret, in a header', () => {
    const scheme = new DigestScheme({
      name: 'acme',
      signature: { header: 'x-sig', prefix: 'sha1=' },
      algorithm: 'sha1',
      template: '{body}|{timestamp}|{secret}',
      timestampHeader: 'x-ts',
      toleranceSeconds: 60,
    });
    const body = '{"a":1}';
    const run = (sig: string, now = NOW) =>
      scheme.verify(
        webhookRequest({ headers: { 'x-sig': sig, 'x-ts': String(NOW) }, body }),
        [secret('old', 1), secret('s3cret', 2)],
        at(now),
      );
    const good = `sha1=${sha('sha1', `${body}|${NOW}|s3cret`)}`;
    expect(run(good)).toEqual({ secretVersion: 2, signedAt: new Date(NOW * 1000) });
    expect(refusal(() => run(good, NOW + 61))).toBe('timestamp_too_old');
    expect(refusal(() => run(sha('sha1', `${body}|${NOW}|s3cret`)))).toBe('invalid_header');
    expect(refusal(() => run(`sha1=${sha('sha1', `${body}|${NOW}|other`)}`))).toBe('no_matching_signature');
  });

  it('reads the digest and the hashed fields from the body, and says what it does not cover', () => {
    const scheme = new DigestScheme({
      name: 'acme',
      signature: { bodyField: 'sig' },
      algorithm: 'sha512',
      template: '{field:order}{field:amount}{secret}',
    });
    const digest = sha('sha512', '7' + '10.00' + 'key');
    const run = (fields: Record<string, unknown>) =>
      scheme.verify(webhookRequest({ body: JSON.stringify(fields) }), [secret('key', 1)], at(NOW));
    expect(run({ order: '7', amount: '10.00', status: 'paid', sig: digest })).toEqual({ secretVersion: 1 });
    // The weakness of such a scheme, stated: a field outside the template is not authenticated.
    expect(run({ order: '7', amount: '10.00', status: 'refunded', sig: digest })).toEqual({ secretVersion: 1 });
    expect(refusal(() => run({ order: '7', amount: '10.0', sig: digest }))).toBe('no_matching_signature');
    expect(refusal(() => run({ order: 7, amount: '10.00', sig: digest }))).toBe('invalid_body');
    expect(refusal(() => run({ order: '7', amount: '10.00' }))).toBe('no_matching_signature');
  });

  it('refuses a template without the secret, or covering nothing of the request', () => {
    const make = (template: string) => () => new DigestScheme({ name: 'x', signature: { header: 'x' }, template });
    expect(make('{body}')).toThrow(WebhookConfigurationError);
    expect(make('{secret}')).toThrow(WebhookConfigurationError);
    expect(make('{secret}{body}{nope}')).toThrow(WebhookConfigurationError);
  });
});
