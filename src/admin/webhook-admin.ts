import { type CanActivate, type Type } from '@nestjs/common';
import { WebhookConfigurationError } from '../core/errors';
import {
  ADMIN_CONFIG,
  DEFAULT_ADMIN_PREFIX,
  type ResolvedAdminConfig,
  type WebhookAdminExtras,
  type WebhookAdminOptions,
} from './admin.config';
import { registerWebhookAdminMount, type WebhookAdminParts } from '../nest/webhook-admin-mount';
import { AdminTokenGuard } from './admin-token.guard';
import { createWebhookConsoleController } from './console/console.controller';
import { ConsoleSessionGuard } from './console/console-session';
import type * as AdminController from './webhook-admin.controller';

/** The shortest admin token accepted: anything shorter is guessable. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** Path segments of letters, digits and `-._~`: no route parameters or wildcards in a prefix. */
const PREFIX = /^[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*$/;

/** What an `Authorization: Bearer` header can carry (the guard accepts nothing else). */
const TOKEN = /^[\x21-\x7e]{1,512}$/;

/**
 * The controllers and providers of the admin API for one registration with the admin extra on.
 * `optionsToken` is the module options token, from which the token (possibly from `useFactory`)
 * is read at start-up.
 * @internal
 */
export function webhookAdminParts(extras: WebhookAdminExtras | true, optionsToken: string | symbol): WebhookAdminParts {
  const settings: WebhookAdminExtras = extras === true ? {} : extras;
  if (typeof settings !== 'object') {
    throw new WebhookConfigurationError('The admin extra must be true, false or { prefix?, guard?, token? }.');
  }
  const prefix = normalizePrefix(settings.prefix);
  if (settings.guard !== undefined && typeof settings.guard !== 'function') {
    throw new WebhookConfigurationError('admin.guard must be a guard class (a CanActivate with @Injectable()).');
  }
  const guard: Type<CanActivate> = settings.guard ?? AdminTokenGuard;
  const admin = loadAdminController();
  // The console: with the token, its own guard (session cookie or bearer) and a login form.
  const consoleGuard: Type<CanActivate> = settings.guard ?? ConsoleSessionGuard;
  return {
    controllers: [
      admin.createWebhookAdminController(prefix, guard),
      createWebhookConsoleController(
        prefix,
        consoleGuard,
        settings.guard === undefined,
        admin.WebhookAdminService,
        admin.WebhookInboxAdminService,
      ),
    ],
    providers: [
      {
        provide: ADMIN_CONFIG,
        useFactory: (options: { admin?: WebhookAdminOptions } | undefined) =>
          resolveAdminConfig(options?.admin?.token ?? settings.token, settings.guard !== undefined),
        inject: [optionsToken],
      },
      ...(settings.guard === undefined ? [AdminTokenGuard, ConsoleSessionGuard] : []),
      admin.WebhookAdminService,
      admin.WebhookEndpointsAdminService,
      admin.WebhookInboxAdminService,
    ],
  };
}

// WebhookModule's `admin` extra mounts the admin API through this (nest/ does not import admin/).
registerWebhookAdminMount(webhookAdminParts);

/**
 * The admin controller, loaded only when the admin API is on: its DTOs need class-validator and
 * class-transformer, optional peers that an app without the admin API need not install.
 */
function loadAdminController(): typeof AdminController {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('./webhook-admin.controller') as typeof AdminController;
  } catch (error) {
    const missing = /^Cannot find module '(class-validator|class-transformer)'/.exec(
      (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ? (error as Error).message : '',
    );
    if (!missing) throw error;
    throw new WebhookConfigurationError(
      `The admin API validates its input with class-validator and class-transformer, and ${missing[1]} is not ` +
        'installed: npm install class-validator class-transformer',
      { cause: error },
    );
  }
}

/** `'/ops/webhooks/'` → `'ops/webhooks'`; anything that is not plain path segments fails start-up. @internal */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix !== undefined && typeof prefix !== 'string') {
    throw new WebhookConfigurationError('admin.prefix must be a string such as "webhooks/admin".');
  }
  const trimmed = (prefix ?? DEFAULT_ADMIN_PREFIX).replace(/^\/+|\/+$/g, '');
  if (!PREFIX.test(trimmed)) {
    throw new WebhookConfigurationError(
      `admin.prefix "${prefix}" must be one or more path segments of letters, digits, '-', '.', '_' or '~' (e.g. "webhooks/admin").`,
    );
  }
  return trimmed;
}

/** Fails start-up when the admin API would be open or guessable. @internal */
export function resolveAdminConfig(token: string | undefined, usesAppGuard: boolean): ResolvedAdminConfig {
  if (!usesAppGuard && (typeof token !== 'string' || token.length < MIN_ADMIN_TOKEN_LENGTH)) {
    // Never echo the token: it may be a real one that is merely short.
    throw new WebhookConfigurationError(
      `The webhook admin API needs admin.token (at least ${MIN_ADMIN_TOKEN_LENGTH} characters${
        typeof token === 'string' ? `; the one given has ${token.length}` : ''
      }) or a guard of your own (admin: { guard }).`,
    );
  }
  if (!usesAppGuard && !TOKEN.test(token!)) {
    throw new WebhookConfigurationError(
      'admin.token must be at most 512 visible ASCII characters (no spaces), as it is sent in an Authorization header.',
    );
  }
  return { token: usesAppGuard ? undefined : token, usesAppGuard };
}
