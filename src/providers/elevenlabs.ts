import { randomUUID } from 'node:crypto';
import { TimestampedListScheme } from '../core/engines/timestamped-list.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * ElevenLabs: `ElevenLabs-Signature: t=<unix>,v0=<hex HMAC-SHA256 of t.body>`, keyed with the
 * webhook secret as UTF-8, over the raw body (one elevenlabs-js revision re-serialised a parsed payload;
 * that is not copied). The SDKs refuse a timestamp older than 30 minutes: the window is 1800 s both ways.
 */
const TOLERANCE_SECONDS = 1800;

const elevenLabsScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  new TimestampedListScheme({
    name: 'elevenlabs',
    header: 'elevenlabs-signature',
    signatureKey: 'v0',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'elevenlabs',
  displayName: 'ElevenLabs',
  docsUrl: 'https://elevenlabs.io/docs/eleven-api/resources/webhooks',
  presetName: 'elevenLabs',
  secretOption: 'secret',
  verification: '`ElevenLabs-Signature: t=\u2026,v0=\u2026`: hex HMAC-SHA256 of `t.body`, within 1800 s',
  eventType: { bodyField: 'type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: elevenLabsScheme,
  generateSecret: () => `wsec_${randomAlphanumeric(40)}`,
  sampleEvent: jsonEvent(() => ({
    type: 'post_call_transcription',
    event_timestamp: Math.floor(Date.now() / 1000),
    data: { agent_id: randomUUID(), conversation_id: randomUUID() },
  })),
});

/** ElevenLabs webhooks. @publicApi */
export const elevenLabsProvider = provider;

/**
 * ElevenLabs webhooks: `ElevenLabs-Signature` over `t.body`, within 30 minutes.
 * @publicApi
 * @example endpoints: { elevenLabs: elevenLabs({ secret: process.env.ELEVENLABS_WEBHOOK_SECRET }) }
 */
export const elevenLabs = preset;
