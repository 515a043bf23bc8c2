import { createHash, createHmac } from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import { at, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { UrlParamsScheme, urlParamsSignature } from './url-params.engine';

// The engine as data, apart from any provider: the expected signatures are written out with
// node:crypto (the documented algorithm), never taken from the engine.
const NOW = 1_700_000_000;
const FORM = 'application/x-www-form-urlencoded';
const URL = 'https://hooks.example.com/in';

const request = (path: string, signature: string | undefined, body = '', contentType = FORM) =>
  webhookRequest({ url: path, headers: { 'x-sig': signature, 'content-type': contentType }, body });

describe('UrlParamsScheme', () => {
  it('reads the algorithm and encoding from its options (hex HMAC-SHA256 here)', () => {
    const scheme = urlParamsSignature({ header: 'X-Sig', url: URL, algorithm: 'sha256', encoding: 'hex' });
    const signature = createHmac('sha256', 'k').update(`${URL}?a=1b2c3`).digest('hex');
    expect(scheme.verify(request('/in?a=1', signature, 'c=3&b=2'), [secret('k', 7)], at(NOW)).secretVersion).toBe(7);
    expect(scheme.sign({ body: Buffer.from('c=3&b=2'), key: 'k', timestamp: NOW, id: 'x', contentType: FORM })).toEqual(
      { headers: { 'x-sig': createHmac('sha256', 'k').update(`${URL}b2c3`).digest('hex') } },
    );
    expect(scheme.name).toBe('url-params-hmac');
  });

  it('tries the default-port variant only when portVariants is not false', () => {
    const signature = createHmac('sha1', 'k').update('https://hooks.example.com:443/in').digest('base64');
    const withVariants = new UrlParamsScheme({ header: 'x-sig', url: URL });
    expect(withVariants.verify(request('/in', signature), [secret('k')], at(NOW)).secretVersion).toBe(1);
    const exact = new UrlParamsScheme({ header: 'x-sig', url: URL, portVariants: false });
    expect(refusal(() => exact.verify(request('/in', signature), [secret('k')], at(NOW)))).toBe(
      'no_matching_signature',
    );
  });

  it('without bodyHashQuery, refuses a body that is not a form and will not sign one', () => {
    const scheme = new UrlParamsScheme({ header: 'x-sig', url: URL });
    const signature = createHmac('sha1', 'k').update(URL).digest('base64');
    expect(
      refusal(() => scheme.verify(request('/in', signature, '{"a":1}', 'application/json'), [secret('k')], at(NOW))),
    ).toBe('no_matching_signature');
    const input = { body: Buffer.from('{"a":1}'), key: 'k', timestamp: NOW, id: 'x', contentType: 'application/json' };
    expect(() => scheme.sign(input)).toThrow(WebhookConfigurationError);
  });

  it('with bodyHashQuery, signs a JSON body through the hash appended to the configured query', () => {
    const scheme = new UrlParamsScheme({ header: 'x-sig', url: `${URL}?v=2`, bodyHashQuery: 'h' });
    const body = '{"a":1}';
    const hash = createHash('sha256').update(body).digest('hex');
    const signed = scheme.sign({
      body: Buffer.from(body),
      key: 'k',
      timestamp: NOW,
      id: 'x',
      contentType: 'text/json',
    });
    expect(signed.query).toEqual({ h: hash });
    expect(signed.headers['x-sig']).toBe(createHmac('sha1', 'k').update(`${URL}?v=2&h=${hash}`).digest('base64'));
    const verified = scheme.verify(
      request(`/in?v=2&h=${hash}`, signed.headers['x-sig'], body, 'text/json'),
      [secret('k')],
      at(NOW),
    );
    expect(verified.signedContentKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(
      refusal(() => scheme.verify(request(`/in?v=2&h=${hash}&h=${hash}`, signed.headers['x-sig'], body), [], at(NOW))),
    ).toBe('invalid_header');
  });

  it('refuses impossible configurations', () => {
    expect(() => new UrlParamsScheme({ header: '', url: URL })).toThrow(WebhookConfigurationError);
    expect(() => new UrlParamsScheme({ header: 'x', url: 'ftp://x/' })).toThrow(WebhookConfigurationError);
    expect(() => new UrlParamsScheme({ header: 'x', url: URL, algorithm: 'md5' as never })).toThrow(
      WebhookConfigurationError,
    );
    expect(() => new UrlParamsScheme({ header: 'x', url: URL, encoding: 'latin1' as never })).toThrow(
      WebhookConfigurationError,
    );
  });
});
