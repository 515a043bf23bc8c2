import { Readable } from 'node:stream';
import { Inject, Injectable, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebhookConfigurationError } from '../core/errors';
import type { ResolvedWebhookConfig } from './webhook-config';
import { WEBHOOK_CONFIG } from './webhook.constants';
import { WebhookRoutesValidator } from './webhook-routes.validator';

/** What the check found: the JSON parser keeps the raw bytes, drops them, or cannot be examined. */
export type RawBodyVerdict = 'kept' | 'dropped' | 'unknown';

const PROBE = Buffer.from('{}');

/**
 * Fails start-up when the app parses JSON without keeping the raw bytes (`NestFactory.create`
 * without `rawBody: true`), which would otherwise refuse every delivery with `raw_body_missing`.
 * It feeds a two-byte JSON body to the JSON parser the guarded routes meet (Express's body-parser
 * layers mounted on their paths, Fastify's content-type parser) and looks for `req.rawBody`. When it
 * cannot tell (no HTTP server, no JSON parser on a guarded route's path, a Fastify preParsing hook, a
 * custom `rawBodyProperty` the app fills itself, no route guarded by WebhookGuard) it stays silent:
 * deliveries then still fail closed with `raw_body_missing`. `rawBodyCheck: false` turns it off.
 * @internal
 */
@Injectable()
export class WebhookRawBodyCheck implements OnApplicationBootstrap {
  constructor(
    @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
    private readonly routes: WebhookRoutesValidator,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // An app without guarded routes (the admin API alone, verification outside HTTP) needs no raw body.
    if (!this.config.rawBodyCheck) return;
    if (this.routes.guardedRoutes === 0 || this.config.rawBodyProperty !== 'rawBody') return;
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter) return;
    const type = adapter.getType();
    if ((await inspectRawBody(type, adapter.getInstance(), this.routes.guardedPaths)) === 'dropped') {
      throw new WebhookConfigurationError(
        `Hookwarden verifies signatures over the raw request bytes, but this ${type} app parses JSON without ` +
          'keeping them, so every delivery would be refused (raw_body_missing). Create the app with ' +
          '`NestFactory.create(AppModule, { rawBody: true })` (with Fastify: ' +
          '`NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { rawBody: true })`), ' +
          'and call useWebhookBodyParsers(app) for text and binary bodies. If the app keeps the raw bytes in ' +
          'a way this check cannot see, turn it off with `rawBodyCheck: false`.',
      );
    }
  }
}

/**
 * Whether the JSON parser that the guarded routes (`guardedPaths`, controller + method paths) meet
 * on an Express or Fastify instance keeps `req.rawBody`.
 * @internal
 */
export async function inspectRawBody(
  type: string,
  instance: unknown,
  guardedPaths: readonly string[] = [],
): Promise<RawBodyVerdict> {
  try {
    if (type === 'express') return await inspectExpress(instance as ExpressLike, guardedPaths);
    if (type === 'fastify') return await inspectFastify(instance as Record<symbol, unknown>);
  } catch {
    // Internals differ from what we know: say nothing rather than stop a working app.
  }
  return 'unknown';
}

interface ExpressLayer {
  handle?: { name?: string } & ((req: unknown, res: unknown, next: (error?: unknown) => void) => void);
  route?: { path?: unknown };
  /** Whether the layer serves a request path (Express 4: boolean; Express 5: params or false). */
  match?: (path: string) => unknown;
}
interface ExpressLike {
  _router?: { stack?: ExpressLayer[] };
  router?: { stack?: ExpressLayer[] };
}

/**
 * Each guarded route meets the first `jsonParser` layer before it whose path covers the route's
 * (later ones see the body already parsed; one mounted on another path never runs for it). The
 * guarded routes are the route layers whose path ends with a guarded controller + method path (the
 * global prefix, version and module path come before it). Dropped when any of them meets a parser
 * that drops the bytes; unknown when none is found.
 */
async function inspectExpress(app: ExpressLike, guardedPaths: readonly string[]): Promise<RawBodyVerdict> {
  // Express 4 keeps the router in `_router` (and throws on `app.router`); Express 5 in `router`.
  const stack = (app._router ?? app.router)?.stack ?? [];
  const parsers = new Set<ExpressLayer>();
  stack.forEach((layer, index) => {
    const path = layer?.route?.path;
    if (typeof path !== 'string' || !guardedPaths.some((guarded) => endsWithSegments(path, guarded))) return;
    const parser = stack
      .slice(0, index)
      .find((entry) => entry?.handle?.name === 'jsonParser' && typeof entry.match === 'function' && entry.match(path));
    if (parser?.handle) parsers.add(parser);
  });
  if (parsers.size === 0) return 'unknown';
  const verdicts = await Promise.all([...parsers].map((layer) => probeExpressParser(layer)));
  if (verdicts.includes('dropped')) return 'dropped';
  return verdicts.every((verdict) => verdict === 'kept') ? 'kept' : 'unknown';
}

/** Whether `path` ends with `suffix` ('/hooks/billing', always with its leading '/') at a segment boundary. */
function endsWithSegments(path: string, suffix: string): boolean {
  return suffix === '/' || (path.replace(/\/+$/, '') || '/').endsWith(suffix);
}

function probeExpressParser(layer: ExpressLayer): Promise<RawBodyVerdict> {
  const request = Object.assign(Readable.from([PROBE]), {
    method: 'POST',
    url: '/',
    headers: { 'content-type': 'application/json', 'content-length': String(PROBE.length) },
  }) as Readable & { rawBody?: unknown };
  return probe(request, (done) => layer.handle!(request, {}, (error) => done(error === undefined || error === null)));
}

/**
 * Fastify's parser for application/json; Nest's wrapper sets `rawBody` before parsing. A preParsing
 * hook (or an onRoute hook, which can add one to every route, as the fastify-raw-body plugin does)
 * may keep the bytes before any parser runs: the check cannot see that, so it says nothing.
 */
function inspectFastify(fastify: Record<symbol, unknown>): Promise<RawBodyVerdict> {
  const hooksKey = Object.getOwnPropertySymbols(fastify).find((s) => s.description === 'fastify.hooks');
  const hooks = hooksKey && (fastify[hooksKey] as { preParsing?: unknown[]; onRoute?: unknown[] });
  if (!hooks || (hooks.preParsing?.length ?? 0) > 0 || (hooks.onRoute?.length ?? 0) > 0) {
    return Promise.resolve('unknown');
  }
  const key = Object.getOwnPropertySymbols(fastify).find((s) => s.description === 'fastify.contentTypeParser');
  const parsers = key && (fastify[key] as { customParsers?: Map<string, { fn?: unknown }> }).customParsers;
  const parse = parsers?.get('application/json')?.fn;
  if (typeof parse !== 'function') return Promise.resolve('unknown');
  const request: { rawBody?: unknown; headers: Record<string, string> } = {
    headers: { 'content-type': 'application/json' },
  };
  return probe(request, (done) =>
    (parse as (req: unknown, body: Buffer, done: (error: unknown) => void) => void)(request, PROBE, (error) =>
      done(!error),
    ),
  );
}

function probe(request: { rawBody?: unknown }, run: (done: (parsed: boolean) => void) => void) {
  return new Promise<RawBodyVerdict>((resolve) => {
    const timer = setTimeout(() => resolve('unknown'), 2000);
    run((parsed) => {
      clearTimeout(timer);
      resolve(!parsed ? 'unknown' : Buffer.isBuffer(request.rawBody) ? 'kept' : 'dropped');
    });
  });
}
