import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { assertPublicUrl } from '../core/engines/scheme-support';
import { random22UrlSafe, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Square: `x-square-hmacsha256-signature: <base64 HMAC-SHA256 of notificationUrl + body>`, keyed
 * with the subscription's signature key. The body's `event_id` is the message id. The notification
 * URL is configuration (behind a proxy the Host header cannot be trusted), byte for byte as in the
 * subscription.
 */
function squareScheme(settings?: ProviderSettings): HmacScheme {
  return new HmacScheme({
    name: 'square',
    header: 'x-square-hmacsha256-signature',
    encoding: 'base64',
    template: '{url}{body}',
    // Named after the preset's option, so that a missing one is reported as such.
    url: assertPublicUrl(settings?.url, 'notificationUrl', 'square'),
    idField: 'event_id',
  });
}

/** @publicApi */
export interface SquarePresetOptions extends PresetOptions {
  /** The subscription's signature key, or several during a rotation. */
  readonly signatureKey?: SecretOrSecrets;
  /**
   * The notification URL exactly as configured in the subscription. Square signs it, and behind a
   * proxy the Host header cannot be trusted, so it is never rebuilt from the request.
   */
  readonly notificationUrl: string;
}

const { provider, preset } = sharedSecretProvider<'signatureKey', SquarePresetOptions>({
  id: 'square',
  vectors: 'verified',
  displayName: 'Square',
  docsUrl: 'https://developer.squareup.com/docs/webhooks/step3validate',
  presetName: 'square',
  secretOption: 'signatureKey',
  generateSecret: random22UrlSafe, // a Square signature key is 22 URL-safe characters
  urlOption: 'notificationUrl',
  presetOptions: '{ signatureKey, notificationUrl }',
  verification: '`x-square-hmacsha256-signature` base64 HMAC-SHA256 of the notification URL + body',
  messageId: { bodyField: 'event_id' },
  eventType: { bodyField: 'type' },
  scheme: squareScheme,
  sampleEvent: jsonEvent(() => ({
    merchant_id: 'MLEFBHHSJGVHD',
    type: 'webhooks.test_notification',
    event_id: randomUUID(),
    created_at: new Date().toISOString(),
    data: { type: 'webhooks', id: randomUUID() },
  })),
});

/** @publicApi */
export const squareProvider = provider;

/**
 * Square webhooks: base64 `x-square-hmacsha256-signature` over notification URL + body, the
 * body's `event_id` as the message id.
 * @publicApi
 * @example square({ signatureKey: env.SQUARE_SIGNATURE_KEY, notificationUrl: 'https://api.example.com/hooks/square' })
 */
export const square: (options: SquarePresetOptions) => WebhookEndpointDefinition = preset;
