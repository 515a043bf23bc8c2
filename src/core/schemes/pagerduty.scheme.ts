import { HmacScheme } from '../engines/hmac.engine';

/**
 * PagerDuty v3 webhooks: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`, each a hex HMAC-SHA256 of
 * the body keyed with a subscription secret used as its ASCII text (it looks like base64 but is not
 * decoded). Several `v1=` entries arrive while PagerDuty rolls its secret; any one matching is
 * enough. `event.id` is the message id.
 * @publicApi
 */
export class PagerDutyScheme extends HmacScheme {
  constructor() {
    super({ name: 'pagerduty', header: 'x-pagerduty-signature', prefix: 'v1=', separator: ',', idField: 'event.id' });
  }
}
