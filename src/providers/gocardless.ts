import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * GoCardless signs the raw body with the endpoint's secret (used as UTF-8 text) in
 * `Webhook-Signature` (hex HMAC-SHA256). No timestamp is signed. One body batches several `events`;
 * `meta.webhook_id` names the webhook (retries keep it), so it is the message id.
 */
const gocardlessScheme = () =>
  new HmacScheme({ name: 'gocardless', header: 'webhook-signature', idField: 'meta.webhook_id' });

const { provider, preset } = sharedSecretProvider({
  id: 'gocardless',
  displayName: 'GoCardless',
  docsUrl: 'https://developer.gocardless.com/getting-started/staying-up-to-date-with-webhooks',
  presetName: 'gocardless',
  secretOption: 'secret',
  verification: '`Webhook-Signature`: hex HMAC-SHA256 of the body, endpoint secret',
  messageId: { bodyField: 'meta.webhook_id' },
  vectors: 'verified',
  scheme: gocardlessScheme,
  generateSecret: () => randomAlphanumeric(40),
  sampleEvent: jsonEvent(() => ({
    events: [
      {
        id: `EV${randomAlphanumeric(12).toUpperCase()}`,
        created_at: new Date().toISOString(),
        resource_type: 'payments',
        action: 'confirmed',
        links: { payment: `PM${randomAlphanumeric(12).toUpperCase()}` },
      },
    ],
    meta: { webhook_id: `WB${randomAlphanumeric(12).toUpperCase()}` },
  })),
});

/** GoCardless webhooks. @publicApi */
export const gocardlessProvider = provider;

/**
 * GoCardless: `Webhook-Signature` over the body, `meta.webhook_id` as the message id.
 * @publicApi
 * @example endpoints: { gocardless: gocardless({ secret: process.env.GOCARDLESS_WEBHOOK_SECRET }) }
 */
export const gocardless = preset;
