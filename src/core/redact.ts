import type { WebhookRequest } from './request';

/** Header names that carry credentials or signatures: their values never reach a log or a table. */
const SENSITIVE_HEADER =
  /signature|authorization|cookie|secret|token|api-?key|hmac|password|x-hook-secret|x-webhook-auth|x-trello-webhook/i;

/** Query parameters that carry credentials (Strava's `?token=`, API keys, Meta's `hub.verify_token`). */
const SENSITIVE_QUERY = /token|secret|key|sig|password|passwd|auth|credential|client_?state/i;

/** @internal */
export const REDACTED = '[redacted]';

/**
 * The path and query of a request safe to store or show: values of credential-like query
 * parameters are replaced; the path and the other parameters are kept as received.
 * @publicApi
 */
export function redactUrl(url: string, alsoRedact?: ReadonlySet<string>): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const params = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 0) return pair;
      let name = pair.slice(0, equals);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: judge the name as sent
      }
      return SENSITIVE_QUERY.test(name) || alsoRedact?.has(name)
        ? `${pair.slice(0, equals)}=${encodeURIComponent(REDACTED)}`
        : pair;
    });
  return `${url.slice(0, query)}?${params.join('&')}`;
}

/**
 * A copy of the request headers safe to store or show: sensitive values are replaced, the rest kept
 * so that an operator can still see which headers arrived.
 * @publicApi
 */
export function redactHeaders(
  headers: WebhookRequest['headers'],
  alsoRedact?: ReadonlySet<string>,
): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const sensitive = SENSITIVE_HEADER.test(name) || alsoRedact?.has(name.toLowerCase()) === true;
    safe[name] = sensitive ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
  }
  return safe;
}
