import { createHash } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { constantTimeEqual } from '../core/constant-time';
import { WebhookException } from '../nest/webhook.exceptions';
import { ADMIN_CONFIG, type ResolvedAdminConfig } from './admin.config';

/** The principal recorded in the audit log for requests authenticated by the admin token. */
export const ADMIN_TOKEN_ACTOR = 'admin-token';

/** The request property where the admin guards leave the actor for the audit log. @internal */
export const ADMIN_ACTOR = 'hookwardenAdmin';

/** RFC 6750: the scheme is case-insensitive; the token is visible ASCII (the length is capped). */
const BEARER = /^bearer +([\x21-\x7e]{1,512}) *$/i;

type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * Admits a request carrying `Authorization: Bearer <admin token>`. Both sides are hashed before
 * the constant-time comparison, so neither the token's content nor its length leaks through timing.
 * Refusals are 401 with `WWW-Authenticate: Bearer` and a code: `missing_admin_token`,
 * `malformed_admin_token` (not a Bearer header) or `invalid_admin_token`.
 * @internal
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(ADMIN_CONFIG) config: ResolvedAdminConfig) {
    this.expected = digest(config.token ?? '');
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<{ headers: HeaderBag } & Record<string, unknown>>();
    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      this.refuse(http.getResponse(), 'missing_admin_token', 'The admin API needs an Authorization: Bearer header.');
    }
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) {
      this.refuse(
        http.getResponse(),
        'malformed_admin_token',
        'The Authorization header must be "Bearer <admin token>".',
        'invalid_request',
      );
    }
    if (!constantTimeEqual(digest(match[1]), this.expected)) {
      this.refuse(http.getResponse(), 'invalid_admin_token', 'The admin token is not valid.', 'invalid_token');
    }
    request[ADMIN_ACTOR] = ADMIN_TOKEN_ACTOR;
    return true;
  }

  private refuse(response: unknown, code: string, message: string, error?: string): never {
    const value = error ? `Bearer realm="hookwarden-admin", error="${error}"` : 'Bearer realm="hookwarden-admin"';
    // Express and Fastify both have header(name, value).
    (response as { header?: (name: string, value: string) => unknown })?.header?.('WWW-Authenticate', value);
    throw new WebhookException(code, message, 401);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
