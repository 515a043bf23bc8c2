import { parse as parseQueryString } from 'node:querystring';
import type { INestApplication } from '@nestjs/common';
import { WebhookException } from './webhook.exceptions';

/** @publicApi */
export interface WebhookBodyParserOptions {
  /**
   * The largest body accepted, in bytes; larger bodies are refused with 413 by the platform.
   * @default 1048576 (1 MiB)
   */
  limit?: number;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Keeps the raw bytes of JSON, form, text and binary bodies on both Express and Fastify, with one
 * size limit. Nest's `{ rawBody: true }` alone covers JSON and forms only; webhooks also arrive as
 * `text/plain` and `application/octet-stream`. Call it before `app.listen()`, on an app created
 * with `{ rawBody: true }`.
 * @publicApi
 * @example
 * const app = await NestFactory.create(AppModule, { rawBody: true });
 * useWebhookBodyParsers(app);
 */
export function useWebhookBodyParsers(app: INestApplication, options: WebhookBodyParserOptions = {}): void {
  const limit = options.limit ?? 1024 * 1024;
  const adapter = app.getHttpAdapter();
  answerMalformedRequestsWithCode(app.getHttpServer() as ClientErrorEmitter | undefined);
  const use = (app as unknown as { useBodyParser: (...args: unknown[]) => unknown }).useBodyParser.bind(app);
  if (adapter.getType() === 'fastify') {
    const fastify = adapter.getInstance() as {
      getDefaultJsonParser(proto: string, ctor: string): (req: unknown, body: Buffer, done: Done) => void;
    };
    // Refuse prototype poisoning as Nest's own Fastify JSON parser does.
    const defaultJson = fastify.getDefaultJsonParser('error', 'error');
    const parseJson = (req: unknown, body: Buffer, done: Done) =>
      defaultJson(req, body, (error, value) => done(error ? invalidBody(error) : null, value));
    const bodyLimit = { bodyLimit: limit };
    use(JSON_TYPES[0], bodyLimit, parseJson);
    use(/^application\/[\w.+-]+\+json(?:;|$)/, bodyLimit, parseJson);
    use('application/x-www-form-urlencoded', bodyLimit, (_req: unknown, body: Buffer, done: Done) =>
      done(null, { ...parseQueryString(body.toString('utf8')) }),
    );
    // 'text/plain' by name too: Fastify's built-in parser for it would win over a pattern.
    const parseText = (_req: unknown, body: Buffer, done: Done) => done(null, body.toString('utf8'));
    use('text/plain', bodyLimit, parseText);
    use(/^text\//, bodyLimit, parseText);
    use('application/octet-stream', bodyLimit, (_req: unknown, body: Buffer, done: Done) => done(null, body));
    addCodesToFastifyBodyErrors(fastify as unknown as FastifyHooks, limit);
    return;
  }
  use('json', { limit, type: JSON_TYPES });
  use('urlencoded', { limit, extended: true });
  use('text', { limit, type: 'text/*' });
  use('raw', { limit, type: 'application/octet-stream' });
  // Right after the parsers, before any route: body-parser's errors become coded exceptions, which
  // Nest's exception layer then answers like every other refusal.
  const express = adapter.getInstance() as { use(handler: (...args: never[]) => void): void };
  // Express would fail to decode such a path in its router, where only Nest's global filters see it.
  express.use((req: { path: string }, _res: unknown, next: (error?: unknown) => void) => {
    try {
      decodeURIComponent(req.path);
    } catch {
      return next(new WebhookException('invalid_path', 'The request path has a malformed percent-encoding.', 400));
    }
    next();
  });
  express.use((error: BodyParserError, _req: unknown, _res: unknown, next: (error?: unknown) => void) =>
    next(typeof error?.type === 'string' || isClientStatus(error?.status) ? bodyError(error) : error),
  );
}

function isClientStatus(status: unknown): boolean {
  return typeof status === 'number' && status >= 400 && status < 500;
}

interface ClientErrorEmitter {
  removeAllListeners(event: 'clientError'): void;
  on(event: 'clientError', listener: (error: NodeJS.ErrnoException, socket: ClientSocket) => void): void;
}
interface ClientSocket {
  writable: boolean;
  end(data: string): void;
  destroy(): void;
}

/**
 * A request Node's HTTP parser cannot read (a header block over 16 KiB, a NUL or bare CR in a
 * header, conflicting lengths) never reaches Express or Fastify; Node answers it with an empty 400.
 * It gets the same coded JSON as every other refusal, and the connection is closed.
 */
function answerMalformedRequestsWithCode(server: ClientErrorEmitter | undefined): void {
  if (!server || typeof server.on !== 'function') return;
  server.removeAllListeners('clientError');
  server.on('clientError', (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const [status, reason, code, message] = tooLarge
      ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request headers are too large.']
      : [400, 'Bad Request', 'malformed_request', 'The request is not valid HTTP.'];
    const body = JSON.stringify({ statusCode: status, code, message });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/** The `type` body-parser (Express) sets on the errors it raises. */
interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
}

/** Every refusal of a body by the platform, with a stable `code` like the guard's own. */
function bodyError(error: BodyParserError): WebhookException {
  switch (error.type) {
    case 'entity.too.large':
      return tooLarge();
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new WebhookException('unsupported_media_type', 'The body charset or encoding is not supported.', 415);
    case 'entity.parse.failed':
      return invalidBody(error);
    default:
      return new WebhookException('invalid_body', 'The request body could not be read.', error.status ?? 400);
  }
}

function invalidBody(error: { message?: string }): WebhookException {
  // The parser's message says where the JSON breaks, never more than the sender already sent.
  return new WebhookException('invalid_body', `The request body is not valid: ${error.message ?? 'parse error'}`, 400);
}

function tooLarge(): WebhookException {
  return new WebhookException('payload_too_large', 'The request body is larger than the limit.', 413);
}

interface FastifyHooks {
  addHook(name: 'onRequest', hook: (req: FastifyLike, reply: FastifyReplyLike, done: () => void) => void): void;
  addHook(
    name: 'onSend',
    hook: (
      req: unknown,
      reply: FastifyReplyLike,
      payload: unknown,
      done: (error: null, payload: unknown) => void,
    ) => void,
  ): void;
}
interface FastifyLike {
  headers: Record<string, string | string[] | undefined>;
}
interface FastifyReplyLike {
  statusCode: number;
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload: unknown): void;
}

/**
 * Fastify refuses an oversized or unsupported body before any Nest code runs and Nest answers it
 * without a `code`. A declared Content-Length over the limit is refused here at once, unread; the
 * rarer refusals found while reading (chunked bodies, unknown types) get their `code` on the way out.
 */
function addCodesToFastifyBodyErrors(fastify: FastifyHooks, limit: number): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > limit) {
      reply.code(413).header('content-type', 'application/json; charset=utf-8').send(tooLarge().getResponse());
      return;
    }
    done();
  });
  const codes: Record<number, string> = { 413: 'payload_too_large', 415: 'unsupported_media_type' };
  fastify.addHook('onSend', (_req, reply, payload, done) => {
    const code = codes[reply.statusCode];
    if (code && typeof payload === 'string' && payload.startsWith('{') && !payload.includes('"code"')) {
      try {
        const body = JSON.parse(payload) as Record<string, unknown>;
        return done(null, JSON.stringify({ statusCode: reply.statusCode, code, message: body.message }));
      } catch {
        // not the JSON error body of Nest: leave it as it is
      }
    }
    done(null, payload);
  });
}

type Done = (error: Error | null, body?: unknown) => void;
