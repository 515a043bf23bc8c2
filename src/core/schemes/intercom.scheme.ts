import { HmacScheme } from '../engines/hmac.engine';

/**
 * Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>`, keyed with the app's
 * `client_secret`. The notification's `id` is the message id.
 * @publicApi
 */
export class IntercomScheme extends HmacScheme {
  constructor() {
    super({ name: 'intercom', header: 'x-hub-signature', prefix: 'sha1=', algorithm: 'sha1', idField: 'id' });
  }
}
