import type { CanActivate, Type } from '@nestjs/common';

/** Where and how the admin API is mounted (registration-time: it decides which routes exist). @publicApi */
export interface WebhookAdminExtras {
  /**
   * Path prefix of the admin routes.
   * @default 'webhooks/admin'
   */
  prefix?: string;
  /** A guard of the app's own to use instead of the bearer token (e.g. the app's JWT guard). */
  guard?: Type<CanActivate>;
}

/** Admin options given with the other module options (they may come from `useFactory`). @publicApi */
export interface WebhookAdminOptions {
  /** The bearer token the admin API requires (at least 16 characters). */
  token?: string;
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
