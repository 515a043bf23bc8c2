// Every provider Hookwarden knows, one entry per preset. The README's provider table, the CLI's
// provider list, `nestjs-hookwarden/testing` and the conformance spec are all driven by this list:
// a new provider is its own file and one line here.
import { adobeIoProvider } from './adobe-io';
import { asanaProvider } from './asana';
import { boxProvider } from './box';
import { discordProvider } from './discord';
import { dropboxProvider } from './dropbox';
import { githubProvider } from './github';
import { intercomProvider } from './intercom';
import { linearProvider } from './linear';
import { mailgunProvider } from './mailgun';
import { instagramProvider, metaProvider, whatsappProvider } from './meta';
import { msGraphProvider } from './ms-graph';
import { oktaProvider } from './okta';
import { paddleProvider } from './paddle';
import { pagerdutyProvider } from './pagerduty';
import { DEVTOOLS_A_PROVIDERS } from './groups/devtools-a.catalogue';
import { DEVTOOLS_B_PROVIDERS } from './groups/devtools-b.catalogue';
import { ENGINES_A_PROVIDERS } from './groups/engines-a.catalogue';
import { ENGINES_B_PROVIDERS } from './groups/engines-b.catalogue';
import { EXTRA_PROVIDERS } from './groups/extra.catalogue';
import { PAYMENTS_A_PROVIDERS } from './groups/payments-a.catalogue';
import { PAYMENTS_B_PROVIDERS } from './groups/payments-b.catalogue';
import type { WebhookProvider } from './provider';
import { sendgridProvider } from './sendgrid';
import { shopifyProvider } from './shopify';
import { slackProvider } from './slack';
import { smartsheetProvider } from './smartsheet';
import { squareProvider } from './square';
import { standardWebhooksProvider, svixProvider } from './standard-webhooks';
import { standardWebhooksAsymmetricProvider } from './standard-webhooks-asymmetric';
import { stravaProvider } from './strava';
import { stripeProvider } from './stripe';
import { trelloProvider } from './trello';
import { twilioProvider } from './twilio';
import { twitchProvider } from './twitch';
import { twitterProvider } from './twitter';
import { zoomProvider } from './zoom';

/**
 * The providers with a preset, in the README's order.
 * @publicApi
 */
export const WEBHOOK_PROVIDERS: readonly WebhookProvider[] = [
  standardWebhooksProvider,
  svixProvider,
  standardWebhooksAsymmetricProvider,
  stripeProvider,
  paddleProvider,
  githubProvider,
  slackProvider,
  shopifyProvider,
  zoomProvider,
  twitchProvider,
  metaProvider,
  whatsappProvider,
  instagramProvider,
  dropboxProvider,
  trelloProvider,
  asanaProvider,
  twilioProvider,
  squareProvider,
  boxProvider,
  pagerdutyProvider,
  linearProvider,
  mailgunProvider,
  intercomProvider,
  twitterProvider,
  smartsheetProvider,
  msGraphProvider,
  oktaProvider,
  discordProvider,
  sendgridProvider,
  adobeIoProvider,
  stravaProvider,
  ...PAYMENTS_A_PROVIDERS,
  ...PAYMENTS_B_PROVIDERS,
  ...DEVTOOLS_A_PROVIDERS,
  ...DEVTOOLS_B_PROVIDERS,
  ...ENGINES_A_PROVIDERS,
  ...ENGINES_B_PROVIDERS,
  ...EXTRA_PROVIDERS,
] as readonly WebhookProvider[];

/**
 * The catalogue entry of a provider by its id (`stripe`), or `undefined`.
 * @publicApi
 */
export function findProvider(id: string): WebhookProvider | undefined {
  return WEBHOOK_PROVIDERS.find((provider) => provider.id === id);
}
