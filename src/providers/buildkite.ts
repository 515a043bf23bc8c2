import { randomUUID } from 'node:crypto';
import { TimestampedListScheme } from '../core/engines/timestamped-list.engine';
import type { ProviderSettings } from './provider';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Buildkite (webhooks set to "signature"): `X-Buildkite-Signature: timestamp=<unix>,signature=<hex
 * HMAC-SHA256 of "timestamp.body">`, keyed with the webhook's token. Buildkite suggests a window of a
 * few minutes: 300 s. The event is in the body's `event` (and the unsigned `X-Buildkite-Event`).
 */
const TOLERANCE_SECONDS = 300;

const buildkiteScheme = ({ toleranceSeconds = TOLERANCE_SECONDS }: ProviderSettings = {}) =>
  new TimestampedListScheme({
    name: 'buildkite',
    header: 'x-buildkite-signature',
    separator: ',',
    timestampKey: 'timestamp',
    signatureKey: 'signature',
    template: '{timestamp}.{body}',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'buildkite',
  displayName: 'Buildkite',
  docsUrl: 'https://buildkite.com/docs/apis/webhooks#webhook-signature',
  presetName: 'buildkite',
  secretOption: 'token',
  verification: '`X-Buildkite-Signature: timestamp=…,signature=…`: hex HMAC-SHA256 of `timestamp.body`, ±300 s',
  eventType: { bodyField: 'event' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: buildkiteScheme,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({ event: 'build.finished', build: { id: randomUUID(), state: 'passed' } })),
});

/** Buildkite webhooks signed with the token (HMAC). @publicApi */
export const buildkiteProvider = provider;

/**
 * Buildkite: `X-Buildkite-Signature` over `timestamp.body`, a 300 s window. For webhooks set to send
 * the plain `X-Buildkite-Token` instead, choose "signature" in Buildkite's settings.
 * @publicApi
 * @example endpoints: { buildkite: buildkite({ token: process.env.BUILDKITE_WEBHOOK_TOKEN }) }
 */
export const buildkite = preset;
