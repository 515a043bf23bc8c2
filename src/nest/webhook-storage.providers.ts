import { WebhookConfigurationError } from '../core/errors';
import { AuditLog } from '../storage/audit-log.interface';
import { EventLog, EventLogReader } from '../storage/event-log.interface';
import { EndpointStore } from '../storage/endpoint-store.interface';
import { InMemoryEndpointStore } from '../storage/in-memory/in-memory-endpoint-store';
import { InMemoryAuditLog } from '../storage/in-memory/in-memory-audit-log';
import { InMemoryEventLog } from '../storage/in-memory/in-memory-event-log';
import { InMemoryInbox } from '../storage/in-memory/in-memory-inbox';
import { WebhookInbox } from '../storage/inbox.interface';
import { InMemorySecretStore } from '../storage/in-memory/in-memory-secret-store';
import { SecretStore } from '../storage/secret-store.interface';
import { seedConfiguredSecrets, type WebhookStorageParts } from './webhook-storage-parts';
import type { ResolvedWebhookConfig } from './webhook-config';
import { WEBHOOK_CONFIG } from './webhook.constants';
import type { WebhookStorageExtras } from './webhook-module-options.interface';
// Types only: the module itself is required in the 'typeorm' branch.
import type * as TypeOrmStorage from './webhook-typeorm-storage.providers';

/**
 * The providers of `SecretStore`, `EventLog`, `EventLogReader`, `AuditLog` and `EndpointStore` for the storage the
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
      {
        provide: WebhookInbox,
        // The event log writes the jobs; one standing in for it (tests) gets an inbox of its own.
        useFactory: (log: EventLog) => (log instanceof InMemoryEventLog ? log.inbox : new InMemoryInbox()),
        inject: [EventLog],
      },
      { provide: AuditLog, useFactory: () => new InMemoryAuditLog() },
      {
        provide: EndpointStore,
        useFactory: (config: ResolvedWebhookConfig) => new InMemoryEndpointStore({ maxEndpoints: config.maxEndpoints }),
        inject: [WEBHOOK_CONFIG],
      },
    ],
  };
}
