import { TrelloScheme } from '../core/schemes/trello.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { trelloChallenge } from './challenges';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface TrelloPresetOptions extends PresetOptions {
  /** The app's OAuth secret (not the API key or token), or several during a rotation. */
  readonly secret?: SecretOrSecrets;
  /**
   * The `callbackURL` exactly as registered with Trello, query string included. Trello signs it, and
   * behind a proxy the Host header cannot be trusted, so it is never rebuilt from the request.
   */
  readonly callbackUrl: string;
}

/**
 * Trello webhooks: base64 HMAC-SHA1 of body + callback URL in `X-Trello-Webhook`, `action.id` as
 * the message id, and `trelloChallenge()` for the `HEAD` check when the webhook is created.
 * @publicApi
 * @example trello({ secret: env.TRELLO_OAUTH_SECRET, callbackUrl: 'https://api.example.com/hooks/trello' })
 */
export function trello(options: TrelloPresetOptions): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'trello',
      scheme: new TrelloScheme({ callbackUrl: options?.callbackUrl }),
      secrets: options?.secret,
      challenge: trelloChallenge(),
    },
    options,
  );
}
