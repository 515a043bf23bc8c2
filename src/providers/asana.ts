import { randomBytes } from 'node:crypto';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { HeaderCodeStrategy } from '../core/challenges/header-code.strategy';
import { HmacScheme, type HmacSchemeOptions } from '../core/engines/hmac.engine';
import { isSuccess } from './challenge-answers';
import { challengeOptions, type ProviderChallengeOptions } from './challenges/provider-challenge-options';
import { randomHexSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Asana: `X-Hook-Signature: <hex HMAC-SHA256 of the body>`, keyed with the `X-Hook-Secret` the
 * webhook handshake delivered (see `asanaChallenge()`). No timestamp or message id.
 */
const SIGNATURE: HmacSchemeOptions = { name: 'asana', header: 'x-hook-signature' };

/**
 * Asana's webhook handshake: a `POST` with header `X-Hook-Secret`, sent while the webhook is being
 * created. The module stores that value as the endpoint's signing secret (used for the later
 * `X-Hook-Signature` checks) and answers `200` with the same `X-Hook-Secret` response header. A
 * second handshake for an endpoint that already has a secret is refused unless the endpoint sets
 * `allowSecretReplacement`.
 * @publicApi
 */
export function asanaChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new HeaderCodeStrategy({
    requestHeader: 'X-Hook-Secret',
    match: { method: 'POST', headers: { 'x-hook-secret': true } },
    deliversSecret: true,
    ...challengeOptions(options, false),
  });
}

/** @publicApi */
export interface AsanaPresetOptions extends PresetOptions {
  /** Usually absent: the handshake delivers the secret and the module stores it. */
  readonly secret?: SecretOrSecrets;
  /**
   * Accept a new handshake for an endpoint that already has a secret (re-creating the webhook),
   * replacing it. Off by default, so a forged handshake cannot swap the secret of a working endpoint.
   * @default false
   */
  readonly allowSecretReplacement?: boolean;
}

/** An Asana object gid: 16 decimal digits. */
const gid = () => String(randomBytes(6).readUIntBE(0, 6) + 1_000_000_000_000_000);

const { provider, preset } = sharedSecretProvider<'secret', AsanaPresetOptions>({
  id: 'asana',
  vectors: 'self-computed',
  displayName: 'Asana',
  docsUrl: 'https://developers.asana.com/reference/createwebhook',
  presetName: 'asana',
  secretOption: 'secret',
  testSecret: randomHexSecret, // the handshake's X-Hook-Secret is 64 hex digits
  challengeStrategy: asanaChallenge,
  fromOptions: (options) => ({ allowSecretReplacement: options.allowSecretReplacement }),
  verification: '`X-Hook-Signature` hex HMAC-SHA256 of the body, keyed with the handshake’s `X-Hook-Secret`',
  challenge:
    '`asanaChallenge()`: POST `X-Hook-Secret` → the same response header; the secret is stored as the signing secret',
  scheme: () => new HmacScheme(SIGNATURE),
  // One delivery batches several events, each with its own action: no id or type for the delivery.
  sampleEvent: jsonEvent(() => ({
    events: [
      {
        action: 'changed',
        resource: { gid: gid(), resource_type: 'task' },
        user: { gid: gid(), resource_type: 'user' },
        created_at: new Date().toISOString(),
      },
    ],
  })),
  challengeRequest: () => {
    const secret = randomHexSecret();
    return {
      method: 'POST',
      headers: { 'x-hook-secret': secret, 'content-type': 'application/json' },
      body: '{}',
      check: (answer) =>
        isSuccess(answer.status) && answer.headers.get('x-hook-secret') === secret
          ? undefined
          : 'expected X-Hook-Secret echoed',
    };
  },
});

/** @publicApi */
export const asanaProvider = provider;

/**
 * Asana webhooks: `asanaChallenge()` stores the `X-Hook-Secret` of the creation handshake, which
 * then keys the hex `X-Hook-Signature` of every event. No timestamp or message id.
 * @publicApi
 * @example endpoints: { asana: asana() }
 */
export const asana = preset;
