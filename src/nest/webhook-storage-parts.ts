// What every storage of WebhookModule shares (the in-memory one in webhook-storage.providers.ts and
// the TypeORM one, loaded on demand, in webhook-typeorm-storage.providers.ts), kept apart from both
// so that neither imports the other.
import type { DynamicModule, Provider } from '@nestjs/common';
import { WebhookConfigurationError } from '../core/errors';
import { toSecretList } from '../providers/endpoint-definition';
import type { SecretStore } from '../storage/secret-store.interface';
import { validateSigningSecret, type ResolvedWebhookConfig } from './webhook-config';

/** What a storage adds to the module: the four store tokens and what they need. @internal */
export interface WebhookStorageParts {
  imports: DynamicModule[];
  providers: Provider[];
}

/**
 * Checks every configured secret against its endpoint's schemes (a malformed one fails start-up,
 * naming the endpoint) and adds the ones the store does not hold yet.
 * @internal
 */
export async function seedConfiguredSecrets(store: SecretStore, config: ResolvedWebhookConfig): Promise<void> {
  for (const endpoint of config.endpoints.values()) {
    const secrets = endpoint.secrets ?? [];
    for (const secret of secrets) {
      try {
        validateSigningSecret(endpoint, secret);
      } catch (error) {
        throw new WebhookConfigurationError(`Webhook endpoint "${endpoint.name}": ${(error as Error).message}`);
      }
    }
    await store.seedSecrets(endpoint.name, secrets);
    for (const [name, value] of Object.entries(endpoint.namedSecrets ?? {})) {
      await store.seedSecrets(namedSecretKey(endpoint.name, name), toSecretList(value));
    }
  }
}

/**
 * Where a challenge-only secret (Meta's `verify-token`, …) lives in the secret store. Endpoint
 * names cannot contain '.', so these keys never collide with an endpoint's own.
 * @publicApi
 */
export function namedSecretKey(endpoint: string, name: string): string {
  return `${endpoint}.${name}`;
}
