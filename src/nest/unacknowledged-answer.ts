import type { ServerResponse } from 'node:http';

/**
 * Settles an accepted delivery in the event log before its answer leaves the server, then lets the
 * answer go out: a 2xx first runs `acknowledge` (later copies are then duplicates), any other
 * status first runs `withdraw` (the handler, a pipe or an interceptor failed: the retry must run
 * the handler again). Until one of them ran, a copy of the delivery is answered 503
 * `delivery_in_progress`, never 2xx: the handler may still fail.
 *
 * It wraps the raw response's `end()` for this one response, the way express-session saves a
 * session before the answer ends, where an interceptor would put every request through Nest's RxJS
 * pipeline (30–60 µs of CPU each). Works on Express (the response is the ServerResponse) and
 * Fastify (`reply.raw`). Neither callback may reject; one that returns nothing has settled already.
 * @internal
 */
export function settleBeforeAnswer(
  response: unknown,
  settle: { acknowledge: () => Promise<void> | void; withdraw: () => Promise<void> },
): void {
  const raw = rawResponse(response);
  if (!raw) return;
  const end = raw.end;
  let ended = false;
  raw.end = function endAfterSettling(this: ServerResponse, ...args: unknown[]) {
    if (ended) return end.apply(this, args as never);
    ended = true;
    const acknowledged = raw.statusCode >= 200 && raw.statusCode < 300;
    // Not `headersSent`: Fastify calls writeHead() just before end(), and nothing has left yet.
    const settling = acknowledged ? settle.acknowledge() : settle.withdraw();
    // Settled already (an event log in memory): the answer goes out now, with no promise to wait for.
    if (!settling) return end.apply(this, args as never);
    void settling.then(() => end.apply(this, args as never));
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
