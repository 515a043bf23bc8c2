import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { random32Hex } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Pusher Channels server webhooks: `X-Pusher-Signature` is the hex HMAC-SHA256 of the body, keyed
 * with the app secret as UTF-8. `X-Pusher-Key` names the app; it is not needed, since every live
 * secret of the endpoint is tried (one endpoint per app). Nothing is timestamped in a header (the
 * body's `time_ms` is not checked) and no id is sent, so deliveries are deduplicated on content.
 */
const pusherScheme = () =>
  new HmacScheme({
    name: 'pusher',
    header: 'x-pusher-signature',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'pusher',
  displayName: 'Pusher Channels',
  docsUrl: 'https://pusher.com/docs/channels/server_api/webhooks/',
  presetName: 'pusher',
  secretOption: 'secret',
  verification: '`X-Pusher-Signature`: hex HMAC-SHA256 of the body, keyed with the app secret',
  vectors: 'self-computed',
  scheme: pusherScheme,
  generateSecret: () => random32Hex().slice(0, 20),
  sampleEvent: jsonEvent(() => ({
    time_ms: Date.now(),
    events: [{ name: 'channel_occupied', channel: `presence-${randomBytes(8).toString('hex')}` }],
  })),
});

/** Pusher Channels webhooks. @publicApi */
export const pusherProvider = provider;

/**
 * Pusher Channels webhooks: hex `X-Pusher-Signature` over the body with the app secret.
 * @publicApi
 * @example endpoints: { pusher: pusher({ secret: process.env.PUSHER_APP_SECRET }) }
 */
export const pusher = preset;
