import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigurableWebhookModule, WEBHOOK_OPTIONS_TYPE } from './webhook.module-definition';

/**
 * Receives webhooks safely: register it once (in the application module), then guard controller
 * routes of any module with `@UseGuards(WebhookGuard)` and `@WebhookEndpoint(name)`; feature modules
 * need no import. Registration-time extras sit beside the options (and beside `useFactory` with
 * `forRootAsync`): `isGlobal` (the stores injectable in every module), `storage` and `admin` (the
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
// Everything is added by forRoot()/forRootAsync() (webhook.module-definition.ts), none of it here:
// a feature module that imports the bare class (out of habit, as with ConfigModule) then gets an
// empty module instead of an UnknownExportException. The guard needs no import (see WebhookGuard).
@Module({})
export class WebhookModule extends ConfigurableWebhookModule {
  /** Every option is optional, so `forRoot()` alone works (the generated method would crash on it). */
  static override forRoot(options: typeof WEBHOOK_OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
