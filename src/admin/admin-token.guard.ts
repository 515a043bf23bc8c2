import { createHash } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { constantTimeEqual } from '../core/constant-time';
import { WebhookException } from '../nest/webhook.exceptions';
import { ADMIN_CONFIG, type ResolvedAdminConfig } from './admin.config';

/** The principal recorded in the audit log for requests authenticated by the admin token. */
export const ADMIN_TOKEN_ACTOR = 'admin-token';

/**
 * Admits a request carrying `Authorization: Bearer <admin token>`. Both sides are hashed before
 * the constant-time comparison, so neither the token's content nor its length leaks through timing.
 * @internal
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(ADMIN_CONFIG) config: ResolvedAdminConfig) {
    this.expected = digest(config.token ?? '');
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
    if (!match || !constantTimeEqual(digest(match[1]), this.expected)) {
      throw new WebhookException('unauthorized', 'A valid admin bearer token is required.', 401);
    }
    (request as Record<string, unknown>).hookwardenAdmin = ADMIN_TOKEN_ACTOR;
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
