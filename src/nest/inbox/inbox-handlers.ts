import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { handlerMatches, isEventTypePattern } from '../../core/inbox/inbox-decisions';
import { WebhookConfigurationError } from '../../core/errors';
import type { InboxWork } from '../../storage/inbox.interface';
import type { ResolvedEndpoint, ResolvedWebhookConfig } from '../webhook-config';
import { RUNTIME_ENDPOINTS_POSSIBLE, WEBHOOK_CONFIG } from '../webhook.constants';
import type { VerifiedWebhook } from '../verified-webhook';
import {
  ON_WEBHOOK_METADATA,
  type OnWebhookMetadata,
  type OnWebhookOptions,
  type WebhookJobContext,
} from './on-webhook.decorator';
import type { WebhookDispatch } from './webhook-dispatch';

/** A discovered `@OnWebhook` method. @internal */
export interface InboxHandler {
  /** `Class.method`, the job's `handler` column. */
  readonly id: string;
  readonly endpoint: string;
  readonly types?: readonly string[];
  readonly options: OnWebhookOptions;
  readonly run: (delivery: VerifiedWebhook, context: WebhookJobContext) => unknown;
}

/**
 * Finds the `@OnWebhook` methods of every provider at start-up (as @nestjs/event-emitter does) and,
 * as the default {@link WebhookDispatch}, turns an accepted delivery into one job per matching
 * handler. Endpoints without handlers get no work: their route handler runs as before, alone.
 * @internal
 */
@Injectable()
export class InboxDispatch implements WebhookDispatch, OnModuleInit {
  private readonly logger = new Logger('Hookwarden');
  private readonly byEndpoint = new Map<string, InboxHandler[]>();
  private readonly byId = new Map<string, InboxHandler>();
  /** Endpoints whose handlers cannot run, already logged (see `plan`). */
  private readonly warned = new Set<string>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
    @Optional() @Inject(RUNTIME_ENDPOINTS_POSSIBLE) private readonly runtimeEndpoints: boolean = false,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || wrapper.isDependencyTreeStatic?.() === false) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const list = Reflect.getMetadata(ON_WEBHOOK_METADATA, fn) as OnWebhookMetadata[] | undefined;
        for (const metadata of list ?? [])
          this.register(
            `${instance.constructor.name}.${method}`,
            metadata,
            fn as (...args: unknown[]) => unknown,
            instance,
          );
      }
    }
  }

  private register(
    id: string,
    metadata: OnWebhookMetadata,
    fn: (...args: unknown[]) => unknown,
    instance: object,
  ): void {
    const at = `@OnWebhook on ${id}`;
    const endpoint = this.config.endpoints.get(metadata.endpoint);
    // A name the options lack may be a run-time endpoint's, where those can exist; said at start-up,
    // as a misspelt name would otherwise make no job, silently.
    if (!endpoint && this.config.maxEndpoints === undefined && !this.runtimeEndpoints) {
      throw new WebhookConfigurationError(
        `${at} names the unknown endpoint "${metadata.endpoint}" (endpoints created at run time need the admin API or TypeORM storage).`,
      );
    }
    if (!endpoint) {
      this.logger.warn(
        `${at} names "${metadata.endpoint}", no endpoint of the options: it runs once a run-time endpoint of that name exists.`,
      );
    }
    if (endpoint?.bodyIsCredential) throw bodyNotStored(at, endpoint.name);
    for (const pattern of metadata.types ?? []) {
      if (!isEventTypePattern(pattern)) throw new WebhookConfigurationError(`${at}: invalid event type "${pattern}".`);
    }
    const { maxAttempts, timeoutMs } = metadata.options;
    if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
      throw new WebhookConfigurationError(`${at}: maxAttempts must be a whole number ≥ 1.`);
    }
    if (timeoutMs !== undefined && !(timeoutMs > 0))
      throw new WebhookConfigurationError(`${at}: timeoutMs must be > 0.`);
    // One method handling two endpoints is two handlers: the id names the endpoint from the second on.
    const key = this.byId.has(id) ? `${id}@${metadata.endpoint}` : id;
    if (this.byId.has(key) || key.length > 200) {
      throw new WebhookConfigurationError(`${at}: the handler id "${key}" is taken or too long.`);
    }
    const handler: InboxHandler = {
      id: key,
      ...metadata,
      run: (delivery, context) => fn.call(instance, delivery, context),
    };
    this.byId.set(key, handler);
    const list = this.byEndpoint.get(metadata.endpoint) ?? [];
    list.push(handler);
    this.byEndpoint.set(metadata.endpoint, list);
  }

  /**
   * Throws when `endpoint` (created at run time) has handlers it cannot feed: its body is its
   * credential and is never stored, and jobs run on the stored event.
   */
  assertCanProcess(endpoint: ResolvedEndpoint): void {
    const handlers = this.byEndpoint.get(endpoint.name);
    if (handlers && endpoint.bodyIsCredential) throw bodyNotStored(`@OnWebhook on ${handlers[0]!.id}`, endpoint.name);
  }

  private unprocessable(endpoint: string): undefined {
    if (!this.warned.has(endpoint)) {
      this.warned.add(endpoint);
      this.logger.error(bodyNotStored(`@OnWebhook handlers`, endpoint).message);
    }
    return undefined;
  }

  /** Every discovered handler, by id. */
  get handlers(): ReadonlyMap<string, InboxHandler> {
    return this.byId;
  }

  plan(endpoint: ResolvedEndpoint, delivery: VerifiedWebhook): InboxWork[] | undefined {
    const handlers = this.byEndpoint.get(endpoint.name);
    if (!handlers) return undefined;
    // A run-time endpoint stored before its handlers were deployed (creating one is refused): its
    // body is not stored, so no job could run it. The route handler runs; the log says why.
    if (endpoint.bodyIsCredential) return this.unprocessable(endpoint.name);
    // Read once by the verifier, so routing and the event log agree (see readEventType).
    const eventType = delivery.eventType;
    const work: InboxWork[] = [];
    for (const handler of handlers) {
      if (!handlerMatches(handler.types, eventType)) continue;
      let orderKey: string | undefined;
      try {
        orderKey = handler.options.orderKey?.(delivery);
      } catch {
        // A key that cannot be computed runs unordered rather than refusing a verified delivery.
        orderKey = undefined;
      }
      work.push({ handler: handler.id, eventType, orderKey: typeof orderKey === 'string' ? orderKey : undefined });
    }
    return work.length > 0 ? work : undefined;
  }
}

function bodyNotStored(at: string, endpoint: string): WebhookConfigurationError {
  return new WebhookConfigurationError(
    `${at}: the endpoint "${endpoint}" carries its credential in the body (a passcode or client state), so its ` +
      'body is never stored, and @OnWebhook handlers run on the stored event after the 2xx. Handle it in the route ' +
      'handler instead.',
  );
}
