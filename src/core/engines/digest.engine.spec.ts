import { createHash } from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import { extendSha256 } from '../../../test/support/length-extension';
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

  // A hostile review's forgery: with the timestamp hashed after the body, the padding's last byte
  // (the low byte of the bit length: a digit when the signed length is 6 or 7 mod 32) can move into
  // the timestamp header, so the padding ends past the body; the forged delivery also gets a fresh
  // timestamp. Forged with an independent SHA-256, checked against node:crypto.
  it('refuses a length extension whose padding runs from the body into the parts hashed after it', () => {
    const key = 'k'.repeat(20);
    const scheme = new DigestScheme({
      name: 'acme',
      signature: { header: 'x-sig' },
      template: '{secret}{body}{timestamp}',
      timestampHeader: 'x-ts',
    });
    const oldTs = '1699913600'; // a day before NOW: refused as too old
    const body = '{"event":"x","pad":"'.padEnd(38, 'x') + '"}'; // 20 + 40 + 10 = 70 ≡ 6 (mod 32)
    expect(body.length).toBe(40);
    const captured = createHash('sha256')
      .update(key + body + oldTs)
      .digest();
    const forged = extendSha256(captured, key.length, Buffer.from(body + oldTs), Buffer.from(String(NOW)));
    const signed = Buffer.concat([Buffer.from(body + oldTs), forged.appended]);
    expect(signed[signed.length - 11]).toBe(0x30); // the length field's last byte, '0'
    const forgedBody = signed.subarray(0, signed.length - 11);
    const forgedTs = signed.subarray(signed.length - 11).toString('latin1');
    expect(forgedTs).toBe(`0${NOW}`);
    expect(createHash('sha256').update(key).update(forgedBody).update(forgedTs).digest('hex')).toBe(forged.digest);
    const run = (sig: string, rawBody: Buffer, ts: string) =>
      scheme.verify(webhookRequest({ headers: { 'x-sig': sig, 'x-ts': ts }, body: rawBody }), [secret(key)], at(NOW));
    expect(refusal(() => run(captured.toString('hex'), Buffer.from(body), oldTs))).toBe('timestamp_too_old');
    // Refused first for its leading zero (a timestamp is read strictly); the check of the digest's
    // own padding (no_matching_signature) stays behind it.
    expect(refusal(() => run(forged.digest, forgedBody, forgedTs))).toBe('invalid_header');
    // A genuine delivery of the same shape is accepted.
    const fresh = createHash('sha256')
      .update(key + body + String(NOW))
      .digest('hex');
    expect(run(fresh, Buffer.from(body), String(NOW))).toMatchObject({ secretVersion: 1 });
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
