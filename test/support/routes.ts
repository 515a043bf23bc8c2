// A guarded webhook controller built from a table of routes, for specs that mount many endpoints
// whose handlers all do the same thing (record the delivery). The decorators are Nest's and
// Hookwarden's public ones, applied as the compiler would apply them to a written-out class.
import { Controller, Get, Head, HttpCode, Inject, Post, UseGuards, type Type } from '@nestjs/common';
import { WebhookChallenge, WebhookEndpoint, WebhookEvent, WebhookGuard, type VerifiedWebhook } from '../../src';

export interface WebhookRoute {
  method: 'GET' | 'POST' | 'HEAD';
  /** The endpoint name; also the route's path. */
  endpoint: string;
  /** The success status (`@HttpCode`), when not Nest's default. */
  status?: number;
  /** The route also answers the endpoint's URL verification challenge (`@WebhookChallenge()`). */
  challenge?: boolean;
}

/** What every route's handler calls: `handle(event)`'s result is the route's answer. */
export interface WebhookHandler {
  handle(event: VerifiedWebhook): unknown;
}

const METHODS = { GET: Get, POST: Post, HEAD: Head };

/**
 * A `@Controller(prefix)` guarded by `WebhookGuard` with one method per route, each
 * `@WebhookEndpoint(route.endpoint)` and handing its `@WebhookEvent()` to the injected `handler`.
 */
export function webhookRoutesController(prefix: string, handler: Type<WebhookHandler>, routes: WebhookRoute[]): Type {
  class RoutesController {
    constructor(readonly handler: WebhookHandler) {}
  }
  Inject(handler)(RoutesController, undefined, 0);
  const prototype = RoutesController.prototype as unknown as Record<string, unknown>;
  for (const route of routes) {
    const name = `${route.method.toLowerCase()}_${route.endpoint}`;
    prototype[name] = function (this: RoutesController, event: VerifiedWebhook) {
      return this.handler.handle(event);
    };
    WebhookEvent()(prototype, name, 0);
    const decorators: MethodDecorator[] = [METHODS[route.method](route.endpoint), WebhookEndpoint(route.endpoint)];
    if (route.status !== undefined) decorators.push(HttpCode(route.status));
    if (route.challenge) decorators.push(WebhookChallenge());
    Reflect.decorate(decorators, prototype, name, Object.getOwnPropertyDescriptor(prototype, name));
  }
  Reflect.decorate([Controller(prefix), UseGuards(WebhookGuard)], RoutesController);
  return RoutesController;
}
