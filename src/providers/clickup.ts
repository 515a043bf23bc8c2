import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * ClickUp: `X-Signature` is the hex HMAC-SHA256 of the body, keyed with the `secret` the Create
 * Webhook call returned, as UTF-8. Nothing is timestamped and no delivery id is sent (ids are per
 * history item), so deliveries are deduplicated on content.
 */
const clickupScheme = () =>
  new HmacScheme({
    name: 'clickup',
    header: 'x-signature',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'clickup',
  displayName: 'ClickUp',
  docsUrl: 'https://developer.clickup.com/docs/webhooksignature',
  presetName: 'clickup',
  secretOption: 'secret',
  verification: "`X-Signature`: hex HMAC-SHA256 of the body, keyed with the webhook's secret",
  eventType: { bodyField: 'event' },
  vectors: 'self-computed',
  scheme: clickupScheme,
  generateSecret: () => randomAlphanumeric(64).toUpperCase(),
  sampleEvent: jsonEvent(() => ({
    webhook_id: randomUUID(),
    event: 'taskCreated',
    task_id: randomUUID().slice(0, 8),
    history_items: [{ id: String(Date.now()), date: String(Date.now()) }],
  })),
});

/** ClickUp webhooks. @publicApi */
export const clickupProvider = provider;

/**
 * ClickUp webhooks: hex `X-Signature` over the body with the webhook's secret.
 * @publicApi
 * @example endpoints: { clickup: clickup({ secret: process.env.CLICKUP_WEBHOOK_SECRET }) }
 */
export const clickup = preset;
