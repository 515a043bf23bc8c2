// The demo's endpoints: one per provider preset, mounted at /webhooks/<name>, plus `custom`, an
// endpoint whose challenge is a declarative rule. Every secret comes from an environment variable
// (seeded on start) or the admin API; an endpoint without a live secret refuses every delivery.
import { randomBytes } from 'node:crypto';
import type { ConfigService } from '@nestjs/config';
import { declarativeChallenge, standardWebhooks, svix, type WebhookEndpointDefinition } from '../index';
import { generateStandardSecret } from '../core';
import {
  adobeIo,
  asana,
  box,
  discord,
  dropbox,
  github,
  hmacEndpoint,
  instagram,
  intercom,
  linear,
  mailgun,
  meta,
  msGraph,
  okta,
  pagerduty,
  sendgrid,
  shopify,
  slack,
  smartsheet,
  square,
  standardWebhooksAsymmetric,
  strava,
  stripe,
  trello,
  twilio,
  twitch,
  twitter,
  whatsapp,
  zoom,
} from '../providers';

/** The HTTP methods a provider's URL verification challenge arrives with. */
export type ChallengeMethod = 'GET' | 'HEAD' | 'POST';

/** The secrets of one endpoint, as read from the environment, and where the demo is reached. */
export interface DemoSecrets {
  readonly secret?: string;
  readonly named: Readonly<Record<string, string | undefined>>;
  /** `PUBLIC_URL`, else `http://localhost:<PORT>`: the base of the URLs registered with providers. */
  readonly publicUrl: string;
}

export interface DemoEndpoint {
  /** The endpoint's name, and its path under /webhooks. */
  readonly name: string;
  /** The provider, as the README and the start-up message name it. */
  readonly title: string;
  /**
   * The challenge-only secrets (`verify-token`, …) the endpoint reads, each settable with
   * `<NAME>_<SECRET_NAME>` (META_VERIFY_TOKEN) or `?name=` on the admin secrets routes.
   */
  readonly namedSecrets?: readonly string[];
  /** The methods of the provider's challenge; those routes carry @WebhookChallenge(). */
  readonly challengeOn?: readonly ChallengeMethod[];
  readonly define: (secrets: DemoSecrets) => WebhookEndpointDefinition;
}

/** `github` → `GITHUB_WEBHOOK_SECRET`: the signing secret's variable. */
export function secretEnvName(endpoint: string): string {
  return `${endpoint.toUpperCase().replace(/-/g, '_')}_WEBHOOK_SECRET`;
}

/** `meta`, `verify-token` → `META_VERIFY_TOKEN`: a named secret's variable. */
export function namedSecretEnvName(endpoint: string, name: string): string {
  return `${endpoint.toUpperCase()}_${name.toUpperCase().replace(/-/g, '_')}`.replace(/-/g, '_');
}

/** An endpoint definition with the admin API's generated secrets in the Standard Webhooks format. */
const standardFormat = (definition: WebhookEndpointDefinition): WebhookEndpointDefinition => ({
  generateSecret: () => generateStandardSecret(),
  ...definition,
});

const VERIFY_TOKEN = 'verify-token';

