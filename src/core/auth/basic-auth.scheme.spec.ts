import fc from 'fast-check';
import { WebhookConfigurationError, WebhookVerificationError } from '../errors';
import { at, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { basicAuth } from './basic-auth.scheme';

const NOW = 1_700_000_000;
const basic = (pair: string) => 'Basic ' + Buffer.from(pair, 'utf8').toString('base64');
const request = (authorization?: string) => webhookRequest({ headers: { authorization } });

describe('BasicAuthScheme', () => {
  describe('with configured credentials', () => {
    const scheme = basicAuth({ credentials: [{ username: 'hooks', password: 'pa:ss wörd' }] });

    it('accepts the pair (a password may contain ":" and non-ASCII text)', () => {
      expect(scheme.verify(request(basic('hooks:pa:ss wörd')), [], at(NOW))).toEqual({});
      expect(
        scheme.verify(request('basic   ' + Buffer.from('hooks:pa:ss wörd').toString('base64')), [], at(NOW)),
      ).toEqual({});
    });

    it('refuses anything else with bad_credentials', () => {
      for (const value of [
        undefined,
        '',
        basic('hooks:pa:ss wörd '),
        basic('Hooks:pa:ss wörd'),
        basic('hooks'),
        basic('hooks:'),
        'Bearer ' + Buffer.from('hooks:pa:ss wörd').toString('base64'),
        'Basic !!!',
        'Basic aG9va3M6cGE6c3Mgd8O2cmQ', // unpadded
        basic('hooks:pa:ss wörd') + ' extra',
      ]) {
        expect(refusal(() => scheme.verify(request(value), [], at(NOW)))).toBe('bad_credentials');
      }
    });

    it('does not judge the endpoint secrets of a composed scheme', () => {
      expect(scheme.validateSecret).toBeUndefined();
      expect(scheme.requiresSecret).toBe(false);
    });
  });

  describe('with the endpoint secrets as user:password', () => {
    const scheme = basicAuth();
    const secrets = [secret('hooks:old-password', 1), secret('hooks:new-password', 2)];

    it('accepts each live pair and reports its version', () => {
      expect(scheme.verify(request(basic('hooks:old-password')), secrets, at(NOW))).toEqual({ secretVersion: 1 });
      expect(scheme.verify(request(basic('hooks:new-password')), secrets, at(NOW))).toEqual({ secretVersion: 2 });
      expect(refusal(() => scheme.verify(request(basic('hooks:guess')), secrets, at(NOW)))).toBe('bad_credentials');
      expect(refusal(() => scheme.verify(request(basic('hooks:new-password')), [], at(NOW)))).toBe(
        'no_secret_configured',
      );
    });

    it('validates secrets at start-up', () => {
      for (const bad of ['', 'no-colon', ':password', 'user:']) {
        expect(() => scheme.validateSecret!(bad)).toThrow(WebhookConfigurationError);
      }
    });
  });

  it('sign() sends the user:password key as Basic credentials that verify() accepts', () => {
    const scheme = basicAuth();
    const input = { body: Buffer.alloc(0), timestamp: NOW, id: 'x', contentType: 'application/json' };
    const signed = scheme.sign({ ...input, key: 'hooks:pa:ss wörd' });
    expect(signed).toEqual({ headers: { authorization: basic('hooks:pa:ss wörd') } });
    expect(scheme.verify(request(signed.headers.authorization), [secret('hooks:pa:ss wörd', 3)], at(NOW))).toEqual({
      secretVersion: 3,
    });
  });

  it('refuses impossible configurations', () => {
    expect(() => basicAuth({ credentials: [] })).toThrow(WebhookConfigurationError);
    expect(() => basicAuth({ credentials: [{ username: 'a:b', password: 'c' }] })).toThrow(WebhookConfigurationError);
    expect(() => basicAuth({ credentials: [{ username: '', password: 'c' }] })).toThrow(WebhookConfigurationError);
  });

  it('parses any Authorization header without throwing anything but bad_credentials', () => {
    const scheme = basicAuth({ credentials: [{ username: 'u', password: 'p' }] });
    const headers = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 40 }).map((pair) => basic(pair)),
      fc.string({ maxLength: 60 }).map((text) => 'Basic ' + text),
    );
    fc.assert(
      fc.property(headers, (value) => {
        try {
          scheme.verify(request(value), [], at(NOW));
          expect(value.toLowerCase()).toMatch(/^basic +dtpw *$/);
        } catch (error) {
          if (!(error instanceof WebhookVerificationError)) throw error;
          expect(error.code).toBe('bad_credentials');
        }
      }),
      { numRuns: 200 },
    );
  });
});
