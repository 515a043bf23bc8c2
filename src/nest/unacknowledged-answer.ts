import type { ServerResponse } from 'node:http';

/**
 * Runs `withdraw` before an answer that does not acknowledge the delivery (a status outside 2xx)
 * leaves the server, then lets it go out. The acceptance of a delivery whose handler (or a pipe,
 * or an interceptor) failed is thus withdrawn before the provider can see the failure and retry.
 *
 * It wraps the raw response's `end()` for this one response, the way express-session saves a
 * session before the answer ends: that costs nothing measurable on the success path, where an
 * interceptor would put every request through Nest's RxJS pipeline. Works on Express (the
 * response is the ServerResponse) and Fastify (`reply.raw`).
 * @internal
 */
export function withdrawUnlessAcknowledged(response: unknown, withdraw: () => Promise<void>): void {
  const raw = rawResponse(response);
  if (!raw) return;
  const end = raw.end;
  raw.end = function endAfterWithdrawal(this: ServerResponse, ...args: unknown[]) {
    raw.end = end;
    if (raw.statusCode >= 200 && raw.statusCode < 300) return end.apply(this, args as never);
    // withdraw() never rejects; the answer goes out either way.
    void withdraw().then(() => end.apply(this, args as never));
    return this;
  } as ServerResponse['end'];
}

function rawResponse(response: unknown): ServerResponse | undefined {
  const candidate = (response as { raw?: unknown } | undefined)?.raw ?? response;
  const raw = candidate as ServerResponse | undefined;
  return typeof raw?.end === 'function' && typeof raw.statusCode === 'number' ? raw : undefined;
}
