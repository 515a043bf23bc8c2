import { Logger, type CanActivate, type Provider, type Type } from '@nestjs/common';
import { WebhookConfigurationError } from '../core/errors';

// WebhookModule's `admin` extra mounts the admin API, but nest/ never imports admin/ (design.md §3:
// admin sits above nest). The admin plug-in registers its mount here when it loads; the package's
// root entry loads it, so `admin: true` works for every import of 'nestjs-hookwarden'.

/**
 * Where and how the admin API is mounted: the `admin` extra of `forRoot()` / `forRootAsync()`.
 * Registration-time (it decides which routes exist), so with `forRootAsync` it sits beside
 * `useFactory`, not inside it; `admin: true` takes every default.
 * @publicApi
 * @example WebhookModule.forRootAsync({ admin: { prefix: 'ops/webhooks' }, useFactory: () => ({ admin: { token } }) })
 */
export interface WebhookAdminExtras {
  /**
   * Path prefix of the admin routes (the app's global prefix, if any, comes before it).
   * @default 'webhooks/admin'
   */
  prefix?: string;
  /**
   * A guard of the app's own to use instead of the bearer token (the app's JWT or session guard).
   * It is resolved in WebhookModule's scope: its dependencies must come from a global module or
   * from the `imports` of `forRootAsync`. The audit log records `request.user.id` (or `sub`,
   * `username`, `email`) as the actor.
   */
  guard?: Type<CanActivate>;
  /**
   * The bearer token, for `forRoot()`. With `forRootAsync()` give it in the options the factory
   * returns (`admin: { token }`), so that it can come from `ConfigService`; that one wins.
   */
  token?: string | undefined;
}

/**
 * Admin options returned with the other module options (so they may come from `useFactory`).
 * They take effect only when the `admin` extra turns the admin API on.
 * @publicApi
 */
export interface WebhookAdminOptions {
  /**
   * The bearer token the admin API requires (`Authorization: Bearer <token>`), compared in
   * constant time; at least 16 characters. Required unless the extras give a `guard`.
   */
  token?: string | undefined;
}

/** The controllers and providers the admin plug-in adds to one registration. @internal */
export interface WebhookAdminParts {
  controllers: Type[];
  providers: Provider[];
}

/** Builds the admin parts from the extra (never `false`) and the module options token. @internal */
export type WebhookAdminMount = (extras: WebhookAdminExtras | true, optionsToken: string | symbol) => WebhookAdminParts;

let registeredMount: WebhookAdminMount | undefined;

/** Called by src/admin/webhook-admin.ts when it loads. @internal */
export function registerWebhookAdminMount(mount: WebhookAdminMount): void {
  registeredMount = mount;
}

/** Resolves the check of the options when the admin API is off. @internal */
const ADMIN_DISABLED_CHECK = Symbol('hookwarden:admin-disabled-check');

/**
 * The admin parts of one registration, or, when the admin API is off, a check that warns about
 * admin options that would otherwise be silently ignored. @internal
 */
export function webhookAdminParts(
  extras: WebhookAdminExtras | boolean | undefined,
  optionsToken: string | symbol,
): WebhookAdminParts {
  if (!extras) {
    return {
      controllers: [],
      providers: [
        {
          provide: ADMIN_DISABLED_CHECK,
          useFactory: (options: { admin?: unknown } | undefined) => {
            if (options?.admin !== undefined) {
              new Logger('Hookwarden').warn(
                'Admin options were given but the admin API is off: add `admin: true` (or `admin: { prefix, guard }`) ' +
                  'to forRoot()/forRootAsync() itself, beside useFactory.',
              );
            }
            return true;
          },
          inject: [optionsToken],
        },
      ],
    };
  }
  if (!registeredMount) {
    throw new WebhookConfigurationError(
      "The admin extra is on but the admin API is not loaded: import WebhookModule from 'nestjs-hookwarden'.",
    );
  }
  return registeredMount(extras, optionsToken);
}
