// The two event logs every storage-sensitive e2e spec runs against: in memory, and TypeORM on a
// database of the spec's own (migrated on start).
import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Webhook } from 'standardwebhooks';
import { WebhookModule, type WebhookModuleOptions } from '../../src';
import { HOOKWARDEN_MIGRATIONS } from '../../src/storage/typeorm';
import type { TestDatabase } from './postgres';

/** The app's TypeORM data source on a spec's database, with Hookwarden's migrations run on start. */
export function migratedDataSource(url: string): DynamicModule {
  return TypeOrmModule.forRoot({
    type: 'postgres',
    url,
    autoLoadEntities: true,
    migrations: HOOKWARDEN_MIGRATIONS,
    migrationsRun: true,
    logging: false,
  });
}

export type StorageModules = (db: () => TestDatabase) => DynamicModule[];

/** `memory` and `typeorm` module lists for the same endpoints (built anew for each app). */
export function eventLogStorages(
  endpoints: () => NonNullable<WebhookModuleOptions['endpoints']>,
  encryptionKey: string,
): Record<string, StorageModules> {
  return {
    memory: () => [WebhookModule.forRoot({ endpoints: endpoints() })],
    typeorm: (db) => [
      migratedDataSource(db().url),
      WebhookModule.forRoot({ storage: { type: 'typeorm' }, encryptionKey, endpoints: endpoints() }),
    ],
  };
}

/**
 * The headers of a Standard Webhooks delivery signed by the reference `standardwebhooks` package:
 * now, as JSON, under `webhook-*` headers, unless the options say otherwise (`svix` for Svix).
 */
export function standardWebhooksHeaders(
  secret: string,
  id: string,
  body: string,
  options: { at?: Date; contentType?: string; prefix?: 'webhook' | 'svix' } = {},
): Record<string, string> {
  const at = options.at ?? new Date();
  const prefix = options.prefix ?? 'webhook';
  return {
    'content-type': options.contentType ?? 'application/json',
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
    [`${prefix}-signature`]: new Webhook(secret).sign(id, at, body),
  };
}
