import { randomInt } from 'node:crypto';
import { ApiKeyScheme } from '../core/auth/api-key.scheme';
import { randomUrlSafeSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Telegram Bot API signs nothing: each update carries `X-Telegram-Bot-Api-Secret-Token`, the
 * `secret_token` given to `setWebhook` (1–256 of `A-Za-z0-9_-`), compared in constant time with the
 * endpoint's live secrets. The body is not covered. The update's `update_id` is the message id (a
 * number in the body, reported as its decimal text).
 */
const telegramScheme = () =>
  new ApiKeyScheme({ name: 'telegram', header: 'x-telegram-bot-api-secret-token', idField: 'update_id' });

const { provider, preset } = sharedSecretProvider({
  id: 'telegram',
  displayName: 'Telegram Bot API',
  docsUrl: 'https://core.telegram.org/bots/api#setwebhook',
  presetName: 'telegram',
  secretOption: 'secretToken',
  verification: '`X-Telegram-Bot-Api-Secret-Token` equals the `secret_token` (constant time); body not signed',
  messageId: { bodyField: 'update_id' }, // a number, reported as its decimal text
  signsBody: false,
  scheme: telegramScheme,
  // setWebhook accepts 1–256 of A-Za-z0-9_-: a base64url secret fits.
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({
    update_id: randomInt(1, 2 ** 31),
    message: {
      message_id: randomInt(1, 2 ** 31),
      date: Math.floor(Date.now() / 1000),
      chat: { id: randomInt(1, 2 ** 31), type: 'private' },
      text: 'hello',
    },
  })),
});

/** Telegram Bot API updates. @publicApi */
export const telegramProvider = provider;

/**
 * Telegram Bot API: the `X-Telegram-Bot-Api-Secret-Token` header must equal the `secret_token` given
 * to `setWebhook` (Telegram signs nothing); `update_id` is the message id.
 * @publicApi
 * @example endpoints: { telegram: telegram({ secretToken: process.env.TELEGRAM_SECRET_TOKEN }) }
 */
export const telegram = preset;
