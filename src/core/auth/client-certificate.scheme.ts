import { constantTimeEqual } from '../constant-time';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import type { ClientCertificate, WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';

/** @publicApi */
export interface ClientCertificateOptions {
  /**
   * Shown in logs and the admin API.
   * @default 'mutual-tls'
   */
  readonly name?: string;
  /**
   * SHA-256 fingerprints of the accepted certificates (pinning), as `openssl x509 -fingerprint
   * -sha256` prints them or as plain hex, in any case.
   */
  readonly fingerprints?: readonly string[];
  /**
   * Subject fields the certificate must have (`{ CN: 'hooks.partner.example', O: 'Partner Inc' }`),
   * each with one accepted value or several. Every value the certificate has for a listed field
   * must be accepted, so a certificate with two common names cannot pass on the one that matches.
   */
  readonly subject?: Readonly<Record<string, string | readonly string[]>>;
}

const FINGERPRINT = /^(?:[0-9a-fA-F]{2}:){31}[0-9a-fA-F]{2}$|^[0-9a-fA-F]{64}$/;

/**
 * Mutual TLS: the client certificate must have been verified by Node.js against the server's `ca`
 * (`authorized`), and match every configured check (fingerprint and/or subject). Otherwise
 * `client_certificate_rejected` (403). The TLS server must request certificates
 * (`requestCert: true`); behind a proxy that terminates TLS, the app never sees them.
 * @publicApi
 */
export class ClientCertificateScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret = false;
  /** Judges the connection: no HMAC. */
  readonly refusesChallengeAnswers = true;
  readonly checksConnection = true;
  private readonly fingerprints?: readonly Buffer[];
  private readonly subject?: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(options: ClientCertificateOptions) {
    this.name = options.name ?? 'mutual-tls';
    if (!options.fingerprints?.length && !Object.keys(options.subject ?? {}).length) {
      throw new WebhookConfigurationError(`The ${this.name} scheme needs \`fingerprints\` or \`subject\` to check.`);
    }
    if (options.fingerprints?.length) {
      this.fingerprints = options.fingerprints.map((value) => {
        const bytes = parseFingerprint(value);
        if (!bytes) throw new WebhookConfigurationError(`${this.name}: "${value}" is not a SHA-256 fingerprint.`);
        return bytes;
      });
    }
    const fields = Object.entries(options.subject ?? {});
    if (fields.length > 0) {
      this.subject = new Map(
        fields.map(([field, accepted]) => {
          const values = typeof accepted === 'string' ? [accepted] : [...accepted];
          if (values.length === 0 || values.some((value) => value.length === 0)) {
            throw new WebhookConfigurationError(`${this.name}: subject field ${field} needs a non-empty value.`);
          }
          return [field, new Set(values)];
        }),
      );
    }
  }

  verify(request: WebhookRequest, _secrets: readonly WebhookSecret[], _context: VerifyContext): SignatureVerification {
    const certificate = request.clientCertificate;
    if (!certificate) throw rejected('No client certificate was presented.');
    if (!certificate.authorized) throw rejected('The client certificate is not signed by a trusted authority.');
    if (this.fingerprints && !this.fingerprintMatches(certificate)) {
      throw rejected('The client certificate is not one this endpoint accepts.');
    }
    if (this.subject && !this.subjectMatches(certificate)) {
      throw rejected('The client certificate subject is not one this endpoint accepts.');
    }
    return {};
  }

  private fingerprintMatches(certificate: ClientCertificate): boolean {
    const presented = certificate.fingerprint256 ? parseFingerprint(certificate.fingerprint256) : undefined;
    return presented !== undefined && this.fingerprints!.some((expected) => constantTimeEqual(expected, presented));
  }

  private subjectMatches(certificate: ClientCertificate): boolean {
    for (const [field, accepted] of this.subject!) {
      const value = certificate.subject?.[field];
      const values = value === undefined ? [] : typeof value === 'string' ? [value] : value;
      if (values.length === 0 || !values.every((one) => accepted.has(one))) return false;
    }
    return true;
  }
}

/**
 * Builds a {@link ClientCertificateScheme}.
 * @publicApi
 * @example mutualTls({ subject: { CN: 'webhooks.partner.example' } })
 */
export function mutualTls(options: ClientCertificateOptions): ClientCertificateScheme {
  return new ClientCertificateScheme(options);
}

function rejected(message: string): WebhookVerificationError {
  return new WebhookVerificationError(WebhookErrorCode.ClientCertificateRejected, message);
}

function parseFingerprint(value: string): Buffer | undefined {
  return FINGERPRINT.test(value) ? Buffer.from(value.replace(/:/g, ''), 'hex') : undefined;
}
