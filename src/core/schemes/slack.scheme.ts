import { HmacScheme } from '../engines/hmac.engine';

/** @publicApi */
export interface SlackSchemeOptions {
  /**
   * How far `X-Slack-Request-Timestamp` may be from the time of receipt, in either direction.
   * @default 300 (Slack's SDKs)
   */
  readonly toleranceSeconds?: number;
}

/**
 * Slack's v0 request signing: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">`
 * with `X-Slack-Request-Timestamp`, keyed with the app's Signing Secret. Covers Events API JSON,
 * slash commands and interactivity forms alike, since the raw bytes are signed. The Events API's
 * `event_id` is the message id (forms carry none).
 * @publicApi
 */
export class SlackScheme extends HmacScheme {
  constructor(options: SlackSchemeOptions = {}) {
    super({
      name: 'slack',
      header: 'x-slack-signature',
      prefix: 'v0=',
      template: 'v0:{timestamp}:{body}',
      timestampHeader: 'x-slack-request-timestamp',
      toleranceSeconds: options.toleranceSeconds ?? 300,
      idField: 'event_id',
    });
  }
}
