import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { assertChallengeCannotSign } from '../core/challenges/computed-token';
import { declarativeChallenge } from '../core/challenges/declarative/declarative-challenge.strategy';
import type { DeclarativeChallengeRule } from '../core/challenges/declarative/declarative-rule.interface';
import { WebhookConfigurationError } from '../core/errors';
import { redactHeaders, redactUrl } from '../core/redact';
import { findProvider } from '../providers/catalogue';
import type { WebhookEndpointDefinition } from '../providers/endpoint-definition';
import { hmacEndpoint, type HmacEndpointOptions } from '../providers/generic';
import { EndpointStore, type StoredEndpoint } from '../storage/endpoint-store.interface';
import { EventLog } from '../storage/event-log.interface';
import type { IncomingWebhook } from './http-request';
import { resolveEndpoint, type ResolvedEndpoint, type ResolvedWebhookConfig } from './webhook-config';
import { WEBHOOK_CONFIG } from './webhook.constants';
import { WEBHOOK_METRICS, type WebhookMetrics } from './webhook-metrics';

/**
 * Names of run-time endpoints: lower case, so a path parameter has one spelling. They are also
 * valid option endpoint names, and never contain '.' (named secrets live under `<name>.<secret>`).
 * @internal
 */
export const RUNTIME_ENDPOINT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The `provider` of a generic endpoint: an HMAC scheme described by its options. @publicApi */
export const GENERIC_HMAC_PROVIDER = 'hmac';

/** Where requests to an unknown or disabled run-time endpoint are recorded (no endpoint is named so). @internal */
export const UNKNOWN_ENDPOINT_LOG_NAME = '-';

/** Option keys that JSON may not set: they take code (strategies, schemes, functions). */
const RESERVED_OPTIONS = new Set(['also', 'challenge', 'generateSecret', 'checkSecret', 'name', 'provider']);
const OPTION_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_OPTIONS_JSON = 16_384;

/**
 * The definition of a stored endpoint: its catalogue preset called with its options, or a generic
 * HMAC scheme with its declarative challenge. Throws a {@link WebhookConfigurationError} naming the
 * field that is wrong.
 * @internal
 */
export function runtimeDefinition(stored: Omit<StoredEndpoint, 'createdAt' | 'updatedAt'>): WebhookEndpointDefinition {
  checkOptions(stored.options);
  // Own data properties only, on a fresh object: nothing inherited reaches the preset.
  const options = Object.fromEntries([...Object.entries(stored.options), ...Object.entries(stored.secretOptions)]);
  if (stored.provider === GENERIC_HMAC_PROVIDER) {
    const challenge = stored.challenge
      ? declarativeChallenge(stored.challenge as unknown as DeclarativeChallengeRule)
      : undefined;
    return hmacEndpoint({
      ...(options as Partial<HmacEndpointOptions>),
      provider: GENERIC_HMAC_PROVIDER,
      ...(challenge ? { challenge } : {}),
    } as HmacEndpointOptions);
  }
  if (stored.challenge !== undefined) {
    throw new WebhookConfigurationError('challenge: only a generic endpoint (provider "hmac") takes challenge rules.');
  }
  const provider = findProvider(stored.provider);
  if (!provider) throw new WebhookConfigurationError(`provider: "${stored.provider}" is no preset of the catalogue.`);
  if (provider.requires?.includes('url') && !Object.keys(options).some((key) => /url$/i.test(key))) {
    throw new WebhookConfigurationError(
      `options: the ${provider.displayName} preset signs the public URL; give it (${provider.presetOptions ?? 'url'}).`,
    );
  }
  return provider.preset(options as never);
}

/**
 * A stored endpoint, built and checked with the checks of start-up (a CEL rule that does not
 * compile names its field and position; a challenge that could sign is refused).
 * @internal
 */
export function buildRuntimeEndpoint(stored: Omit<StoredEndpoint, 'createdAt' | 'updatedAt'>): ResolvedEndpoint {
  const endpoint = resolveEndpoint(stored.name, runtimeDefinition(stored));
  if (endpoint.challenge) assertChallengeCannotSign(endpoint.name, endpoint.schemes, endpoint.challenge);
  return endpoint;
}

/** Options are plain JSON without the keys that take code, and bounded. */
function checkOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new WebhookConfigurationError('options: must be an object.');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEY.test(key) || RESERVED_OPTIONS.has(key) || key in Object.prototype) {
      throw new WebhookConfigurationError(
        `options: a field name is not allowed (letters, digits and '_'; not ${[...RESERVED_OPTIONS].join(', ')}).`,
      );
    }
  }
  if (JSON.stringify(options).length > MAX_OPTIONS_JSON) {
    throw new WebhookConfigurationError(`options: at most ${MAX_OPTIONS_JSON} characters of JSON.`);
  }
}

