import { randomBytes } from 'node:crypto';
import { HmacScheme, type HmacSchemeOptions } from '../core/engines/hmac.engine';
import type { PresetOptions, SecretOrSecrets } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * PagerDuty v3 webhooks: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`, each a hex HMAC-SHA256 of
 * the body keyed with a subscription secret used as its ASCII text (it looks like base64 but is not
 * decoded). Several `v1=` entries arrive while PagerDuty rolls its secret; any one matching is
 * enough. `event.id` is the message id.
 */
const SIGNATURE: HmacSchemeOptions = {
  name: 'pagerduty',
  header: 'x-pagerduty-signature',
  prefix: 'v1=',
  separator: ',',
  idField: 'event.id',
};

/** @publicApi */
export interface PagerDutyPresetOptions extends PresetOptions {
  /** The webhook subscription's secret (shown once when it is created), or several during a rotation. */
  readonly secret?: SecretOrSecrets;
}

const { provider, preset } = sharedSecretProvider<'secret', PagerDutyPresetOptions>({
  id: 'pagerduty',
  vectors: 'verified',
  displayName: 'PagerDuty',
  docsUrl: 'https://github.com/PagerDuty/developer-docs/blob/main/docs/webhooks/04-Signatures.md',
  presetName: 'pagerduty',
  secretOption: 'secret',
  // Subscription secrets are 64 base64 characters, keyed as text.
  testSecret: () => randomBytes(48).toString('base64'),
  verification: '`X-PagerDuty-Signature: v1=…[,v1=…]` hex HMAC-SHA256 of the body; any entry may match',
  messageId: { bodyField: 'event.id' },
  eventType: { bodyField: 'event.event_type' },
  scheme: () => new HmacScheme(SIGNATURE),
  sampleEvent: jsonEvent(() => ({
    event: {
      // PagerDuty ids: 26 upper-case letters and digits.
      id: randomBytes(13).toString('hex').toUpperCase(),
      event_type: 'incident.triggered',
      resource_type: 'incident',
      occurred_at: new Date().toISOString(),
      data: { id: 'PGR0VU2', type: 'incident', status: 'triggered', title: 'A little bump in the road' },
    },
  })),
});

/** @publicApi */
export const pagerdutyProvider = provider;

/**
 * PagerDuty v3 webhooks: `X-PagerDuty-Signature` with one or more `v1=` entries, `event.id` as the
 * message id, no timestamp.
 * @publicApi
 * @example endpoints: { pagerduty: pagerduty({ secret: process.env.PAGERDUTY_WEBHOOK_SECRET }) }
 */
export const pagerduty = preset;
