// The PostgreSQL configurations of the HTTP benchmark (loaded only when one is chosen, so the
// bare and guard configurations never load typeorm or pg):
//   hookwarden-pg  WebhookGuard + the TypeORM event log (group commit, deduplication by webhook-id)
//   naive-pg       what a user writes by hand: standardwebhooks verify, then one INSERT per request
import type { DynamicModule, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Pool } from 'pg';
import { WebhookModule, type WebhookEndpointDefinition } from '../src';
import { HOOKWARDEN_MIGRATIONS } from '../src/storage/typeorm';

interface BenchControllers {
  GuardedController: Type;
  NaiveController: Type;
  RssController: Type;
}

const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

export async function benchDatabaseModules(
  config: string,
  endpoints: Record<string, WebhookEndpointDefinition>,
  controllers: BenchControllers,
): Promise<DynamicModule> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error(`BENCH_CONFIG=${config} needs DATABASE_URL`);
  if (config === 'hookwarden-pg') {
    return {
      module: class HookwardenPgModule {},
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url,
          autoLoadEntities: true,
          migrations: HOOKWARDEN_MIGRATIONS,
          migrationsRun: true,
          logging: false,
        }),
        WebhookModule.forRoot({ storage: { type: 'typeorm' }, encryptionKey: ENCRYPTION_KEY, endpoints }),
      ],
      controllers: [controllers.GuardedController, controllers.RssController],
    };
  }
  if (config === 'naive-pg') {
    const pool = new Pool({ connectionString: url, max: 10 });
    await pool.query(
      `CREATE TABLE IF NOT EXISTS naive_webhook_events (
         id text PRIMARY KEY, body text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`,
    );
    const insert = async (id: string, body: string): Promise<void> => {
      await pool.query('INSERT INTO naive_webhook_events (id, body) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, body]);
    };
    return {
      module: class NaivePgModule {},
      providers: [{ provide: 'NAIVE_REPOSITORY', useValue: insert }],
      controllers: [controllers.NaiveController, controllers.RssController],
    };
  }
  throw new Error(`unknown BENCH_CONFIG ${config}`);
}
