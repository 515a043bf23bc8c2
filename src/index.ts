// nestjs-hookwarden: the module, its guard and decorators, one preset per provider, the stores and the
// errors. More in the other entries: `/core` (signature engines, authenticators, challenge strategies),
// `/providers` (the catalogue, provider challenges, preset option types), `/typeorm` (PostgreSQL
// storage), `/admin` (admin API types), `/testing` (signed deliveries for your tests).

// nest: module, guard, decorators
export { WebhookModule } from './nest/webhook.module';
export type { WebhookModuleOptions, WebhookModuleExtras } from './nest/webhook-module-options.interface';
export { WebhookGuard } from './nest/webhook.guard';
export {
  WebhookEndpoint,
  WebhookEvent,
  WebhookChallenge,
  type WebhookEndpointSelector,
} from './nest/webhook.decorators';
export { WebhookVerifier, type VerifiedWebhook, type WebhookOutcome } from './nest/webhook-verifier.service';
export { useWebhookBodyParsers, type WebhookBodyParserOptions } from './nest/body-parsers';
export { WebhookException, type WebhookErrorBody } from './nest/webhook.exceptions';
export { WebhookNotFoundFilter } from './nest/webhook-response.filter';
export { WebhookMetrics, type WebhookMetricsExtras } from './nest/webhook-metrics';
export {
  WebhookHealthIndicator,
  WEBHOOK_INBOX_HEALTH,
  type WebhookHealthOptions,
  type WebhookHealthResult,
  type WebhookInboxHealth,
} from './nest/webhook-health.indicator';

// providers: one-line endpoint presets, generic endpoints, and what composes with them
export {
  standardWebhooks,
  svix,
  standardWebhooksAsymmetric,
  stripe,
  paddle,
  github,
  slack,
  shopify,
  zoom,
  twitch,
  meta,
  whatsapp,
  instagram,
  dropbox,
  trello,
  asana,
  twilio,
  square,
  box,
  pagerduty,
  linear,
  mailgun,
  intercom,
  twitter,
  smartsheet,
  msGraph,
  okta,
  discord,
  sendgrid,
  adobeIo,
  strava,
  hmacEndpoint,
  apiKeyEndpoint,
  basicAuthEndpoint,
  type WebhookEndpointDefinition,
  type PresetOptions,
  type SecretOrSecrets,
  type SecretInput,
} from './providers';
// the presets added from the providers research, one line each in src/providers/groups/*.ts
export * from './providers/groups/payments-a';
export * from './providers/groups/payments-b';
export * from './providers/groups/devtools-a';
export * from './providers/groups/devtools-b';
export * from './providers/groups/engines-a';
export * from './providers/groups/engines-b';
export * from './providers/groups/extra';
export { hmacSignature, apiKey, basicAuth, ipAllowList, mutualTls, declarativeChallenge, anyOf } from './core';

// core: errors and the types a custom scheme or strategy implements
export {
  WEBHOOK_ERRORS,
  WebhookErrorCode,
  WebhookVerificationError,
  WebhookConfigurationError,
  type WebhookCatalogueCode,
} from './core/errors';
export type { WebhookRequest } from './core/request';
export type { WebhookSecret } from './core/secret';
export type { SignatureScheme, SignatureVerification, VerifyContext } from './core/signature-scheme';
export type { ChallengeStrategy, ChallengeContext, ChallengeResponse } from './core/challenge-strategy';

// storage: the interfaces, and the in-memory stores (PostgreSQL: `nestjs-hookwarden/typeorm`)
export { SecretStore, SecretStoreError, type SecretVersionInfo } from './storage/secret-store.interface';
export {
  EventLog,
  EventLogReader,
  EventLogUnavailableError,
  type StoredWebhookEvent,
  type WebhookEventStatus,
  type WebhookEventQuery,
  type WebhookEventPage,
  type WebhookActivityQuery,
  type WebhookActivityCount,
  type EventSealCheck,
} from './storage/event-log.interface';
export { AuditLog, type AuditEntry } from './storage/audit-log.interface';
export { InMemorySecretStore } from './storage/in-memory/in-memory-secret-store';
export { InMemoryEventLog } from './storage/in-memory/in-memory-event-log';
export { InMemoryAuditLog } from './storage/in-memory/in-memory-audit-log';
export {
  EndpointStore,
  EndpointStoreError,
  type StoredEndpoint,
  type EndpointWrite,
  type EndpointLimits,
} from './storage/endpoint-store.interface';
export { InMemoryEndpointStore } from './storage/in-memory/in-memory-endpoint-store';

// admin: loading the entry registers the opt-in REST API (the module's `admin` option turns it on)
import './admin';

// the durable inbox: handlers by event type, run after the 2xx with retries (README "Processing after the 2xx")
export { OnWebhook, type OnWebhookOptions, type WebhookJobContext } from './nest/inbox/on-webhook.decorator';
export { WebhookDispatch } from './nest/inbox/webhook-dispatch';
export type { WebhookInboxOptions } from './nest/inbox/inbox-options';
export { RetryLater, type InboxJobState } from './core/inbox/inbox-decisions';
export {
  WebhookInbox,
  type InboxWork,
  type InboxJob,
  type StoredInboxJob,
  type InboxJobFilter,
  type InboxJobQuery,
  type InboxJobPage,
  type InboxStats,
} from './storage/inbox.interface';
export { InMemoryInbox } from './storage/in-memory/in-memory-inbox';
