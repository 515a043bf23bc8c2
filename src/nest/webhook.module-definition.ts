import { ConfigurableModuleBuilder } from '@nestjs/common';
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
  .setExtras<WebhookModuleExtras>({ isGlobal: false, storage: { type: 'memory' } }, (definition, extras) => {
    // The storage decides which providers back SecretStore, EventLog, EventLogReader and AuditLog.
    const storage = webhookStorageParts(extras.storage, WEBHOOK_MODULE_OPTIONS);
    return {
      ...definition,
      global: extras.isGlobal,
      imports: [...(definition.imports ?? []), ...storage.imports],
      providers: [...(definition.providers ?? []), ...storage.providers],
    };
  })
  .build();
