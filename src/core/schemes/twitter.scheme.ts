import { HmacScheme } from '../engines/hmac.engine';

/**
 * X (Twitter) Account Activity API: `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of
 * the body>`, keyed with the app's consumer secret (API key secret), not the bearer token.
 * @publicApi
 */
export class TwitterScheme extends HmacScheme {
  constructor() {
    // X sends JSON objects only; a body equal to a CRC token is then never a delivery.
    super({
      name: 'twitter',
      header: 'x-twitter-webhooks-signature',
      prefix: 'sha256=',
      encoding: 'base64',
      jsonObjectBody: true,
    });
  }
}
