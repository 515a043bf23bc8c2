import { createHmac } from 'node:crypto';
import { WebhookConfigurationError } from '../core/errors';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { plivoProvider } from './plivo';

// Inputs and expected values of shared/providers-devtools.md (Plivo V3, self-computed there from
// plivo-node's v3Security.js); the other signatures are written out with node:crypto.
const TOKEN = 'my_auth_token';
const NONCE = '05429567804466091622';
const scheme = plivoProvider.scheme({ url: 'https://example.com/answer' });
const hmac = (key: string, text: string) => createHmac('sha256', key).update(text).digest('base64');
const FORM = 'application/x-www-form-urlencoded';

const verify = (init: { method?: string; url: string; signature: string; body?: string; nonce?: string }) =>
  scheme.verify(
    webhookRequest({
      method: init.method ?? 'POST',
      url: init.url,
      body: init.body ?? '',
      headers: {
        'content-type': FORM,
        'x-plivo-signature-v3': init.signature,
        'x-plivo-signature-v3-nonce': init.nonce ?? NONCE,
      },
    }),
    [secret(TOKEN)],
    at(0),
  );

describe('Plivo V3', () => {
  it('verifies the POST vector from the query as received (sorted) and the sorted form, whatever the request path', () => {
    const result = verify({
      url: '/internal/plivo?b=2&a=1',
      body: 'To=15550001111&From=15552223333&CallUUID=abc',
      signature: '0q7csSaecjOxb1StzJ8afl/lRgMHYwCCyx2ZGvXrB4E=',
    });
    expect(result).toEqual({ secretVersion: 1, messageId: NONCE });
  });

  it('verifies the GET vector (query only)', () => {
    const signature = 'F5cmywesHpi+4l15eTJiB83C394J1wImHJ4YL0nnW3Y=';
    expect(verify({ method: 'GET', url: '/plivo?b=2&a=1', signature }).secretVersion).toBe(1);
  });

  it('accepts any of the comma-separated signatures (one per live Auth Token)', () => {
    const mine = hmac(TOKEN, `https://example.com/answer?CallUUIDabc.${NONCE}`);
    const other = hmac('rotated-token', `https://example.com/answer?CallUUIDabc.${NONCE}`);
    expect(verify({ url: '/plivo', body: 'CallUUID=abc', signature: `${other},${mine}` }).secretVersion).toBe(1);
  });

  it('refuses another nonce, a changed parameter and a body that is not a form', () => {
    const signature = hmac(TOKEN, `https://example.com/answer?CallUUIDabc.${NONCE}`);
    expect(refusal(() => verify({ url: '/plivo', body: 'CallUUID=abc', signature, nonce: '1' }))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => verify({ url: '/plivo', body: 'CallUUID=abd', signature }))).toBe('no_matching_signature');
    const json = () =>
      scheme.verify(
        webhookRequest({
          url: '/plivo',
          body: '{"CallUUID":"abc"}',
          headers: {
            'content-type': 'application/json',
            'x-plivo-signature-v3': signature,
            'x-plivo-signature-v3-nonce': NONCE,
          },
        }),
        [secret(TOKEN)],
        at(0),
      );
    expect(refusal(json)).toBe('no_matching_signature');
  });

  it('needs the callback URL as configured', () => {
    expect(() => plivoProvider.scheme({})).toThrow(WebhookConfigurationError);
  });
});
