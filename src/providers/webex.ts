import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomUrlSafeSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Webex: `X-Spark-Signature` is the hex HMAC-SHA1 of the body, keyed with the `secret` given when
 * the webhook was created (UTF-8). Nothing is timestamped and no delivery id is sent (the body's `id`
 * is the webhook's, the same for all its deliveries), so deliveries are deduplicated on content.
 */
const webexScheme = () =>
  new HmacScheme({
    name: 'webex',
    header: 'x-spark-signature',
    algorithm: 'sha1',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'webex',
  displayName: 'Webex',
  docsUrl: 'https://developer.webex.com/docs/webhooks',
  presetName: 'webex',
  secretOption: 'secret',
  verification: "`X-Spark-Signature`: hex HMAC-SHA1 of the body, keyed with the webhook's secret",
  eventType: { bodyField: 'event' },
  vectors: 'self-computed',
  scheme: webexScheme,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({
    id: randomBytes(24).toString('base64url'),
    name: 'hookwarden',
    resource: 'messages',
    event: 'created',
    created: new Date().toISOString(),
    data: { id: randomBytes(24).toString('base64url') },
  })),
});

/** Webex webhooks. @publicApi */
export const webexProvider = provider;

/**
 * Webex webhooks: hex HMAC-SHA1 `X-Spark-Signature` over the body with the webhook's secret.
 * @publicApi
 * @example endpoints: { webex: webex({ secret: process.env.WEBEX_WEBHOOK_SECRET }) }
 */
export const webex = preset;
