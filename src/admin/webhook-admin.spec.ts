import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WebhookConfigurationError } from '../core/errors';
import { standardWebhooks } from '../providers/standard-webhooks';
import { WebhookModule } from '../nest/webhook.module';
import { loadSwagger, openApiDecorators } from './openapi';
import { normalizePrefix, resolveAdminConfig } from './webhook-admin';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const TOKEN = 'a-long-enough-admin-token';

async function compile(module: unknown) {
  const moduleRef = await Test.createTestingModule({ imports: [module as never] }).compile();
  await moduleRef.init();
  return moduleRef;
}

/** Starts an app with the module and answers the status of GET /webhooks/admin/endpoints under each bearer token. */
async function adminStatuses(module: unknown, tokens: string[]): Promise<number[]> {
  const app = (await compile(module)).createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  try {
    const { port } = app.getHttpServer().address() as { port: number };
    const statuses: number[] = [];
    for (const token of tokens) {
      const answer = await fetch(`http://127.0.0.1:${port}/webhooks/admin/endpoints`, {
        headers: { authorization: `Bearer ${token}` },
      });
      statuses.push(answer.status);
    }
    return statuses;
  } finally {
    await app.close();
  }
}

describe('admin configuration', () => {
  it('needs a token of at least 16 visible characters unless the app brings a guard', () => {
    expect(() => resolveAdminConfig(undefined, false)).toThrow(WebhookConfigurationError);
    expect(() => resolveAdminConfig('short', false)).toThrow(/at least 16 characters; the one given has 5/);
    expect(() => resolveAdminConfig('has a space in it ok', false)).toThrow(/visible ASCII/);
    expect(() => resolveAdminConfig('x'.repeat(513), false)).toThrow(/at most 512/);
    expect(resolveAdminConfig(TOKEN, false)).toEqual({ token: TOKEN, usesAppGuard: false });
    expect(resolveAdminConfig(undefined, true)).toEqual({ token: undefined, usesAppGuard: true });
  });

  it('never puts the token in its error', () => {
    const token = 'secret-ish';
    expect(() => resolveAdminConfig(token, false)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(token) }),
    );
  });

  it('normalises the prefix and refuses parameters, wildcards and empty ones', () => {
    expect(normalizePrefix(undefined)).toBe('webhooks/admin');
    expect(normalizePrefix('/ops/hooks/')).toBe('ops/hooks');
    for (const bad of ['', '/', 'ops/:id', 'ops/*', 'a//b', 'with space']) {
      expect(() => normalizePrefix(bad)).toThrow(WebhookConfigurationError);
    }
  });

  it('fails start-up when the admin API is on without a token or guard', async () => {
    await expect(compile(WebhookModule.forRoot({ admin: true }))).rejects.toThrow(/needs admin.token/);
    await expect(
      compile(WebhookModule.forRootAsync({ admin: true, useFactory: () => ({ admin: { token: 'short' } }) })),
    ).rejects.toThrow(/at least 16 characters/);
  });

  it('takes the token from useFactory with forRootAsync and from the extra with forRoot', async () => {
    const other = 'another-long-admin-token';
    const fromFactory = WebhookModule.forRootAsync({ admin: true, useFactory: () => ({ admin: { token: TOKEN } }) });
    expect(await adminStatuses(fromFactory, [TOKEN, other])).toEqual([200, 401]);
    const fromExtra = WebhookModule.forRoot({
      admin: { token: TOKEN },
      endpoints: { a: standardWebhooks({ secret: SECRET }) },
    });
    expect(await adminStatuses(fromExtra, [TOKEN, other])).toEqual([200, 401]);
    // Documented: with forRootAsync, the factory's token wins over one in the extra.
    const both = WebhookModule.forRootAsync({
      admin: { token: other },
      useFactory: () => ({ admin: { token: TOKEN } }),
    });
    expect(await adminStatuses(both, [TOKEN, other])).toEqual([200, 401]);
  });

  it('warns when admin options come without the admin extra', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await compile(WebhookModule.forRootAsync({ useFactory: () => ({ admin: { token: TOKEN } }) }));
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('the admin API is off'));
      expect(JSON.stringify(warn.mock.calls)).not.toContain(TOKEN);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('OpenAPI document with @nestjs/swagger', () => {
  it('describes every admin route, its bearer auth and the DTOs', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DocumentBuilder, SwaggerModule } = require('@nestjs/swagger') as typeof import('@nestjs/swagger');
    const moduleRef = await Test.createTestingModule({
      imports: [WebhookModule.forRoot({ admin: { token: TOKEN, prefix: 'ops' } })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const document = SwaggerModule.createDocument(app, new DocumentBuilder().addBearerAuth().build());
      expect(Object.keys(document.paths).sort()).toEqual([
        '/ops/endpoints',
        '/ops/endpoints/{endpoint}',
        '/ops/endpoints/{endpoint}/secrets',
        '/ops/endpoints/{endpoint}/secrets/{version}',
        '/ops/events',
        '/ops/events/{id}',
        '/ops/events/{id}/replay',
        '/ops/jobs',
        '/ops/jobs/redrive',
        '/ops/jobs/{id}',
        '/ops/jobs/{id}/retry',
      ]);
      const rotate = document.paths['/ops/endpoints/{endpoint}/secrets'].post!;
      expect(rotate.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(rotate.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '404', '409']));
      expect(rotate.parameters!.map((p) => (p as { name: string }).name)).toEqual(
        expect.arrayContaining(['endpoint', 'name']),
      );
      const schemas = document.components!.schemas!;
      expect(Object.keys(schemas)).toEqual(
        expect.arrayContaining(['RotateWebhookSecretDto', 'WebhookEndpointView', 'WebhookAdminErrorView']),
      );
      expect((schemas.RotateWebhookSecretDto as { properties: object }).properties).toHaveProperty(
        'gracePeriodSeconds',
      );
      // Run-time endpoints (issue 17): create, read, change, disable.
      expect(Object.keys(document.paths['/ops/endpoints'])).toEqual(expect.arrayContaining(['get', 'post']));
      expect(Object.keys(document.paths['/ops/endpoints/{endpoint}']).sort()).toEqual(['delete', 'get', 'patch']);
      expect(Object.keys(document.paths['/ops/endpoints'].post!.responses)).toEqual(
        expect.arrayContaining(['201', '400', '401', '409']),
      );
      expect(Object.keys((schemas.CreateWebhookEndpointDto as { properties: object }).properties).sort()).toEqual([
        'challenge',
        'name',
        'options',
        'provider',
        'secret',
      ]);
    } finally {
      await app.close();
    }
  });
});

