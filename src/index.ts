// The public API of nestjs-hookwarden. Everything a user imports is listed here, by name.

// core: framework-free verification
export { WebhookErrorCode, WebhookVerificationError, WebhookConfigurationError } from './core/errors';
export { constantTimeEqual, constantTimeEqualString } from './core/constant-time';
export type { WebhookRequest, ClientCertificate } from './core/request';
export type { WebhookSecret } from './core/secret';
export { decodeStandardSecret, generateStandardSecret } from './core/secret';
export type { SignatureScheme, SignatureVerification, VerifyContext } from './core/signature-scheme';
export { redactHeaders } from './core/redact';
export type { ChallengeStrategy, ChallengeKind, ChallengeContext, ChallengeResponse } from './core/challenge-strategy';
export {
  StandardWebhooksScheme,
  signStandardWebhook,
  type StandardWebhooksOptions,
} from './core/schemes/standard-webhooks.scheme';

// core: challenge strategies and declarative rules
export {
  TokenEchoStrategy,
  HeaderCodeStrategy,
  StatusOnlyStrategy,
  ComputedHmacStrategy,
  AnyOfChallengeStrategy,
  anyOf,
  DeclarativeChallengeStrategy,
  declarativeChallenge,
  assertSafeToken,
  isSafeToken,
  readBody,
  readField,
  DEFAULT_MAX_TOKEN_LENGTH,
  DEFAULT_TOKEN_PATTERN,
  type TokenEchoOptions,
  type HeaderCodeOptions,
  type StatusOnlyOptions,
  type ComputedHmacOptions,
  type ChallengeHmacAlgorithm,
  type TokenSafetyOptions,
  type RequestField,
  type RequestMatch,
  type ChallengeMatcher,
  type DeclarativeChallengeRule,
  type DeclarativeChallengeToken,
  type DeclarativeVerifyToken,
  type DeclarativeSecret,
} from './core/challenges';

// providers: the challenge of each provider
export {
  slackChallenge,
  metaChallenge,
  stravaChallenge,
  zoomChallenge,
  twitterChallenge,
  xChallenge,
  twitchChallenge,
  asanaChallenge,
  smartsheetChallenge,
  adobeSignChallenge,
  adobeIoChallenge,
  trelloChallenge,
  dropboxChallenge,
  msGraphChallenge,
  oktaChallenge,
  type ProviderChallengeOptions,
  type SlackChallengeOptions,
  type VerifyTokenChallengeOptions,
  type AdobeSignChallengeOptions,
} from './providers/challenges';

// providers: one-line endpoint presets
export type { WebhookEndpointDefinition, SecretInput } from './providers/endpoint-definition';
export { standardWebhooks, svix, type StandardWebhooksPresetOptions } from './providers/standard-webhooks';

// storage: pluggable secret store and event log
export {
  SecretStore,
  SecretStoreError,
  DEFAULT_GRACE_PERIOD_SECONDS,
  MAX_GRACE_PERIOD_SECONDS,
  MAX_LIVE_OLD_VERSIONS,
  type SecretVersionInfo,
  type AddSecretOptions,
} from './storage/secret-store.interface';
export {
  EventLog,
  EventLogReader,
  EventLogUnavailableError,
  InvalidCursorError,
  type WebhookEventRecord,
  type WebhookEventStatus,
  type StoredWebhookEvent,
  type WebhookEventQuery,
  type WebhookEventPage,
} from './storage/event-log.interface';
export { AuditLog, type AuditEntry } from './storage/audit-log.interface';
export { InMemorySecretStore } from './storage/in-memory/in-memory-secret-store';
export { InMemoryAuditLog } from './storage/in-memory/in-memory-audit-log';
export { InMemoryEventLog, type InMemoryEventLogOptions } from './storage/in-memory/in-memory-event-log';

// nest: module, guard, decorators, exceptions
export { WebhookModule } from './nest/webhook.module';
export { WEBHOOK_MODULE_OPTIONS } from './nest/webhook.module-definition';
export type { WebhookModuleOptions, WebhookModuleExtras } from './nest/webhook-module-options.interface';
export { WebhookGuard } from './nest/webhook.guard';
export { WebhookEndpoint, WebhookEvent, WebhookChallenge } from './nest/webhook.decorators';
export { namedSecretKey } from './nest/webhook-storage.providers';
export { WebhookVerifier, type VerifiedWebhook, type WebhookOutcome } from './nest/webhook-verifier.service';
export type { IncomingWebhook } from './nest/http-request';
export {
  WebhookException,
  WebhookUnauthorizedException,
  WebhookBadRequestException,
  WebhookForbiddenException,
  WebhookConflictException,
  type WebhookErrorBody,
} from './nest/webhook.exceptions';
export { useWebhookBodyParsers, type WebhookBodyParserOptions } from './nest/body-parsers';
