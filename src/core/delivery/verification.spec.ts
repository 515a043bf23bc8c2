import { WebhookVerificationError } from '../errors';
import type { WebhookRequest } from '../request';
import type { SignatureScheme, SignatureVerification } from '../signature-scheme';
import { mergeVerification, missingRawBodyRefusal, refusalOf, verifyWithSchemes } from './verification';

const request: WebhookRequest = { method: 'POST', url: '/hooks', headers: {}, query: {}, rawBody: Buffer.from('{}') };
const secrets = [{ version: 1, value: 's' }];

/** A scheme that notes its call and returns (or throws) what it is given. */
function scheme(name: string, calls: string[], result: SignatureVerification | Error): SignatureScheme {
  return {
    name,
    requiresSecret: false,
    verify: (_request, _secrets, context) => {
      calls.push(`${name}@${context.receivedAt}`);
      if (result instanceof Error) throw result;
      return result;
    },
  };
}

describe('verifyWithSchemes', () => {
  it("returns a single scheme's result as it is, with the arrival time as context", () => {
    const calls: string[] = [];
    const result = { messageId: 'm', secretVersion: 2 };
    expect(verifyWithSchemes([scheme('only', calls, result)], request, secrets, 42)).toBe(result);
    expect(calls).toEqual(['only@42']);
  });

  it('runs every scheme in the configured order and stops at the first refusal', () => {
    const calls: string[] = [];
    const refusal = new WebhookVerificationError('ip_not_allowed', 'no');
    const schemes = [scheme('ip', calls, refusal), scheme('signature', calls, { messageId: 'm' })];
    expect(() => verifyWithSchemes(schemes, request, secrets, 7)).toThrow(refusal);
    expect(calls).toEqual(['ip@7']);
  });

  it('takes each value from the first scheme that reports it', () => {
    const calls: string[] = [];
    const signedAt = new Date(1_000);
    const merged = verifyWithSchemes(
      [
        scheme('ip', calls, {}),
        scheme('signature', calls, { messageId: 'm1', secretVersion: 3, signedAt, unsignedEventType: 'a' }),
        scheme('other', calls, { messageId: 'm2', secretVersion: 4, signedContentKey: 'k', unsignedEventType: 'b' }),
      ],
      request,
      secrets,
      9,
    );
    expect(calls).toEqual(['ip@9', 'signature@9', 'other@9']);
    expect(merged).toEqual({
      messageId: 'm1',
      secretVersion: 3,
      signedAt,
      signedContentKey: 'k',
      unsignedEventType: 'a',
    });
  });
});

describe('mergeVerification', () => {
  it('keeps the "unsigned" flag of the id it keeps', () => {
    expect(mergeVerification({ messageId: 'signed' }, { messageId: 'header', unsignedMessageId: true })).toMatchObject({
      messageId: 'signed',
      unsignedMessageId: undefined,
    });
    expect(mergeVerification({}, { messageId: 'header', unsignedMessageId: true })).toMatchObject({
      messageId: 'header',
      unsignedMessageId: true,
    });
  });
});

describe('refusalOf', () => {
  it('keeps a verification error as it is', () => {
    const error = new WebhookVerificationError('timestamp_too_old', 'old');
    expect(refusalOf(error)).toEqual({ rejection: error, unexpected: false });
  });

  it.each([new TypeError('secret 5up3r leaked in a message'), 'a string', undefined])(
    'fails closed on anything else (%p) as verification_failed, quoting nothing of it',
    (error) => {
      const { rejection, unexpected } = refusalOf(error);
      expect(unexpected).toBe(true);
      expect(rejection).toBeInstanceOf(WebhookVerificationError);
      expect(rejection.code).toBe('verification_failed');
      expect(rejection.message).toBe('The request could not be verified.');
    },
  );
});

describe('missingRawBodyRefusal', () => {
  it('is a setup mistake (raw_body_missing, with the fix) for a type the parsers read', () => {
    const refusal = missingRawBodyRefusal(true);
    expect(refusal.code).toBe('raw_body_missing');
    expect(refusal.message).toContain('{ rawBody: true }');
    expect(refusal.message).toContain('useWebhookBodyParsers(app)');
  });

  it('is unsupported_media_type for a type no parser keeps', () => {
    expect(missingRawBodyRefusal(false).code).toBe('unsupported_media_type');
  });
});
