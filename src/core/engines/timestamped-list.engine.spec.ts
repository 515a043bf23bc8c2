import { WebhookConfigurationError } from '../errors';
import { at, hmac, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { TimestampedListScheme } from './timestamped-list.engine';

// The generic `key=value` list engine, configured as data; expected values are computed here with
// node:crypto. Stripe's defaults are exercised against its vector and SDK in src/providers/stripe.spec.ts.
const NOW = 1_700_000_000;

describe('TimestampedListScheme', () => {
  const scheme = new TimestampedListScheme({
    name: 'acme',
    header: 'X-Acme-Signature',
    timestampKey: 'ts',
    signatureKey: 's1',
    separator: ';',
    template: '{timestamp}:{body}',
    algorithm: 'sha512',
    encoding: 'base64',
    idField: 'event.id',
    toleranceSeconds: 60,
  });
  const body = '{"event":{"id":"e-7"}}';
  const digest = (key: string, ts: number) => hmac('sha512', key, `${ts}:`, body).toString('base64');
  const verify = (header: string, now = NOW) =>
    scheme.verify(webhookRequest({ headers: { 'x-acme-signature': header }, body }), [secret('k', 3)], at(now));

  it('accepts any signature entry, ignores other keys and reports the body id and time', () => {
    expect(verify(`ts=${NOW};s0=x;s1=${digest('old', NOW)};s1=${digest('k', NOW)}`)).toEqual({
      secretVersion: 3,
      messageId: 'e-7',
      signedAt: new Date(NOW * 1000),
    });
    expect(refusal(() => verify(`ts=${NOW};s0=${digest('k', NOW)}`))).toBe('no_matching_signature');
    expect(refusal(() => verify(`ts=${NOW};s1=${digest('k', NOW)}`, NOW + 61))).toBe('timestamp_too_old');
  });

  it.each([
    ['no timestamp', `s1=${'A'.repeat(86)}==`],
    ['two timestamps', `ts=1;ts=2`],
    ['an entry without =', `ts=${NOW};s1`],
    ['a malformed signature', `ts=${NOW};s1=abc`],
    ['too many entries', `ts=${NOW}${';x=1'.repeat(40)}`],
  ])('refuses %s as invalid_header', (_case, header) => {
    expect(refusal(() => verify(header))).toBe('invalid_header');
  });

  it('signs the timestamp entry and one signature entry, which verify accepts', () => {
    const signed = scheme.sign({ body: Buffer.from(body), key: 'k', timestamp: NOW, id: 'unused', contentType: '' });
    expect(signed.headers).toEqual({ 'x-acme-signature': `ts=${NOW};s1=${digest('k', NOW)}` });
    expect(verify(signed.headers['x-acme-signature']).secretVersion).toBe(3);
  });

  it('refuses configuration mistakes and runs the checkSecret hook', () => {
    expect(() => new TimestampedListScheme({ header: 'sig', template: '{timestamp}' })).toThrow(
      WebhookConfigurationError,
    );
    expect(() => new TimestampedListScheme({ header: 'sig', template: '{id}{body}' })).toThrow(
      WebhookConfigurationError,
    );
    expect(() => new TimestampedListScheme({ header: 'sig', toleranceSeconds: 0 })).toThrow(WebhookConfigurationError);
    const checked = new TimestampedListScheme({
      header: 'sig',
      checkSecret: (value) => {
        if (!String(value).startsWith('whsec_')) throw new WebhookConfigurationError('format');
      },
    });
    expect(() => checked.validateSecret('sk_test')).toThrow(WebhookConfigurationError);
    expect(() => checked.validateSecret('')).toThrow(WebhookConfigurationError);
    expect(() => checked.validateSecret('whsec_x')).not.toThrow();
  });

  it('reads a positional list (timestamp first, then signatures) when `positional` is set', () => {
    const positional = new TimestampedListScheme({ header: 'sig', positional: true, idField: 'event.id' });
    const hex = (key: string) => hmac('sha256', key, `${NOW}.`, body).toString('hex');
    const check = (value: string) =>
      positional.verify(webhookRequest({ headers: { sig: value }, body }), [secret('k2', 2)], at(NOW));
    expect(check(`${NOW},${hex('k1')},${hex('k2')}`).secretVersion).toBe(2);
    expect(refusal(() => check(`${NOW},${hex('k1')}`))).toBe('no_matching_signature');
    for (const malformed of [`${NOW}`, `${NOW},zz`, `${NOW},${hex('k2')},`, `t=${NOW},v1=${hex('k2')}`]) {
      expect(refusal(() => check(malformed))).toBe('invalid_header');
    }
    const signed = positional.sign({
      body: Buffer.from(body),
      key: 'k2',
      timestamp: NOW,
      id: 'x',
      contentType: 'application/json',
    });
    expect(signed.headers).toEqual({ sig: `${NOW},${hex('k2')}` });
  });
});