describe('OpenAPI decorators without @nestjs/swagger', () => {
  const missing = () => {
    throw Object.assign(new Error("Cannot find module '@nestjs/swagger'\nRequire stack: …"), {
      code: 'MODULE_NOT_FOUND',
    });
  };

  it('are no-ops when the package is not installed', () => {
    expect(loadSwagger(missing)).toBeUndefined();
    const decorators = openApiDecorators(undefined);
    class Dto {}
    expect(() => decorators.ApiProperty({ description: 'x' })(Dto.prototype, 'field')).not.toThrow();
    expect(() => decorators.ApiTags('a')(Dto)).not.toThrow();
  });

  it('surface any other loading failure', () => {
    const broken = () => {
      throw Object.assign(new Error("Cannot find module 'swagger-ui-dist'"), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => loadSwagger(broken)).toThrow(/swagger-ui-dist/);
  });

  it('the admin API starts and serves without the package', async () => {
    await jest.isolateModulesAsync(async () => {
      jest.doMock('@nestjs/swagger', missing);
      /* eslint-disable @typescript-eslint/no-require-imports */
      // The admin plug-in mounts itself when it loads (the package entry loads it), then the module.
      require('./webhook-admin');
      const { WebhookModule: IsolatedModule } =
        require('../nest/webhook.module') as typeof import('../nest/webhook.module');
      const { SecretStore } =
        require('../storage/secret-store.interface') as typeof import('../storage/secret-store.interface');
      // The isolated registry has its own copy of Nest: use it throughout.
      const { Test: IsolatedTest } = require('@nestjs/testing') as typeof import('@nestjs/testing');
      /* eslint-enable @typescript-eslint/no-require-imports */
      const moduleRef = await IsolatedTest.createTestingModule({
        imports: [
          IsolatedModule.forRoot({ admin: { token: TOKEN }, endpoints: { a: standardWebhooks({ secret: SECRET }) } }),
        ],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.listen(0, '127.0.0.1');
      try {
        const { port } = app.getHttpServer().address() as { port: number };
        const answer = await fetch(`http://127.0.0.1:${port}/webhooks/admin/endpoints`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(answer.status).toBe(200);
        expect(await answer.json()).toEqual([expect.objectContaining({ name: 'a', liveSecretVersions: [1] })]);
        expect(app.get(SecretStore)).toBeDefined();
      } finally {
        await app.close();
        jest.dontMock('@nestjs/swagger');
      }
    });
  });
});
