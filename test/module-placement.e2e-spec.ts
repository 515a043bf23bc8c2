// Where a user puts things: the guard on a controller of a feature module (with and without
// isGlobal, forRoot and forRootAsync), and an app created without `rawBody: true`, which must not
// start (rather than refuse every delivery).
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import {
  Controller,
  HttpCode,
  Module,
  Post,
  UseGuards,
  type DynamicModule,
  type INestApplication,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Webhook } from 'standardwebhooks';
import {
  standardWebhooks,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type VerifiedWebhook,
} from '../src';
import { ADAPTERS, startApp, type AdapterName, type RunningApp } from './support/apps';
import { send } from './support/http';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

/** Signed with the standardwebhooks package (the reference implementation), never with Hookwarden. */
function signed(body: string, secret = SECRET) {
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  const at = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

@Controller('feature')
@UseGuards(WebhookGuard)
class FeatureHooksController {
  @Post('billing')
  @HttpCode(202)
  @WebhookEndpoint('billing')
  receive(@WebhookEvent() event: VerifiedWebhook) {
    return { handledBy: 'feature', id: event.id };
  }
}

/** A feature module that knows nothing of WebhookModule, as in most apps. */
@Module({ controllers: [FeatureHooksController] })
class BillingFeatureModule {}

/** The same, written by a user who imports the bare WebhookModule out of habit (as with ConfigModule). */
@Module({ imports: [WebhookModule], controllers: [FeatureHooksController] })
class ImportingFeatureModule {}

const registrations: Record<string, (isGlobal: boolean) => DynamicModule> = {
  forRoot: (isGlobal) =>
    WebhookModule.forRoot({ isGlobal, endpoints: { billing: standardWebhooks({ secret: SECRET }) } }),
  forRootAsync: (isGlobal) =>
    WebhookModule.forRootAsync({
      isGlobal,
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ BILLING_SECRET: SECRET })] })],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        endpoints: { billing: standardWebhooks({ secret: config.getOrThrow<string>('BILLING_SECRET') }) },
      }),
    }),
};

describe.each(ADAPTERS)('WebhookGuard in a feature module on %s', (adapter) => {
  describe.each(['forRoot', 'forRootAsync'])('registered with %s', (registration) => {
    describe.each([false, true])('isGlobal: %s', (isGlobal) => {
      let running: RunningApp;
      beforeAll(async () => {
        running = await startApp(adapter, [registrations[registration]!(isGlobal), BillingFeatureModule], []);
      });
      afterAll(() => running?.close());

      it('runs the handler for a signed delivery', async () => {
        const body = '{"type":"invoice.paid"}';
        const headers = signed(body);
        const answer = await send(running.baseUrl, '/feature/billing', { headers, body });
        expect(answer.status).toBe(202);
        expect(answer.json).toEqual({ handledBy: 'feature', id: headers['webhook-id'] });
      });

      it('refuses a delivery signed with another secret', async () => {
        const body = '{"type":"invoice.paid"}';
        const answer = await send(running.baseUrl, '/feature/billing', { headers: signed(body, OTHER_SECRET), body });
        expect(answer.status).toBe(401);
        expect(answer.json.code).toBe('no_matching_signature');
      });
    });
  });

  it('starts when the feature module imports the bare WebhookModule, and the guard still verifies', async () => {
    const running = await startApp(adapter, [registrations.forRoot!(false), ImportingFeatureModule], []);
    try {
      const body = '{"n":1}';
      const good = await send(running.baseUrl, '/feature/billing', { headers: signed(body), body });
      const bad = await send(running.baseUrl, '/feature/billing', { headers: signed(body, OTHER_SECRET), body });
      expect([good.status, bad.status]).toEqual([202, 401]);
    } finally {
      await running.close();
    }
  });

  it('fails start-up naming WebhookModule.forRoot() when the guard is used without the module', async () => {
    await expect(startApp(adapter, [BillingFeatureModule], [])).rejects.toThrow(/WebhookModule\.forRoot\(\)/);
  });
});

describe.each(ADAPTERS)('an app created without rawBody: true on %s', (adapter) => {
  it.each([
    ['with useWebhookBodyParsers', true],
    ['with Nest’s own parsers', false],
  ])('fails at start-up %s, saying how to turn it on', async (_, bodyParsers) => {
    const started = startApp(adapter, [registrations.forRoot!(false), BillingFeatureModule], [], {
      rawBody: false,
      bodyParsers,
    });
    await expect(started).rejects.toThrow(/raw_body_missing[\s\S]*rawBody: true/);
  });

  it('starts with rawBody: true (the check passes a working app)', async () => {
    const running = await startApp(adapter, [registrations.forRoot!(false), BillingFeatureModule], [], {
      rawBody: true,
      bodyParsers: false,
    });
    try {
      const body = '{"n":2}';
      const answer = await send(running.baseUrl, '/feature/billing', { headers: signed(body), body });
      expect(answer.status).toBe(202);
    } finally {
      await running.close();
    }
  });
});

