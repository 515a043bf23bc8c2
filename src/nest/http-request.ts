import type { ClientCertificate, WebhookRequest } from '../core/request';

/**
 * The request as the verifier receives it from the Nest layer: the framework-free view, plus what
 * the platform already parsed. `rawBody` is undefined when the platform kept no raw bytes for a
 * request that has a body.
 * @publicApi
 */
export interface IncomingWebhook extends Omit<WebhookRequest, 'rawBody'> {
  readonly rawBody: Buffer | undefined;
  /** The body as the platform parsed it (`req.body`), reused as the payload when present. */
  readonly parsedBody?: unknown;
}

const EMPTY = Buffer.alloc(0);

/** A net.Socket, or a tls.TLSSocket when the server speaks TLS. */
interface PlatformSocket {
  remoteAddress?: string;
  authorized?: boolean;
  getPeerCertificate?(): { fingerprint256?: string; subject?: Record<string, string | string[]> } | null;
}

/** The shape shared by Express's `Request` and Fastify's `FastifyRequest` that this reads. */
interface PlatformRequest {
  method: string;
  url: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  body?: unknown;
  socket?: PlatformSocket;
  raw?: { socket?: PlatformSocket };
  [key: string]: unknown;
}

/**
 * Reads an Express or Fastify request into an {@link IncomingWebhook}. A request that announces no
 * body (no Content-Length above 0, no Transfer-Encoding) has an empty raw body, so GET and HEAD
 * challenges need no body parser.
 * @internal
 */
export function readPlatformRequest(request: unknown, rawBodyProperty: string): IncomingWebhook {
  const req = request as PlatformRequest;
  const raw = req[rawBodyProperty];
  return {
    method: req.method,
    url: req.originalUrl ?? req.url,
    headers: req.headers,
    query: req.query ?? {},
    rawBody: Buffer.isBuffer(raw) ? raw : announcesBody(req.headers) ? undefined : EMPTY,
    parsedBody: req.body,
    remoteAddress: (req.socket ?? req.raw?.socket)?.remoteAddress,
    clientCertificate: readClientCertificate(req.socket ?? req.raw?.socket),
  };
}

/** The peer certificate of a TLS connection; undefined on plain HTTP or when the client sent none. */
function readClientCertificate(socket: PlatformSocket | undefined): ClientCertificate | undefined {
  if (!socket?.getPeerCertificate) return undefined;
  const certificate = socket.getPeerCertificate();
  if (!certificate || !certificate.fingerprint256) return undefined;
  return {
    authorized: socket.authorized === true,
    fingerprint256: certificate.fingerprint256,
    subject: certificate.subject,
  };
}

function announcesBody(headers: PlatformRequest['headers']): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
