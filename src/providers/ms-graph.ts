import { randomUUID } from 'node:crypto';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { TokenEchoStrategy } from '../core/challenges/token-echo.strategy';
import { PRINTABLE_TOKEN_PATTERN } from '../core/challenges/token-safety';
import { assertHasSecrets, noMatchingSignature, parseJsonObject } from '../core/engines/scheme-support';
import { WebhookConfigurationError } from '../core/errors';
import type { WebhookRequest } from '../core/request';
import type { WebhookSecret } from '../core/secret';
import type { SignatureVerification, SignedDelivery, SignInput, VerifyContext } from '../core/signature-scheme';
import { answeredWithText, freshChallenge } from './challenge-answers';
import type { ProviderChallengeOptions } from './challenges/provider-challenge-options';
import { randomUrlSafeSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { BodyCredentialScheme, credentialText, jsonEvent, sharedSecretProvider } from './provider-kit';

/** @publicApi */
export interface MsGraphPresetOptions extends PresetOptions {
  /** The `clientState` given when creating the subscription (up to 128 characters), or several. */
  readonly clientState?: SecretOrSecrets;
}

/** Graph limits `clientState` to 128 characters. */
const MAX_CLIENT_STATE = 128;
/** A delivery batches notifications; Graph sends far fewer than this in one. */
const MAX_NOTIFICATIONS = 1000;

/**
 * Microsoft Graph signs nothing: each notification in `value[]` carries the `clientState` set when
 * the subscription was created, which must equal a live secret (compared in constant time). Every
 * notification must match, so one forged entry cannot ride along with a genuine one. Rich
 * notifications' `validationTokens` (JWTs) are not checked.
 */
class MsGraphClientStateScheme extends BodyCredentialScheme {
  constructor() {
    super('ms-graph', 'A Microsoft Graph clientState', MAX_CLIENT_STATE);
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], _context: VerifyContext): SignatureVerification {
    const notifications = parseJsonObject(request.rawBody)?.['value'];
    if (!Array.isArray(notifications) || notifications.length === 0 || notifications.length > MAX_NOTIFICATIONS) {
      throw noMatchingSignature('The body is not a Microsoft Graph notification batch ({"value": [ … ]}).');
    }
    assertHasSecrets(secrets);
    let matched: WebhookSecret | undefined;
    for (const notification of notifications) {
      const clientState = (notification as { clientState?: unknown } | null)?.clientState;
      const version = this.matchCredential(clientState, secrets);
      if (!version) throw noMatchingSignature('A notification carries no clientState of this endpoint.');
      matched ??= version;
    }
    return { secretVersion: matched!.version };
  }

  /** Puts the key as `clientState` into each notification of the batch, as Graph does. */
  sign(input: SignInput): SignedDelivery {
    const batch = parseJsonObject(input.body);
    const notifications = batch?.['value'];
    if (!batch || !Array.isArray(notifications)) {
      throw new WebhookConfigurationError('A Microsoft Graph delivery is a batch: {"value": [ … ]}.');
    }
    const clientState = credentialText(input.key);
    const value = notifications.map((notification: unknown) => ({ ...(notification as object), clientState }));
    return { headers: {}, body: Buffer.from(JSON.stringify({ ...batch, value }), 'utf8') };
  }
}

const msGraphScheme = () => new MsGraphClientStateScheme();

/**
 * Microsoft Graph's change-notification endpoint validation: a `POST` (whatever the method, the
 * `validationToken` query parameter decides) to the notification or lifecycle URL, answered within
 * 10 s with `200` and the URL-decoded token as `text/plain`. The token is opaque and reads like
 * `Validation: Testing client application reachability for subscription Request-Id: …`, so spaces
 * and printable punctuation are allowed (markup and quotes are not), up to 1024 characters.
 * @publicApi
 */
export function msGraphChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { query: { validationToken: true } },
    token: { from: 'query', name: 'validationToken' },
    respondWith: 'text',
    signed: options.signed ?? false,
    tokenSafety: { pattern: PRINTABLE_TOKEN_PATTERN, maxLength: 1024, ...options.tokenSafety },
  });
}

const { provider, preset } = sharedSecretProvider<'clientState', MsGraphPresetOptions>({
  id: 'ms-graph',
  displayName: 'Microsoft Graph',
  docsUrl: 'https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks',
  presetName: 'msGraph',
  secretOption: 'clientState',
  generateSecret: randomUrlSafeSecret,
  challengeStrategy: msGraphChallenge,
  // Graph sends identical bodies for distinct changes (a drive's "/me/drive/root updated"), and
  // whoever captured one holds the clientState and can forge any: content deduplication would
  // lose changes and stop nobody. Not deduplicated.
  dedupeSignedContent: false,
  signsBody: false,
  verification: "every notification's `clientState`, constant time",
  challenge: '`?validationToken=` → the URL-decoded token as text',
  // No message id (notifications carry none; identical bodies are distinct changes), and no single
  // event type: a batch may mix `changeType`s.
  scheme: msGraphScheme,
  // sign() puts the clientState into each notification.
  sampleEvent: jsonEvent(() => ({
    value: [
      {
        subscriptionId: randomUUID(),
        changeType: 'created',
        resource: 'Users/ec6bd6e5/Messages/AAMk',
        tenantId: randomUUID(),
      },
    ],
  })),
  challengeRequest: () => {
    const validationToken = `Validation: ${freshChallenge()}`;
    return {
      method: 'POST',
      query: { validationToken },
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: '',
      check: answeredWithText(validationToken),
    };
  },
});

/** @publicApi */
export const msGraphProvider = provider;

/**
 * Microsoft Graph change notifications: every notification's `clientState` must be a live secret
 * (Graph signs nothing), and `msGraphChallenge()` answers the `validationToken` check. A rotation
 * generates a 43-character `clientState` for the next subscription.
 * @publicApi
 * @example endpoints: { graph: msGraph({ clientState: process.env.GRAPH_CLIENT_STATE }) }
 */
export const msGraph = preset;
