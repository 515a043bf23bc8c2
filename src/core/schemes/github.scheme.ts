import { HmacScheme } from '../engines/hmac.engine';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, keyed with the webhook
 * secret as UTF-8. GitHub signs no timestamp; `X-GitHub-Delivery` (kept across redeliveries) is the
 * message id. That header is not signed, so it drops redeliveries but cannot stop a deliberate replay.
 * `X-GitHub-Event` (unsigned too) enters the content dedupe key, so no two events are merged.
 * @publicApi
 */
export class GitHubScheme extends HmacScheme {
  constructor() {
    super({
      name: 'github',
      header: 'x-hub-signature-256',
      prefix: 'sha256=',
      idHeader: 'x-github-delivery',
      // The event name is only in this unsigned header (payloads carry an `action`, not the event).
      eventTypeHeader: 'x-github-event',
    });
  }
}
