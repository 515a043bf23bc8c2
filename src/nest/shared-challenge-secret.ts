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
import { namedSecretKey } from './webhook-storage-parts';
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
  const mine = fingerprints(secrets);
  for (const other of config.endpoints.values()) {
    if (other.name === endpointName || !formsChallengeOracle(self, other, selfComputes)) continue;
    const theirs = fingerprints(await store.getLiveSecrets(other.name));
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

/** The named secrets the endpoint's declarative challenge computes its answers with. */
function namedComputeSecrets(endpoint: Pick<ResolvedEndpoint, 'challenge'>): readonly string[] {
  const challenge = endpoint.challenge;
  return challenge instanceof DeclarativeChallengeStrategy ? challenge.computesWithNamedSecrets : [];
}

/**
 * Whether the endpoint's declarative challenge computes a token keyed with its named secret `name`:
 * its answers are then HMACs under that secret, which must not be another endpoint's signing secret.
 * @internal
 */
export function computesWithNamedSecret(endpoint: ResolvedEndpoint, name: string): boolean {
  return namedComputeSecrets(endpoint).includes(name);
}

/**
 * The other direction of {@link findSharedChallengeSecret} for named keys: the name of an endpoint
 * (this one included) whose declarative challenge computes its answers with a named secret among
 * `secrets`, the signing secrets of `endpointName`, while this endpoint may accept such an answer
 * as a signature (Mailgun). `undefined` when there is none.
 * @internal
 */
export async function findNamedChallengeKey(
  config: Pick<ResolvedWebhookConfig, 'endpoints'>,
  store: Pick<SecretStore, 'getLiveSecrets'>,
  endpointName: string,
  secrets: ReadonlyArray<WebhookSecret | string | Buffer>,
): Promise<string | undefined> {
  const self = config.endpoints.get(endpointName);
  if (!self || secrets.length === 0 || !acceptsChallengeAnswers(self)) return undefined;
  const mine = fingerprints(secrets);
  for (const other of config.endpoints.values()) {
    for (const name of namedComputeSecrets(other)) {
      const theirs = fingerprints(await store.getLiveSecrets(namedSecretKey(other.name, name)));
      if (sharesFingerprint(mine, theirs)) return other.name;
    }
  }
  return undefined;
}

/**
 * For keys of a named secret that `endpointName`'s challenge computes its answers with: the name of
 * an endpoint, this one included, that signs with one of them while its scheme may accept such an
 * answer as a signature. `undefined` when there is none.
 * @internal
 */
export async function findNamedKeyOracle(
  config: Pick<ResolvedWebhookConfig, 'endpoints'>,
  store: Pick<SecretStore, 'getLiveSecrets'>,
  endpointName: string,
  keys: ReadonlyArray<WebhookSecret | string | Buffer>,
): Promise<string | undefined> {
  const other = await findSharedChallengeSecret(config, store, endpointName, keys, true);
  if (other !== undefined) return other;
  const self = config.endpoints.get(endpointName);
  if (!self || keys.length === 0 || !acceptsChallengeAnswers(self)) return undefined;
  const own = fingerprints(await store.getLiveSecrets(endpointName));
  return sharesFingerprint(fingerprints(keys), own) ? endpointName : undefined;
}

function fingerprints(secrets: ReadonlyArray<WebhookSecret | string | Buffer>): Buffer[] {
  return secrets.map((secret) =>
    secretFingerprint(typeof secret === 'string' || Buffer.isBuffer(secret) ? secret : secret.value),
  );
}
