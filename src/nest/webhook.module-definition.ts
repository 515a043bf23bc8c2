import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { WebhookModuleExtras, WebhookModuleOptions } from './webhook-module-options.interface';

export const {
  ConfigurableModuleClass: ConfigurableWebhookModule,
  MODULE_OPTIONS_TOKEN: WEBHOOK_MODULE_OPTIONS,
  OPTIONS_TYPE: WEBHOOK_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: WEBHOOK_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WebhookModuleOptions>({ moduleName: 'Webhook' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createWebhookOptions')
  .setExtras<WebhookModuleExtras>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
