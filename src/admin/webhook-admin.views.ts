import type { StoredWebhookEvent } from '../storage/event-log.interface';
import type { SecretVersionInfo } from '../storage/secret-store.interface';
import type { WebhookEventSummaryView, WebhookSecretVersionView } from './admin.dto';

// The admin API's answers built from what the stores hold: dates as ISO strings, absent fields left out.

export function toSecretView(info: SecretVersionInfo, now: number): WebhookSecretVersionView {
  const status = info.revokedAt
    ? 'revoked'
    : info.expiresAt
      ? info.expiresAt.getTime() > now
        ? 'expiring'
        : 'expired'
      : 'active';
  return {
    version: info.version,
    status,
    hint: info.hint,
    createdAt: info.createdAt.toISOString(),
    ...(info.expiresAt ? { expiresAt: info.expiresAt.toISOString() } : {}),
    ...(info.revokedAt ? { revokedAt: info.revokedAt.toISOString() } : {}),
    ...(info.lastUsedAt ? { lastUsedAt: info.lastUsedAt.toISOString() } : {}),
  };
}

export function toSummary(event: StoredWebhookEvent): WebhookEventSummaryView {
  return {
    id: event.id,
    endpoint: event.endpoint,
    provider: event.provider,
    ...(event.messageId !== undefined ? { messageId: event.messageId } : {}),
    status: event.status,
    ...(event.reason !== undefined ? { reason: event.reason } : {}),
    ...(event.eventType !== undefined ? { eventType: event.eventType } : {}),
    receivedAt: event.receivedAt.toISOString(),
    ...(event.signedAt ? { signedAt: event.signedAt.toISOString() } : {}),
    ...(event.secretVersion !== undefined ? { secretVersion: event.secretVersion } : {}),
    method: event.method,
    path: event.path,
    bodySize: event.bodySize,
    bodySha256: event.bodySha256,
    ...(event.occurrences !== undefined ? { occurrences: event.occurrences } : {}),
  };
}
