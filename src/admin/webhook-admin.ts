import type { CanActivate, Provider, Type } from '@nestjs/common';
import { WebhookConfigurationError } from '../core/errors';
import {
  ADMIN_CONFIG,
  DEFAULT_ADMIN_PREFIX,
  type ResolvedAdminConfig,
  type WebhookAdminExtras,
  type WebhookAdminOptions,
} from './admin.config';
import { AdminTokenGuard } from './admin-token.guard';
import { createWebhookAdminController } from './webhook-admin.controller';

/** The shortest admin token accepted: anything shorter is guessable. */
const MIN_TOKEN_LENGTH = 16;

/**
 * The controllers and providers of the admin API for one registration. `optionsToken` is the
 * module options token, from which the token (possibly from `useFactory`) is read at start-up.
 * @internal
 */
export function webhookAdminParts(
  extras: WebhookAdminExtras | true,
  optionsToken: string | symbol,
): { controllers: Type[]; providers: Provider[] } {
  const settings = extras === true ? {} : extras;
  const prefix = (settings.prefix ?? DEFAULT_ADMIN_PREFIX).replace(/^\/+|\/+$/g, '');
  const guard: Type<CanActivate> = settings.guard ?? AdminTokenGuard;
  return {
    controllers: [createWebhookAdminController(prefix, guard)],
    providers: [
      {
        provide: ADMIN_CONFIG,
        useFactory: (options: { admin?: WebhookAdminOptions } | undefined) =>
          resolveAdminConfig(options?.admin, settings.guard !== undefined),
        inject: [optionsToken],
      },
      AdminTokenGuard,
    ],
  };
}

/** Fails start-up when the admin API would be open or guessable. @internal */
export function resolveAdminConfig(admin: WebhookAdminOptions | undefined, usesAppGuard: boolean): ResolvedAdminConfig {
  if (!usesAppGuard) {
    const token = admin?.token;
    if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH) {
      throw new WebhookConfigurationError(
        `The webhook admin API needs admin.token (at least ${MIN_TOKEN_LENGTH} characters) or a guard of your own (admin: { guard }).`,
      );
    }
  }
  return { token: admin?.token, usesAppGuard };
}
