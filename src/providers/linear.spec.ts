import { createHmac } from 'node:crypto';
import { signVector } from '../../test/support/provider-spec';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { linearProvider } from './linear';

// SELF vector of shared/providers.md §24 (algorithm of linear/linear's LinearWebhookClient).
const VECTOR = publishedVector('linear', 'signature');
const VECTOR_TIME = 1_700_000_000; // the body's webhookTimestamp, in seconds
const sign = (key: string, body: string | Buffer) => createHmac('sha256', key).update(body).digest('hex');

describe('LinearScheme', () => {
  const scheme = linearProvider.scheme();
  const request = (signature: string | undefined, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({ headers: { 'linear-signature': signature, 'linear-delivery': 'delivery-1' }, body });
  const secrets = [secret(VECTOR.inputs.secret, 1)];

  it('accepts the vector within 60 s of its webhookTimestamp and reports Linear-Delivery', () => {
    expect(scheme.verify(request(VECTOR.expected), secrets, at(VECTOR_TIME + 60))).toEqual({
      secretVersion: 1,
      messageId: 'delivery-1',
      signedAt: new Date(VECTOR_TIME * 1000),
      // The id header is not signed: deduplication keys on the signed content instead.
      unsignedMessageId: true,
    });
  });

  it('refuses a webhookTimestamp more than 60 s away, or none', () => {
    expect(refusal(() => scheme.verify(request(VECTOR.expected), secrets, at(VECTOR_TIME + 61)))).toBe(
      'timestamp_too_old',
    );
    expect(refusal(() => scheme.verify(request(VECTOR.expected), secrets, at(VECTOR_TIME - 61)))).toBe(
      'timestamp_too_new',
    );
    for (const body of ['{"action":"create"}', '{"webhookTimestamp":"1700000000000"}', '[]']) {
      expect(refusal(() => scheme.verify(request(sign('k', body), body), [secret('k')], at(VECTOR_TIME)))).toBe(
        'timestamp_too_old',
      );
    }
  });

  it('refuses a tampered body, a wrong key and a malformed signature', () => {
    expect(
      refusal(() =>
        scheme.verify(request(VECTOR.expected, VECTOR.inputs.body.replace('"x"', '"y"')), secrets, at(VECTOR_TIME)),
      ),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [secret('lin_wh_secreT')], at(VECTOR_TIME)))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => scheme.verify(request('sha256=' + VECTOR.expected), secrets, at(VECTOR_TIME)))).toBe(
      'invalid_header',
    );
    expect(refusal(() => scheme.verify(request(undefined), secrets, at(VECTOR_TIME)))).toBe('missing_header');
  });

  // The timestamp travels in the signed body: each message is wrapped as Linear would send it.
  const linearBody = (message: { body: Buffer; timestamp: number }) =>
    JSON.stringify({ data: message.body.toString('base64'), webhookTimestamp: message.timestamp * 1000 });
  describeSchemeProperties({
    scheme,
    secrets: [secret('old', 1), secret('new', 2)],
    now: VECTOR_TIME,
    headers: ['linear-signature', 'linear-delivery'],
    covers: ['body', 'timestamp'],
    expectedId: (message) => message.id,
    request: (message, signed) =>
      webhookRequest({
        headers: { 'linear-signature': sign('new', linearBody(signed)), 'linear-delivery': message.id },
        body: linearBody(message),
      }),
  });
});

describe('linearProvider.scheme().sign()', () => {
  it('reproduces the signature vector and sends the delivery id', () => {
    const signed = signVector(linearProvider.scheme(), VECTOR, 'secret', { timestamp: VECTOR_TIME, id: 'delivery-1' });
    expect(signed.headers).toEqual({ 'linear-signature': VECTOR.expected, 'linear-delivery': 'delivery-1' });
  });
});
