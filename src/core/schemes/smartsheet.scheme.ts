import { HmacScheme } from '../engines/hmac.engine';

/**
 * Smartsheet: `Smartsheet-Hmac-SHA256: <hex HMAC-SHA256 of the body>`, keyed with the webhook's
 * `sharedSecret`. The callback's `nonce` field is the message id.
 * @publicApi
 */
export class SmartsheetScheme extends HmacScheme {
  constructor() {
    super({ name: 'smartsheet', header: 'smartsheet-hmac-sha256', idField: 'nonce' });
  }
}
