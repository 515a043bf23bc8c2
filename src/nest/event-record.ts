import { redactHeaders, redactUrl } from '../core/redact';
import { replayWindowEnd } from '../core/delivery/dedupe';
import type { SignatureVerification } from '../core/signature-scheme';
import type { WebhookEventRecord } from '../storage/event-log.interface';
import type { IncomingWebhook } from './http-request';
import type { ResolvedEndpoint } from './webhook-config';

/** What the verifier adds to a record beyond the request and its verification. @internal */
export interface EventRecordExtras {
  /** What duplicates are recognised by; present (even `undefined`) it replaces the scheme's id. */
  readonly messageId?: string;
  readonly reason?: string;
  /** Read once per delivery by the verifier (see readEventType); only for verified requests. */
  readonly eventType?: string;
  readonly leaseToken?: string;
  readonly traceContext?: WebhookEventRecord['traceContext'];
  readonly work?: WebhookEventRecord['work'];
}

/**
 * The event-log record of a request: redacted headers and URL, the body unless it is the
 * credential, the replay window, and what the verifier adds. Built as one object literal: it is on
 * every request's path.
 * @internal
 */
export function toEventRecord(
  endpoint: ResolvedEndpoint,
  incoming: IncomingWebhook,
  receivedAt: number,
  status: WebhookEventRecord['status'],
  verification: SignatureVerification,
  extras: EventRecordExtras = {},
): WebhookEventRecord {
  const record: WebhookEventRecord = {
    endpoint: endpoint.name,
    provider: endpoint.provider,
    // The verifier's key when it gives one, even `undefined` (an unsigned id is never a key).
    messageId: 'messageId' in extras ? extras.messageId : verification.messageId,
    status,
    reason: extras.reason,
    // Only what a verified request says: a rejected one's type is whatever its sender wrote.
    eventType: status !== 'rejected' ? extras.eventType : undefined,
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
    leaseToken: extras.leaseToken,
    traceContext: extras.traceContext,
    work: extras.work,
  };
  return record;
}
