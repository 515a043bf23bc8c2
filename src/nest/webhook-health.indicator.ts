import { Inject, Injectable, Optional } from '@nestjs/common';
import { WebhookConfigurationError } from '../core/errors';
import { EventLog } from '../storage/event-log.interface';
import { SecretStore, type SecretVersionInfo } from '../storage/secret-store.interface';
import type { ResolvedWebhookConfig } from './webhook-config';
import { WEBHOOK_CONFIG } from './webhook.constants';

/** Thresholds of {@link WebhookHealthIndicator.isHealthy}. @publicApi */
export interface WebhookHealthOptions {
  /** Down when more rows than this wait for a group-commit batch. @default 1000 */
  maxQueueDepth?: number;
  /** Down when the inbox's oldest pending work is older than this. @default 300 */
  maxInboxLagSeconds?: number;
  /** Secrets whose grace period ends within this are reported (never down). @default 86400 */
  secretExpiryWarningSeconds?: number;
}

/**
 * What the inbox reports to the indicator: provided under {@link WEBHOOK_INBOX_HEALTH} by the
 * module's inbox (both stores); without one, or while it is not `active`, the inbox is not checked.
 * @publicApi
 */
export interface WebhookInboxHealth {
  /** `false` while the inbox does not run (no `@OnWebhook` handler). @default true */
  readonly active?: boolean;
  /** Seconds since the oldest due job became due; 0 when none waits. */
  lagSeconds(): Promise<number>;
}

/** Injection token of the {@link WebhookInboxHealth}. @publicApi */
export const WEBHOOK_INBOX_HEALTH = Symbol('hookwarden:inbox-health');

/** The result terminus expects: `{ [key]: { status, ...details } }`. @publicApi */
export type WebhookHealthResult = Record<string, { status: 'up' | 'down' } & Record<string, unknown>>;

/**
 * A health indicator for `@nestjs/terminus` 11 or 12 (it does not import terminus; with 10 its check
 * throws, see {@link unsupportedTerminus}): up when
 * the event log is writable with its queue below the threshold, the secret store's LISTEN
 * connection is alive (TypeORM storage) and the inbox's lag is below its threshold. Secrets about
 * to expire are listed in the details. Down is a returned `down` result, which terminus answers
 * with 503.
 * @publicApi
 * @example this.health.check([() => this.webhooks.isHealthy('webhooks')])
 */
@Injectable()
export class WebhookHealthIndicator {
  constructor(
    @Inject(EventLog) private readonly eventLog: EventLog,
    @Inject(SecretStore) private readonly secrets: SecretStore,
    @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
    @Optional() @Inject(WEBHOOK_INBOX_HEALTH) private readonly inbox?: WebhookInboxHealth,
  ) {}

  /** The reading of the stores in flight, shared by the checks that come meanwhile. */
  private reading?: Promise<StoreReadings>;

  /**
   * The installed terminus's version, read once (it is an optional peer). Checked on use, not at
   * start-up: an app that has terminus 10 for its own checks, and never calls this one, must start.
   */
  protected terminusVersion(): string | undefined {
    return installedTerminusVersion();
  }

  async isHealthy(key = 'hookwarden', options: WebhookHealthOptions = {}): Promise<WebhookHealthResult> {
    // Thrown, not returned as `down`: terminus 10 would count a `down` result as up (200).
    const unsupported = unsupportedTerminus(this.terminusVersion());
    if (unsupported) throw new WebhookConfigurationError(unsupported);
    const maxQueueDepth = options.maxQueueDepth ?? 1000;
    const problems: string[] = [];
    const readings = await this.readStores();
    const writable = readings.writable;
    if (!writable) problems.push('event log not writable');
    const queueDepth = this.eventLog.queueDepth?.() ?? 0;
    if (queueDepth > maxQueueDepth) problems.push(`event log queue above ${maxQueueDepth}`);
    const details: Record<string, unknown> = { eventLog: { writable, queueDepth } };
    // Only the TypeORM store has a LISTEN connection (it tells the instances about rotations).
    const listening = (this.secrets as { listening?: boolean }).listening;
    if (listening !== undefined) {
      details.secretListener = { connected: listening };
      if (!listening) problems.push('secret change listener disconnected');
    }
    if (this.inbox && this.inbox.active !== false) {
      const maxLag = options.maxInboxLagSeconds ?? 300;
      const lagSeconds = readings.lagSeconds;
      details.inbox = { lagSeconds: lagSeconds ?? null };
      if (lagSeconds === undefined) problems.push('inbox lag unknown: its store did not answer');
      else if (!(lagSeconds <= maxLag)) problems.push(`inbox lag above ${maxLag}s`);
    }
    details.expiringSecrets = expiringSecrets(readings.secrets, options.secretExpiryWarningSeconds ?? 86_400);
    if (problems.length === 0) return { [key]: { status: 'up', ...details } };
    // Returned, not thrown: terminus 11 and 12 count a `down` result as an error (503), while a
    // thrown error that is not their own class is a 500 in terminus 12.
    return { [key]: { status: 'down', problems, ...details } };
  }

