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
  WEBHOOK_PROVIDERS,
  type WebhookProvider,
} from '../providers';
import { seedChallengeEndpoint, seedHandshakeEndpoint, VERIFICATION_TOKEN } from './seed-endpoints';

export { seedChallengeEndpoint, seedHandshakeEndpoint } from './seed-endpoints';

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
  /** The catalogue id of the provider it mounts (`ms-graph`), for `signWebhook()`; none for `custom`. */
  readonly provider?: string;
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

/** The endpoints written out by hand: the original presets, with their titles, named secrets and URLs. */
const WRITTEN_ENDPOINTS: readonly DemoEndpoint[] = [
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
  {
    name: 'seed-handshake',
    title: 'Seed example as data: a handshake echoing the pre-defined verification token of the JSON body',
    namedSecrets: [VERIFICATION_TOKEN],
    challengeOn: ['POST'],
    define: ({ secret, named }) => seedHandshakeEndpoint(secret, named[VERIFICATION_TOKEN]),
  },
  {
    name: 'seed-challenge',
    title: 'Seed example as data: HMAC-SHA256 of the x-challenge-token header equals the body hash (body NOT signed)',
    define: ({ secret }) => seedChallengeEndpoint(secret),
  },
];

/** Hand-written endpoints whose name is not their provider's catalogue id. */
const CATALOGUE_IDS: Readonly<Record<string, string>> = {
  standard: 'standard-webhooks',
  'standard-asymmetric': 'standard-webhooks-v1a',
  msgraph: 'ms-graph',
  adobeio: 'adobe-io',
};

/** The methods a provider's URL check arrives with; POST (the delivery route) whenever it has one. */
function challengeMethodsOf(provider: WebhookProvider, definition: WebhookEndpointDefinition): ChallengeMethod[] {
  if (!definition.challenge) return [];
  let method: string | undefined;
  try {
    method = provider.challengeRequest?.({ url: 'https://demo.invalid/', secret: '', verifyToken: '' }).method;
  } catch {
    // a challenge signed with the provider's key cannot be built without one: a POST, like Slack's
  }
  return method === 'GET' || method === 'HEAD' ? ['POST', method] : ['POST'];
}

/**
 * One endpoint for a catalogue provider, at /webhooks/<id>: its preset with the secret from
 * `<ID>_WEBHOOK_SECRET` (or the admin API). Providers that sign the URL get the public one; a preset
 * that cannot be built without its own options (PayPal's webhook id) mounts the catalogue's scheme.
 */
function catalogueEndpoint(provider: WebhookProvider): DemoEndpoint {
  const define = ({ secret, publicUrl }: DemoSecrets): WebhookEndpointDefinition => {
    const secrets = secret ? [secret] : [];
    const url = `${publicUrl}/webhooks/${provider.id}`;
    if (provider.requires?.includes('url')) {
      return { provider: provider.id, schemes: [provider.scheme({ url })], secrets };
    }
    try {
      return { ...provider.preset(), secrets };
    } catch {
      return { provider: provider.id, schemes: [provider.scheme({ url })], secrets };
    }
  };
  const sample = define({ named: {}, publicUrl: 'https://demo.invalid' });
  return {
    name: provider.id,
    title: `${provider.displayName} (${provider.presetName}() from the catalogue)`,
    provider: provider.id,
    challengeOn: challengeMethodsOf(provider, sample),
    define,
  };
}

/**
 * Every demo endpoint: the hand-written ones, then one per catalogue preset not among them, generated
 * from `WEBHOOK_PROVIDERS` (a new provider file is mounted without a line here).
 */
export const DEMO_ENDPOINTS: readonly DemoEndpoint[] = (() => {
  const written = WRITTEN_ENDPOINTS.map((endpoint) => {
    const id = CATALOGUE_IDS[endpoint.name] ?? endpoint.name;
    return WEBHOOK_PROVIDERS.some((provider) => provider.id === id) ? { ...endpoint, provider: id } : endpoint;
  });
  const mounted = new Set(written.flatMap((endpoint) => [endpoint.name, endpoint.provider]));
  const generated = WEBHOOK_PROVIDERS.filter((provider) => !mounted.has(provider.id)).map(catalogueEndpoint);
  return [...written, ...generated];
})();

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