export const DEMO_ENDPOINTS: readonly DemoEndpoint[] = [
  {
    name: 'standard',
    title: 'Standard Webhooks (Resend, Clerk, Lemon Squeezy, …)',
    define: ({ secret }) => standardFormat(standardWebhooks({ secret })),
  },
  { name: 'svix', title: 'Svix', define: ({ secret }) => standardFormat(svix({ secret })) },
  {
    name: 'standard-asymmetric',
    title: 'Standard Webhooks, ed25519 (secret: the whpk_ public key)',
    define: ({ secret }) => standardWebhooksAsymmetric({ publicKey: secret }),
  },
  { name: 'github', title: 'GitHub', define: ({ secret }) => github({ secret }) },
  { name: 'stripe', title: 'Stripe', define: ({ secret }) => stripe({ secret }) },
  {
    name: 'slack',
    title: 'Slack Events API (url_verification)',
    challengeOn: ['POST'],
    define: ({ secret }) => slack({ signingSecret: secret }),
  },
  {
    name: 'zoom',
    title: 'Zoom (endpoint.url_validation)',
    challengeOn: ['POST'],
    define: ({ secret }) => zoom({ secretToken: secret }),
  },
  {
    name: 'twitter',
    title: 'X / Twitter Account Activity (CRC)',
    challengeOn: ['GET'],
    define: ({ secret }) => twitter({ consumerSecret: secret }),
  },
  {
    name: 'meta',
    title: 'Meta: Facebook, Messenger (hub.challenge)',
    namedSecrets: [VERIFY_TOKEN],
    challengeOn: ['GET'],
    define: ({ secret, named }) => meta({ appSecret: secret, verifyToken: named[VERIFY_TOKEN] }),
  },
  {
    name: 'whatsapp',
    title: 'WhatsApp Cloud API (hub.challenge)',
    namedSecrets: [VERIFY_TOKEN],
    challengeOn: ['GET'],
    define: ({ secret, named }) => whatsapp({ appSecret: secret, verifyToken: named[VERIFY_TOKEN] }),
  },
  {
    name: 'instagram',
    title: 'Instagram (hub.challenge)',
    namedSecrets: [VERIFY_TOKEN],
    challengeOn: ['GET'],
    define: ({ secret, named }) => instagram({ appSecret: secret, verifyToken: named[VERIFY_TOKEN] }),
  },
  { name: 'shopify', title: 'Shopify', define: ({ secret }) => shopify({ secret }) },
  {
    name: 'twitch',
    title: 'Twitch EventSub (webhook_callback_verification)',
    challengeOn: ['POST'],
    define: ({ secret }) => twitch({ secret }),
  },
  {
    name: 'asana',
    title: 'Asana (the X-Hook-Secret handshake stores the secret)',
    challengeOn: ['POST'],
    define: ({ secret }) => asana({ secret }),
  },
  {
    name: 'trello',
    title: 'Trello (HEAD check; signs the callback URL, see PUBLIC_URL)',
    challengeOn: ['HEAD'],
    define: ({ secret, publicUrl }) => trello({ secret, callbackUrl: `${publicUrl}/webhooks/trello` }),
  },
  {
    name: 'dropbox',
    title: 'Dropbox (GET ?challenge=)',
    challengeOn: ['GET'],
    define: ({ secret }) => dropbox({ appSecret: secret }),
  },
  {
    name: 'msgraph',
    title: 'Microsoft Graph change notifications (validationToken; secret: clientState)',
    challengeOn: ['POST'],
    define: ({ secret }) => msGraph({ clientState: secret }),
  },
  {
    name: 'smartsheet',
    title: 'Smartsheet (Smartsheet-Hook-Challenge)',
    challengeOn: ['POST'],
    define: ({ secret }) => smartsheet({ sharedSecret: secret }),
  },
  {
    name: 'okta',
    title: 'Okta event hooks (one-time verification)',
    challengeOn: ['GET'],
    define: ({ secret }) => okta({ secret }),
  },
  {
    name: 'discord',
    title: 'Discord interactions (PING; secret: the application public key)',
    challengeOn: ['POST'],
    define: ({ secret }) => discord({ publicKey: secret }),
  },
  {
    name: 'twilio',
    title: 'Twilio (signs the URL, see PUBLIC_URL; secret: the auth token)',
    define: ({ secret, publicUrl }) => twilio({ authToken: secret, url: `${publicUrl}/webhooks/twilio` }),
  },
  {
    name: 'square',
    title: 'Square (signs the URL, see PUBLIC_URL; secret: the signature key)',
    define: ({ secret, publicUrl }) =>
      square({ signatureKey: secret, notificationUrl: `${publicUrl}/webhooks/square` }),
  },
  { name: 'box', title: 'Box (secret: the primary key)', define: ({ secret }) => box({ primaryKey: secret }) },
  { name: 'pagerduty', title: 'PagerDuty', define: ({ secret }) => pagerduty({ secret }) },
  { name: 'linear', title: 'Linear', define: ({ secret }) => linear({ secret }) },
  {
    name: 'mailgun',
    title: 'Mailgun (secret: the signing key)',
    define: ({ secret }) => mailgun({ signingKey: secret }),
  },
  {
    name: 'intercom',
    title: 'Intercom (HEAD check; secret: the client secret)',
    challengeOn: ['HEAD'],
    define: ({ secret }) => intercom({ clientSecret: secret }),
  },
  {
    name: 'sendgrid',
    title: 'SendGrid Event Webhook (secret: the verification public key)',
    define: ({ secret }) => sendgrid({ publicKey: secret }),
  },
  {
    name: 'adobeio',
    title: 'Adobe I/O Events (GET ?challenge=; secret: the public key)',
    challengeOn: ['GET'],
    define: ({ secret }) => adobeIo({ publicKey: secret }),
  },
  {
    name: 'strava',
    title: 'Strava (hub.challenge; secret: the callback URL token)',
    namedSecrets: [VERIFY_TOKEN],
    challengeOn: ['GET'],
    define: ({ secret, named }) => strava({ token: secret, verifyToken: named[VERIFY_TOKEN] }),
  },
  {
    // Everything as data: the signature is described (header, prefix, what is signed) and the URL
    // check is a CEL rule: GET /webhooks/custom?challenge=<text>&verify_token=<token> echoes <text>.
    name: 'custom',
    title: 'Custom: HMAC described as data, declarative challenge rule',
    namedSecrets: [VERIFY_TOKEN],
    challengeOn: ['GET'],
    define: ({ secret, named }) => ({
      ...hmacEndpoint({
        provider: 'custom',
        secret,
        header: 'x-custom-signature',
        prefix: 'sha256=',
        template: '{timestamp}.{body}',
        timestampHeader: 'x-custom-timestamp',
        idHeader: 'x-custom-id',
        generateSecret: () => randomBytes(32).toString('hex'),
        challenge: declarativeChallenge({
          detect: 'http_method == "GET" && "challenge" in query_params',
          verify_token: { value: 'query_params["verify_token"]', secret: { from: 'named', name: VERIFY_TOKEN } },
          body: '{{ query_params["challenge"] }}',
        }),
      }),
      namedSecrets: { [VERIFY_TOKEN]: named[VERIFY_TOKEN] },
    }),
  },
];

/** `PUBLIC_URL` without a trailing slash, else `http://localhost:<PORT>`. */
export function demoPublicUrl(config: { get<T>(name: string): T | undefined }): string {
  const configured = config.get<string>('PUBLIC_URL');
  return configured ? configured.replace(/\/+$/, '') : `http://localhost:${config.get<string>('PORT') || 3000}`;
}

/** The endpoint definitions, with the secrets the environment gives. */
export function demoEndpointDefinitions(config: ConfigService): Record<string, WebhookEndpointDefinition> {
  const definitions: Record<string, WebhookEndpointDefinition> = {};
  for (const endpoint of DEMO_ENDPOINTS) {
    const named: Record<string, string | undefined> = {};
    for (const name of endpoint.namedSecrets ?? []) {
      named[name] = config.get<string>(namedSecretEnvName(endpoint.name, name)) || undefined;
    }
    definitions[endpoint.name] = endpoint.define({
      secret: config.get<string>(secretEnvName(endpoint.name)) || undefined,
      named,
      publicUrl: demoPublicUrl(config),
    });
  }
  return definitions;
}
