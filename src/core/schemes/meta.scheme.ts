import { HmacScheme } from '../engines/hmac.engine';

/**
 * Meta (Facebook, Messenger, Instagram, WhatsApp Cloud API): `X-Hub-Signature-256: sha256=<hex
 * HMAC-SHA256 of the body>`, keyed with the App Secret. Meta signs the escaped-unicode payload it
 * sends, which is the raw body as received; it is never re-serialised. No timestamp, no message id.
 * The legacy SHA-1 `X-Hub-Signature` is not accepted.
 * @publicApi
 */
export class MetaScheme extends HmacScheme {
  constructor() {
    super({ name: 'meta', header: 'x-hub-signature-256', prefix: 'sha256=' });
  }
}
