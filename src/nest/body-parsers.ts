import type { WebhookCatalogueCode } from '../core/errors';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { HttpException, type INestApplication } from '@nestjs/common';
import { WebhookException } from './webhook.exceptions';

/** @publicApi */
export interface WebhookBodyParserOptions {
  /**
   * The largest body accepted, in bytes; larger bodies are refused with 413 by the platform.
   * @default 1048576 (1 MiB)
   */
  limit?: number;
  /**
   * The longest a request may take to arrive whole (headers and body), in milliseconds, set on the
   * HTTP server when it has none (Fastify's default is none: a body could trickle in forever).
   * Node checks it every 30 seconds, so a slow request is cut between this and 30 s later.
   * @default 30000
   */
  requestTimeout?: number;
}

const JSON_TYPES = ['application/json', 'application/*+json'];
/**
 * A `+json` subtype exactly as body-parser's matcher (type-is, media-typer) reads one: both
 * adapters parse the same types, and the guard tells 415 from a setup mistake by the same test.
 */
const PLUS_JSON = /^application\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\+json$/;

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
  const server = app.getHttpServer() as (ClientErrorEmitter & { requestTimeout?: number }) | undefined;
  answerMalformedRequestsWithCode(server);
  if (server && (options.requestTimeout !== undefined || server.requestTimeout === 0)) {
    server.requestTimeout = options.requestTimeout ?? 30_000;
  }
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
    use(/^application\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\+json(?:\s*;|\s*$)/i, bodyLimit, parseJson);
    use('application/x-www-form-urlencoded', bodyLimit, (_req: unknown, body: Buffer, done: Done) =>
      done(null, { ...parseQueryString(body.toString('utf8')) }),
    );
    // 'text/plain' by name too: Fastify's built-in parser for it would win over a pattern.
    const parseText = (_req: unknown, body: Buffer, done: Done) => done(null, body.toString('utf8'));
    use('text/plain', bodyLimit, parseText);
    use(/^text\//, bodyLimit, parseText);
    use('application/octet-stream', bodyLimit, (_req: unknown, body: Buffer, done: Done) => done(null, body));
    addCodesToFastifyBodyErrors(fastify as unknown as FastifyHooks, limit);
    if (server) recodeFastifyDirectAnswers(server as unknown as RequestEmitter);
    return;
  }
  const express = adapter.getInstance() as { use(handler: (...args: never[]) => void): void };
  // Before the parsers: body-parser reads a refused body to its end before it reports the refusal.
  express.use(stopReadingPastLimit(limit));
  // inflate: false: the signature covers the bytes sent; an encoded body is refused (415), as on Fastify.
  use('json', { limit, type: JSON_TYPES, inflate: false });
  use('urlencoded', { limit, extended: true, inflate: false });
  use('text', { limit, type: 'text/*', inflate: false });
  use('raw', { limit, type: 'application/octet-stream', inflate: false });
  // Right after the parsers, before any route: body-parser's errors become coded exceptions, which
  // Nest's exception layer then answers like every other refusal.
  // Express would fail to decode such a path in its router, where only Nest's global filters see it.
  express.use((req: { path: string }, _res: unknown, next: (error?: unknown) => void) => {
    try {
      decodeURIComponent(req.path);
    } catch {
      return next(new WebhookException('invalid_path', 'The request path has a malformed percent-encoding.', 400));
    }
    next();
  });
  express.use((error: BodyParserError, _req: unknown, res: ServerResponse, next: (error?: unknown) => void) => {
    // Already answered 413 by stopReadingPastLimit: the parser's own error (the aborted read) has no one to tell.
    if (res.headersSent) return;
    // Already coded (invalid_path above, the app's own): not a body error.
    if (error instanceof HttpException) return next(error);
    next(typeof error?.type === 'string' || isClientStatus(error?.status) ? bodyError(error) : error);
  });
}

/**
 * Express: a declared Content-Length over the limit is answered 413 at once, unread; a body
 * without one (chunked) is counted as the socket delivers it, and answered 413 the moment it
 * passes the limit. Every body, whatever its type: a second list of the types the parsers read
 * would drift from body-parser's own matcher. Any answer written before the body is whole says
 * `Connection: close`, so Node closes the connection after it instead of reading (and discarding)
 * the rest of what the sender still sends.
 */
