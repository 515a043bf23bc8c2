import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Heroku app webhooks: `Heroku-Webhook-Hmac-SHA256: <base64 HMAC-SHA256 of the body>`, keyed with
 * the `secret` given when the webhook was created. No timestamp; the body's `id` is the event.
 */
const herokuScheme = () =>
  new HmacScheme({ name: 'heroku', header: 'heroku-webhook-hmac-sha256', encoding: 'base64', idField: 'id' });

const { provider, preset } = sharedSecretProvider({
  id: 'heroku',
  displayName: 'Heroku',
  docsUrl: 'https://devcenter.heroku.com/articles/app-webhooks#securing-webhook-requests',
  presetName: 'heroku',
  secretOption: 'secret',
  verification: '`Heroku-Webhook-Hmac-SHA256`: base64 HMAC-SHA256 of the body',
  messageId: { bodyField: 'id' },
  vectors: 'self-computed',
  scheme: herokuScheme,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({ id: randomUUID(), action: 'update', resource: 'release', data: {} })),
});

/** Heroku app webhooks. @publicApi */
export const herokuProvider = provider;

/**
 * Heroku: `Heroku-Webhook-Hmac-SHA256` over the body, the body's `id` as the message id.
 * @publicApi
 * @example endpoints: { heroku: heroku({ secret: process.env.HEROKU_WEBHOOK_SECRET }) }
 */
export const heroku = preset;
