// PayPal's quirks: the webhook id is signed though never sent, and the certificate comes only from
// the URL the request names when it is on PayPal's hosts (the published vector is in the fixture).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebhookConfigurationError } from '../core/errors';
import type { SignatureScheme } from '../core/signature-scheme';
import { at, refusalAsync, secret, webhookRequest } from '../../test/support/scheme-testing';
import { paypal, paypalProvider } from './paypal';

const vector = (
  JSON.parse(readFileSync(join(__dirname, '../../test/fixtures/vectors/engines-b.json'), 'utf8')) as {
    provider: string;
    inputs: Record<string, string>;
  }[]
).find((v) => v.provider === 'paypal')!.inputs;
const SENT_AT = 1_431_963_913; // 2015-05-18T15:45:13Z, the vector's transmission time

const request = (certUrl?: string) =>
  webhookRequest({
    headers: {
      'paypal-transmission-id': vector.transmission_id,
      'paypal-transmission-time': vector.transmission_time,
      'paypal-transmission-sig': vector.signature,
      ...(certUrl ? { 'paypal-cert-url': certUrl } : {}),
    },
    body: Buffer.from(vector.body),
  });

describe('paypal', () => {
  it('signs the webhook id: the published delivery verifies only for its own webhook', async () => {
    const scheme = (webhookId: string) => paypalProvider.scheme({ webhookId } as never);
    const keys = [secret(vector.certificate)];
    expect(() => scheme('4JH86294D6297924G').verify(request(), keys, at(SENT_AT))).not.toThrow();
    expect(await refusalAsync(() => scheme('4JH86294D6297924H').verify(request(), keys, at(SENT_AT)))).toBe(
      'no_matching_signature',
    );
  });

  it('needs the webhook id, in the letters and digits PayPal gives it', () => {
    expect(() => paypal(undefined as never)).toThrow(WebhookConfigurationError);
    expect(() => paypal({ webhookId: '4JH8|6294D' })).toThrow(WebhookConfigurationError);
  });

  it('refuses a certificate URL off PayPal’s hosts or certificate path before fetching anything', async () => {
    const scheme = paypal({ webhookId: '4JH86294D6297924G' }).schemes!.at(-1) as SignatureScheme & {
      prepare(request: unknown, secrets: readonly unknown[]): Promise<void>;
    };
    for (const url of [
      'https://evil.example.com/v1/notifications/certs/CERT-1',
      'http://api.paypal.com/v1/notifications/certs/CERT-1',
      'https://api.paypal.com/v1/oauth2/token',
      'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-1', // sandbox only with `sandbox: true`
    ]) {
      expect(await refusalAsync(() => scheme.prepare(request(url), []))).toBe('invalid_header');
    }
    expect(await refusalAsync(() => scheme.prepare(request(), []))).toBe('missing_header');
  });
});
