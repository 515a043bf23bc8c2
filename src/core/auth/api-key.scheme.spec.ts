import fc from 'fast-check';
import { WebhookConfigurationError, WebhookVerificationError } from '../errors';
import { at, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { ApiKeyScheme, apiKey } from './api-key.scheme';

const NOW = 1_700_000_000;

describe('ApiKeyScheme', () => {
  describe('in a header, with configured keys', () => {
    const scheme = apiKey({ header: 'Authorization', prefix: 'Bearer ', keys: ['key-one', 'key-two'] });
    const request = (authorization?: string) => webhookRequest({ headers: { authorization } });

    it('accepts each configured key, with the prefix in any case, and reports no secret version', () => {
      expect(scheme.verify(request('Bearer key-one'), [], at(NOW))).toEqual({ messageId: undefined });
      expect(scheme.verify(request('bearer key-two'), [secret('unrelated')], at(NOW))).toEqual({
        messageId: undefined,
      });
      expect(scheme.requiresSecret).toBe(false);
      expect(scheme.validateSecret).toBeUndefined();
    });

    it('refuses a missing, wrong, unprefixed or extended key with bad_credentials', () => {
      for (const value of [
        undefined,
        '',
        'Bearer ',
        'key-one',
        'Bearer key-one ',
        'Bearer key-on',
        'Basic key-one',
        'Bearer KEY-ONE',
      ]) {
        expect(refusal(() => scheme.verify(request(value), [], at(NOW)))).toBe('bad_credentials');
      }
    });
  });

  describe('in a query parameter, with the endpoint secrets', () => {
    const scheme = new ApiKeyScheme({ query: 'token', idField: 'id' });
    const request = (url: string) => webhookRequest({ url, body: '{"id":"evt_9"}' });

    it('accepts a live secret and reports its version and the body id', () => {
      const secrets = [secret('old-token', 1), secret('new-token', 2)];
      expect(scheme.verify(request('/h?token=old-token'), secrets, at(NOW))).toEqual({
        secretVersion: 1,
        messageId: 'evt_9',
      });
      expect(scheme.verify(request('/h?token=new-token'), secrets, at(NOW)).secretVersion).toBe(2);
      expect(scheme.requiresSecret).toBe(true);
    });

    it('refuses wrong, missing and repeated keys, and fails closed without secrets', () => {
      const secrets = [secret('new-token', 2)];
      expect(refusal(() => scheme.verify(request('/h?token=old-token'), secrets, at(NOW)))).toBe('bad_credentials');
      expect(refusal(() => scheme.verify(request('/h'), secrets, at(NOW)))).toBe('bad_credentials');
      const repeated = webhookRequest({ url: '/h', query: { token: ['new-token'] } });
      expect(refusal(() => scheme.verify(repeated, secrets, at(NOW)))).toBe('bad_credentials');
      expect(refusal(() => scheme.verify(request('/h?token=new-token'), [], at(NOW)))).toBe('no_secret_configured');
    });

    it('validates endpoint secrets at start-up', () => {
      expect(() => scheme.validateSecret!('')).toThrow(WebhookConfigurationError);
      expect(() => scheme.validateSecret!('ok')).not.toThrow();
    });
  });

  describe('sign()', () => {
    const input = { body: Buffer.from('{}'), timestamp: NOW, id: 'evt_1', contentType: 'application/json' };

    it('puts the key after the prefix in the header, where verify() reads it', () => {
      const scheme = apiKey({ header: 'Authorization', prefix: 'Bearer ', keys: ['key-one'] });
      const signed = scheme.sign({ ...input, key: 'key-one' });
      expect(signed).toEqual({ headers: { authorization: 'Bearer key-one' } });
      expect(scheme.verify(webhookRequest({ headers: signed.headers }), [], at(NOW))).toEqual({ messageId: undefined });
    });

    it('puts the key in the query parameter, where verify() reads it', () => {
      const scheme = new ApiKeyScheme({ query: 'token' });
      const signed = scheme.sign({ ...input, key: Buffer.from('new-token') });
      expect(signed).toEqual({ headers: {}, query: { token: 'new-token' } });
      const request = webhookRequest({ url: `/h?${new URLSearchParams(signed.query).toString()}` });
      expect(scheme.verify(request, [secret('new-token', 2)], at(NOW)).secretVersion).toBe(2);
    });
  });

  it('refuses impossible configurations', () => {
    expect(() => apiKey({})).toThrow(WebhookConfigurationError);
    expect(() => apiKey({ header: 'x', query: 'y' })).toThrow(WebhookConfigurationError);
    expect(() => apiKey({ header: 'x', keys: [] })).toThrow(WebhookConfigurationError);
    expect(() => apiKey({ header: 'x', keys: [''] })).toThrow(WebhookConfigurationError);
  });

  it('never throws anything but WebhookVerificationError and accepts only the exact key', () => {
    const scheme = apiKey({ header: 'x-api-key', keys: ['k3y'] });
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        try {
          scheme.verify(webhookRequest({ headers: { 'x-api-key': value } }), [], at(NOW));
          expect(value).toBe('k3y');
        } catch (error) {
          if (!(error instanceof WebhookVerificationError)) throw error;
          expect(error.code).toBe('bad_credentials');
        }
      }),
      { numRuns: 200 },
    );
  });
});
