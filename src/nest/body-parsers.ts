import { parse as parseQueryString } from 'node:querystring';
import type { INestApplication } from '@nestjs/common';

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
  const use = (app as unknown as { useBodyParser: (...args: unknown[]) => unknown }).useBodyParser.bind(app);
  if (adapter.getType() === 'fastify') {
    const fastify = adapter.getInstance() as {
      getDefaultJsonParser(proto: string, ctor: string): (req: unknown, body: Buffer, done: Done) => void;
    };
    // Refuse prototype poisoning as Nest's own Fastify JSON parser does.
    const parseJson = fastify.getDefaultJsonParser('error', 'error');
    const bodyLimit = { bodyLimit: limit };
    use(JSON_TYPES[0], bodyLimit, (req: unknown, body: Buffer, done: Done) => parseJson(req, body, done));
    use(/^application\/[\w.+-]+\+json(?:;|$)/, bodyLimit, (req: unknown, body: Buffer, done: Done) =>
      parseJson(req, body, done),
    );
    use('application/x-www-form-urlencoded', bodyLimit, (_req: unknown, body: Buffer, done: Done) =>
      done(null, { ...parseQueryString(body.toString('utf8')) }),
    );
    // 'text/plain' by name too: Fastify's built-in parser for it would win over a pattern.
    const parseText = (_req: unknown, body: Buffer, done: Done) => done(null, body.toString('utf8'));
    use('text/plain', bodyLimit, parseText);
    use(/^text\//, bodyLimit, parseText);
    use('application/octet-stream', bodyLimit, (_req: unknown, body: Buffer, done: Done) => done(null, body));
    return;
  }
  use('json', { limit, type: JSON_TYPES });
  use('urlencoded', { limit, extended: true });
  use('text', { limit, type: 'text/*' });
  use('raw', { limit, type: 'application/octet-stream' });
}

type Done = (error: Error | null, body?: unknown) => void;
