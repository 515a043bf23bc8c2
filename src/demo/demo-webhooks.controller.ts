// One controller per demo endpoint, at /webhooks/<name>. Decorators are applied by hand because
// the routes (and which of them answer challenges) come from the endpoint list.
import { Controller, Get, Head, HttpCode, Logger, Post, UseGuards, type Type } from '@nestjs/common';
import { WebhookChallenge, WebhookEndpoint, WebhookEvent, WebhookGuard, type VerifiedWebhook } from '../index';
import type { DemoEndpoint } from './demo-endpoints';

const logger = new Logger('Demo');

export function demoWebhookController(endpoint: DemoEndpoint): Type {
  const challengeOn = new Set(endpoint.challengeOn ?? []);

  class DemoWebhookController {
    /** Runs once per verified, first delivery; duplicates and challenges never reach it. */
    receive(event: VerifiedWebhook): { received: true } {
      logger.log(
        `${endpoint.name}: delivery ${event.id ?? '(no id)'} verified with secret version ${event.secretVersion ?? '-'}, ${event.rawBody.length} bytes`,
      );
      return { received: true };
    }

    /** Never runs for a challenge (the guard answers it); anything else here is refused by the guard. */
    challenge(): void {}
  }

  const proto = DemoWebhookController.prototype;
  const decorate = (method: keyof DemoWebhookController, decorators: MethodDecorator[]) =>
    Reflect.decorate(decorators, proto, method, Object.getOwnPropertyDescriptor(proto, method));

  WebhookEvent()(proto, 'receive', 0);
  decorate('receive', [Post(), HttpCode(200), ...(challengeOn.has('POST') ? [WebhookChallenge()] : [])]);
  const challengeRoutes = [...(challengeOn.has('GET') ? [Get()] : []), ...(challengeOn.has('HEAD') ? [Head()] : [])];
  if (challengeRoutes.length > 0) decorate('challenge', [...challengeRoutes, WebhookChallenge()]);

  Reflect.decorate(
    [Controller(`webhooks/${endpoint.name}`), UseGuards(WebhookGuard), WebhookEndpoint(endpoint.name)],
    DemoWebhookController,
  );
  Object.defineProperty(DemoWebhookController, 'name', { value: `${pascal(endpoint.name)}WebhookController` });
  return DemoWebhookController;
}

function pascal(name: string): string {
  return name.replace(/(^|[-_])([a-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());
}