/**
 * The endpoints defined at run time, built from the endpoint store on first use and again whenever
 * the stored definition changes (on any instance). Routes with `@WebhookEndpoint({ param })` serve
 * only these, never the endpoints of the options.
 * @internal
 */
@Injectable()
export class RuntimeEndpoints implements OnApplicationBootstrap {
  private readonly logger = new Logger('Hookwarden');
  private readonly built = new WeakMap<StoredEndpoint, ResolvedEndpoint | Error>();

  constructor(
    @Inject(EndpointStore) readonly store: EndpointStore,
    @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
    @Inject(EventLog) private readonly eventLog: EventLog,
    @Optional() @Inject(WEBHOOK_METRICS) private readonly metrics?: WebhookMetrics,
  ) {}

  /**
   * An endpoint added to the options under the name of a stored run-time one shadows it (and shares
   * its secrets in the store): said once at start-up.
   */
  onApplicationBootstrap(): void {
    const shadowed = this.store.cached().filter((stored) => this.config.endpoints.has(stored.name));
    if (shadowed.length > 0) {
      this.logger.warn(
        `Run-time webhook endpoint(s) ${shadowed.map((e) => `"${e.name}"`).join(', ')} have the name of an endpoint ` +
          'of the options, which wins (and sees their secrets): rename one of them.',
      );
    }
  }

  /** The enabled run-time endpoint of that name, or `undefined` (unknown, disabled, or an options endpoint). */
  get(name: string): ResolvedEndpoint | undefined {
    if (!RUNTIME_ENDPOINT_NAME.test(name) || this.config.endpoints.has(name)) return undefined;
    const stored = this.store.get(name);
    if (!stored?.enabled) return undefined;
    const built = this.build(stored);
    // Checked on write: only a definition the catalogue no longer accepts gets here.
    if (built instanceof Error) throw new WebhookConfigurationError(`Webhook endpoint "${name}": ${built.message}`);
    return built;
  }

  /**
   * The endpoints of the options and every run-time one that builds (disabled ones too: they keep
   * their secrets and can be enabled again), for the checks across endpoints (a secret two
   * endpoints share while one answers challenges with it). `extra` is one about to be stored.
   */
  withRuntime(extra?: ResolvedEndpoint): Pick<ResolvedWebhookConfig, 'endpoints'> {
    const endpoints = new Map(this.config.endpoints);
    for (const stored of this.store.cached()) {
      if (this.config.endpoints.has(stored.name)) continue;
      const built = this.build(stored);
      if (!(built instanceof Error)) endpoints.set(stored.name, built);
    }
    if (extra) endpoints.set(extra.name, extra);
    return { endpoints };
  }

  private build(stored: StoredEndpoint): ResolvedEndpoint | Error {
    let built = this.built.get(stored);
    if (built === undefined) {
      try {
        built = buildRuntimeEndpoint(stored);
      } catch (error) {
        built = error as Error;
      }
      this.built.set(stored, built);
    }
    return built;
  }

  /**
   * Records a request to an unknown or disabled endpoint: all of them under one name, so that the
   * event log's per-endpoint budget bounds what anyone can make it write with made-up names. The
   * body is attacker bytes: only its size and digest are kept.
   */
  recordUnknown(incoming: IncomingWebhook, receivedAt = Date.now()): void {
    const record = {
      endpoint: UNKNOWN_ENDPOINT_LOG_NAME,
      provider: UNKNOWN_ENDPOINT_LOG_NAME,
      status: 'rejected' as const,
      reason: 'unknown_endpoint',
      receivedAt: new Date(receivedAt),
      replayWindowEndsAt: new Date(receivedAt),
      method: incoming.method,
      path: redactUrl(incoming.url),
      headers: redactHeaders(incoming.headers),
      body: incoming.rawBody ?? Buffer.alloc(0),
      storeBody: false,
    };
    // One label value for every made-up name, like the log: the series stay bounded.
    this.metrics?.delivery(UNKNOWN_ENDPOINT_LOG_NAME, UNKNOWN_ENDPOINT_LOG_NAME, 'rejected', 'unknown_endpoint');
    this.eventLog.record(record).catch(() => this.logger.warn('Could not record a request to an unknown endpoint.'));
  }
}
