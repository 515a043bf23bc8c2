import { ApiKeyScheme } from '../auth/api-key.scheme';

/**
 * Okta Event Hooks: Okta signs nothing; each request carries the authorization header configured on
 * the hook (`channel.config.authScheme`, usually `Authorization: <secret>`), compared in constant
 * time with the endpoint's live secrets (rotatable). A missing or wrong value is `bad_credentials`.
 * The body's `eventId` is the message id.
 * @publicApi
 */
export class OktaScheme extends ApiKeyScheme {
  constructor(options: { header?: string } = {}) {
    super({ name: 'okta', header: options.header ?? 'authorization', idField: 'eventId' });
  }
}
