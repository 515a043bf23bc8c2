import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookCatalogueCode } from '../core/errors';
import { closeIfAnsweredEarly, countBody, hasBody, isEncoded } from './body-limits';
import { tooLarge, unsupportedEncoding } from './body-refusals';

// Fastify answers some refusals before Nest runs, without a `code` or quoting the sender: recoded here.

export interface FastifyHooks {
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
export function addCodesToFastifyBodyErrors(fastify: FastifyHooks, limit: number): void {
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

export interface RequestEmitter {
  prependListener(event: 'request', listener: (req: IncomingMessage, res: ServerResponse) => void): void;
}

/**
 * Fastify writes some refusals straight to the socket, past every hook: a malformed percent-encoding
 * (FST_ERR_BAD_URL) and an over-long path parameter (FST_ERR_MAX_PARAM_LENGTH) quote the path.
 * A 4xx JSON answer's head is held until its body is known, and a `FST_` body is replaced.
 */
export function recodeFastifyDirectAnswers(server: RequestEmitter): void {
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
