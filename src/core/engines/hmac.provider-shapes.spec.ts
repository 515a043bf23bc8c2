import { WebhookConfigurationError } from '../errors';
import { at, hmac, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { HmacScheme } from './hmac.engine';

// The generic scheme in the shapes providers use (split from hmac.engine.spec.ts). Expected values are
// computed here with node:crypto, following each configuration's documented algorithm.
const NOW = 1_700_000_000;

describe('HmacScheme', () => {
  describe('provider shapes as data', () => {
    it('reads several signature headers, any one matching; none present is missing_header', () => {
      const scheme = new HmacScheme({ header: ['sig-a', 'sig-b'], encoding: 'base64' });
      const good = hmac('sha256', 'k', '{}').toString('base64');
      const wrong = hmac('sha256', 'other', '{}').toString('base64');
      const verify = (headers: Record<string, string>) =>
        scheme.verify(webhookRequest({ headers, body: '{}' }), [secret('k')], at(NOW));
      expect(verify({ 'sig-a': wrong, 'sig-b': good }).secretVersion).toBe(1);
      expect(verify({ 'sig-b': good }).secretVersion).toBe(1);
      expect(refusal(() => verify({}))).toBe('missing_header');
      expect(refusal(() => verify({ 'sig-a': 'short', 'sig-b': good }))).toBe('invalid_header');
      expect(
        scheme.sign({ body: Buffer.from('{}'), key: 'k', timestamp: NOW, id: 'i', contentType: '' }).headers,
      ).toEqual({ 'sig-a': good });
    });

    it('requires exact header values and sends them when signing', () => {
      const scheme = new HmacScheme({ header: 'sig', requiredHeaders: { 'X-Version': '1' } });
      const sig = hmac('sha256', 'k', '{}').toString('hex');
      const verify = (headers: Record<string, string>) =>
        scheme.verify(webhookRequest({ headers, body: '{}' }), [secret('k')], at(NOW));
      expect(verify({ sig, 'x-version': '1' }).secretVersion).toBe(1);
      expect(refusal(() => verify({ sig, 'x-version': '2' }))).toBe('invalid_header');
      expect(refusal(() => verify({ sig }))).toBe('missing_header');
      const signed = scheme.sign({ body: Buffer.from('{}'), key: 'k', timestamp: NOW, id: 'i', contentType: '' });
      expect(signed.headers).toEqual({ sig, 'x-version': '1' });
    });

    it('checks a millisecond timestamp in the signed body once the signature matched', () => {
      const scheme = new HmacScheme({
        header: 'sig',
        bodyTimestamp: { field: 'sentAt', format: 'unix-milliseconds' },
        toleranceSeconds: 60,
      });
      const verify = (body: string, now = NOW) =>
        scheme.verify(
          webhookRequest({ headers: { sig: hmac('sha256', 'k', body).toString('hex') }, body }),
          [secret('k')],
          at(now),
        );
      const body = JSON.stringify({ sentAt: NOW * 1000 + 500 });
      expect(verify(body).signedAt).toEqual(new Date(NOW * 1000));
      expect(refusal(() => verify(body, NOW + 61))).toBe('timestamp_too_old');
      expect(refusal(() => verify(body, NOW - 61))).toBe('timestamp_too_new');
      expect(refusal(() => verify('{"sentAt":"1700000000000"}'))).toBe('timestamp_too_old');
      // sign() writes the signed time into the body, keeping a body that already holds it.
      const signed = scheme.sign({
        body: Buffer.from('{"a":1,"sentAt":5}'),
        key: 'k',
        timestamp: NOW,
        id: 'i',
        contentType: '',
      });
      expect(signed.body?.toString()).toBe(`{"a":1,"sentAt":${NOW * 1000}}`);
      expect(signed.headers.sig).toBe(hmac('sha256', 'k', signed.body!).toString('hex'));
      expect(
        scheme.sign({
          body: Buffer.from(`{"sentAt":${NOW * 1000}}`),
          key: 'k',
          timestamp: NOW,
          id: 'i',
          contentType: '',
        }).body,
      ).toBeUndefined();
      // A forged body is refused for its signature, before its timestamp is read.
      const forged = webhookRequest({ headers: { sig: '00'.repeat(32) }, body: '{}' });
      expect(refusal(() => scheme.verify(forged, [secret('k')], at(NOW)))).toBe('no_matching_signature');
    });

    it('refuses ids with excluded characters, and keys through the decodeKey and checkSecret hooks', () => {
      const decodeKey = (value: string | Buffer) => Buffer.from(String(value).replace(/^pre_/, ''), 'hex');
      const checkSecret = (value: string | Buffer) => {
        if (!String(value).startsWith('pre_')) throw new WebhookConfigurationError('needs pre_');
      };
      const scheme = new HmacScheme({
        header: 'sig',
        template: '{id}.{body}',
        idHeader: 'x-id',
        idExcludes: '.,',
        decodeKey,
        checkSecret,
      });
      const key = Buffer.from('00112233', 'hex');
      const request = (id: string) =>
        webhookRequest({ headers: { 'x-id': id, sig: hmac('sha256', key, `${id}.{}`).toString('hex') }, body: '{}' });
      expect(scheme.verify(request('m1'), [secret('pre_00112233')], at(NOW)).messageId).toBe('m1');
      expect(refusal(() => scheme.verify(request('m.1'), [secret('pre_00112233')], at(NOW)))).toBe('invalid_header');
      expect(refusal(() => scheme.verify(request('m,1'), [secret('pre_00112233')], at(NOW)))).toBe('invalid_header');
      expect(() => scheme.validateSecret('00112233')).toThrow(WebhookConfigurationError);
      expect(() => scheme.validateSecret('pre_00112233')).not.toThrow();
      const signed = scheme.sign({
        body: Buffer.from('{}'),
        key: 'pre_00112233',
        timestamp: NOW,
        id: 'm1',
        contentType: '',
      });
      expect(signed.headers.sig).toBe(hmac('sha256', key, 'm1.{}').toString('hex'));
    });
  });
});

// Issue 13 item 1: a string to sign made only of computed-token characters could be the input of a
// challenge answer keyed with the same secret, so it is refused even when validly signed.
describe('HmacScheme and token-shaped strings to sign', () => {
  const signed = (scheme: HmacScheme, body: string, ts?: string) =>
    webhookRequest({
      headers: { sig: hmac('sha256', 'k', ...(ts ? [ts] : []), body).toString('hex'), ...(ts ? { ts } : {}) },
      body,
    });

  it('refuses a validly signed body of token characters (body-only template)', () => {
    const scheme = new HmacScheme({ header: 'sig' });
    for (const body of ['abc', 'YWJjZA==', '9b4507b3-9040-4669-9ca3-6b94edb50553', 'a_b+c/d-e']) {
      expect(refusal(() => scheme.verify(signed(scheme, body), [secret('k')], at(NOW)))).toBe('invalid_body');
    }
    for (const body of ['a=b', 'a=b&c=d', '{}', 'abc\n', 'a.b', '']) {
      expect(scheme.verify(signed(scheme, body), [secret('k')], at(NOW)).secretVersion).toBe(1);
    }
  });

  it('refuses a token-shaped timestamp + body, but not a template whose literal holds a separator', () => {
    const bare = new HmacScheme({ header: 'sig', template: '{timestamp}{body}', timestampHeader: 'ts' });
    expect(refusal(() => bare.verify(signed(bare, '', String(NOW)), [secret('k')], at(NOW)))).toBe('invalid_body');
    expect(refusal(() => bare.verify(signed(bare, 'abc', String(NOW)), [secret('k')], at(NOW)))).toBe('invalid_body');
    const dotted = new HmacScheme({ header: 'sig', template: '{timestamp}.{body}', timestampHeader: 'ts' });
    const request = webhookRequest({
      headers: { sig: hmac('sha256', 'k', `${NOW}.abc`).toString('hex'), ts: String(NOW) },
      body: 'abc',
    });
    expect(dotted.verify(request, [secret('k')], at(NOW)).secretVersion).toBe(1);
  });

  it('checks a template whose literal is itself token characters or padding', () => {
    const padded = new HmacScheme({ header: 'sig', template: '{body}==' });
    const request = webhookRequest({ headers: { sig: hmac('sha256', 'k', 'abc==').toString('hex') }, body: 'abc' });
    expect(refusal(() => padded.verify(request, [secret('k')], at(NOW)))).toBe('invalid_body');
  });
});
