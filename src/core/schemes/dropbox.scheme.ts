import { HmacScheme } from '../engines/hmac.engine';

/**
 * Dropbox: `X-Dropbox-Signature: <hex HMAC-SHA256 of the body>`, keyed with the app secret. No
 * prefix, timestamp or message id.
 * @publicApi
 */
export class DropboxScheme extends HmacScheme {
  constructor() {
    super({ name: 'dropbox', header: 'x-dropbox-signature' });
  }
}
