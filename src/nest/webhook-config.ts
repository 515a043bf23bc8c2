import type { ChallengeStrategy } from '../core/challenge-strategy';
import type { SignatureScheme } from '../core/signature-scheme';
import { WebhookConfigurationError } from '../core/errors';
import { assertNotPlaceholder, assertWhsecFormat } from '../core/secret';
import type { WebhookEndpointDefinition } from '../providers/endpoint-definition';
import { findProvider } from '../providers/catalogue';
import type { DeliveryField } from '../providers/provider';
import type { InMemoryEventLogOptions } from '../storage/in-memory/in-memory-event-log';
import type { WebhookModuleOptions } from './webhook-module-options.interface';

/** An endpoint with every default applied. @internal */
export interface ResolvedEndpoint extends WebhookEndpointDefinition {
  readonly name: string;
  readonly dedupeWindowSeconds: number;
  /** The longest tolerance of the endpoint's schemes, to bound how long an id must be remembered. */
  readonly toleranceSeconds: number;
  /** Header and query names where a scheme reads a credential: redacted before anything is stored. */
  readonly credentialHeaders: ReadonlySet<string>;
  readonly credentialQuery: ReadonlySet<string>;
  /** A scheme reads its credential from the body, which is then never stored. */
  readonly bodyIsCredential: boolean;
  /** The schemes that judge the connection (IP allow-list, mTLS): unsigned challenges pass them too. */
  readonly connectionChecks: readonly SignatureScheme[];
  /** Where the provider's event type is, from the provider catalogue (stored with each verified event). */
  readonly eventType?: DeliveryField;
}

/** The module's options with defaults applied once, so no consumer re-applies them. @internal */
export interface ResolvedWebhookConfig {
  readonly endpoints: ReadonlyMap<string, ResolvedEndpoint>;
  readonly rawBodyProperty: string;
  readonly rawBodyCheck: boolean;
  readonly inMemoryEventLog: InMemoryEventLogOptions;
  /** The most endpoints that may be defined at run time (the store's default when undefined). */
  readonly maxEndpoints?: number;
}

const ENDPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

const SECRET_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A challenge's own check (a declarative rule's CEL, …) and the names of its secrets, at start-up. */
function validateChallenge(name: string, definition: WebhookEndpointDefinition): void {
  const names = [...(definition.challenge?.secretNames ?? []), ...Object.keys(definition.namedSecrets ?? {})];
  for (const secretName of names) {
    if (!SECRET_NAME.test(secretName)) {
      throw new WebhookConfigurationError(
        `Webhook endpoint "${name}": secret name "${secretName}" must be 1–63 lower-case letters, digits or '-'.`,
      );
    }
  }
  if (definition.challenge) validateChallengeStrategy(name, definition.challenge);
}

/** Runs a strategy's `validate`, making sure the error names the endpoint. @internal */
export function validateChallengeStrategy(endpoint: string, strategy: ChallengeStrategy): void {
  try {
    strategy.validate?.(endpoint);
  } catch (error) {
    const message = (error as Error).message;
    throw new WebhookConfigurationError(
      message.includes(`"${endpoint}"`) ? message : `Webhook endpoint "${endpoint}": ${message}`,
    );
  }
}

/** Validates the options and applies defaults; a mistake fails start-up with a message naming it. @internal */
export function resolveWebhookConfig(options: WebhookModuleOptions | undefined): ResolvedWebhookConfig {
  const endpoints = new Map<string, ResolvedEndpoint>();
  for (const [name, definition] of Object.entries(options?.endpoints ?? {})) {
    if (!ENDPOINT_NAME.test(name)) {
      throw new WebhookConfigurationError(
        `Webhook endpoint name "${name}" must be 1–63 letters, digits, '-' or '_', starting with a letter or digit.`,
      );
    }
    endpoints.set(name, resolveEndpoint(name, definition));
  }
  return {
    endpoints,
    rawBodyProperty: options?.rawBodyProperty ?? 'rawBody',
    rawBodyCheck: options?.rawBodyCheck ?? true,
    inMemoryEventLog: options?.inMemoryEventLog ?? {},
    maxEndpoints: options?.runtimeEndpoints?.maxEndpoints,
  };
}

/**
 * One endpoint checked and with its defaults: the same checks for the options at start-up and for
 * endpoints defined at run time (the admin API answers 400 with the message). @internal
 */
export function resolveEndpoint(name: string, definition: WebhookEndpointDefinition): ResolvedEndpoint {
  if (!definition || !Array.isArray(definition.schemes) || definition.schemes.length === 0) {
    throw new WebhookConfigurationError(
      `Webhook endpoint "${name}" has no signature scheme; use a preset such as standardWebhooks().`,
    );
  }
  validateChallenge(name, definition);
  const tolerances = definition.schemes.map((s) => (s as { toleranceSeconds?: number }).toleranceSeconds ?? 0);
  return {
    ...definition,
    name,
    dedupeWindowSeconds: definition.dedupeWindowSeconds ?? 86_400,
    toleranceSeconds: Math.max(0, ...tolerances),
    credentialHeaders: new Set(definition.schemes.flatMap((s) => s.credentialsIn?.headers ?? [])),
    credentialQuery: new Set(definition.schemes.flatMap((s) => s.credentialsIn?.query ?? [])),
    bodyIsCredential: definition.schemes.some((s) => s.credentialsIn?.body === true),
    connectionChecks: definition.schemes.filter((s) => s.checksConnection === true),
    eventType: findProvider(definition.provider)?.eventType,
  };
}

/**
 * Checks a signing secret before it is stored (at start-up and through the admin API): no malformed
 * `whsec_` whatever the scheme, and a secret each of the endpoint's schemes can use. The error never
 * quotes the secret.
 * @internal
 */
export function validateSigningSecret(endpoint: Pick<ResolvedEndpoint, 'schemes'>, secret: string | Buffer): void {
  // The schemes first: their messages are the more specific ones.
  assertNotPlaceholder(secret);
  for (const scheme of endpoint.schemes) scheme.validateSecret?.(secret);
  assertWhsecFormat(secret);
}
