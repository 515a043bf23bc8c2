import { HmacScheme } from '../engines/hmac.engine';
import { assertPublicUrl } from '../engines/scheme-support';

/** @publicApi */
export interface SquareSchemeOptions {
  /**
   * The notification URL exactly as configured in the Square subscription: Square signs it byte for
   * byte. Behind a proxy the Host header cannot be trusted, so it is configuration, never read from the request.
   */
  readonly notificationUrl: string;
}

/**
 * Square: `x-square-hmacsha256-signature: <base64 HMAC-SHA256 of notificationUrl + body>`, keyed
 * with the subscription's signature key. The body's `event_id` is the message id.
 * @publicApi
 */
export class SquareScheme extends HmacScheme {
  constructor(options: SquareSchemeOptions) {
    super({
      name: 'square',
      header: 'x-square-hmacsha256-signature',
      encoding: 'base64',
      template: '{url}{body}',
      url: assertPublicUrl(options?.notificationUrl, 'notificationUrl', 'square'),
      idField: 'event_id',
    });
  }
}
