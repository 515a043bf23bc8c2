import {
  acceptsChallengeAnswers,
  computesWithSigningSecret,
  formsChallengeOracle,
  secretFingerprint,
  sharesFingerprint,
} from '../core/delivery/challenge';
import type { WebhookSecret } from '../core/secret';
import { DeclarativeChallengeStrategy } from '../core/challenges/declarative/declarative-challenge.strategy';
import type { SecretStore } from '../storage/secret-store.interface';
import type { ResolvedEndpoint, ResolvedWebhookConfig } from './webhook-config';
import { WebhookException } from './webhook.exceptions';

/**
 * The name of another endpoint that holds one of `secrets` while the pair forms a signing oracle: one
 * side answers challenges with an HMAC of its signing secret (`computes`, or its configured challenge
 * does), the other has a scheme that does not declare `refusesChallengeAnswers`. Secrets are compared
 * by SHA-256 fingerprint in constant time. `undefined` when there is none. The admin API calls it
 * before a rotation stores a secret.
 * @internal
 */
export async function findSharedChallengeSecret(
  config: Pick<ResolvedWebhookConfig, 'endpoints'>,
  store: Pick<SecretStore, 'getLiveSecrets'>,
  endpointName: string,
  secrets: ReadonlyArray<WebhookSecret | string | Buffer>,
  computes = false,
): Promise<string | undefined> {
  const self = config.endpoints.get(endpointName);
  if (!self || secrets.length === 0) return undefined;
  const selfComputes = computes || computesWithSigningSecret(self);
  if (!selfComputes && !acceptsChallengeAnswers(self)) return undefined;
  const mine = secrets.map((secret) =>
    secretFingerprint(typeof secret === 'string' || Buffer.isBuffer(secret) ? secret : secret.value),
  );
  for (const other of config.endpoints.values()) {
    if (other.name === endpointName || !formsChallengeOracle(self, other, selfComputes)) continue;
    const theirs = (await store.getLiveSecrets(other.name)).map((secret) => secretFingerprint(secret.value));
    if (sharesFingerprint(mine, theirs)) return other.name;
  }
  return undefined;
}

/** The admin API's refusal (409 `shared_secret`) of a secret endpoint `other` holds too. @internal */
export function sharedSecretConflict(other: string): WebhookException {
  return new WebhookException(
    'shared_secret',
    `Endpoint "${other}" holds this secret too, and a challenge answer of one endpoint could pass as a ` +
      'delivery signature of the other. Give each endpoint its own secret.',
    409,
  );
}

/**
 * Whether the endpoint's declarative challenge computes a token keyed with its named secret `name`:
 * its answers are then HMACs under that secret, which must not be another endpoint's signing secret.
 * @internal
 */
export function computesWithNamedSecret(endpoint: ResolvedEndpoint, name: string): boolean {
  const challenge = endpoint.challenge;
  if (!(challenge instanceof DeclarativeChallengeStrategy)) return false;
  const tokens = Array.isArray(challenge.rule?.challenge_tokens) ? challenge.rule.challenge_tokens : [];
  return tokens.some((token) => {
    const secret = token?.secret as { from?: unknown; name?: unknown } | undefined;
    return typeof secret === 'object' && secret !== null && secret.from === 'named' && secret.name === name;
  });
}
