// `nestjs-hookwarden/core`: the framework-free building blocks: signature engines (each verifies and
// signs from one definition), authenticators, challenge strategies and the helpers they share. The
// root entry holds what most applications import; this holds the rest, for writing your own.
export * from './errors';
export { constantTimeEqual, constantTimeEqualString } from './constant-time';
export { redactHeaders, redactUrl } from './redact';
export type { WebhookRequest, ClientCertificate } from './request';
export { decodeStandardSecret, generateStandardSecret, type WebhookSecret } from './secret';
export type {
  SignatureScheme,
  SignatureVerification,
  SignInput,
  SignedDelivery,
  VerifyContext,
} from './signature-scheme';
export type { ChallengeStrategy, ChallengeKind, ChallengeContext, ChallengeResponse } from './challenge-strategy';

// signature engines: providers are data for these
export {
  HmacScheme,
  hmacSignature,
  type HmacSchemeOptions,
  type HmacAlgorithm,
  type HmacDigestOptions,
  type TimestampFormat,
} from './engines/hmac.engine';
export { TimestampedListScheme, type TimestampedListSchemeOptions } from './engines/timestamped-list.engine';
export { AsymmetricScheme, asymmetricSignature, type AsymmetricSchemeOptions } from './engines/asymmetric.engine';
export type { AsymmetricAlgorithm, PublicKeyFormat } from './engines/public-keys';
export { UrlParamsScheme, urlParamsSignature, type UrlParamsSchemeOptions } from './engines/url-params.engine';
export { BodyFieldsScheme, bodyFieldsSignature, type BodyFieldsSchemeOptions } from './engines/body-fields.engine';
export {
  JwtScheme,
  jwtSignature,
  type JwsAlgorithm,
  type JwsHeader,
  type JwtClaimChecks,
  type JwtSchemeOptions,
} from './engines/jwt.engine';
export { DigestScheme, digestSignature, type DigestSchemeOptions } from './engines/digest.engine';
export {
  SignedHeadersScheme,
  signedHeadersSignature,
  type SignedHeadersSchemeOptions,
} from './engines/signed-headers.engine';

// authenticators that compose with any scheme
export { ApiKeyScheme, apiKey, type ApiKeyOptions } from './auth/api-key.scheme';
export { BasicAuthScheme, basicAuth, type BasicAuthOptions, type BasicCredentials } from './auth/basic-auth.scheme';
export {
  IpAllowListScheme,
  ipAllowList,
  type IpAllowListOptions,
  type TrustedProxies,
} from './auth/ip-allow-list.scheme';
export { ClientCertificateScheme, mutualTls, type ClientCertificateOptions } from './auth/client-certificate.scheme';

// challenge strategies, declarative rules and token safety
export * from './challenges';
export {
  RetryLater,
  matchesEventType,
  handlerMatches,
  backoffDelay,
  decideAfterFailure,
  describeJobError,
  INBOX_JOB_STATES,
  type InboxJobState,
  type BackoffSettings,
} from './inbox/inbox-decisions';