// The check must not stop an app whose deliveries work: it judges only the parser a guarded route
// meets, stays silent where it cannot tell, and can be turned off.
describe('the raw-body check and apps that keep the raw bytes their own way', () => {
  type Verify = (req: { rawBody?: Buffer }, res: unknown, buf: Buffer) => void;
  // express comes with @nestjs/platform-express (no type package installed): only json() is used.
  const express = createRequire(__filename)('express') as { json(options?: { verify?: Verify }): unknown };
  const keepRaw: Verify = (req, _res, buf) => {
    req.rawBody = buf;
  };

  async function start(
    adapter: AdapterName,
    setup: (app: INestApplication) => void,
    options: { rawBody?: boolean; rawBodyCheck?: boolean } = {},
  ): Promise<RunningApp> {
    const webhooks = WebhookModule.forRoot({
      endpoints: { billing: standardWebhooks({ secret: SECRET }) },
      ...(options.rawBodyCheck === undefined ? {} : { rawBodyCheck: options.rawBodyCheck }),
    });
    const moduleRef = await Test.createTestingModule({ imports: [webhooks, BillingFeatureModule] }).compile();
    const app =
      adapter === 'express'
        ? moduleRef.createNestApplication(new ExpressAdapter(), {
            rawBody: options.rawBody ?? false,
            bodyParser: false,
            logger: false,
          })
        : moduleRef.createNestApplication(new FastifyAdapter(), { rawBody: options.rawBody ?? false, logger: false });
    setup(app);
    try {
      await app.listen(0, '127.0.0.1');
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
    const { port } = app.getHttpServer().address() as { port: number };
    return { app, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
  }

  async function deliver(running: RunningApp) {
    try {
      const body = '{"n":3}';
      return await send(running.baseUrl, '/feature/billing', { headers: signed(body), body });
    } finally {
      await running.close();
    }
  }

  it('Express: a plain JSON parser on another path, a raw-keeping one on the webhooks path: starts, delivers', async () => {
    const running = await start('express', (app) => {
      app.use('/api', express.json());
      app.use('/feature', express.json({ verify: keepRaw }));
    });
    expect((await deliver(running)).status).toBe(202);
  });

  it('Express: still fails start-up when the parser on the webhooks path drops the bytes (another keeps them)', async () => {
    const started = start('express', (app) => {
      app.use('/api', express.json({ verify: keepRaw }));
      app.use('/feature', express.json());
    });
    await expect(started).rejects.toThrow(/raw_body_missing/);
  });

  it('Express: finds the guarded route under a global prefix (still fails start-up when its parser drops the bytes)', async () => {
    const started = start('express', (app) => {
      app.setGlobalPrefix('v1');
      (app as NestExpressApplication).useBodyParser('json');
    });
    await expect(started).rejects.toThrow(/raw_body_missing/);
  });

  it('Fastify: a preParsing hook that keeps the bytes (as the fastify-raw-body plugin does): starts, delivers', async () => {
    const running = await start('fastify', (app) => {
      const fastify = app.getHttpAdapter().getInstance() as {
        addHook(
          name: 'preParsing',
          hook: (req: { rawBody?: Buffer }, reply: unknown, payload: Readable) => unknown,
        ): void;
      };
      fastify.addHook('preParsing', async (req, _reply, payload) => {
        const chunks: Buffer[] = [];
        for await (const chunk of payload) chunks.push(chunk as Buffer);
        req.rawBody = Buffer.concat(chunks);
        return Readable.from([req.rawBody]);
      });
    });
    expect((await deliver(running)).status).toBe(202);
  });

  it.each(ADAPTERS)(
    'rawBodyCheck: false starts an app the check would stop (%s); deliveries still fail closed',
    async (adapter) => {
      const nestParsers = (app: INestApplication) => {
        // Nest's own JSON parser (without rawBody: true): the app the check stops by default.
        if (adapter === 'express') (app as NestExpressApplication).useBodyParser('json');
      };
      await expect(start(adapter, nestParsers)).rejects.toThrow(/raw_body_missing/);
      const answer = await deliver(await start(adapter, nestParsers, { rawBodyCheck: false }));
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('raw_body_missing');
    },
  );
});
