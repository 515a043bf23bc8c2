import { HmacScheme } from '../engines/hmac.engine';

/** @publicApi */
export interface TwitchSchemeOptions {
  /**
   * How far `Twitch-Eventsub-Message-Timestamp` may be from the time of receipt.
   * @default 600 (Twitch: "reject messages older than 10 minutes")
   */
  readonly toleranceSeconds?: number;
}

/**
 * Twitch EventSub (webhook transport): `Twitch-Eventsub-Message-Signature: sha256=<hex HMAC-SHA256
 * of id + timestamp + body>`, no separators, keyed with the subscription's `secret`. The timestamp
 * (RFC 3339 with nanoseconds) is signed exactly as received; `Twitch-Eventsub-Message-Id` is the id.
 * @publicApi
 */
export class TwitchScheme extends HmacScheme {
  constructor(options: TwitchSchemeOptions = {}) {
    super({
      name: 'twitch',
      header: 'twitch-eventsub-message-signature',
      prefix: 'sha256=',
      template: '{id}{timestamp}{body}',
      idHeader: 'twitch-eventsub-message-id',
      timestampHeader: 'twitch-eventsub-message-timestamp',
      timestampFormat: 'rfc3339',
      toleranceSeconds: options.toleranceSeconds ?? 600,
    });
  }
}
