import { randomBytes } from 'node:crypto';
import { ApiKeyScheme } from '../core/auth/api-key.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider } from './provider';
import { jsonEvent, sameKey } from './provider-kit';

/**
 * Xendit: `x-callback-token` carries the account's callback verification token verbatim, compared
 * in constant time. That is all Xendit offers: no signature over the body and no timestamp, so the
 * token proves the sender, not the body. Ids are product-specific; duplicates and out-of-order
 * deliveries happen, so handlers should be idempotent on the product's own id.
 */
const xenditScheme = () => new ApiKeyScheme({ name: 'xendit', header: 'x-callback-token' });

/** Xendit's tokens are 48+ characters of letters and digits. */
const callbackToken = () => randomAlphanumeric(48);

/** @publicApi */
export interface XenditPresetOptions extends PresetOptions {
  /** The callback verification token (Dashboard → Settings → Callbacks), or several during a change. */
  readonly callbackToken?: SecretOrSecrets;
}

/**
 * Xendit: the static `x-callback-token` (no body signature).
 * @publicApi
 * @example endpoints: { xendit: xendit({ callbackToken: process.env.XENDIT_CALLBACK_TOKEN }) }
 */
export function xendit(options: XenditPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    { provider: 'xendit', scheme: xenditScheme(), secrets: options.callbackToken, generateSecret: callbackToken },
    options,
  );
}

/** Xendit callbacks. @publicApi */
export const xenditProvider = defineProvider<XenditPresetOptions>({
  id: 'xendit',
  displayName: 'Xendit',
  docsUrl: 'https://docs.xendit.co/api-integration/callback/setup',
  presetName: 'xendit',
  presetOptions: '{ callbackToken }',
  verification:
    '`x-callback-token` equals the callback verification token (a static token: the body is not authenticated)',
  signsBody: false,
  scheme: xenditScheme,
  preset: xendit,
  testKey: () => sameKey(callbackToken()),
  sampleEvent: jsonEvent(() => ({
    id: randomBytes(12).toString('hex'),
    external_id: `invoice-${randomBytes(6).toString('hex')}`,
    status: 'PAID',
  })),
});
