import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomUrlSafeSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Segment's Webhooks destination (classic): `X-Signature` is the hex HMAC-SHA1 of the body, keyed
 * with the destination's shared secret as UTF-8. Nothing is timestamped.
 */
const segmentScheme = () =>
  new HmacScheme({
    name: 'segment',
    header: 'x-signature',
    algorithm: 'sha1',
    idField: 'messageId',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'segment',
  displayName: 'Segment',
  docsUrl: 'https://segment.com/docs/connections/destinations/catalog/webhooks/',
  presetName: 'segment',
  secretOption: 'secret',
  verification: '`X-Signature`: hex HMAC-SHA1 of the body, keyed with the shared secret',
  messageId: { bodyField: 'messageId' },
  eventType: { bodyField: 'type' },
  vectors: 'self-computed',
  scheme: segmentScheme,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({
    type: 'track',
    event: 'Signed Up',
    messageId: `ajs-${randomUUID()}`,
    userId: 'user-1',
    timestamp: new Date().toISOString(),
  })),
});

/** Segment webhooks. @publicApi */
export const segmentProvider = provider;

/**
 * Segment (Webhooks destination): hex HMAC-SHA1 `X-Signature` over the body, the body's `messageId`
 * as the message id.
 * @publicApi
 * @example endpoints: { segment: segment({ secret: process.env.SEGMENT_SHARED_SECRET }) }
 */
export const segment = preset;
