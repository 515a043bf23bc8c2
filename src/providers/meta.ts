import { DEFAULT_VERIFY_TOKEN_SECRET } from '../core/challenges/token-echo.strategy';
import { MetaScheme } from '../core/schemes/meta.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { metaChallenge } from './challenges';
import { definePreset, random32Hex, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface MetaPresetOptions extends PresetOptions {
  /** The App Secret (App Dashboard → Settings → Basic), or several during a rotation. */
  readonly appSecret?: SecretOrSecrets;
  /**
   * The Verify Token you typed in the webhook settings, checked by the subscription challenge.
   * Stored as the named secret `verify-token`, rotatable through the admin API.
   */
  readonly verifyToken?: SecretOrSecrets;
}

function metaFamily(provider: string, options: MetaPresetOptions): WebhookEndpointDefinition {
  return definePreset(
    {
      provider,
      scheme: new MetaScheme(),
      secrets: options.appSecret,
      generateSecret: random32Hex, // a Meta app secret is 32 hex digits
      challenge: metaChallenge(),
      namedSecrets: { [DEFAULT_VERIFY_TOKEN_SECRET]: options.verifyToken },
    },
    options,
  );
}

/**
 * Meta webhooks (Facebook Pages, Messenger, …): `X-Hub-Signature-256` with the App Secret, no
 * timestamp or message id, and `metaChallenge()` for the `hub.mode=subscribe` check with the
 * verify token.
 * @publicApi
 * @example endpoints: { meta: meta({ appSecret: env.META_APP_SECRET, verifyToken: env.META_VERIFY_TOKEN }) }
 */
export function meta(options: MetaPresetOptions = {}): WebhookEndpointDefinition {
  return metaFamily('meta', options);
}

/** WhatsApp Cloud API webhooks: the {@link meta} scheme and challenge, recorded as `whatsapp`. @publicApi */
export function whatsapp(options: MetaPresetOptions = {}): WebhookEndpointDefinition {
  return metaFamily('whatsapp', options);
}

/** Instagram webhooks: the {@link meta} scheme and challenge, recorded as `instagram`. @publicApi */
export function instagram(options: MetaPresetOptions = {}): WebhookEndpointDefinition {
  return metaFamily('instagram', options);
}
