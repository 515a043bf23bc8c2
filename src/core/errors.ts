/** Where a code can be answered: webhook routes (the guard), the admin API, or both. */
export type WebhookErrorScope = 'webhook' | 'admin' | 'both';

/** One entry of the error catalogue. @publicApi */
export interface WebhookErrorEntry {
  readonly status: number;
  readonly scope: WebhookErrorScope;
  readonly meaning: string;
}

/**
 * Every `code` Hookwarden answers, with its HTTP status and meaning: the one catalogue. The
 * exceptions take their status from it, the admin filter its codes for bare HTTP errors, the
 * README its error table (generated: `src/core/errors.spec.ts` fails when it is stale), and a test
 * checks that every code literal in src/ is listed. Codes never change meaning.
 * @publicApi
 */
export const WEBHOOK_ERRORS = {
  // --- webhook routes: the guard's refusals (also recorded in the event log as `reason`) ---
  missing_header: { status: 400, scope: 'webhook', meaning: 'A required header is missing.' },
  invalid_header: { status: 400, scope: 'webhook', meaning: 'A header is not in its format.' },
  raw_body_missing: {
    status: 400,
    scope: 'webhook',
    meaning: 'No raw body: the app was created without `rawBody: true`.',
  },
  invalid_body: {
    status: 400,
    scope: 'both',
    meaning:
      'The body is not what its content type says (malformed JSON; X or Zoom: not a JSON object), or an HMAC scheme’s signed content is made only of challenge-token characters.',
  },
  invalid_challenge: {
    status: 400,
    scope: 'webhook',
    meaning: 'A challenge token too long, not printable or missing; a handshake secret refused.',
  },
  timestamp_too_old: { status: 401, scope: 'webhook', meaning: 'The signed timestamp is older than the tolerance.' },
  timestamp_too_new: {
    status: 401,
    scope: 'webhook',
    meaning: 'The signed timestamp is further in the future than the tolerance.',
  },
  no_matching_signature: { status: 401, scope: 'webhook', meaning: 'No signature matches a live secret.' },
  no_secret_configured: { status: 401, scope: 'webhook', meaning: 'The endpoint has no live secret (fail closed).' },
  bad_credentials: { status: 401, scope: 'webhook', meaning: 'Basic auth or an API key missing or wrong.' },
  challenge_verification_failed: { status: 401, scope: 'webhook', meaning: 'A challenge’s verify token is wrong.' },
  verification_failed: {
    status: 401,
    scope: 'webhook',
    meaning:
      'A scheme failed unexpectedly while verifying; refused (fail closed) and logged by error class only (a setup error, such as a library that cannot load, with its message).',
  },
  ip_not_allowed: { status: 403, scope: 'webhook', meaning: 'The peer address is not in the endpoint’s allow-list.' },
  client_certificate_rejected: {
    status: 403,
    scope: 'webhook',
    meaning: 'The client certificate is missing or refused.',
  },
  handshake_refused: {
    status: 409,
    scope: 'webhook',
    meaning: 'A second secret-delivering handshake (Asana) for an endpoint that has a secret.',
  },
  unsupported_media_type: { status: 415, scope: 'both', meaning: 'An unsupported charset or content type.' },
  endpoint_misconfigured: {
    status: 500,
    scope: 'webhook',
    meaning:
      'The route’s webhook configuration cannot work (start-up checks refuse this; only metadata changed at run time gets here); the server log says why.',
  },
  key_source_unavailable: {
    status: 503,
    scope: 'webhook',
    meaning:
      'The provider’s key host (a fetched public key or certificate) could not be reached in time or answered nonsense; the provider’s retry delivers it again.',
  },
  delivery_in_progress: {
    status: 503,
    scope: 'webhook',
    meaning: 'A copy of a delivery whose handler has not answered yet (`Retry-After`).',
  },
  // --- both ---
  storage_unavailable: {
    status: 503,
    scope: 'both',
    meaning:
      'The database cannot be reached in time (`Retry-After`). On a webhook route the delivery is not acknowledged and the provider’s retry delivers it again.',
  },
  payload_too_large: { status: 413, scope: 'both', meaning: 'A body over the limit.' },
  invalid_path: { status: 400, scope: 'both', meaning: 'The request path has a malformed percent-encoding.' },
  path_too_long: { status: 414, scope: 'both', meaning: 'A segment of the request path is too long (Fastify).' },
  invalid_request: {
    status: 400,
    scope: 'both',
    meaning: 'The request could not be read (Fastify refused it before routing).',
  },
  not_found: {
    status: 404,
    scope: 'both',
    meaning: 'No route for this method and path (webhook routes: with `WebhookNotFoundFilter`).',
  },
  // --- admin API ---
  validation_failed: {
    status: 400,
    scope: 'admin',
    meaning:
      'A body or query field is wrong; `errors: [{ field, messages }]` lists each one (unknown fields too). Values are never echoed.',
  },
  invalid_cursor: { status: 400, scope: 'admin', meaning: 'The cursor is not one this API returned.' },
  secret_required: {
    status: 400,
    scope: 'admin',
    meaning: 'No `secret` given for a provider that issues a public key: nothing can be generated.',
  },
  invalid_secret: {
    status: 400,
    scope: 'admin',
    meaning:
      'The endpoint’s scheme cannot use the secret, or a `whsec_` secret whose rest is not base64 of 24–64 bytes (such as the placeholder `whsec_…`).',
  },
  invalid_grace_period: {
    status: 400,
    scope: 'admin',
    meaning: 'The grace period is not a whole number of seconds in range.',
  },
  missing_admin_token: {
    status: 401,
    scope: 'admin',
    meaning: 'No `Authorization` header (`WWW-Authenticate: Bearer realm="hookwarden-admin"`).',
  },
  malformed_admin_token: {
    status: 401,
    scope: 'admin',
    meaning: 'The `Authorization` header is not `Bearer <token>`.',
  },
  invalid_admin_token: { status: 401, scope: 'admin', meaning: 'The admin token is wrong.' },
  invalid_csrf_token: {
    status: 403,
    scope: 'admin',
    meaning: "A console form's CSRF token does not match its cookie (a stale form, or a post from another site).",
  },
  unknown_endpoint: {
    status: 404,
    scope: 'both',
    meaning:
      'No webhook endpoint has this name (on a route of run-time endpoints: none, or a disabled one; recorded under `-`).',
  },
  endpoint_exists: { status: 409, scope: 'admin', meaning: 'An endpoint of this name exists already.' },
  endpoint_changed: {
    status: 409,
    scope: 'admin',
    meaning:
      'The endpoint changed while the request ran (another request, or another instance): read it again, then retry.',
  },
  too_many_endpoints: { status: 409, scope: 'admin', meaning: 'The maximum number of run-time endpoints exists.' },
  invalid_endpoint: {
    status: 400,
    scope: 'admin',
    meaning:
      'The endpoint definition cannot work (unknown preset, a missing URL, a CEL rule that does not compile: the message names the field and position).',
  },
  unknown_secret_name: { status: 404, scope: 'admin', meaning: 'The endpoint declares no named secret of this name.' },
  unknown_version: { status: 404, scope: 'admin', meaning: 'The endpoint has no such secret version.' },
  unknown_event: { status: 404, scope: 'admin', meaning: 'No event has this id.' },
  unknown_job: { status: 404, scope: 'admin', meaning: 'No inbox job has this id.' },
  job_not_retryable: { status: 409, scope: 'admin', meaning: 'Only a failed or dead job can be retried.' },
  event_not_replayable: {
    status: 409,
    scope: 'admin',
    meaning:
      'The event has no succeeded or dead job of these handlers, or (with `reverify`) the stored event does not match the seal made on acceptance (altered, copied, cut, unsealed, or its key no longer in the ring).',
  },
  too_many_versions: {
    status: 409,
    scope: 'admin',
    meaning: '10 older versions are still live: revoke one first.',
  },
  shared_secret: {
    status: 409,
    scope: 'admin',
    meaning:
      'Another endpoint holds this secret, and a challenge answer of one could pass as a delivery signature of the other.',
  },
  internal_error: { status: 500, scope: 'admin', meaning: 'Anything unexpected; logged by error class only.' },
  // --- admin API: HTTP errors raised without a code (a body parser, the platform) ---
  bad_request: { status: 400, scope: 'admin', meaning: 'A 400 that came without a code (an unreadable body).' },
  unauthorized: { status: 401, scope: 'admin', meaning: 'A 401 from the app’s own guard.' },
  forbidden: {
    status: 403,
    scope: 'admin',
    meaning: 'Your own guard said no.',
  },
  method_not_allowed: { status: 405, scope: 'admin', meaning: 'A 405 that came without a code.' },
  conflict: { status: 409, scope: 'admin', meaning: 'A 409 that came without a code.' },
  too_many_requests: { status: 429, scope: 'admin', meaning: 'A 429 (the app’s rate limiter).' },
  service_unavailable: { status: 503, scope: 'admin', meaning: 'A 503 that came without a code.' },
} as const satisfies Record<string, WebhookErrorEntry>;

