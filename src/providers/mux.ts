import { randomUUID } from 'node:crypto';
import { TimestampedListScheme } from '../core/engines/timestamped-list.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Mux: `Mux-Signature: t=<unix>,v1=<hex HMAC-SHA256 of t.body>`, keyed with the webhook signing
 * secret as UTF-8; several `v1` during a rotation, other versions ignored. Mux's SDK allows 300 s.
 */
const TOLERANCE_SECONDS = 300;

const muxScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  new TimestampedListScheme({
    name: 'mux',
    header: 'mux-signature',
    idField: 'id',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'mux',
  displayName: 'Mux',
  docsUrl: 'https://docs.mux.com/core/verify-webhook-signatures',
  presetName: 'mux',
  secretOption: 'secret',
  verification: '`Mux-Signature: t=\u2026,v1=\u2026`: hex HMAC-SHA256 of `t.body`, within 300 s',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'verified',
  scheme: muxScheme,
  generateSecret: () => randomAlphanumeric(32),
  sampleEvent: jsonEvent(() => ({
    type: 'video.asset.ready',
    id: randomUUID(),
    created_at: new Date().toISOString(),
    object: { type: 'asset', id: randomUUID() },
    data: {},
  })),
});

/** Mux webhooks. @publicApi */
export const muxProvider = provider;

/**
 * Mux webhooks: `Mux-Signature` over `t.body`, the body's `id` as the message id.
 * @publicApi
 * @example endpoints: { mux: mux({ secret: process.env.MUX_WEBHOOK_SECRET }) }
 */
export const mux = preset;
