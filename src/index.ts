// The public API of nestjs-hookwarden. Everything a user imports is listed here, by name.

// core: framework-free verification
export {
  WEBHOOK_ERRORS,
  WebhookErrorCode,
  WebhookVerificationError,
  WebhookConfigurationError,
  type WebhookCatalogueCode,
  type WebhookErrorEntry,
  type WebhookErrorScope,
} from './core/errors';
export { constantTimeEqual, constantTimeEqualString } from './core/constant-time';
export type { WebhookRequest, ClientCertificate } from './core/request';
export type { WebhookSecret } from './core/secret';
export { decodeStandardSecret, generateStandardSecret } from './core/secret';
export type { SignatureScheme, SignatureVerification, VerifyContext } from './core/signature-scheme';
export { redactHeaders, redactUrl } from './core/redact';
export type { ChallengeStrategy, ChallengeKind, ChallengeContext, ChallengeResponse } from './core/challenge-strategy';
export {
  StandardWebhooksScheme,
  signStandardWebhook,
  type StandardWebhooksOptions,
} from './core/schemes/standard-webhooks.scheme';

// core: generic authenticators (compose them in an endpoint's `schemes` or a preset's `also`)
export { HmacScheme, hmacSignature, type HmacSchemeOptions, type HmacAlgorithm } from './core/engines/hmac.engine';
export { ApiKeyScheme, apiKey, type ApiKeyOptions } from './core/auth/api-key.scheme';
export {
  BasicAuthScheme,
  basicAuth,
  type BasicAuthOptions,
  type BasicCredentials,
} from './core/auth/basic-auth.scheme';
export {
  IpAllowListScheme,
  ipAllowList,
  type IpAllowListOptions,
  type TrustedProxies,
} from './core/auth/ip-allow-list.scheme';
export {
  ClientCertificateScheme,
  mutualTls,
  type ClientCertificateOptions,
} from './core/auth/client-certificate.scheme';

// core: the providers' signature schemes (the presets below build endpoints from them)
export {
  StandardWebhooksAsymmetricScheme,
  decodeStandardPublicKey,
} from './core/schemes/standard-webhooks-asymmetric.scheme';
export { GitHubScheme } from './core/schemes/github.scheme';
export { StripeScheme, type StripeSchemeOptions } from './core/schemes/stripe.scheme';
export { SlackScheme, type SlackSchemeOptions } from './core/schemes/slack.scheme';
export { ShopifyScheme } from './core/schemes/shopify.scheme';
export { ZoomScheme, type ZoomSchemeOptions } from './core/schemes/zoom.scheme';
export { TwitchScheme, type TwitchSchemeOptions } from './core/schemes/twitch.scheme';
export { MetaScheme } from './core/schemes/meta.scheme';
export { DropboxScheme } from './core/schemes/dropbox.scheme';
export { TrelloScheme, type TrelloSchemeOptions } from './core/schemes/trello.scheme';
export { AsanaScheme } from './core/schemes/asana.scheme';
export { TwilioScheme, type TwilioSchemeOptions } from './core/schemes/twilio.scheme';
export { SquareScheme, type SquareSchemeOptions } from './core/schemes/square.scheme';
export { BoxScheme, type BoxSchemeOptions } from './core/schemes/box.scheme';
export { PagerDutyScheme } from './core/schemes/pagerduty.scheme';
export { LinearScheme, type LinearSchemeOptions } from './core/schemes/linear.scheme';
export { MailgunScheme, type MailgunSchemeOptions } from './core/schemes/mailgun.scheme';
export { IntercomScheme } from './core/schemes/intercom.scheme';
export { TwitterScheme } from './core/schemes/twitter.scheme';
export { SmartsheetScheme } from './core/schemes/smartsheet.scheme';
export { MsGraphScheme } from './core/schemes/ms-graph.scheme';
export { OktaScheme } from './core/schemes/okta.scheme';
export { StravaScheme, type StravaSchemeOptions } from './core/schemes/strava.scheme';
export { DiscordScheme, type DiscordSchemeOptions } from './core/schemes/discord.scheme';
export { SendGridScheme, type SendGridSchemeOptions } from './core/schemes/sendgrid.scheme';
export { AdobeIoScheme, type AdobeIoSchemeOptions } from './core/schemes/adobe-io.scheme';

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
  COMPUTED_TOKEN_PATTERN,
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
// (every preset and its options type, listed in src/providers/index.ts)
export * from './providers';

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
  DeliveryInProgressError,
  InvalidCursorError,
  type DuplicateState,
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
export { namedSecretKey } from './nest/webhook-storage-parts';
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
export { WebhookNotFoundFilter } from './nest/webhook-response.filter';

// admin: the opt-in REST API (mounted by the `admin` extra; loading it registers the mount)
import './admin/webhook-admin';
export type { WebhookAdminExtras, WebhookAdminOptions } from './nest/webhook-admin-mount';
export type {
  WebhookEndpointView,
  WebhookNamedSecretView,
  WebhookRotatedSecretView,
  WebhookSecretVersionView,
  WebhookEventSummaryView,
  WebhookEventPageView,
  WebhookEventDetailView,
  WebhookAdminErrorView,
  RotateWebhookSecretDto,
  ListWebhookEventsQueryDto,
  WebhookSecretNameQueryDto,
} from './admin/admin.dto';
