import { createHmac } from 'node:crypto';
import { signVector } from '../../test/support/provider-spec';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { shopifyProvider } from './shopify';

// Vector: sqlpage/SQLPage hmac_shopify_webhook.sql (a third-party test of Shopify's scheme).
const VECTOR = publishedVector('shopify', 'signature');
const sign = (key: string, body: string | Buffer) => createHmac('sha256', key).update(body).digest('base64');
const NOW = 1_700_000_000;

describe('ShopifyScheme', () => {
  const scheme = shopifyProvider.scheme();
  const request = (
    signature: string | undefined,
    body: string | Buffer = VECTOR.inputs.body,
    id = 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
  ) => webhookRequest({ headers: { 'x-shopify-hmac-sha256': signature, 'x-shopify-webhook-id': id }, body });
  const secrets = [secret(VECTOR.inputs.secret, 1)];

  it('accepts the vector and reports X-Shopify-Webhook-Id', () => {
    expect(scheme.verify(request(VECTOR.expected), secrets, at(NOW))).toEqual({
      secretVersion: 1,
      messageId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      signedAt: undefined,
      // The id header is not signed: deduplication keys on the signed content instead.
      unsignedMessageId: true,
    });
  });

  // The topic header is unsigned and part of the dedupe key: each made-up or re-cased topic made
  // one captured delivery new again, handled once more per topic.
  it("accepts Shopify's topics in X-Shopify-Topic and refuses other values", () => {
    const run = (topic: string) =>
      scheme.verify(
        webhookRequest({
          headers: { 'x-shopify-hmac-sha256': VECTOR.expected, 'x-shopify-webhook-id': 'w1', 'x-shopify-topic': topic },
          body: VECTOR.inputs.body,
        }),
        secrets,
        at(NOW),
      );
    for (const topic of ['orders/create', 'app/uninstalled', 'customers/data_request', 'customer.tags_added']) {
      expect(run(topic)).toMatchObject({ unsignedEventType: topic });
    }
    for (const topic of [
      'ORDERS/CREATE',
      'Orders/Create',
      'orders//create',
      'orders/create/',
      '/orders',
      'orders/create/x',
      'orders create',
    ]) {
      expect(refusal(() => run(topic))).toBe('invalid_header');
    }
  });

  it('refuses a tampered body, a wrong key, and the hex spelling of the digest', () => {
    expect(
      refusal(() =>
        scheme.verify(request(VECTOR.expected, VECTOR.inputs.body.replace('123.45', '123.46')), secrets, at(NOW)),
      ),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [secret('test-webhook-secreT')], at(NOW)))).toBe(
      'no_matching_signature',
    );
    const hexDigest = Buffer.from(VECTOR.expected, 'base64').toString('hex');
    expect(refusal(() => scheme.verify(request(hexDigest), secrets, at(NOW)))).toBe('invalid_header');
    expect(refusal(() => scheme.verify(request(undefined), secrets, at(NOW)))).toBe('missing_header');
    expect(refusal(() => scheme.verify(request(VECTOR.expected.replace('=', '')), secrets, at(NOW)))).toBe(
      'invalid_header',
    );
  });

  describeSchemeProperties({
    scheme,
    secrets: [secret('old-client-secret', 1), secret('new-client-secret', 2)],
    now: NOW,
    headers: ['x-shopify-hmac-sha256', 'x-shopify-webhook-id'],
    covers: ['body'],
    expectedId: (message) => message.id,
    request: (message, signed) => request(sign('new-client-secret', signed.body), message.body, message.id),
  });
});

describe('shopifyProvider.scheme().sign()', () => {
  it('reproduces the published vector, with the webhook id and topic headers', () => {
    const signed = signVector(shopifyProvider.scheme(), VECTOR, 'secret', { id: 'w-1', eventType: 'orders/create' });
    expect(signed.headers).toEqual({
      'x-shopify-hmac-sha256': VECTOR.expected,
      'x-shopify-webhook-id': 'w-1',
      'x-shopify-topic': 'orders/create',
    });
  });
});
