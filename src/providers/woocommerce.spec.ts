import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { wooCommerceChallenge, wooCommerceProvider } from './woocommerce';

// WooCommerce keys with wp_specialchars_decode($secret, ENT_QUOTES): the independent signer below
// uses the text WordPress would decode the stored secret to, written out by hand.
const NOW = 1_700_000_000;
const BODY = '{"id":123,"status":"processing"}';
const sign = (key: string) => createHmac('sha256', key).update(BODY).digest('base64');
const deliver = (signature: string) =>
  webhookRequest({ headers: { 'x-wc-webhook-signature': signature, 'content-type': 'application/json' }, body: BODY });

describe('wooCommerceProvider.scheme()', () => {
  const scheme = wooCommerceProvider.scheme();

  it.each([
    ['a&amp;b&lt;c&gt;d', 'a&b<c>d'],
    ['q&quot;s&#039;t&#39;u&#x27;v&#X0027;w', `q"s't'u'v'w`],
    ['n&#00038;m&#x26;o&#038;p', 'n&m&o&p'],
    // decoded once, as PHP's strtr does: `&amp;lt;` is `&lt;`, not `<`
    ['x&amp;lt;y', 'x&lt;y'],
    // unknown entities and upper-case names are kept
    ['z&nbsp;&AMP;', 'z&nbsp;&AMP;'],
  ])('keys with the entity-decoded secret: %s signs as %s', (stored, typed) => {
    expect(scheme.verify(deliver(sign(typed)), [secret(stored)], at(NOW)).secretVersion).toBe(1);
    if (stored !== typed) {
      expect(refusal(() => scheme.verify(deliver(sign(stored)), [secret(stored)], at(NOW)))).toBe(
        'no_matching_signature',
      );
    }
  });
});

describe('wooCommerceChallenge()', () => {
  const strategy = wooCommerceChallenge();
  const ping = (init: { body: string; headers?: Record<string, string>; method?: string }) =>
    webhookRequest({ headers: { 'content-type': 'application/x-www-form-urlencoded', ...init.headers }, ...init });

  it('answers the unsigned creation ping with a bare 200', () => {
    const request = ping({ body: 'webhook_id=42' });
    expect(strategy.detect(request)).toBe(true);
    expect(strategy.respond(request, { endpoint: 'woo', secrets: [], namedSecrets: {}, receivedAt: 0 })).toEqual({
      status: 200,
    });
  });

  it('does not take a signed delivery, another body or another method for the ping', () => {
    expect(strategy.detect(ping({ body: 'webhook_id=42', headers: { 'x-wc-webhook-signature': 'x' } }))).toBe(false);
    expect(strategy.detect(ping({ body: 'webhook_id=42&status=paid' }))).toBe(false);
    expect(strategy.detect(ping({ body: '{"webhook_id":42}' }))).toBe(false);
    expect(strategy.detect(ping({ body: 'webhook_id=42', method: 'GET' }))).toBe(false);
  });
});
