import { HmacScheme } from '../engines/hmac.engine';
import { assertPublicUrl } from '../engines/scheme-support';

/** @publicApi */
export interface TrelloSchemeOptions {
  /**
   * The callback URL exactly as registered with Trello, query string included: Trello signs it.
   * Behind a proxy the Host header cannot be trusted, so it is configuration, never read from the request.
   */
  readonly callbackUrl: string;
}

/**
 * Trello: `X-Trello-Webhook: <base64 HMAC-SHA1 of body + callbackURL>`, keyed with the app's OAuth
 * secret (not the API token). The action's `action.id` is the message id.
 * @publicApi
 */
export class TrelloScheme extends HmacScheme {
  constructor(options: TrelloSchemeOptions) {
    super({
      name: 'trello',
      header: 'x-trello-webhook',
      algorithm: 'sha1',
      encoding: 'base64',
      template: '{body}{url}',
      url: assertPublicUrl(options?.callbackUrl, 'callbackUrl', 'trello'),
      idField: 'action.id',
    });
  }
}
