// `nestjs-hookwarden/providers`: one file per provider (its signature as data for a core engine, its
// challenge, its preset), the catalogue that lists them, and the generic endpoints. The root entry
// re-exports the presets.
export { WEBHOOK_PROVIDERS, findProvider } from './catalogue';
export {
  defineProvider,
  type WebhookProvider,
  type SigningScheme,
  type ProviderSettings,
  type DeliveryField,
  type ChallengeRequest,
  type ChallengeRequestInput,
} from './provider';
export * from './challenges';
export type { WebhookEndpointDefinition, SecretInput } from './endpoint-definition';
export type { PresetOptions, SecretOrSecrets } from './preset-options';
export { standardWebhooks, svix, type StandardWebhooksPresetOptions } from './standard-webhooks';
export {
  standardWebhooksAsymmetric,
  type StandardWebhooksAsymmetricPresetOptions,
} from './standard-webhooks-asymmetric';
export { github, type GitHubPresetOptions } from './github';
export { stripe, type StripePresetOptions } from './stripe';
export { paddle } from './paddle';
export * from './groups/payments-a';
export * from './groups/payments-b';
export * from './groups/devtools-a';
export * from './groups/devtools-b';
export * from './groups/engines-a';
export * from './groups/engines-b';
export * from './groups/extra';
export { slack, type SlackPresetOptions } from './slack';
export { shopify, type ShopifyPresetOptions } from './shopify';
export { zoom, type ZoomPresetOptions } from './zoom';
export { twitch, type TwitchPresetOptions } from './twitch';
export { meta, whatsapp, instagram, type MetaPresetOptions } from './meta';
export { dropbox, type DropboxPresetOptions } from './dropbox';
export { trello, type TrelloPresetOptions } from './trello';
export { asana, type AsanaPresetOptions } from './asana';
export { twilio, type TwilioPresetOptions } from './twilio';
export { square, type SquarePresetOptions } from './square';
export { box, type BoxPresetOptions } from './box';
export { pagerduty, type PagerDutyPresetOptions } from './pagerduty';
export { linear, type LinearPresetOptions } from './linear';
export { mailgun, type MailgunPresetOptions } from './mailgun';
export { intercom, type IntercomPresetOptions } from './intercom';
export { twitter, type TwitterPresetOptions } from './twitter';
export { smartsheet, type SmartsheetPresetOptions } from './smartsheet';
export { msGraph, type MsGraphPresetOptions } from './ms-graph';
export { okta, type OktaPresetOptions } from './okta';
export { discord, type DiscordPresetOptions } from './discord';
export { sendgrid, type SendGridPresetOptions } from './sendgrid';
export { adobeIo, type AdobeIoPresetOptions } from './adobe-io';
export { strava, type StravaPresetOptions } from './strava';
export {
  hmacEndpoint,
  apiKeyEndpoint,
  basicAuthEndpoint,
  type GenericEndpointOptions,
  type HmacEndpointOptions,
  type ApiKeyEndpointOptions,
  type BasicAuthEndpointOptions,
} from './generic';
