import type { CanActivate, Type } from '@nestjs/common';

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

/** @internal */
export interface ResolvedAdminConfig {
  readonly token?: string;
  readonly usesAppGuard: boolean;
}

/** @internal */
export const ADMIN_CONFIG = Symbol('hookwarden:admin-config');
/** @internal */
export const DEFAULT_ADMIN_PREFIX = 'webhooks/admin';
