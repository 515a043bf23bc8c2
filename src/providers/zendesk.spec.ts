import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { zendeskProvider } from './zendesk';

// Zendesk's signing secret looks like base64 but is the key as text (developer.zendesk.com
// webhooks/verifying; shared/providers-devtools.md § Zendesk).
const TEST_SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';
const timestamp = '2021-03-25T05:09:27Z';
const body = '{"type":"zen:event-type:ticket.created","id":"01HXAMPLE"}';
const signedWith = (key: string | Buffer, sent = timestamp) =>
  webhookRequest({
    headers: {
      'x-zendesk-webhook-signature': createHmac('sha256', key)
        .update(sent + body)
        .digest('base64'),
      'x-zendesk-webhook-signature-timestamp': sent,
    },
    body,
  });

describe('zendesk', () => {
  const scheme = zendeskProvider.scheme();
  const receivedAt = at(Date.UTC(2021, 2, 25, 5, 9, 27) / 1000);

  it('keys with the secret as text, not its base64 decoding', () => {
    expect(scheme.verify(signedWith(TEST_SECRET), [secret(TEST_SECRET)], receivedAt).messageId).toBe('01HXAMPLE');
    const decoded = Buffer.from(TEST_SECRET, 'base64');
    expect(decoded.toString()).toBe('this_secret_is_for_testing_only');
    expect(refusal(() => scheme.verify(signedWith(decoded), [secret(TEST_SECRET)], receivedAt))).toBe(
      'no_matching_signature',
    );
  });

  it('reads the ISO 8601 timestamp and refuses a Unix one', () => {
    const request = signedWith(TEST_SECRET, '1616648967');
    expect(refusal(() => scheme.verify(request, [secret(TEST_SECRET)], receivedAt))).toBe('invalid_header');
  });
});
