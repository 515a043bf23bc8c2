import { HmacScheme } from '../engines/hmac.engine';

/**
 * Asana: `X-Hook-Signature: <hex HMAC-SHA256 of the body>`, keyed with the `X-Hook-Secret` the
 * webhook handshake delivered (see `asanaChallenge()`). No timestamp or message id.
 * @publicApi
 */
export class AsanaScheme extends HmacScheme {
  constructor() {
    super({ name: 'asana', header: 'x-hook-signature' });
  }
}
