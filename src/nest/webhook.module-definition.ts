import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditLog } from '../storage/audit-log.interface';
import { EventLog, EventLogReader } from '../storage/event-log.interface';
import { SecretStore } from '../storage/secret-store.interface';
import { EndpointStore } from '../storage/endpoint-store.interface';
import { RuntimeEndpoints } from './runtime-endpoints';
import { WebhookInbox } from '../storage/inbox.interface';
import { InboxDispatch } from './inbox/inbox-handlers';
import { resolveInboxOptions } from './inbox/inbox-options';
import { INBOX_OPTIONS, InboxWorkers } from './inbox/inbox-workers';
import { WebhookDispatch } from './inbox/webhook-dispatch';
import { resolveWebhookConfig } from './webhook-config';
import { webhookAdminParts } from './webhook-admin-mount';
import { RUNTIME_ENDPOINTS_POSSIBLE, WEBHOOK_CONFIG } from './webhook.constants';
import { WebhookGuard } from './webhook.guard';
import type { WebhookModuleExtras, WebhookModuleOptions } from './webhook-module-options.interface';
import { WebhookRawBodyCheck } from './webhook-raw-body.check';
import { WebhookRoutesValidator } from './webhook-routes.validator';
import { webhookStorageParts } from './webhook-storage.providers';
import { WebhookVerifier } from './webhook-verifier.service';
import { WEBHOOK_METRICS, WebhookMetrics } from './webhook-metrics';
import { WEBHOOK_INBOX_HEALTH, WebhookHealthIndicator } from './webhook-health.indicator';

export const {
  ConfigurableModuleClass: ConfigurableWebhookModule,
  MODULE_OPTIONS_TOKEN: WEBHOOK_MODULE_OPTIONS,
  OPTIONS_TYPE: WEBHOOK_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: WEBHOOK_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WebhookModuleOptions>({ moduleName: 'Webhook' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createWebhookOptions')
  // Every extra needs a default here: only keys listed here are kept out of the options value.
  .setExtras<WebhookModuleExtras>(
    { isGlobal: false, storage: { type: 'memory' }, admin: false, metrics: false },
    (definition, extras): DynamicModule => {
      // The storage decides which providers back SecretStore, EventLog, EventLogReader and AuditLog.
      const storage = webhookStorageParts(extras.storage, WEBHOOK_MODULE_OPTIONS);
      // The admin extra decides whether the admin controller exists, and under which prefix.
      const admin = webhookAdminParts(extras.admin, WEBHOOK_MODULE_OPTIONS);
      return {
        ...definition,
        global: extras.isGlobal,
        imports: [...(definition.imports ?? []), DiscoveryModule, ...storage.imports],
        controllers: [...(definition.controllers ?? []), ...admin.controllers],
        providers: [
          ...(definition.providers ?? []),
          {
            provide: WEBHOOK_CONFIG,
            useFactory: (options: WebhookModuleOptions) => resolveWebhookConfig(options),
            inject: [WEBHOOK_MODULE_OPTIONS],
          },
          // SecretStore, EventLog, EventLogReader and AuditLog come from the storage part
          // (webhook-storage.providers.ts), in-memory unless `storage: { type: 'typeorm' }`.
          ...storage.providers,
          // Before the stores: the TypeORM event log reports its batches to them.
          ...(extras.metrics ? [{ provide: WEBHOOK_METRICS, useValue: new WebhookMetrics(extras.metrics) }] : []),
          RuntimeEndpoints,
          {
            provide: RUNTIME_ENDPOINTS_POSSIBLE,
            useValue: Boolean(extras.admin) || extras.storage?.type === 'typeorm',
          },
          {
            provide: INBOX_OPTIONS,
            useFactory: (options: WebhookModuleOptions) => resolveInboxOptions(options?.inbox),
            inject: [WEBHOOK_MODULE_OPTIONS],
          },
          InboxDispatch,
          { provide: WebhookDispatch, useExisting: InboxDispatch },
          InboxWorkers,
          // The health indicator checks the inbox's lag while it runs.
          { provide: WEBHOOK_INBOX_HEALTH, useExisting: InboxWorkers },
          WebhookVerifier,
          WebhookGuard,
          WebhookHealthIndicator,
          WebhookRoutesValidator,
          WebhookRawBodyCheck,
          ...admin.providers,
        ],
        exports: [
          ...(definition.exports ?? []),
          WEBHOOK_CONFIG,
          SecretStore,
          EventLog,
          EventLogReader,
          AuditLog,
          EndpointStore,
          RuntimeEndpoints,
          WebhookVerifier,
          WebhookGuard,
          WebhookHealthIndicator,
          ...(extras.metrics ? [WEBHOOK_METRICS] : []),
          WebhookInbox,
        ],
      };
    },
  )
  .build();
