// One HTTP server configuration of the end-to-end benchmark, run in its own process so that the
// load generator never shares its event loop. Configured by environment:
//   BENCH_ADAPTER   express | fastify
//   BENCH_CONFIG    bare | bare-guard | bare-hmac | guard | guard-metrics | hookwarden-pg | hookwarden-pg-inbox | naive-pg
//   BENCH_SECRET    the whsec_ secret the deliveries are signed with
//   DATABASE_URL    PostgreSQL for the -pg configurations
// Prints "listening <port>" on stdout once ready. GET /__stats answers the process's CPU time and
// memory; GET /__rss forces a full garbage collection first (run with --expose-gc), for RSS figures.
import 'reflect-metadata';
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  Body,
  type CanActivate,
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  Post,
  UseGuards,
  type DynamicModule,
  type ExecutionContext,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { standardWebhooks, useWebhookBodyParsers, WebhookEndpoint, WebhookGuard, WebhookModule } from '../src';

export const BENCH_CONFIGS = [
  'bare',
  'bare-guard',
  'bare-hmac',
  'guard',
  'guard-metrics',
  'hookwarden-pg',
  'hookwarden-pg-inbox',
  'naive-pg',
] as const;
export type BenchConfig = (typeof BENCH_CONFIGS)[number];

/** What the process has used so far: CPU time in microseconds and memory in bytes. */
export interface ServerStats {
  cpuMicros: number;
  rss: number;
  heapUsed: number;
}

function stats(): ServerStats {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return { cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed };
}

@Controller()
class StatsController {
  @Get('__stats')
  stats(): ServerStats {
    return stats();
  }

  @Get('__rss')
  rss(): ServerStats {
    global.gc?.();
    global.gc?.();
    return stats();
  }
}

/**
 * (a) A bare Nest POST route, or (a′), (a″) the same route behind a guard; the body is parsed by the
 * same parsers as in every configuration.
 */
function bareRoute(guard?: Type<CanActivate>): Type<unknown> {
  @Controller('hooks')
  class BareController {
    @Post('bench')
    @HttpCode(200)
    receive(@Body() _body: unknown) {
      return { ok: true };
    }
  }
  if (guard) UseGuards(guard)(BareController);
  return BareController;
}

/** (a′)'s guard: lets every request through, asynchronously; what Nest's guard chain costs by itself. */
@Injectable()
class EmptyGuard implements CanActivate {
  async canActivate(): Promise<boolean> {
    return true;
  }
}

/**
 * The micro-benchmark's node:crypto limit as a guard: the Standard Webhooks HMAC of the same bytes and
 * one timingSafeEqual, nothing else (no header checks, no tolerance window, no record). What the
 * verification alone costs inside a server, where caches are cold and the HMAC costs several times
 * what it costs in a loop.
 */
@Injectable()
class NodeCryptoGuard implements CanActivate {
  private readonly key = Buffer.from((process.env.BENCH_SECRET ?? '').replace(/^whsec_/, ''), 'base64');

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; rawBody: Buffer }>();
    const { headers, rawBody } = request;
    const digest = createHmac('sha256', this.key)
      .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.`)
      .update(rawBody)
      .digest();
    const signature = Buffer.from(headers['webhook-signature'].slice(3), 'base64');
    return signature.length === digest.length && timingSafeEqual(digest, signature);
  }
}

/** (b), (c), (e) The same route behind WebhookGuard. */
@Controller('hooks')
@UseGuards(WebhookGuard)
class GuardedController {
  @Post('bench')
  @HttpCode(200)
  @WebhookEndpoint('bench')
  receive() {
    return { ok: true };
  }
}

function modules(config: string, secret: string): DynamicModule {
  const endpoints = { bench: standardWebhooks({ secret }) };
  switch (config) {
    case 'bare':
      return { module: class BareModule {}, controllers: [bareRoute(), StatsController] };
    case 'bare-guard':
      return { module: class BareGuardModule {}, controllers: [bareRoute(EmptyGuard), StatsController] };
    case 'bare-hmac':
      return { module: class BareHmacModule {}, controllers: [bareRoute(NodeCryptoGuard), StatsController] };
    case 'guard':
      return {
        module: class GuardModule {},
        imports: [WebhookModule.forRoot({ endpoints })],
        controllers: [GuardedController, StatsController],
      };
    case 'guard-metrics': {
      // (b) with the metrics extra on, into a registry of its own (nothing scrapes it: the cost
      // measured is the per-request recording).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Registry } = require('prom-client') as typeof import('prom-client');
      return {
        module: class GuardMetricsModule {},
        imports: [WebhookModule.forRoot({ endpoints, metrics: { registry: new Registry() } })],
        controllers: [GuardedController, StatsController],
      };
    }
    case 'hookwarden-pg':
    case 'hookwarden-pg-inbox':
    case 'naive-pg': {
      // Loaded only here, so that the bare and guard configurations never load typeorm or pg.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const database = require('./http-server.database') as typeof import('./http-server.database');
      return database.benchDatabaseModules(config, endpoints, secret, { GuardedController, StatsController });
    }
    default:
      throw new Error(`unknown BENCH_CONFIG ${config}`);
  }
}

/** The Nest application of one configuration, not yet listening (used in-process by profiling scripts). */
export async function createBenchApp(adapterName: string, config: string, secret: string): Promise<INestApplication> {
  @Module({ imports: [modules(config, secret)] })
  class BenchAppModule {}
  const adapter = adapterName === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const app = await NestFactory.create(BenchAppModule, adapter, { rawBody: true, logger: ['error'] });
  useWebhookBodyParsers(app);
  return app;
}

export async function main(): Promise<void> {
  const app = await createBenchApp(
    process.env.BENCH_ADAPTER ?? 'express',
    process.env.BENCH_CONFIG ?? 'bare',
    process.env.BENCH_SECRET ?? '',
  );
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.stdout.write(`listening ${port}\n`);
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      void app.close().finally(() => process.exit(0));
    });
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error);
    process.exit(1);
  });
}
