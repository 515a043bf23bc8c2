import type { DynamicModule, Provider } from '@nestjs/common';
import { WebhookConfigurationError } from '../core/errors';
import { AuditLog } from '../storage/audit-log.interface';
import { EventLog, EventLogReader } from '../storage/event-log.interface';
import { InMemoryAuditLog } from '../storage/in-memory/in-memory-audit-log';
import { InMemoryEventLog } from '../storage/in-memory/in-memory-event-log';
import { InMemorySecretStore } from '../storage/in-memory/in-memory-secret-store';
import { toSecretList } from '../providers/endpoint-definition';
import { SecretStore } from '../storage/secret-store.interface';
import { validateSigningSecret, type ResolvedWebhookConfig } from './webhook-config';
import { WEBHOOK_CONFIG } from './webhook.constants';
import type { WebhookStorageExtras } from './webhook-module-options.interface';
// Types only: the module itself is required in the 'typeorm' branch.
import type * as TypeOrmStorage from './webhook-typeorm-storage.providers';

/** What a storage adds to the module: the four store tokens and what they need. @internal */
export interface WebhookStorageParts {
  imports: DynamicModule[];
  providers: Provider[];
}

/**
 * The providers of `SecretStore`, `EventLog`, `EventLogReader` and `AuditLog` for the storage the
 * extras select. The TypeORM ones are loaded only in their branch, so an app without a database
 * never loads typeorm, @nestjs/typeorm or pg.
 * @internal
 */
export function webhookStorageParts(
  storage: WebhookStorageExtras | undefined,
  optionsToken: string | symbol,
): WebhookStorageParts {
  const type = storage?.type ?? 'memory';
  if (type === 'memory') return inMemoryStorageParts();
  if (type === 'typeorm') {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const typeorm = require('./webhook-typeorm-storage.providers') as typeof TypeOrmStorage;
      return typeorm.typeOrmStorageParts(storage as Extract<WebhookStorageExtras, { type: 'typeorm' }>, optionsToken);
    } catch (error) {
      const missing =
        (error as { code?: string }).code === 'MODULE_NOT_FOUND'
          ? /Cannot find module '([^']+)'/.exec((error as Error).message)?.[1]
          : undefined;
      if (!missing || missing.startsWith('.')) throw error;
      throw new WebhookConfigurationError(
        `storage: { type: 'typeorm' } needs the optional peer dependencies typeorm, @nestjs/typeorm and pg ` +
          `("${missing}" is not installed): npm install typeorm @nestjs/typeorm pg`,
      );
    }
  }
  throw new WebhookConfigurationError(`Unknown webhook storage type "${String(type)}" (use 'memory' or 'typeorm').`);
}

function inMemoryStorageParts(): WebhookStorageParts {
  return {
    imports: [],
    providers: [
      {
        provide: SecretStore,
        useFactory: async (config: ResolvedWebhookConfig) => {
          const store = new InMemorySecretStore();
          await seedConfiguredSecrets(store, config);
          return store;
        },
        inject: [WEBHOOK_CONFIG],
      },
      {
        provide: EventLog,
        useFactory: (config: ResolvedWebhookConfig) => new InMemoryEventLog(config.inMemoryEventLog),
        inject: [WEBHOOK_CONFIG],
      },
      { provide: EventLogReader, useExisting: EventLog },
      { provide: AuditLog, useFactory: () => new InMemoryAuditLog() },
    ],
  };
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
