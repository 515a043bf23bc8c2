import type { ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { HttpException, type INestApplication } from '@nestjs/common';
import { stopReadingPastLimit } from './body-limits';
import {
  addCodesToFastifyBodyErrors,
  recodeFastifyDirectAnswers,
  type FastifyHooks,
  type RequestEmitter,
} from './body-parsers-fastify';
import { bodyError, invalidBody, isClientStatus, nonUtf8JsonRefusal, type BodyParserError } from './body-refusals';
import { answerMalformedRequestsWithCode, type ClientErrorEmitter } from './malformed-requests';
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
/** What JSON_TYPES match, as one pattern over the header. */
const JSON_TYPE = /^\s*application\/(?:[^;\s/]*\+)?json\s*(?:;|$)/i;

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
    // Parsed as JSON.parse and Express parse it: a genuine delivery may carry keys named
    // `__proto__` (labels, metadata), and refusing it failed the provider's retries forever. They
    // stay inert own keys; the handler's payload is given without them (deliveryPayload).
    // An empty body is `{}`, as body-parser gives it.
    const defaultJson = fastify.getDefaultJsonParser('ignore', 'ignore');
    const parseJson = (req: unknown, body: Buffer, done: Done) => {
      const refusal = nonUtf8JsonRefusal(
        (req as { headers: Record<string, string | undefined> }).headers['content-type'],
      );
      if (refusal) return done(refusal);
      if (body.length === 0) return done(null, {});
      defaultJson(req, body, (error, value) => done(error ? invalidBody(error) : null, value));
    };
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
  // A JSON body in another charset is refused before body-parser would decode it (as on Fastify,
  // whose parser only runs for a body: a request without one is left alone).
  express.use((req: { headers: Record<string, string | undefined> }, _res: unknown, next: (e?: unknown) => void) => {
    const { 'content-type': type, 'content-length': length, 'transfer-encoding': chunked } = req.headers;
    const body = chunked !== undefined || (length !== undefined && length !== '0');
    next(body && type !== undefined && JSON_TYPE.test(type) ? nonUtf8JsonRefusal(type) : undefined);
  });
  // inflate: false: the signature covers the bytes sent; an encoded body is refused (415), as on Fastify.
  // strict: false: a top-level JSON string or number is JSON, as on Fastify.
  use('json', { limit, type: JSON_TYPES, inflate: false, strict: false });
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

type Done = (error: Error | null, body?: unknown) => void;
