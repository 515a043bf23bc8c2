import type { WebhookRequest } from './request';

/** Header names that carry credentials or signatures: their values never reach a log or a table. */
const SENSITIVE_HEADER =
  /signature|authorization|cookie|secret|token|api-?key|hmac|password|x-hook-secret|x-webhook-auth/i;

/** @internal */
export const REDACTED = '[redacted]';

/**
 * A copy of the request headers safe to store or show: sensitive values are replaced, the rest kept
 * so that an operator can still see which headers arrived.
 * @publicApi
 */
export function redactHeaders(headers: WebhookRequest['headers']): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    safe[name] = SENSITIVE_HEADER.test(name) ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
  }
  return safe;
}
