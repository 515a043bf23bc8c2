import { randomBytes } from 'node:crypto';
import { TimestampedListScheme } from '../core/engines/timestamped-list.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * WorkOS: `WorkOS-Signature: t=<unix ms>, v1=<hex HMAC-SHA256 of t.body>` (a space after the comma),
 * keyed with the endpoint's secret as UTF-8. The timestamp is in milliseconds; WorkOS's SDK allows
 * three minutes (one-sided), so the window here is 180 s both ways.
 */
const TOLERANCE_SECONDS = 180;

const workosScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  new TimestampedListScheme({
    name: 'workos',
    header: 'workos-signature',
    separator: ', ',
    timestampFormat: 'unix-milliseconds',
    idField: 'id',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'workos',
  displayName: 'WorkOS',
  docsUrl: 'https://workos.com/docs/events/data-syncing/webhooks',
  presetName: 'workos',
  secretOption: 'secret',
  verification: '`WorkOS-Signature: t=\u2026, v1=\u2026`: hex HMAC-SHA256 of `t.body`, `t` in ms within 180 s',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'event' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: workosScheme,
  generateSecret: () => randomAlphanumeric(25),
  sampleEvent: jsonEvent(() => ({
    id: `event_${randomBytes(13).toString('hex').toUpperCase()}`,
    event: 'user.created',
    created_at: new Date().toISOString(),
    data: {},
  })),
});

/** WorkOS webhooks. @publicApi */
export const workosProvider = provider;

/**
 * WorkOS webhooks: `WorkOS-Signature` over `t.body` (t in milliseconds), the body's `id` as the message id.
 * @publicApi
 * @example endpoints: { workos: workos({ secret: process.env.WORKOS_WEBHOOK_SECRET }) }
 */
export const workos = preset;
