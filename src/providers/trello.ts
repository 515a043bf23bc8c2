import { randomBytes } from 'node:crypto';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { StatusOnlyStrategy } from '../core/challenges/status-only.strategy';
import { HmacScheme } from '../core/engines/hmac.engine';
import { assertPublicUrl } from '../core/engines/scheme-support';
import type { ProviderChallengeOptions } from './challenges/provider-challenge-options';
import { randomHexSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Trello: `X-Trello-Webhook: <base64 HMAC-SHA1 of body + callbackURL>`, keyed with the app's OAuth
 * secret (not the API token). The action's `action.id` is the message id. The callback URL is
 * configuration (behind a proxy the Host header cannot be trusted), exactly as registered.
 */
function trelloScheme(settings?: ProviderSettings): HmacScheme {
  return new HmacScheme({
    name: 'trello',
    header: 'x-trello-webhook',
    algorithm: 'sha1',
    encoding: 'base64',
    template: '{body}{url}',
    // Named after the preset's option, so that a missing one is reported as such.
    url: assertPublicUrl(settings?.url, 'callbackUrl', 'trello'),
    idField: 'action.id',
  });
}

/**
 * Trello's check when a webhook is created: a `HEAD` to the callback URL, which must answer `200`
 * or the webhook is not created. It carries no body and no signature. Route it with `@Head()`.
 * @publicApi
 */
export function trelloChallenge(options: Pick<ProviderChallengeOptions, 'signed'> = {}): ChallengeStrategy {
  return new StatusOnlyStrategy({ match: { method: 'HEAD' }, status: 200, signed: options.signed ?? false });
}

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

/** A Trello object id: 24 hex digits. */
const objectId = () => randomBytes(12).toString('hex');

const { provider, preset } = sharedSecretProvider<'secret', TrelloPresetOptions>({
  id: 'trello',
  vectors: 'self-computed',
  displayName: 'Trello',
  docsUrl: 'https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/',
  presetName: 'trello',
  secretOption: 'secret',
  testSecret: randomHexSecret, // OAuth secrets are 64 hex digits
  challengeStrategy: trelloChallenge,
  urlOption: 'callbackUrl',
  presetOptions: '{ secret, callbackUrl }',
  verification: '`X-Trello-Webhook` base64 HMAC-SHA1 of the body + callback URL, keyed with the OAuth secret',
  challenge: '`trelloChallenge()`: HEAD → 200',
  messageId: { bodyField: 'action.id' },
  eventType: { bodyField: 'action.type' },
  scheme: trelloScheme,
  sampleEvent: jsonEvent(() => ({
    action: {
      id: objectId(),
      type: 'updateCard',
      date: new Date().toISOString(),
      data: { card: { id: objectId() } },
    },
    model: { id: objectId() },
  })),
  challengeRequest: () => ({
    method: 'HEAD',
    headers: {},
    check: (answer) => (answer.status === 200 ? undefined : 'expected 200'),
  }),
});

/** @publicApi */
export const trelloProvider = provider;

/**
 * Trello webhooks: base64 HMAC-SHA1 of body + callback URL in `X-Trello-Webhook`, `action.id` as
 * the message id, and `trelloChallenge()` for the `HEAD` check when the webhook is created.
 * @publicApi
 * @example trello({ secret: env.TRELLO_OAUTH_SECRET, callbackUrl: 'https://api.example.com/hooks/trello' })
 */
export const trello: (options: TrelloPresetOptions) => WebhookEndpointDefinition = preset;