  /**
   * What the stores answer, read once for every check that comes while a reading is in flight: a
   * health route is often public, and a flood of checks must cost one reading at a time, not one
   * each. A check gets the reading in flight at its call, never one that had already ended. A
   * reading that hangs (a silent connection) is given up after {@link HEALTH_READING_DEADLINE_MS}:
   * down, and the next check reads again rather than joining it.
   */
  private readStores(): Promise<StoreReadings> {
    if (!this.reading) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<StoreReadings>((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), HEALTH_READING_DEADLINE_MS);
        timer.unref();
      });
      this.reading = Promise.race([this.readStoresNow(), deadline]).finally(() => {
        clearTimeout(timer);
        this.reading = undefined;
      });
    }
    return this.reading;
  }

  private async readStoresNow(): Promise<StoreReadings> {
    const writable = this.eventLog.checkWritable ? await this.eventLog.checkWritable().catch(() => false) : true;
    const lagSeconds =
      this.inbox && this.inbox.active !== false ? await this.inbox.lagSeconds().catch(() => undefined) : undefined;
    const secrets: Array<{ endpoint: string; versions: readonly SecretVersionInfo[] }> = [];
    for (const endpoint of this.config.endpoints.keys()) {
      try {
        secrets.push({ endpoint, versions: await this.secrets.listSecrets(endpoint) });
      } catch {
        // An endpoint whose secrets cannot be read has none to report.
      }
    }
    return { writable, lagSeconds, secrets };
  }
}

/** How long a check waits for the stores before it answers down. @internal */
export const HEALTH_READING_DEADLINE_MS = 5000;

/** What {@link WebhookHealthIndicator} reads from the stores for a check. */
interface StoreReadings {
  readonly writable: boolean;
  /** `undefined`: no inbox runs, or its store did not answer. */
  readonly lagSeconds: number | undefined;
  readonly secrets: ReadonlyArray<{ endpoint: string; versions: readonly SecretVersionInfo[] }>;
}

/** The reading of stores that did not answer within the deadline. */
const TIMED_OUT: StoreReadings = { writable: false, lagSeconds: undefined, secrets: [] };

/** Versions still live whose grace period ends within `withinSeconds`. */
function expiringSecrets(
  secrets: StoreReadings['secrets'],
  withinSeconds: number,
): Array<{ endpoint: string; version: number; expiresAt: string }> {
  const now = Date.now();
  const horizon = now + withinSeconds * 1000;
  const expiring: Array<{ endpoint: string; version: number; expiresAt: string }> = [];
  for (const { endpoint, versions } of secrets) {
    for (const v of versions) {
      if (v.revokedAt || !v.expiresAt) continue;
      const at = v.expiresAt.getTime();
      if (at > now && at <= horizon)
        expiring.push({ endpoint, version: v.version, expiresAt: v.expiresAt.toISOString() });
    }
  }
  return expiring;
}

/**
 * Why the installed terminus cannot run this indicator, if it cannot: terminus 10 counts a returned
 * `down` result as up (200), so an outage would look healthy. The peer range admits 10 so that a
 * Nest 10 app that has it installs the package; only this indicator needs 11 or 12.
 * @internal
 */
export function unsupportedTerminus(version: string | undefined): string | undefined {
  const major = version === undefined ? undefined : Number(version.split('.')[0]);
  if (major === undefined || !(major < 11)) return undefined;
  return (
    `WebhookHealthIndicator needs @nestjs/terminus 11 or 12; @nestjs/terminus ${version} answers 200 for a down ` +
    'result. `npm install @nestjs/terminus@11` (it supports Nest 10).'
  );
}

let terminusVersionRead: { version: string | undefined } | undefined;

/** The installed terminus's version, when it can be read (it is an optional peer); read once. */
function installedTerminusVersion(): string | undefined {
  if (terminusVersionRead) return terminusVersionRead.version;
  terminusVersionRead = { version: readTerminusVersion() };
  return terminusVersionRead.version;
}

function readTerminusVersion(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('@nestjs/terminus/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}
