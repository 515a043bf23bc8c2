import type { WebhookSecret } from '../core/secret';

/** The state of one secret version, as the admin API shows it. Never holds the secret itself. @publicApi */
export interface SecretVersionInfo {
  readonly endpoint: string;
  readonly version: number;
  /** The last 4 characters of the secret, so an operator can tell versions apart. */
  readonly hint: string;
  readonly createdAt: Date;
  /** When a newer version was added: the end of this one's grace period. */
  readonly expiresAt?: Date;
  readonly revokedAt?: Date;
  readonly lastUsedAt?: Date;
}

/** @publicApi */
export interface AddSecretOptions {
  /**
   * How long the versions already live stay valid beside the new one, in seconds (0 to 604800).
   * @default 86400
   */
  gracePeriodSeconds?: number;
}

/** Default grace for the previous secret after a rotation: 24 h. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 86_400;
/** A previous secret stays valid for 7 days at the most. */
export const MAX_GRACE_PERIOD_SECONDS = 604_800;
/** At most this many older versions may still be live (not expired, not revoked) for one endpoint. */
export const MAX_LIVE_OLD_VERSIONS = 10;

/**
 * Where endpoint secrets live. `getLiveSecrets` runs on every request and must answer from memory;
 * the other methods are the rotation operations the admin API calls.
 *
 * Keep implementations backwards compatible: this interface is versioned with the package.
 * @publicApi
 */
export interface SecretStore {
  /** Live versions of the endpoint's secret (not revoked, not expired), newest first. */
  getLiveSecrets(endpoint: string): readonly WebhookSecret[] | Promise<readonly WebhookSecret[]>;
  /** Adds a new version; older live versions expire after the grace period. */
  addSecret(endpoint: string, secret: string | Buffer, options?: AddSecretOptions): Promise<SecretVersionInfo>;
  /** Revokes a version at once. */
  revokeSecret(endpoint: string, version: number): Promise<void>;
  /** All versions of the endpoint, newest first, without their values. */
  listSecrets(endpoint: string): Promise<readonly SecretVersionInfo[]>;
  /**
   * Stores the secret a handshake hands over (Asana's `X-Hook-Secret`) as a new version, but only
   * when the endpoint has no live secret; otherwise changes nothing and resolves `undefined`. The
   * check and the write are one atomic step: of concurrent calls (on any instance sharing the
   * store) exactly one stores its secret. Optional for backwards compatibility; without it, the
   * module checks and writes in two steps, which concurrent handshakes can race.
   */
  addFirstSecret?(endpoint: string, secret: string | Buffer): Promise<SecretVersionInfo | undefined>;
  /** Adds the configured secrets that the store does not hold yet (idempotent, run on start). */
  seedSecrets(endpoint: string, secrets: readonly (string | Buffer)[]): Promise<void>;
  /** Notes that a version verified a request (stores may throttle the write). */
  markUsed?(endpoint: string, version: number): void;
}

/** Injection token of the {@link SecretStore} (the interface and its token share a name). @publicApi */
export const SecretStore = Symbol('WebhookSecretStore');

/** Why a rotation or revocation was refused; the admin API maps these to 404 and 409. @publicApi */
export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
  constructor(
    readonly code: 'unknown_version' | 'too_many_versions' | 'invalid_grace_period' | 'invalid_secret',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The grace period of a rotation, checked, after checking the new secret: the rules every store
 * applies before it writes anything.
 * @internal
 */
export function checkNewSecret(secret: string | Buffer, options: AddSecretOptions = {}): number {
  const grace = options.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS;
  if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_PERIOD_SECONDS) {
    throw new SecretStoreError(
      'invalid_grace_period',
      `gracePeriodSeconds must be a whole number from 0 to ${MAX_GRACE_PERIOD_SECONDS}.`,
    );
  }
  if (secret.length === 0) throw new SecretStoreError('invalid_secret', 'A secret must not be empty.');
  return grace;
}

/** Refuses a rotation past {@link MAX_LIVE_OLD_VERSIONS} live versions. @internal */
export function assertRoomForVersion(endpoint: string, liveVersions: number): void {
  if (liveVersions > MAX_LIVE_OLD_VERSIONS) {
    throw new SecretStoreError(
      'too_many_versions',
      `Endpoint "${endpoint}" already has ${MAX_LIVE_OLD_VERSIONS} older live secrets; revoke one first.`,
    );
  }
}
