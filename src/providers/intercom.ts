import { StatusOnlyStrategy } from '../core/challenges/status-only.strategy';
import { IntercomScheme } from '../core/schemes/intercom.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface IntercomPresetOptions extends PresetOptions {
  /** The app's `client_secret` (Developer Hub → Basic information), or several during a rotation. */
  readonly clientSecret?: SecretOrSecrets;
}

/**
 * Intercom webhooks: `X-Hub-Signature` (`sha1=`) over the body, the notification `id` as the
 * message id, and a bare `200` for the `HEAD` Intercom sends when the URL is saved.
 * @publicApi
 * @example endpoints: { intercom: intercom({ clientSecret: process.env.INTERCOM_CLIENT_SECRET }) }
 */
export function intercom(options: IntercomPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'intercom',
      scheme: new IntercomScheme(),
      secrets: options.clientSecret,
      // The same status-only check Trello uses; Intercom has no challenge factory of its own.
      challenge: new StatusOnlyStrategy({ match: { method: 'HEAD' } }),
    },
    options,
  );
}
