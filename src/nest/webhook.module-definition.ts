import { ConfigurableModuleBuilder } from '@nestjs/common';
import { webhookAdminParts } from '../admin/webhook-admin';
import type { WebhookModuleExtras, WebhookModuleOptions } from './webhook-module-options.interface';
import { webhookStorageParts } from './webhook-storage.providers';

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
    { isGlobal: false, storage: { type: 'memory' }, admin: false },
    (definition, extras) => {
      // The storage decides which providers back SecretStore, EventLog, EventLogReader and AuditLog.
      const storage = webhookStorageParts(extras.storage, WEBHOOK_MODULE_OPTIONS);
      // The admin extra decides whether the admin controller exists, and under which prefix.
      const admin = webhookAdminParts(extras.admin, WEBHOOK_MODULE_OPTIONS);
      return {
        ...definition,
        global: extras.isGlobal,
        imports: [...(definition.imports ?? []), ...storage.imports],
        controllers: [...(definition.controllers ?? []), ...admin.controllers],
        providers: [...(definition.providers ?? []), ...storage.providers, ...admin.providers],
      };
    },
  )
  .build();
