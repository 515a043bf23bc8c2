import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomUrlSafeSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Frame.io webhooks and custom actions: `X-Frameio-Signature: v0=<hex HMAC-SHA256 of
 * v0:<timestamp>:<body>>`, keyed with the signing secret returned at creation (UTF-8);
 * `X-Frameio-Request-Timestamp` in Unix seconds, refused beyond 5 minutes as Frame.io's docs say.
 */
const TOLERANCE_SECONDS = 300;

const frameIoScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  new HmacScheme({
    name: 'frame-io',
    header: 'x-frameio-signature',
    prefix: 'v0=',
    template: 'v0:{timestamp}:{body}',
    timestampHeader: 'x-frameio-request-timestamp',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'frame-io',
  displayName: 'Frame.io',
  docsUrl: 'https://developer.frame.io/docs/automations-webhooks/webhooks-overview',
  presetName: 'frameIo',
  secretOption: 'secret',
  verification: '`X-Frameio-Signature: v0=\u2026`: hex HMAC-SHA256 of `v0:timestamp:body`, within 300 s',
  eventType: { bodyField: 'type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: frameIoScheme,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({
    type: 'file.ready',
    resource: { type: 'file', id: randomUUID() },
    account: { id: randomUUID() },
  })),
});

/** Frame.io webhooks. @publicApi */
export const frameIoProvider = provider;

/**
 * Frame.io webhooks: `X-Frameio-Signature: v0=…` over `v0:timestamp:body`, within 300 s.
 * @publicApi
 * @example endpoints: { frameIo: frameIo({ secret: process.env.FRAMEIO_SIGNING_SECRET }) }
 */
export const frameIo = preset;
