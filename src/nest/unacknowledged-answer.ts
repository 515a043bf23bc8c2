import type { ServerResponse } from 'node:http';

/**
 * Runs `withdraw` before an answer that does not acknowledge the delivery (a status outside 2xx)
 * leaves the server, then lets it go out. The acceptance of a delivery whose handler (or a pipe,
 * or an interceptor) failed is thus withdrawn before the provider can see the failure and retry.
 *
 * It wraps the raw response's `end()` for this one response, the way express-session saves a
 * session before the answer ends: a few property operations on the success path, where an
 * interceptor would put every request through Nest's RxJS pipeline (30–60 µs of CPU each).
 * Works on Express (the response is the ServerResponse) and Fastify (`reply.raw`).
 * @internal
 */
export function withdrawUnlessAcknowledged(response: unknown, withdraw: () => Promise<void>): void {
  const raw = rawResponse(response);
  if (!raw) return;
  const end = raw.end;
  let ended = false;
  raw.end = function endAfterWithdrawal(this: ServerResponse, ...args: unknown[]) {
    if (ended || (raw.statusCode >= 200 && raw.statusCode < 300)) return end.apply(this, args as never);
    ended = true;
    // withdraw() never rejects; the answer goes out either way.
    void withdraw().then(() => end.apply(this, args as never));
    return this;
  } as ServerResponse['end'];
}

/** Express's response is the ServerResponse; Fastify's reply holds it as `raw`. */
function rawResponse(response: unknown): ServerResponse | undefined {
  const candidate = response as (ServerResponse & { raw?: undefined }) | { raw?: ServerResponse } | undefined;
  if (typeof (candidate as ServerResponse | undefined)?.writeHead === 'function') return candidate as ServerResponse;
  const raw = (candidate as { raw?: ServerResponse } | undefined)?.raw;
  return typeof raw?.end === 'function' && typeof raw.writeHead === 'function' ? raw : undefined;
}
