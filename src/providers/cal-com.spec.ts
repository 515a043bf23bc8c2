import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { calComProvider } from './cal-com';

const NOW = 1_700_000_000;
const BODY = '{"triggerEvent":"BOOKING_CREATED","createdAt":"2024-01-01T00:00:00.000Z","payload":{}}';
const scheme = calComProvider.scheme();
const verify = (signature: string) =>
  scheme.verify(
    webhookRequest({ headers: { 'x-cal-signature-256': signature }, body: BODY }),
    [secret('calcom-secret')],
    at(NOW),
  );

describe('Cal.com', () => {
  it('accepts the hex HMAC-SHA256 of the body (independent signer)', () => {
    expect(verify(createHmac('sha256', 'calcom-secret').update(BODY).digest('hex')).secretVersion).toBe(1);
  });

  // Cal.com writes this literal in the header of a webhook without a secret: unsigned, never valid.
  it('refuses the `no-secret-provided` placeholder as a malformed header, not a signature', () => {
    expect(refusal(() => verify('no-secret-provided'))).toBe('invalid_header');
  });
});
