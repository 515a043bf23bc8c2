import { Controller, Injectable, Module, Post, UseGuards } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { WebhookConfigurationError } from '../core/errors';
import { standardWebhooks } from '../providers/standard-webhooks';
import { EventLog } from '../storage/event-log.interface';
import { InMemoryEventLog } from '../storage/in-memory/in-memory-event-log';
import { InMemorySecretStore } from '../storage/in-memory/in-memory-secret-store';
import { SecretStore } from '../storage/secret-store.interface';
import { WebhookEndpoint } from './webhook.decorators';
import { WebhookGuard } from './webhook.guard';
import { WebhookModule } from './webhook.module';
import { WEBHOOK_MODULE_OPTIONS } from './webhook.module-definition';
import type { WebhookModuleOptions } from './webhook-module-options.interface';
import { WebhookVerifier } from './webhook-verifier.service';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const options: WebhookModuleOptions = { endpoints: { billing: standardWebhooks({ secret: SECRET }) } };

@Injectable()
class OptionsFactory {
  createWebhookOptions(): WebhookModuleOptions {
    return options;
  }
}

@Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
class OptionsModule {}

async function compile(imports: unknown[], controllers: unknown[] = []) {
  const moduleRef = await Test.createTestingModule({
    imports: imports as never[],
    controllers: controllers as never[],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('WebhookModule registration', () => {
  it('compiles forRoot() with no argument and no endpoints', async () => {
    const moduleRef = await compile([WebhookModule.forRoot()]);
    expect(moduleRef.get(WebhookVerifier)).toBeInstanceOf(WebhookVerifier);
    expect(() => moduleRef.get(WebhookVerifier).endpoint('billing')).toThrow(WebhookConfigurationError);
  });

  it('compiles forRoot(options) and exposes the options, the in-memory stores and the guard', async () => {
    const moduleRef = await compile([WebhookModule.forRoot(options)]);
    expect(moduleRef.get(WEBHOOK_MODULE_OPTIONS)).toEqual(options);
    expect(moduleRef.get(SecretStore)).toBeInstanceOf(InMemorySecretStore);
    expect(moduleRef.get(EventLog)).toBeInstanceOf(InMemoryEventLog);
    expect(moduleRef.get(WebhookGuard)).toBeInstanceOf(WebhookGuard);
    const secrets = await moduleRef.get<SecretStore>(SecretStore).getLiveSecrets('billing');
    expect(secrets).toEqual([{ version: 1, value: SECRET, createdAt: expect.any(Date) }]);
  });

  it('compiles forRootAsync with useFactory and inject from @nestjs/config', async () => {
    const moduleRef = await compile([
      WebhookModule.forRootAsync({
        imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ SECRET })] })],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          endpoints: { billing: standardWebhooks({ secret: config.getOrThrow('SECRET') }) },
        }),
      }),
    ]);
    expect(moduleRef.get(WebhookVerifier).endpoint('billing').provider).toBe('standard-webhooks');
  });

  it('compiles forRootAsync with useClass', async () => {
    const moduleRef = await compile([WebhookModule.forRootAsync({ useClass: OptionsFactory })]);
    expect(moduleRef.get(WEBHOOK_MODULE_OPTIONS)).toEqual(options);
  });

  it('compiles forRootAsync with useExisting', async () => {
    const moduleRef = await compile([
      WebhookModule.forRootAsync({ imports: [OptionsModule], useExisting: OptionsFactory }),
    ]);
    expect(moduleRef.get(WEBHOOK_MODULE_OPTIONS)).toEqual(options);
  });

  it('is not global unless isGlobal is set, for forRoot and forRootAsync', () => {
    expect(WebhookModule.forRoot({}).global).toBe(false);
    expect(WebhookModule.forRoot({ isGlobal: true }).global).toBe(true);
    expect(WebhookModule.forRootAsync({ isGlobal: true, useFactory: () => ({}) }).global).toBe(true);
  });

  it('lets a global module guard a controller in a module that does not import it', async () => {
    @Controller()
    @UseGuards(WebhookGuard)
    class FeatureController {
      @Post() @WebhookEndpoint('billing') handle() {}
    }
    @Module({ controllers: [FeatureController] })
    class FeatureModule {}
    await expect(
      compile([WebhookModule.forRoot({ ...options, isGlobal: true }), FeatureModule]),
    ).resolves.toBeDefined();
  });
});

describe('WebhookModule start-up validation', () => {
  it('refuses @WebhookEndpoint naming an endpoint that is not configured', async () => {
    @Controller()
    @UseGuards(WebhookGuard)
    class TypoController {
      @Post() @WebhookEndpoint('biling') handle() {}
    }
    await expect(compile([WebhookModule.forRoot(options)], [TypoController])).rejects.toThrow(
      /TypoController\.handle: @WebhookEndpoint\('biling'\) names no configured endpoint \(configured: billing\)/,
    );
  });

  it('refuses a guarded route without @WebhookEndpoint', async () => {
    @Controller()
    @UseGuards(WebhookGuard)
    class BareController {
      @Post() handle() {}
    }
    await expect(compile([WebhookModule.forRoot(options)], [BareController])).rejects.toThrow(
      /BareController\.handle uses WebhookGuard but has no @WebhookEndpoint/,
    );
  });

  it('refuses a secret the scheme cannot use, naming the endpoint', async () => {
    await expect(
      compile([WebhookModule.forRoot({ endpoints: { billing: standardWebhooks({ secret: 'whsec_' }) } })]),
    ).rejects.toThrow(/endpoint "billing".*must not be empty/);
  });

  it('refuses an endpoint without a scheme and a malformed endpoint name', async () => {
    await expect(
      compile([WebhookModule.forRoot({ endpoints: { x: { provider: 'x', schemes: [] } } })]),
    ).rejects.toThrow(/endpoint "x" has no signature scheme/);
    await expect(compile([WebhookModule.forRoot({ endpoints: { '../x': standardWebhooks() } })])).rejects.toThrow(
      /endpoint name "..\/x"/,
    );
  });
});
