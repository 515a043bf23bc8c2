/**
 * What every signature scheme and challenge strategy sees of an HTTP request: plain data, taken
 * from Express or Fastify by the Nest layer, so the core stays free of any framework.
 * @publicApi
 */
export interface WebhookRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Path and query string exactly as received (`/hooks/github?x=1`). */
  readonly url: string;
  /** Header names in lower case, as Node.js delivers them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed query string. */
  readonly query: Readonly<Record<string, unknown>>;
  /** The exact bytes received. Every signature is checked over these, never over a parsed body. */
  readonly rawBody: Buffer;
  /** The peer's address on the TCP connection (not taken from any header). */
  readonly remoteAddress?: string;
  /** The client certificate of a TLS connection, when the server asked for one (mutual TLS). */
  readonly clientCertificate?: ClientCertificate;
}

/**
 * The peer certificate as Node.js's TLS socket reports it, reduced to what an mTLS check reads.
 * @publicApi
 */
export interface ClientCertificate {
  /** Whether Node.js verified the chain against the server's `ca` (`socket.authorized`). */
  readonly authorized: boolean;
  /** SHA-256 fingerprint, upper-case hex pairs separated by ':' (`socket.getPeerCertificate().fingerprint256`). */
  readonly fingerprint256?: string;
  /** Subject fields (`CN`, `O`, …). */
  readonly subject?: Readonly<Record<string, string | string[]>>;
}

/**
 * Reads one header. A header sent more than once arrives as an array (or, for most names, joined
 * with ", " by Node.js); either way it is not one valid value, so `undefined` is never mistaken for it.
 * @internal
 */
export function headerValue(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
