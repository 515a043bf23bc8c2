import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { MetricsController } from './metrics.controller';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_FILTER } from '@nestjs/core';
import { WebhookModule, WebhookNotFoundFilter } from '../index';
import { HOOKWARDEN_MIGRATIONS } from '../storage/typeorm';
import { DEMO_ENDPOINTS, demoEndpointDefinitions } from './demo-endpoints';
import { demoWebhookController } from './demo-webhooks.controller';
import { DemoTenantsController } from './demo-tenants.controller';
import { HealthController } from './health.controller';

/** What main.ts settled before the app starts: values the environment did not give. */
export interface DemoDefaults {
  readonly DATABASE_URL: string;
  readonly WEBHOOK_ADMIN_TOKEN: string;
  readonly WEBHOOK_ENCRYPTION_KEY: string;
}

/**
 * The demo application: Hookwarden on PostgreSQL through TypeORM (migrations run on start), the
 * admin API at /webhooks/admin, one endpoint per provider at /webhooks/<name>, one route for the
 * endpoints created through the admin API at /webhooks/tenants/<name>, and GET /health.
 * Configuration comes from the environment through @nestjs/config, as in a real app.
 */
@Module({})
export class DemoModule {
  static forRoot(defaults: DemoDefaults): DynamicModule {
    return {
      module: DemoModule,
      imports: [
        // The environment wins; `defaults` fills what it leaves unset (embedded database, generated credentials).
        ConfigModule.forRoot({ isGlobal: true, load: [() => ({ ...defaults })] }),
        TypeOrmModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            type: 'postgres' as const,
            url: config.getOrThrow<string>('DATABASE_URL'),
            autoLoadEntities: true,
            migrations: HOOKWARDEN_MIGRATIONS,
            migrationsRun: true,
            logging: false,
            retryAttempts: 3,
            retryDelay: 1000,
          }),
        }),
        WebhookModule.forRootAsync({
          storage: { type: 'typeorm' },
          admin: true,
          metrics: true, // prom-client's default registry, served by MetricsController at GET /metrics
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            encryptionKey: config.getOrThrow<string>('WEBHOOK_ENCRYPTION_KEY'),
            admin: { token: config.getOrThrow<string>('WEBHOOK_ADMIN_TOKEN') },
            endpoints: demoEndpointDefinitions(config),
          }),
        }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [
        HealthController,
        MetricsController,
        DemoTenantsController,
        ...DEMO_ENDPOINTS.map(demoWebhookController),
      ],
      // Unknown routes answer 404 `not_found` with a code, without echoing the method and path.
      providers: [{ provide: APP_FILTER, useClass: WebhookNotFoundFilter }],
    };
  }
}
