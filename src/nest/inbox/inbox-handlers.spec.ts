// Start-up checks of the @OnWebhook handlers. Jobs run on the stored event; an endpoint whose body
// is its credential (Figma's passcode, Microsoft Graph's clientState) never has its body stored, so
// its handlers would get an empty body after the 2xx: refused at start-up, and when such an
// endpoint is created at run time under a handled name.
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { MetadataScanner } from '@nestjs/core';
import { figma } from '../../providers/figma';
import { standardWebhooks } from '../../providers/standard-webhooks';
import { WebhookConfigurationError } from '../../core/errors';
import { resolveEndpoint, type ResolvedWebhookConfig } from '../webhook-config';
import { InboxDispatch } from './inbox-handlers';
import { OnWebhook } from './on-webhook.decorator';

class DesignHandlers {
  @OnWebhook('design')
  onFile() {}
}

function dispatchFor(
  endpoints: ResolvedWebhookConfig['endpoints'],
  maxEndpoints?: number,
  runtimeEndpoints?: boolean,
): InboxDispatch {
  const config = { endpoints, maxEndpoints } as unknown as ResolvedWebhookConfig;
  const dispatch = new InboxDispatch(
    { getProviders: () => [{ instance: new DesignHandlers(), isDependencyTreeStatic: () => true }] } as never,
    new MetadataScanner(),
    config,
    runtimeEndpoints,
  );
  dispatch.onModuleInit();
  return dispatch;
}

const passcode = 'a-figma-passcode-of-enough-length';

describe('InboxDispatch', () => {
  it('refuses @OnWebhook on an endpoint whose body is its credential (the body is never stored)', () => {
    const design = resolveEndpoint('design', figma({ passcode }));
    expect(() => dispatchFor(new Map([['design', design]]))).toThrow(WebhookConfigurationError);
    expect(() => dispatchFor(new Map([['design', design]]))).toThrow(/DesignHandlers\.onFile.*"design".*body/);
  });

  it('refuses a run-time endpoint of that kind under a handled name, accepts others', () => {
    const dispatch = dispatchFor(new Map(), 10);
    expect(() => dispatch.assertCanProcess(resolveEndpoint('design', figma({ passcode })))).toThrow(
      WebhookConfigurationError,
    );
    expect(() =>
      dispatch.assertCanProcess(resolveEndpoint('design', standardWebhooks({ secret: 'whsec_' + 'a'.repeat(32) }))),
    ).not.toThrow();
    expect(() => dispatch.assertCanProcess(resolveEndpoint('other', figma({ passcode })))).not.toThrow();
  });

  it('refuses an unknown endpoint name unless endpoints can be created at run time (admin API or TypeORM storage)', () => {
    expect(() => dispatchFor(new Map())).toThrow(/names the unknown endpoint "design"/);
    // Accepted, and said at start-up: a misspelt name would otherwise make no job, silently.
    const warned: string[] = [];
    const spy = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((message: unknown) => void warned.push(String(message)));
    try {
      expect(() => dispatchFor(new Map(), undefined, true)).not.toThrow();
      expect(() => dispatchFor(new Map(), 10)).not.toThrow();
    } finally {
      spy.mockRestore();
    }
    expect(warned).toEqual([
      expect.stringMatching(/DesignHandlers\.onFile names "design", no endpoint of the options/),
      expect.stringMatching(/DesignHandlers\.onFile names "design", no endpoint of the options/),
    ]);
  });
});
