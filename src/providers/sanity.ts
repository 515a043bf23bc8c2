import { randomUUID } from 'node:crypto';
import { TimestampedListScheme } from '../core/engines/timestamped-list.engine';
import { randomUrlSafeSecret } from './preset-options';
import type { ProviderSettings } from './provider';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Sanity GROQ-powered webhooks: `sanity-webhook-signature: t=<ms>,v1=<base64url, unpadded>`, an
 * HMAC-SHA256 of `t.body` keyed with the webhook secret as UTF-8. `@sanity/webhook` checks no age;
 * here the window is 300 s both ways.
 */
const TOLERANCE_SECONDS = 300;

const sanityScheme = ({ toleranceSeconds = TOLERANCE_SECONDS }: ProviderSettings = {}) =>
  new TimestampedListScheme({
    name: 'sanity',
    header: 'sanity-webhook-signature',
    encoding: 'base64url',
    timestampFormat: 'unix-milliseconds',
    template: '{timestamp}.{body}',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'sanity',
  displayName: 'Sanity',
  docsUrl: 'https://www.sanity.io/docs/webhooks',
  presetName: 'sanity',
  secretOption: 'secret',
  verification: '`sanity-webhook-signature: t=<ms>,v1=…`: base64url HMAC-SHA256 of `t.body`, ±300 s',
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'verified',
  scheme: sanityScheme,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({ _id: randomUUID(), _type: 'post', title: 'hookwarden test' })),
});

/** Sanity GROQ-powered webhooks. @publicApi */
export const sanityProvider = provider;

/**
 * Sanity GROQ-powered webhooks: `t=<ms>,v1=<base64url>` over `t.body`.
 * @publicApi
 * @example endpoints: { sanity: sanity({ secret: process.env.SANITY_WEBHOOK_SECRET }) }
 */
export const sanity = preset;
