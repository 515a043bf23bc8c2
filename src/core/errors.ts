/**
 * Stable, machine-readable reasons a webhook request is refused. They appear in HTTP answers
 * (`code`), in the event log (`reason`) and in metrics, so they never change meaning.
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
  /** The body is not what its content type says (malformed JSON), or a signature field in it is malformed (400). */
  InvalidBody: 'invalid_body',
  /** The peer's address is not in the endpoint's allow-list (403). */
  IpNotAllowed: 'ip_not_allowed',
  /** No client certificate, or not one the endpoint accepts (403). */
  ClientCertificateRejected: 'client_certificate_rejected',
  /** Basic auth or an API key missing or wrong (401). */
  BadCredentials: 'bad_credentials',
  /** A challenge request that cannot be answered: token too long, not printable, missing (400). */
  InvalidChallenge: 'invalid_challenge',
  /** A challenge whose verify token does not match the endpoint's (401). */
  ChallengeVerificationFailed: 'challenge_verification_failed',
  /** A handshake that would replace the signing secret of an endpoint that already has one (409). */
  HandshakeRefused: 'handshake_refused',
} as const;

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
 * secret in the wrong format, …). It names what to fix; it is never thrown while serving requests.
 * @publicApi
 */
export class WebhookConfigurationError extends Error {
  override readonly name = 'WebhookConfigurationError';
}
