import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WebhookConfigurationError } from '../core/errors';
import { EventLog } from '../storage/event-log.interface';
import { InMemoryEventLog } from '../storage/in-memory/in-memory-event-log';
import { InMemorySecretStore } from '../storage/in-memory/in-memory-secret-store';
import { SecretStore } from '../storage/secret-store.interface';
import { resolveWebhookConfig, type ResolvedWebhookConfig } from './webhook-config';
import { WEBHOOK_CONFIG } from './webhook.constants';
import { WebhookGuard } from './webhook.guard';
import { ConfigurableWebhookModule, WEBHOOK_MODULE_OPTIONS, WEBHOOK_OPTIONS_TYPE } from './webhook.module-definition';
import type { WebhookModuleOptions } from './webhook-module-options.interface';
import { WebhookRoutesValidator } from './webhook-routes.validator';
import { WebhookVerifier } from './webhook-verifier.service';

async function createSecretStore(config: ResolvedWebhookConfig): Promise<SecretStore> {
  const store = new InMemorySecretStore();
  for (const endpoint of config.endpoints.values()) {
    const secrets = endpoint.secrets ?? [];
    for (const scheme of endpoint.schemes) {
      for (const secret of secrets) {
        try {
          scheme.validateSecret?.(secret);
        } catch (error) {
          throw new WebhookConfigurationError(`Webhook endpoint "${endpoint.name}": ${(error as Error).message}`);
        }
      }
    }
    await store.seedSecrets(endpoint.name, secrets);
  }
  return store;
}

/**
 * Receives webhooks safely: configure endpoints here, then guard controller routes with
 * `@UseGuards(WebhookGuard)` and `@WebhookEndpoint(name)`.
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: WEBHOOK_CONFIG,
      useFactory: (options: WebhookModuleOptions) => resolveWebhookConfig(options),
      inject: [WEBHOOK_MODULE_OPTIONS],
    },
    { provide: SecretStore, useFactory: createSecretStore, inject: [WEBHOOK_CONFIG] },
    {
      provide: EventLog,
      useFactory: (config: ResolvedWebhookConfig) => new InMemoryEventLog(config.inMemoryEventLog),
      inject: [WEBHOOK_CONFIG],
    },
    WebhookVerifier,
    WebhookGuard,
    WebhookRoutesValidator,
  ],
  exports: [WEBHOOK_CONFIG, SecretStore, EventLog, WebhookVerifier, WebhookGuard],
})
export class WebhookModule extends ConfigurableWebhookModule {
  /** Every option is optional, so `forRoot()` alone works (the generated method would crash on it). */
  static override forRoot(options: typeof WEBHOOK_OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
