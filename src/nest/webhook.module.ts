import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditLog } from '../storage/audit-log.interface';
import { EventLog, EventLogReader } from '../storage/event-log.interface';
import { SecretStore } from '../storage/secret-store.interface';
import { resolveWebhookConfig } from './webhook-config';
import { WEBHOOK_CONFIG } from './webhook.constants';
import { WebhookGuard } from './webhook.guard';
import { ConfigurableWebhookModule, WEBHOOK_MODULE_OPTIONS, WEBHOOK_OPTIONS_TYPE } from './webhook.module-definition';
import type { WebhookModuleOptions } from './webhook-module-options.interface';
import { WebhookRoutesValidator } from './webhook-routes.validator';
import { WebhookVerifier } from './webhook-verifier.service';

/**
 * Receives webhooks safely: configure endpoints here, then guard controller routes with
 * `@UseGuards(WebhookGuard)` and `@WebhookEndpoint(name)`. Registration-time extras sit beside the
 * options (and beside `useFactory` with `forRootAsync`): `isGlobal`, `storage` and `admin` (the
 * opt-in admin REST API, see `WebhookAdminExtras`).
 * @publicApi
 * @example
 * WebhookModule.forRootAsync({
 *   storage: { type: 'typeorm' },
 *   admin: true,
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({
 *     encryptionKey: config.getOrThrow('WEBHOOK_ENCRYPTION_KEY'),
 *     admin: { token: config.getOrThrow('WEBHOOK_ADMIN_TOKEN') },
 *     endpoints: { billing: standardWebhooks() },
 *   }),
 * })
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: WEBHOOK_CONFIG,
      useFactory: (options: WebhookModuleOptions) => resolveWebhookConfig(options),
      inject: [WEBHOOK_MODULE_OPTIONS],
    },
    // SecretStore, EventLog, EventLogReader and AuditLog come from the storage extra
    // (webhook-storage.providers.ts), in-memory unless `storage: { type: 'typeorm' }`.
    WebhookVerifier,
    WebhookGuard,
    WebhookRoutesValidator,
  ],
  exports: [WEBHOOK_CONFIG, SecretStore, EventLog, EventLogReader, AuditLog, WebhookVerifier, WebhookGuard],
})
export class WebhookModule extends ConfigurableWebhookModule {
  /** Every option is optional, so `forRoot()` alone works (the generated method would crash on it). */
  static override forRoot(options: typeof WEBHOOK_OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