function stopReadingPastLimit(limit: number) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (!hasBody(req)) return next();
    closeIfAnsweredEarly(req, res);
    if (isEncoded(req)) return answerEarly(res, unsupportedEncoding());
    if (Number(req.headers['content-length']) > limit) return answerEarly(res, tooLarge());
    if (req.headers['transfer-encoding'] !== undefined) countBody(req, res, limit);
    next();
  };
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
}

/** Raw bytes only: a compressed body is not inflated, so its signature could never be checked. */
function isEncoded(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  return encoding !== undefined && !['', 'identity'].includes(encoding.trim().toLowerCase());
}

/**
 * Node drains an unread body after the answer to keep the connection open for the next request;
 * a sender could make it read without end. An answer sent while the body is still arriving
 * (a refusal, a 404, a 415 for a type no parser reads) closes the connection instead.
 */
function closeIfAnsweredEarly(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead as (...args: unknown[]) => ServerResponse;
  res.writeHead = function closingWriteHead(this: ServerResponse, ...args: unknown[]) {
    if (!req.complete && !this.headersSent) {
      this.shouldKeepAlive = false;
      this.setHeader('Connection', 'close');
    }
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}

/**
 * Counts the body bytes Node's HTTP parser hands to the request (its `push`), wherever the reader
 * is; past the limit the excess is not passed on and the request is answered 413.
 */
function countBody(req: IncomingMessage, res: ServerResponse, limit: number, beforeAnswer?: () => void): void {
  let received = req.readableLength;
  const push = req.push;
  req.push = function countedPush(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding) {
    if (chunk !== null && (Buffer.isBuffer(chunk) || typeof chunk === 'string')) {
      received += chunk.length;
      if (received > limit) {
        beforeAnswer?.();
        answerTooLarge(res);
        return false;
      }
    }
    return push.call(this, chunk, encoding);
  };
}

function answerTooLarge(res: ServerResponse): void {
  answerEarly(res, tooLarge());
}

function answerEarly(res: ServerResponse, refusal: WebhookException): void {
  if (res.headersSent) return;
  const body = JSON.stringify(refusal.getResponse());
  res.writeHead(refusal.getStatus(), {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  res.end(body);
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

function invalidBody(_error: { message?: string }): WebhookException {
  // A fixed message: the parser's own quotes the body, and an answer reflects nothing the sender chose.
  return new WebhookException('invalid_body', 'The request body is not valid for its content type.', 400);
}

/**
 * Whether the body parsers keep the raw bytes of this content type (JSON, forms, text, binary).
 * A body of any other type (XML, multipart) reaches the guard without them: it is refused with 415
 * `unsupported_media_type`, where a missing raw body of a parsed type means a setup mistake.
 * @internal
 */
export function isParsedMediaType(contentType: string | string[] | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  const type = contentType.split(';', 1)[0].trim().toLowerCase();
  return (
    type === 'application/json' ||
    PLUS_JSON.test(type) ||
    type === 'application/x-www-form-urlencoded' ||
    type.startsWith('text/') ||
    type === 'application/octet-stream'
  );
}

function tooLarge(): WebhookException {
  return new WebhookException('payload_too_large', 'The request body is larger than the limit.', 413);
}

function unsupportedEncoding(): WebhookException {
  return new WebhookException(
    'unsupported_media_type',
    'The body has a content encoding; send the raw bytes (no Content-Encoding).',
    415,
  );
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
  raw: IncomingMessage;
}
interface FastifyReplyLike {
  statusCode: number;
  raw: ServerResponse;
  /** Tells Fastify the answer is written elsewhere, so it sends none of its own. */
  hijack(): void;
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
    if (!hasBody(req.raw)) return done();
    closeIfAnsweredEarly(req.raw, reply.raw);
    const refusal = isEncoded(req.raw)
      ? unsupportedEncoding()
      : Number(req.headers['content-length']) > limit
        ? tooLarge()
        : undefined;
    if (refusal) {
      // Connection: close, so Node closes the connection after the answer instead of reading the body.
      reply
        .code(refusal.getStatus())
        .header('content-type', 'application/json; charset=utf-8')
        .header('connection', 'close')
        .send(refusal.getResponse());
      return;
    }
    // Fastify stops at the limit too, but reads on while its answer goes out; count it here instead.
    if (req.headers['transfer-encoding'] !== undefined) {
      countBody(req.raw, reply.raw, limit, () => reply.hijack());
    }
    done();
  });
  fastify.addHook('onSend', (_req, reply, payload, done) => {
    const status = reply.statusCode;
    if (status >= 400 && status < 500 && typeof payload === 'string' && payload.startsWith('{')) {
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(payload) as Record<string, unknown>;
      } catch {
        // not a JSON error body: leave it as it is
      }
      const refusal = body && fastifyRefusal(status, body);
      if (refusal) return done(null, JSON.stringify(refusal));
    }
    done(null, payload);
  });
}

/**
 * Fastify's own refusals (`code: 'FST_…'`) quote the path or the content type the sender chose;
 * each is answered with a fixed message and Hookwarden's code instead. Nest's 413/415 (no code)
 * get their code.
 */
function fastifyRefusal(status: number, body: Record<string, unknown>): object | undefined {
  const fixed = (code: WebhookCatalogueCode, message: string) => ({ statusCode: status, code, message });
  if (typeof body.code === 'string' && body.code.startsWith('FST_')) {
    switch (body.code) {
      case 'FST_ERR_BAD_URL':
        return fixed('invalid_path', 'The request path has a malformed percent-encoding.');
      case 'FST_ERR_MAX_PARAM_LENGTH':
        return fixed('path_too_long', 'A segment of the request path is too long.');
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return fixed('payload_too_large', 'The request body is larger than the limit.');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return fixed('unsupported_media_type', 'The body has a content type this endpoint does not read.');
      default:
        return fixed('invalid_request', 'The request could not be read.');
    }
  }
  if (body.code === undefined && status === 413) return fixed('payload_too_large', String(body.message));
  if (body.code === undefined && status === 415) return fixed('unsupported_media_type', String(body.message));
  return undefined;
}

interface RequestEmitter {
  prependListener(event: 'request', listener: (req: IncomingMessage, res: ServerResponse) => void): void;
}

/**
 * Fastify writes some refusals straight to the socket, past every hook: a malformed percent-encoding
 * (FST_ERR_BAD_URL) and an over-long path parameter (FST_ERR_MAX_PARAM_LENGTH) quote the path.
 * A 4xx JSON answer's head is held until its body is known, and a `FST_` body is replaced.
 */
function recodeFastifyDirectAnswers(server: RequestEmitter): void {
  server.prependListener('request', (_req, res) => {
    const writeHead = res.writeHead as (...args: unknown[]) => ServerResponse;
    const write = res.write as (...args: unknown[]) => boolean;
    const end = res.end as (...args: unknown[]) => ServerResponse;
    let held: unknown[] | undefined;
    const release = () => {
      if (held) writeHead.apply(res, held);
      held = undefined;
    };
    res.writeHead = function heldWriteHead(this: ServerResponse, ...args: unknown[]) {
      const status = args[0];
      if (typeof status === 'number' && status >= 400 && status < 500 && !this.headersSent) {
        held = args;
        return this;
      }
      return writeHead.apply(this, args);
    } as ServerResponse['writeHead'];
    res.write = function releasingWrite(this: ServerResponse, ...args: unknown[]) {
      release();
      return write.apply(this, args);
    } as ServerResponse['write'];
    res.end = function recodingEnd(this: ServerResponse, ...args: unknown[]) {
      if (held && (typeof args[0] === 'string' || Buffer.isBuffer(args[0]))) {
        const status = held[0] as number;
        let body: Record<string, unknown> | undefined;
        try {
          body = JSON.parse(args[0].toString()) as Record<string, unknown>;
        } catch {
          // not JSON: sent as it is
        }
        const refusal = body && typeof body.code === 'string' && fastifyRefusal(status, body);
        if (refusal) {
          const text = JSON.stringify(refusal);
          held = undefined;
          writeHead.call(this, status, {
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Length': Buffer.byteLength(text),
          });
          return end.call(this, text);
        }
      }
      release();
      return end.apply(this, args);
    } as ServerResponse['end'];
  });
}

type Done = (error: Error | null, body?: unknown) => void;
