// One HTTP server configuration of the end-to-end benchmark, run in its own process so that the
// load generator never shares its event loop. Configured by environment:
//   BENCH_ADAPTER   express | fastify
//   BENCH_CONFIG    bare | guard | hookwarden-pg | naive-pg
//   BENCH_SECRET    the whsec_ secret the deliveries are signed with
//   DATABASE_URL    PostgreSQL for the -pg configurations
// Prints "listening <port>" on stdout once ready; answers "rss" on GET /__rss.
import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Inject, Module, Post, Req, UseGuards, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Webhook } from 'standardwebhooks';
import { standardWebhooks, useWebhookBodyParsers, WebhookEndpoint, WebhookGuard, WebhookModule } from '../src';

const adapterName = process.env.BENCH_ADAPTER ?? 'express';
const config = process.env.BENCH_CONFIG ?? 'bare';
const secret = process.env.BENCH_SECRET ?? '';

@Controller()
class RssController {
  @Get('__rss')
  rss() {
    if (global.gc) global.gc();
    return { rss: process.memoryUsage().rss };
  }
}

@Controller('hooks')
class BareController {
  @Post('bench')
  @HttpCode(200)
  receive(@Body() _body: unknown) {
    return { ok: true };
  }
}

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

/** What a user writes without Hookwarden: standardwebhooks verify, then one INSERT per request. */
@Controller('hooks')
class NaiveController {
  private readonly webhook = new Webhook(secret);
  constructor(@Inject('NAIVE_REPOSITORY') private readonly insert: (id: string, body: string) => Promise<void>) {}

  @Post('bench')
  @HttpCode(200)
  async receive(@Req() req: { rawBody: Buffer; headers: Record<string, string> }) {
    const body = req.rawBody.toString('utf8');
    this.webhook.verify(body, req.headers);
    await this.insert(req.headers['webhook-id'], body);
    return { ok: true };
  }
}

async function modules(): Promise<DynamicModule> {
  const endpoints = { bench: standardWebhooks({ secret }) };
  switch (config) {
    case 'bare':
      return { module: class BareModule {}, controllers: [BareController, RssController] };
    case 'guard':
      return {
        module: class GuardModule {},
        imports: [WebhookModule.forRoot({ endpoints })],
        controllers: [GuardedController, RssController],
      };
    default: {
      const { benchDatabaseModules } = await import('./http-server.database');
      return benchDatabaseModules(config, endpoints, { GuardedController, NaiveController, RssController });
    }
  }
}

async function main(): Promise<void> {
  const root = await modules();
  @Module({ imports: [root] })
  class BenchAppModule {}
  const adapter = adapterName === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const app = await NestFactory.create(BenchAppModule, adapter, { rawBody: true, logger: ['error'] });
  useWebhookBodyParsers(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.stdout.write(`listening ${port}\n`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void app.close().then(() => process.exit(0)));
}

void main();
