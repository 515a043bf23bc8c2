import { TimestampedListScheme } from '../core/engines/timestamped-list.engine';
import type { ProviderSettings } from './provider';
import { randomUrlSafeSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Calendly's page states no window; its sample and integrations use 3 minutes, kept here (both
 * ways; set `toleranceSeconds` to change it).
 */
const TOLERANCE_SECONDS = 180;

/**
 * Calendly: `Calendly-Webhook-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "t.body">`, keyed with
 * the subscription's `signing_key` as text (write-only: store it when creating the subscription).
 * No event id: identical bodies are deduplicated. A `410 Gone` answer deletes the subscription.
 */
const calendlyScheme = ({ toleranceSeconds = TOLERANCE_SECONDS }: ProviderSettings = {}) =>
  new TimestampedListScheme({ name: 'calendly', header: 'calendly-webhook-signature', toleranceSeconds });

const { provider, preset } = sharedSecretProvider({
  id: 'calendly',
  displayName: 'Calendly',
  docsUrl: 'https://developer.calendly.com/api-docs/4c305798a61d3-webhook-signatures',
  presetName: 'calendly',
  secretOption: 'signingKey',
  verification: '`Calendly-Webhook-Signature: t=…,v1=…`: hex HMAC-SHA256 of `t.body`, ±3 min',
  eventType: { bodyField: 'event' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: calendlyScheme,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({
    event: 'invitee.created',
    created_at: new Date().toISOString(),
    payload: { uri: `https://api.calendly.com/scheduled_events/${randomUrlSafeSecret().slice(0, 16)}` },
  })),
});

/** Calendly webhook subscriptions. @publicApi */
export const calendlyProvider = provider;

/**
 * Calendly: `Calendly-Webhook-Signature` (`t=…,v1=…`), a 3-minute window.
 * @publicApi
 * @example endpoints: { calendly: calendly({ signingKey: process.env.CALENDLY_WEBHOOK_SIGNING_KEY }) }
 */
export const calendly = preset;
