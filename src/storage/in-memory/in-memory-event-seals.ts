import { createHash } from 'node:crypto';
import type {
  EventSealCheck,
  StoredWebhookEvent,
  WebhookEventRecord,
  WebhookEventStatus,
} from '../event-log.interface';
import { EventSealer, storedContentType } from '../event-seal';

/** The seal of an in-memory event. @internal */
export interface InMemorySeal {
  readonly keyId: string;
  readonly seal: Buffer;
}

type Stored = Omit<StoredWebhookEvent, 'bodySha256'>;

/**
 * The in-memory log's seals: under a random key of this process (nothing here outlives it), made
 * only for accepted events with inbox work, as the TypeORM log does; the others pay nothing.
 * @internal
 */
export class InMemoryEventSeals {
  private readonly sealer = EventSealer.random();

  /** The seal of an event about to be stored as `stored`, its whole `body` hashed once here. */
  sealOf(
    event: WebhookEventRecord,
    status: WebhookEventStatus,
    stored: Stored,
    body: Buffer,
  ): InMemorySeal | undefined {
    if (status !== 'accepted' || event.work === undefined || event.work.length === 0) return undefined;
    return this.sealer.seal({
      ...textOf(stored),
      status,
      bodySha256: createHash('sha256').update(body).digest(),
      bodySize: body.length,
    });
  }

  /** Recomputes the seal over the stored event (its stored body hashed again). */
  check(stored: Stored, seal: InMemorySeal | undefined): EventSealCheck {
    return this.sealer.check({
      ...textOf(stored),
      status: stored.status,
      body: stored.body ?? Buffer.alloc(0),
      bodySize: stored.bodySize,
      seal: seal?.seal,
      sealKeyId: seal?.keyId,
    });
  }
}

function textOf(stored: Stored) {
  return {
    endpoint: stored.endpoint,
    messageId: stored.messageId,
    eventType: stored.eventType,
    contentType: storedContentType(stored.headers),
  };
}
