import { ADMIN_ACTOR } from './admin-token.guard';

/** Who acted: the admin token, or the principal the app's own guard put on the request. @internal */
export function actorOf(request: unknown): string {
  const req = request as { [ADMIN_ACTOR]?: string; user?: Record<string, unknown> };
  if (req[ADMIN_ACTOR]) return req[ADMIN_ACTOR];
  const user = req.user;
  const id = user?.['id'] ?? user?.['sub'] ?? user?.['username'] ?? user?.['email'];
  return typeof id === 'string' || typeof id === 'number' ? `user:${id}`.slice(0, 200) : 'app-guard';
}