/** Every code of the catalogue. @publicApi */
export type WebhookCatalogueCode = keyof typeof WEBHOOK_ERRORS;

/** The HTTP status of a code; 401 (fail closed) for a code outside the catalogue. */
export function statusOf(code: string): number {
  return Object.hasOwn(WEBHOOK_ERRORS, code) ? WEBHOOK_ERRORS[code as WebhookCatalogueCode].status : 401;
}

/**
 * Stable, machine-readable reasons a webhook request is refused (the guard's codes of
 * {@link WEBHOOK_ERRORS}). They appear in HTTP answers (`code`), in the event log (`reason`) and in
 * metrics, so they never change meaning.
 * @publicApi
 */
export const WebhookErrorCode = {
  MissingHeader: 'missing_header',
  InvalidHeader: 'invalid_header',
  TimestampTooOld: 'timestamp_too_old',
  TimestampTooNew: 'timestamp_too_new',
  NoMatchingSignature: 'no_matching_signature',
  NoSecretConfigured: 'no_secret_configured',
  RawBodyMissing: 'raw_body_missing',
  InvalidBody: 'invalid_body',
  IpNotAllowed: 'ip_not_allowed',
  ClientCertificateRejected: 'client_certificate_rejected',
  BadCredentials: 'bad_credentials',
  InvalidChallenge: 'invalid_challenge',
  ChallengeVerificationFailed: 'challenge_verification_failed',
  HandshakeRefused: 'handshake_refused',
  VerificationFailed: 'verification_failed',
  UnsupportedMediaType: 'unsupported_media_type',
  EndpointMisconfigured: 'endpoint_misconfigured',
  DeliveryInProgress: 'delivery_in_progress',
  StorageUnavailable: 'storage_unavailable',
  KeySourceUnavailable: 'key_source_unavailable',
} as const satisfies Record<string, WebhookCatalogueCode>;

/** @publicApi */
export type WebhookErrorCode = (typeof WebhookErrorCode)[keyof typeof WebhookErrorCode];

/**
 * The only error the core verification functions throw for a bad request. Its message is safe to
 * show to the sender: it never contains a secret, a signature or a computed digest.
 * @publicApi
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';

  constructor(
    readonly code: WebhookErrorCode | (string & {}),
    message: string,
  ) {
    super(message);
  }
}

/**
 * Thrown while the module starts when its configuration cannot work (an unknown endpoint name, a
 * secret in the wrong format, an option out of range, …). It names what to fix. Should one escape
 * while serving a request, the guard answers `endpoint_misconfigured` (500, coded) and logs it.
 * @publicApi
 */
export class WebhookConfigurationError extends Error {
  override readonly name = 'WebhookConfigurationError';
}
