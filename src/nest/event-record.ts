import { redactHeaders, redactUrl } from '../core/redact';
import { replayWindowEnd } from '../core/delivery/dedupe';
import type { SignatureVerification } from '../core/signature-scheme';
import type { WebhookEventRecord } from '../storage/event-log.interface';
import { readEventType } from './event-type';
import type { IncomingWebhook } from './http-request';
import type { ResolvedEndpoint } from './webhook-config';

/**
 * The event-log record of a request: redacted headers and URL, the body unless it is the
 * credential, the replay window, and the event type of a verified request.
 * @internal
 */
export function toEventRecord(
  endpoint: ResolvedEndpoint,
  incoming: IncomingWebhook,
  receivedAt: number,
  status: WebhookEventRecord['status'],
  verification: SignatureVerification,
  reason?: string,
): WebhookEventRecord {
  return {
    endpoint: endpoint.name,
    provider: endpoint.provider,
    messageId: verification.messageId,
    status,
    reason,
    // Only what a verified request says: a rejected one's type is whatever its sender wrote.
    ...(status !== 'rejected' ? { eventType: readEventType(endpoint.eventType, incoming) } : {}),
    secretVersion: verification.secretVersion,
    receivedAt: new Date(receivedAt),
    signedAt: verification.signedAt,
    replayWindowEndsAt: new Date(replayWindowEnd(endpoint, verification.signedAt, receivedAt)),
    method: incoming.method,
    path: redactUrl(incoming.url, endpoint.credentialQuery),
    headers: redactHeaders(incoming.headers, endpoint.credentialHeaders),
    body: incoming.rawBody ?? Buffer.alloc(0),
    // Where the body is the credential, only its size and digest are safe to keep.
    storeBody: !endpoint.bodyIsCredential,
  };
}
