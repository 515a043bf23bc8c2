import type { WebhookSecret } from '../../core/secret';
import {
  assertRoomForVersion,
  checkNewSecret,
  SecretStoreError,
  type AddSecretOptions,
  type SecretStore,
  type SecretVersionInfo,
} from '../secret-store.interface';

interface StoredSecret extends WebhookSecret {
  createdAt: Date;
  expiresAt?: Date;
  revokedAt?: Date;
  lastUsedAt?: Date;
}

/**
 * Secrets held in process memory: the default when no database is configured, and for tests.
 * Rotation follows the same rules as the durable store; nothing survives a restart except what the
 * options seed again.
 * @publicApi
 */
export class InMemorySecretStore implements SecretStore {
  private readonly endpoints = new Map<string, StoredSecret[]>();

  constructor(private readonly now: () => number = Date.now) {}

  getLiveSecrets(endpoint: string): readonly WebhookSecret[] {
    const versions = this.endpoints.get(endpoint);
    if (!versions) return [];
    const now = this.now();
    // Newest first: during a rotation the new secret is the one most requests use.
    const live: WebhookSecret[] = [];
    for (let i = versions.length - 1; i >= 0; i--) {
      if (isLive(versions[i], now)) live.push(versions[i]);
    }
    return live;
  }

  async addSecret(
    endpoint: string,
    secret: string | Buffer,
    options: AddSecretOptions = {},
  ): Promise<SecretVersionInfo> {
    const grace = checkNewSecret(secret, options);
    const versions = this.endpoints.get(endpoint) ?? [];
    const now = this.now();
    const live = versions.filter((v) => isLive(v, now));
    assertRoomForVersion(endpoint, live.length);
    const expiresAt = new Date(now + grace * 1000);
    for (const old of live) {
      if (!old.expiresAt || old.expiresAt > expiresAt) old.expiresAt = expiresAt;
    }
    const stored: StoredSecret = {
      version: (versions.at(-1)?.version ?? 0) + 1,
      value: secret,
      createdAt: new Date(now),
    };
    versions.push(stored);
    this.endpoints.set(endpoint, versions);
    return toInfo(endpoint, stored);
  }

  async addFirstSecret(endpoint: string, secret: string | Buffer): Promise<SecretVersionInfo | undefined> {
    // Checked and written in one synchronous step: no other call can run in between.
    if (this.getLiveSecrets(endpoint).length > 0) return undefined;
    return this.addSecret(endpoint, secret, { gracePeriodSeconds: 0 });
  }

  async revokeSecret(endpoint: string, version: number): Promise<void> {
    const stored = this.endpoints.get(endpoint)?.find((v) => v.version === version);
    if (!stored) {
      throw new SecretStoreError('unknown_version', `Endpoint "${endpoint}" has no secret version ${version}.`);
    }
    stored.revokedAt ??= new Date(this.now());
  }

  async listSecrets(endpoint: string): Promise<readonly SecretVersionInfo[]> {
    return (this.endpoints.get(endpoint) ?? []).map((v) => toInfo(endpoint, v)).reverse();
  }

  async seedSecrets(endpoint: string, secrets: readonly (string | Buffer)[]): Promise<void> {
    const versions = this.endpoints.get(endpoint) ?? [];
    for (const secret of secrets) {
      if (versions.some((v) => sameSecret(v.value, secret))) continue;
      versions.push({ version: (versions.at(-1)?.version ?? 0) + 1, value: secret, createdAt: new Date(this.now()) });
    }
    this.endpoints.set(endpoint, versions);
  }

  markUsed(endpoint: string, version: number): void {
    const stored = this.endpoints.get(endpoint)?.find((v) => v.version === version);
    if (stored) stored.lastUsedAt = new Date(this.now());
  }
}

function isLive(secret: StoredSecret, now: number): boolean {
  return !secret.revokedAt && (!secret.expiresAt || secret.expiresAt.getTime() > now);
}

function sameSecret(a: string | Buffer, b: string | Buffer): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/** @internal */
export function secretHint(value: string | Buffer): string {
  const text = Buffer.isBuffer(value) ? value.toString('hex') : value;
  return text.length > 8 ? text.slice(-4) : '';
}

function toInfo(endpoint: string, s: StoredSecret): SecretVersionInfo {
  return {
    endpoint,
    version: s.version,
    hint: secretHint(s.value),
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    revokedAt: s.revokedAt,
    lastUsedAt: s.lastUsedAt,
  };
}
