import { randomInt } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { random32Hex } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Todoist: `X-Todoist-Hmac-SHA256` is the base64 HMAC-SHA256 of the body, keyed with the app's
 * client secret as UTF-8. `X-Todoist-Delivery-ID` names the delivery but is not signed, so it is
 * reported as unsigned and deduplication keys on the signed content. Nothing is timestamped.
 */
const todoistScheme = () =>
  new HmacScheme({
    name: 'todoist',
    header: 'x-todoist-hmac-sha256',
    encoding: 'base64',
    idHeader: 'x-todoist-delivery-id',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'todoist',
  displayName: 'Todoist',
  docsUrl: 'https://developer.todoist.com/sync/v9/#webhooks',
  presetName: 'todoist',
  secretOption: 'secret',
  verification: '`X-Todoist-Hmac-SHA256`: base64 HMAC-SHA256 of the body, keyed with the client secret',
  messageId: { header: 'x-todoist-delivery-id' },
  eventType: { bodyField: 'event_name' },
  vectors: 'self-computed',
  scheme: todoistScheme,
  generateSecret: random32Hex,
  sampleEvent: jsonEvent(() => ({
    event_name: 'item:added',
    user_id: String(randomInt(1, 2 ** 31)),
    initiator: { id: '1' },
    event_data: { id: String(randomInt(1, 2 ** 31)), content: 'hookwarden' },
  })),
});

/** Todoist webhooks. @publicApi */
export const todoistProvider = provider;

/**
 * Todoist webhooks: base64 `X-Todoist-Hmac-SHA256` over the body with the client secret.
 * @publicApi
 * @example endpoints: { todoist: todoist({ secret: process.env.TODOIST_CLIENT_SECRET }) }
 */
export const todoist = preset;
