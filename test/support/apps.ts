import type { DynamicModule, INestApplication, InjectionToken, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { useWebhookBodyParsers } from '../../src';

export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];

export interface RunningApp {
  app: INestApplication;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts a real Nest app on a free loopback port with the given adapter, the way a user's main.ts
 * does: `rawBody: true` and Hookwarden's body parsers (unless a test asks otherwise).
 */
export async function startApp(
  adapter: AdapterName,
  imports: Array<Type | DynamicModule>,
  controllers: Type[],
  options: {
    rawBody?: boolean;
    bodyParsers?: boolean;
    providers?: Type[];
    /** Providers to replace by token (Nest's `overrideProvider`), e.g. a store standing in for an outage. */
    overrides?: Array<[token: InjectionToken, value: unknown]>;
  } = {},
): Promise<RunningApp> {
  const builder = Test.createTestingModule({ imports, controllers, providers: options.providers ?? [] });
  for (const [token, value] of options.overrides ?? []) builder.overrideProvider(token).useValue(value);
  const moduleRef = await builder.compile();
  const rawBody = options.rawBody ?? true;
  const app =
    adapter === 'express'
      ? moduleRef.createNestApplication(new ExpressAdapter(), { rawBody, logger: false })
      : moduleRef.createNestApplication(new FastifyAdapter(), { rawBody, logger: false });
  if (options.bodyParsers ?? true) useWebhookBodyParsers(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, baseUrl: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}
