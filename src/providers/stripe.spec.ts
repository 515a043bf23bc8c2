import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { WebhookConfigurationError } from '../core/errors';
import { signVector } from '../../test/support/provider-spec';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { stripeProvider } from './stripe';

// Stripe's own SDK signs the deliveries here (generateTestHeaderString); the full-header vector of
// shared/providers.md is SELF (Stripe publishes none), and the SDK reproduces it.
const VECTOR = publishedVector('stripe', 'signature');
const stripe = new Stripe('sk_test_unused');
const sdkHeader = (payload: string, key: string, timestamp: number) =>
  stripe.webhooks.generateTestHeaderString({ payload, secret: key, timestamp });
const OLD = 'whsec_old_secret_value';
const NEW = 'whsec_new_secret_value';
const v1 = (key: string, timestamp: number, body: string | Buffer) =>
  createHmac('sha256', key).update(`${timestamp}.`).update(body).digest('hex');

describe('StripeScheme', () => {
  const scheme = stripeProvider.scheme();
  const request = (header: string | undefined, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({ headers: header === undefined ? {} : { 'stripe-signature': header }, body });
  const ts = Number(VECTOR.inputs.timestamp);

  it('accepts the full-header vector, keyed with the whole whsec_ string, and reports the event id', () => {
    expect(scheme.verify(request(VECTOR.expected), [secret(VECTOR.inputs.secret, 5)], at(ts))).toEqual({
      secretVersion: 5,
      messageId: 'evt_test',
      signedAt: new Date(ts * 1000),
    });
  });

  it('accepts a header signed by the Stripe SDK, and the SDK header equals the vector', () => {
    expect(sdkHeader(VECTOR.inputs.body, VECTOR.inputs.secret, ts)).toBe(VECTOR.expected);
    const body = JSON.stringify({ id: 'evt_1', object: 'event', data: { amount: 4200, note: 'Zoë ♥' } });
    expect(scheme.verify(request(sdkHeader(body, NEW, ts), body), [secret(NEW)], at(ts)).messageId).toBe('evt_1');
  });

  it('accepts any v1 during a roll, ignores v0 and unknown schemes, and reports the matching version', () => {
    const body = '{"id":"evt_roll"}';
    const header = `t=${ts},v1=${v1(OLD, ts, body)},v1=${v1(NEW, ts, body)},v0=${'0'.repeat(64)},v9=x`;
    expect(scheme.verify(request(header, body), [secret(NEW, 2)], at(ts)).secretVersion).toBe(2);
    expect(scheme.verify(request(header, body), [secret(OLD, 1)], at(ts)).secretVersion).toBe(1);
    const rotated = request(`t=${ts},v1=${v1(NEW, ts, body)}`, body);
    expect(scheme.verify(rotated, [secret(OLD, 1), secret(NEW, 2)], at(ts)).secretVersion).toBe(2);
    expect(refusal(() => scheme.verify(request(`t=${ts},v0=${v1(NEW, ts, body)}`, body), [secret(NEW)], at(ts)))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses a tampered body and a key base64-decoded the Standard Webhooks way', () => {
    expect(
      refusal(() =>
        scheme.verify(
          request(VECTOR.expected, '{"id":"evt_test","object":"event"} '),
          [secret(VECTOR.inputs.secret)],
          at(ts),
        ),
      ),
    ).toBe('no_matching_signature');
    const decoded = Buffer.from(VECTOR.inputs.secret.slice(6), 'base64');
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [secret(decoded)], at(ts)))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses stale and far-future timestamps (300 s by default, the edge passes)', () => {
    const body = '{"id":"evt_t"}';
    const signedAt = (t: number) => request(sdkHeader(body, NEW, t), body);
    expect(refusal(() => scheme.verify(signedAt(ts - 301), [secret(NEW)], at(ts)))).toBe('timestamp_too_old');
    expect(refusal(() => scheme.verify(signedAt(ts + 301), [secret(NEW)], at(ts)))).toBe('timestamp_too_new');
    expect(scheme.verify(signedAt(ts - 300), [secret(NEW)], at(ts)).secretVersion).toBe(1);
    expect(
      stripeProvider.scheme({ toleranceSeconds: 600 }).verify(signedAt(ts - 500), [secret(NEW)], at(ts)).secretVersion,
    ).toBe(1);
  });

  it.each([
    ['no header', undefined, 'missing_header'],
    ['no t', `v1=${'a'.repeat(64)}`, 'invalid_header'],
    ['two t', `t=1,t=2,v1=${'a'.repeat(64)}`, 'invalid_header'],
    ['a t with trailing characters', `t=1614265330abc,v1=${'a'.repeat(64)}`, 'invalid_header'],
    ['an entry without =', `t=1614265330,v1`, 'invalid_header'],
    ['a short v1', `t=1614265330,v1=abc`, 'invalid_header'],
    ['a non-hex v1', `t=1614265330,v1=${'g'.repeat(64)}`, 'invalid_header'],
    ['too many entries', `t=1614265330${`,v0=a`.repeat(40)}`, 'invalid_header'],
  ])('refuses %s', (_case, header, code) => {
    expect(refusal(() => scheme.verify(request(header), [secret(VECTOR.inputs.secret)], at(ts)))).toBe(code);
  });

  it('refuses secrets that are not Stripe webhook secrets at start-up', () => {
    for (const bad of ['', 'whsec_', 'sk_test_123', 'rk_live_1']) {
      expect(() => scheme.validateSecret!(bad)).toThrow(WebhookConfigurationError);
    }
    expect(() => scheme.validateSecret!(VECTOR.inputs.secret)).not.toThrow();
  });

  describeSchemeProperties({
    scheme,
    secrets: [secret(OLD, 1), secret(NEW, 2)],
    now: ts,
    headers: ['stripe-signature'],
    covers: ['body', 'timestamp'],
    request: (message, signed) =>
      webhookRequest({
        headers: { 'stripe-signature': `t=${message.timestamp},v1=${v1(NEW, signed.timestamp, signed.body)}` },
        body: message.body,
      }),
  });
});

describe('stripeProvider.scheme().sign()', () => {
  it('reproduces the full-header vector', () => {
    const signed = signVector(stripeProvider.scheme(), VECTOR, 'secret', {
      timestamp: Number(VECTOR.inputs.timestamp),
    });
    expect(signed.headers).toEqual({ 'stripe-signature': VECTOR.expected });
  });

  it('writes a header the Stripe SDK accepts', () => {
    const body = '{"id":"evt_sdk","object":"event"}';
    const now = Math.floor(Date.now() / 1000);
    const signed = stripeProvider.scheme().sign({
      body: Buffer.from(body),
      key: NEW,
      timestamp: now,
      id: 'unused',
      contentType: 'application/json',
    });
    expect(stripe.webhooks.constructEvent(body, signed.headers['stripe-signature'], NEW).id).toBe('evt_sdk');
  });
});
