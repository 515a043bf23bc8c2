import { matchSecret } from '../auth/credential-match';
import { WebhookConfigurationError } from '../errors';
import type { WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';
import { assertHasSecrets, noMatchingSignature, parseJsonObject } from '../engines/scheme-support';

/** Graph limits `clientState` to 128 characters. */
const MAX_CLIENT_STATE = 128;
/** A delivery batches notifications; Graph sends far fewer than this in one. */
const MAX_NOTIFICATIONS = 1000;

/**
 * Microsoft Graph change notifications: there is no signature; each notification in `value[]`
 * carries the `clientState` set when the subscription was created, which must equal a live secret
 * (compared in constant time). Every notification of the delivery must match, so one forged entry
 * cannot ride along with a genuine one. Rich notifications' `validationTokens` (JWTs) are not checked.
 * @publicApi
 */
export class MsGraphScheme implements SignatureScheme {
  readonly name = 'ms-graph';
  readonly requiresSecret = true;
  /** Compares the clientState in a JSON body: no HMAC. */
  readonly refusesChallengeAnswers = true;
  /** Every notification repeats the clientState: the body is the credential. */
  readonly credentialsIn = { body: true };

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], _context: VerifyContext): SignatureVerification {
    const notifications = parseJsonObject(request.rawBody)?.['value'];
    if (!Array.isArray(notifications) || notifications.length === 0 || notifications.length > MAX_NOTIFICATIONS) {
      throw noMatchingSignature('The body is not a Microsoft Graph notification batch ({"value": [ … ]}).');
    }
    assertHasSecrets(secrets);
    let matched: WebhookSecret | undefined;
    for (const notification of notifications) {
      const clientState = (notification as { clientState?: unknown } | null)?.clientState;
      const version =
        typeof clientState === 'string' && clientState.length <= MAX_CLIENT_STATE
          ? matchSecret(clientState, secrets)
          : undefined;
      if (!version) throw noMatchingSignature('A notification carries no clientState of this endpoint.');
      matched ??= version;
    }
    return { secretVersion: matched!.version };
  }

  validateSecret(secret: string | Buffer): void {
    const length = Buffer.isBuffer(secret) ? secret.toString('utf8').length : secret.length;
    if (length === 0 || length > MAX_CLIENT_STATE) {
      throw new WebhookConfigurationError(`A Microsoft Graph clientState must be 1–${MAX_CLIENT_STATE} characters.`);
    }
  }
}
