import { randomUUID } from 'node:crypto';
import { assertHasSecrets, noMatchingSignature, parseJsonObject } from '../core/engines/scheme-support';
import { WebhookConfigurationError } from '../core/errors';
import type { WebhookRequest } from '../core/request';
import type { WebhookSecret } from '../core/secret';
import type { SignatureVerification, SignedDelivery, SignInput, VerifyContext } from '../core/signature-scheme';
import { randomUrlSafeSecret } from './preset-options';
import { BodyCredentialScheme, credentialText, jsonEvent, sharedSecretProvider } from './provider-kit';

/** Figma accepts passcodes of up to 100 characters; more is not one. */
const MAX_PASSCODE = 100;

/**
 * Figma Webhooks V2 sign nothing: every event's JSON body carries the `passcode` chosen when the
 * webhook was created, compared in constant time with the endpoint's live secrets. Whoever holds it
 * can forge any event, so the body is the credential (the event log keeps only its size and hash).
 */
class FigmaPasscodeScheme extends BodyCredentialScheme {
  constructor() {
    super('figma', 'A Figma passcode', MAX_PASSCODE);
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], _context: VerifyContext): SignatureVerification {
    const passcode = parseJsonObject(request.rawBody)?.['passcode'];
    if (typeof passcode !== 'string' || passcode.length === 0 || passcode.length > MAX_PASSCODE) {
      throw noMatchingSignature('The body carries no Figma passcode.');
    }
    assertHasSecrets(secrets);
    const matched = this.matchCredential(passcode, secrets);
    if (!matched) throw noMatchingSignature('The Figma passcode is not accepted.');
    return { secretVersion: matched.version };
  }

  /** Puts the key as `passcode` into the JSON body, as Figma does. */
  sign(input: SignInput): SignedDelivery {
    const event = parseJsonObject(input.body);
    if (!event) throw new WebhookConfigurationError('A Figma event is a JSON object.');
    const passcode = credentialText(input.key);
    return { headers: {}, body: Buffer.from(JSON.stringify({ ...event, passcode }), 'utf8') };
  }
}

const { provider, preset } = sharedSecretProvider({
  id: 'figma',
  displayName: 'Figma',
  docsUrl: 'https://www.figma.com/developers/api#webhooks_v2',
  presetName: 'figma',
  secretOption: 'passcode',
  signsBody: false,
  verification: "the body's `passcode` (constant time); Figma signs nothing",
  eventType: { bodyField: 'event_type' },
  scheme: () => new FigmaPasscodeScheme(),
  generateSecret: randomUrlSafeSecret,
  // sign() adds the passcode; the timestamp makes two events distinct.
  sampleEvent: jsonEvent(() => ({
    event_type: 'FILE_UPDATE',
    file_key: randomUUID().replace(/-/g, '').slice(0, 22),
    file_name: 'Hookwarden',
    timestamp: new Date().toISOString(),
    webhook_id: String(Date.now()),
  })),
});

/** Figma webhooks (V2). @publicApi */
export const figmaProvider = provider;

/**
 * Figma webhooks (V2): the body's `passcode` must equal a live secret (Figma signs nothing).
 * @publicApi
 * @example endpoints: { figma: figma({ passcode: process.env.FIGMA_WEBHOOK_PASSCODE }) }
 */
export const figma = preset;
