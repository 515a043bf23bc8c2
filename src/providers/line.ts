import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { random32Hex } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * LINE Messaging API: `X-Line-Signature` is the base64 HMAC-SHA256 of the body, keyed with the
 * channel secret as UTF-8. Nothing is timestamped; the console's "Verify" button sends a signed
 * delivery with an empty `events` array, which reaches the handler like any other.
 */
const lineScheme = () =>
  new HmacScheme({
    name: 'line',
    header: 'x-line-signature',
    encoding: 'base64',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'line',
  displayName: 'LINE Messaging API',
  docsUrl: 'https://developers.line.biz/en/reference/messaging-api/#signature-validation',
  presetName: 'line',
  secretOption: 'secret',
  verification: '`X-Line-Signature`: base64 HMAC-SHA256 of the body, keyed with the channel secret',
  vectors: 'verified',
  scheme: lineScheme,
  generateSecret: random32Hex,
  sampleEvent: jsonEvent(() => ({
    destination: `U${randomUUID().replace(/-/g, '')}`,
    events: [
      {
        type: 'message',
        webhookEventId: randomUUID(),
        timestamp: Date.now(),
        deliveryContext: { isRedelivery: false },
      },
    ],
  })),
});

/** LINE Messaging API webhooks. @publicApi */
export const lineProvider = provider;

/**
 * LINE Messaging API: base64 `X-Line-Signature` over the body with the channel secret. Message ids
 * are per event (`events[].webhookEventId`), so the delivery is deduplicated on its signed content.
 * @publicApi
 * @example endpoints: { line: line({ secret: process.env.LINE_CHANNEL_SECRET }) }
 */
export const line = preset;
