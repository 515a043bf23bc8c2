// The two event logs every storage-sensitive e2e spec runs against: in memory, and TypeORM on a
// database of the spec's own (migrated on start).
import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Webhook } from 'standardwebhooks';
import { WebhookModule, type WebhookModuleOptions } from '../../src';
import { HOOKWARDEN_MIGRATIONS } from '../../src/storage/typeorm';
import type { TestDatabase } from './postgres';

export type StorageModules = (db: () => TestDatabase) => DynamicModule[];

/** `memory` and `typeorm` module lists for the same endpoints (built anew for each app). */
export function eventLogStorages(
  endpoints: () => NonNullable<WebhookModuleOptions['endpoints']>,
  encryptionKey: string,
): Record<string, StorageModules> {
  return {
    memory: () => [WebhookModule.forRoot({ endpoints: endpoints() })],
    typeorm: (db) => [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: db().url,
        autoLoadEntities: true,
        migrations: HOOKWARDEN_MIGRATIONS,
        migrationsRun: true,
        logging: false,
      }),
      WebhookModule.forRoot({ storage: { type: 'typeorm' }, encryptionKey, endpoints: endpoints() }),
    ],
  };
}

/** The headers of a Standard Webhooks delivery signed now, by the reference `standardwebhooks` package. */
export function standardWebhooksHeaders(secret: string, id: string, body: string): Record<string, string> {
  const at = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}
