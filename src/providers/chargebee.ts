import { randomBytes } from 'node:crypto';
import { BasicAuthScheme } from '../core/auth/basic-auth.scheme';
import { randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Chargebee: webhooks are authenticated only by HTTP Basic credentials set on the webhook; there
 * is no signature, so the credentials prove the sender, not the body. The event's `id` (`ev_…`) is
 * the message id; re-fetching the resource through the API is Chargebee's integrity advice.
 */
const chargebeeScheme = () => new BasicAuthScheme({ name: 'chargebee', idField: 'id' });

/** `username:password`, the form the endpoint's secrets take for Basic auth. */
const credentials = () => `chargebee:${randomAlphanumeric(32)}`;

/** @publicApi */
export interface ChargebeePresetOptions extends PresetOptions {
  /** `username:password` as set on the webhook (Settings → Webhooks), or several during a change. */
  readonly credentials?: SecretOrSecrets;
}

const { provider, preset } = sharedSecretProvider<'credentials', ChargebeePresetOptions>({
  id: 'chargebee',
  displayName: 'Chargebee',
  docsUrl: 'https://www.chargebee.com/docs/2.0/events_and_webhooks.html',
  presetName: 'chargebee',
  secretOption: 'credentials',
  generateSecret: credentials,
  verification: 'HTTP Basic auth (`username:password`; the body is not authenticated)',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'event_type' },
  signsBody: false,
  scheme: chargebeeScheme,
  sampleEvent: jsonEvent(() => ({
    id: `ev_${randomBytes(8).toString('hex')}`,
    occurred_at: Math.floor(Date.now() / 1000),
    object: 'event',
    event_type: 'subscription_created',
    content: {},
  })),
});

/** Chargebee webhooks. @publicApi */
export const chargebeeProvider = provider;

/**
 * Chargebee: HTTP Basic auth (no body signature), the event's `id` as the message id.
 * @publicApi
 * @example endpoints: { chargebee: chargebee({ credentials: `hooks:${process.env.CHARGEBEE_HOOK_PASSWORD}` }) }
 */
export const chargebee = preset;
