// A real Hookwarden app in a process of its own, for the fault tests: they SIGKILL it, stop its
// database and run two of it on one database. Run it with
//   node -r ./scripts/ts-register.js test/faults/support/app-process.ts
// and configure it through the environment (see `settings` below). It prints one JSON line
// `{"ready":true,"port":…,"pid":…}` on stdout once it listens; its logs go to stderr.
import 'reflect-metadata';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  Post,
  Query,
  UseGuards,
  type INestApplication,
  type LoggerService,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  standardWebhooks,
  useWebhookBodyParsers,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type VerifiedWebhook,
  type WebhookInboxOptions,
} from '../../../src';
import { InboxProbe } from './inbox-probe';

const env = process.env;
const settings = {
  adapter: env.HW_ADAPTER === 'fastify' ? 'fastify' : 'express',
  databaseUrl: required('DATABASE_URL'),
  port: Number(env.HW_PORT ?? 0),
  /** eventLog.writeTimeoutMs: the deadline of a delivery's commit. */
  deadlineMs: Number(env.HW_DEADLINE_MS ?? 2000),
  retryAfterSeconds: Number(env.HW_RETRY_AFTER ?? 2),
  encryptionKey: required('HW_ENCRYPTION_KEY'),
  secret: required('HW_SECRET'),
  /** Turns the admin API on (default prefix `webhooks/admin`) with this bearer token. */
  adminToken: env.HW_ADMIN_TOKEN,
  /** Secret-store reload interval (ms); long by default so a rotation can only arrive by NOTIFY. */
  secretTtlMs: Number(env.HW_SECRET_TTL_MS ?? 600_000),
  /** eventLog.handlingLeaseSeconds (the library's default when unset). */
  leaseSeconds: env.HW_LEASE_SECONDS ? Number(env.HW_LEASE_SECONDS) : undefined,
  /** Adds an @OnWebhook handler on `billing` (the inbox) with these JSON options (WebhookInboxOptions). */
  inbox: env.HW_INBOX ? (JSON.parse(env.HW_INBOX) as WebhookInboxOptions) : undefined,
};

function required(name: string): string {
  const value = env[name];
  if (!value) throw new Error(`app-process: ${name} is required`);
  return value;
}

/** Nest's logs, one line each on stderr (the parent keeps them for a failure message). */
class StderrLogger implements LoggerService {
  private write(level: string, message: unknown, context?: unknown) {
    process.stderr.write(`[${level}]${typeof context === 'string' ? ` ${context}:` : ''} ${String(message)}\n`);
  }
  log(message: unknown, context?: unknown) {
    this.write('log', message, context);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest[rest.length - 1]);
  }
  warn(message: unknown, context?: unknown) {
    this.write('warn', message, context);
  }
}

@Injectable()
class Handled {
  count = 0;
}

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  constructor(private readonly handled: Handled) {}

  /** 202 `{ handled: id }` for an accepted delivery; duplicates get the module's 200 without this. */
  @Post('billing')
  @HttpCode(202)
  @WebhookEndpoint('billing')
  onBilling(@WebhookEvent() event: VerifiedWebhook) {
    this.handled.count++;
    return { handled: event.id, version: event.secretVersion };
  }
}

/** Endpoints created at run time through the admin API (issue 17), one route for all of them. */
@Controller('tenants')
@UseGuards(WebhookGuard)
class TenantsController {
  @Post(':endpoint')
  @HttpCode(202)
  @WebhookEndpoint({ param: 'endpoint' })
  onTenant(@WebhookEvent() event: VerifiedWebhook) {
    return { handled: event.id, endpoint: event.endpoint };
  }
}

/**
 * How late this process's timers ran: the event log's deadline is a timer, so on a busy machine a
 * 503 can only be as punctual as the event loop. The fault tests add the worst delay to their slack.
 */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

@Controller('health')
class HealthController {
  constructor(private readonly handled: Handled) {}

  /** Liveness and memory; `?gc=1` collects garbage first (the process runs with --expose-gc). */
  @Get()
  health(@Query('gc') gc?: string, @Query('resetLoopDelay') resetLoopDelay?: string) {
    const eventLoopDelayMaxMs = loopDelay.max / 1e6;
    if (resetLoopDelay === '1') loopDelay.reset();
    const collect = (globalThis as { gc?: () => void }).gc;
    if (gc === '1' && collect) {
      collect();
      collect();
    }
    return {
      status: 'ok',
      pid: process.pid,
      handled: this.handled.count,
      memory: process.memoryUsage(),
      eventLoopDelayMaxMs,
    };
  }
}

@Module({ providers: [Handled], exports: [Handled] })
class HandledModule {}

// Typed loosely: the admin extras and option exist once the admin API is wired into the module.
const adminExtras: Record<string, unknown> = settings.adminToken ? { admin: true } : {};

@Module({
  imports: [
    HandledModule,
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: settings.databaseUrl,
      autoLoadEntities: true,
      // The harness runs the migrations once, before any instance starts.
      migrationsRun: false,
      logging: false,
    }),
    WebhookModule.forRootAsync({
      storage: { type: 'typeorm' },
      ...adminExtras,
      useFactory: () => ({
        encryptionKey: settings.encryptionKey,
        endpoints: { billing: standardWebhooks({ secret: settings.secret }) },
        eventLog: {
          writeTimeoutMs: settings.deadlineMs,
          retryAfterSeconds: settings.retryAfterSeconds,
          handlingLeaseSeconds: settings.leaseSeconds,
        },
        secretCache: { ttlMs: settings.secretTtlMs },
        ...(settings.inbox ? { inbox: settings.inbox } : {}),
        ...(settings.adminToken ? { admin: { token: settings.adminToken } } : {}),
      }),
    }),
  ],
  controllers: [HooksController, TenantsController, HealthController],
  providers: settings.inbox ? [InboxProbe] : [],
})
class AppModule {}

async function main(): Promise<void> {
  const logger = new StderrLogger();
  const adapter = settings.adapter === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const app: INestApplication = await NestFactory.create(AppModule, adapter, { rawBody: true, logger });
  useWebhookBodyParsers(app);
  app.enableShutdownHooks();
  timeAnswers(app.getHttpServer() as Server);
  await app.listen(settings.port, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${JSON.stringify({ ready: true, port, pid: process.pid })}\n`);
}

/**
 * Each answer says how long this process held the request (`x-server-ms`, from its arrival to the
 * answer's headers), so the tests can tell the server's punctuality from the loopback's and the
 * test process's own delays on a busy machine.
 */
function timeAnswers(server: Server): void {
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    const arrived = performance.now();
    const writeHead = res.writeHead;
    res.writeHead = function timedWriteHead(this: ServerResponse, ...args: unknown[]) {
      if (!this.headersSent) this.setHeader('x-server-ms', (performance.now() - arrived).toFixed(1));
      return writeHead.apply(this, args as never);
    } as ServerResponse['writeHead'];
  });
}

main().catch((error: Error) => {
  process.stderr.write(`app-process failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
