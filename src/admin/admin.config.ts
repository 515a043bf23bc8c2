// The option shapes belong to WebhookModule (nest/), which mounts the admin API; re-exported here.
export type { WebhookAdminExtras, WebhookAdminOptions } from '../nest/webhook-admin-mount';

/** @internal */
export interface ResolvedAdminConfig {
  readonly token?: string;
  readonly usesAppGuard: boolean;
}

/** @internal */
export const ADMIN_CONFIG = Symbol('hookwarden:admin-config');
/** @internal */
export const DEFAULT_ADMIN_PREFIX = 'webhooks/admin';
