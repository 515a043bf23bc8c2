import { createHmac } from 'node:crypto';
import { at, publishedVector, refusal, refusalError, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { WebhookConfigurationError } from '../core/errors';
import { mailgun, mailgunProvider } from './mailgun';

// SELF vector of shared/providers.md §21: hex HMAC-SHA256(signing key, timestamp + token).
const VECTOR = publishedVector('mailgun', 'signature');
const TS = Number(VECTOR.inputs.timestamp);
const sign = (key: string, timestamp: string | number, token: string) =>
  createHmac('sha256', key).update(`${timestamp}${token}`).digest('hex');

const jsonBody = (signature: Record<string, unknown>, eventData: unknown = { event: 'delivered' }) =>
  JSON.stringify({ signature, 'event-data': eventData });
const request = (body: string, contentType = 'application/json') =>
  webhookRequest({ headers: { 'content-type': contentType }, body });

describe('mailgun scheme', () => {
  const scheme = mailgunProvider.scheme();
  const fields = { timestamp: VECTOR.inputs.timestamp, token: VECTOR.inputs.token, signature: VECTOR.expected };
  const secrets = [secret(VECTOR.inputs.signing_key, 1)];

  it('accepts the vector in a JSON body and reports the token as the message id', () => {
    expect(scheme.verify(request(jsonBody(fields)), secrets, at(TS))).toEqual({
      secretVersion: 1,
      messageId: VECTOR.inputs.token,
      signedAt: new Date(TS * 1000),
    });
  });

  it("accepts a subaccount's event by its parent-signature only when the preset opts in", () => {
    // documentation.mailgun.com, securing webhooks: a subaccount's event also carries
    // `parent-signature`, the same HMAC of timestamp + token under the primary account's key.
    // Accepting it trusts every subaccount (a reseller's customers register their own URLs): opt-in.
    const subaccount = { ...fields, signature: sign('subaccount-key', fields.timestamp, fields.token) };
    const parentSigned = { ...subaccount, 'parent-signature': fields.signature };
    expect(refusal(() => scheme.verify(request(jsonBody(parentSigned)), secrets, at(TS)))).toBe(
      'no_matching_signature',
    );
    const optedIn = mailgun({ signingKey: VECTOR.inputs.signing_key, acceptSubaccountEvents: true }).schemes[0];
    expect(optedIn.verify(request(jsonBody(parentSigned)), secrets, at(TS))).toMatchObject({ secretVersion: 1 });
    // The subaccount's own key still verifies `signature`.
    expect(optedIn.verify(request(jsonBody(parentSigned)), [secret('subaccount-key', 2)], at(TS))).toMatchObject({
      secretVersion: 2,
    });
    // Neither field under the key: refused, whatever the other field holds.
    const forged = { ...subaccount, 'parent-signature': sign('another-key', fields.timestamp, fields.token) };
    expect(refusal(() => optedIn.verify(request(jsonBody(forged)), secrets, at(TS)))).toBe('no_matching_signature');
    const malformed = { ...subaccount, 'parent-signature': 'not hex' };
    expect(refusal(() => optedIn.verify(request(jsonBody(malformed)), secrets, at(TS)))).toBe('no_matching_signature');
  });

  it('accepts the legacy form fields', () => {
    const form = new URLSearchParams({ ...fields, event: 'delivered' }).toString();
    expect(scheme.verify(request(form, 'application/x-www-form-urlencoded'), secrets, at(TS)).messageId).toBe(
      VECTOR.inputs.token,
    );
  });

  it('refuses a changed token or timestamp and a wrong key', () => {
    const otherToken = { ...fields, token: VECTOR.inputs.token.replace('a', 'b') };
    expect(refusal(() => scheme.verify(request(jsonBody(otherToken)), secrets, at(TS)))).toBe('no_matching_signature');
    expect(
      refusal(() => scheme.verify(request(jsonBody({ ...fields, timestamp: String(TS + 1) })), secrets, at(TS))),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(jsonBody(fields)), [secret('key-mailgun-signing-keY')], at(TS)))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses a timestamp more than 15 minutes away', () => {
    expect(scheme.verify(request(jsonBody(fields)), secrets, at(TS + 900)).secretVersion).toBe(1);
    expect(refusal(() => scheme.verify(request(jsonBody(fields)), secrets, at(TS + 901)))).toBe('timestamp_too_old');
    expect(refusal(() => scheme.verify(request(jsonBody(fields)), secrets, at(TS - 901)))).toBe('timestamp_too_new');
  });

  it.each([
    ['no signature object', JSON.stringify({ 'event-data': {} })],
    ['a signature that is not an object', JSON.stringify({ signature: 'abc' })],
    ['a missing token', jsonBody({ timestamp: '1529006854', signature: VECTOR.expected })],
    ['a non-hex signature', jsonBody({ ...fields, signature: 'z'.repeat(64) })],
    ['a timestamp with letters', jsonBody({ ...fields, timestamp: '1529006854abc' })],
    ['a body that is not JSON', 'not json'],
    ['an inherited field', '{"signature":{"__proto__":{"timestamp":"1","token":"t","signature":"00"}}}'],
  ])('refuses %s as unauthenticated (401 no_matching_signature)', (_case, body) => {
    const error = refusalError(() => scheme.verify(request(body), secrets, at(TS)));
    expect(error.code).toBe('no_matching_signature');
    expect(error.message).not.toContain(VECTOR.inputs.signing_key);
  });

  // Mailgun signs timestamp + token, not the event data: the id (token) and timestamp are covered.
  describeSchemeProperties({
    scheme,
    secrets: [secret('old-key', 1), secret('new-key', 2)],
    now: TS,
    headers: ['content-type'],
    covers: ['id', 'timestamp'],
    expectedId: (message) => message.id,
    request: (message, signed) =>
      request(
        jsonBody(
          {
            timestamp: String(message.timestamp),
            token: message.id,
            signature: sign('new-key', signed.timestamp, signed.id),
          },
          message.body.toString('base64'),
        ),
      ),
  });
});

describe('mailgun scheme sign()', () => {
  const scheme = mailgunProvider.scheme();
  const secrets = () => [secret(VECTOR.inputs.signing_key, 1)];
  const input = (body: string, contentType = 'application/json') => ({
    body: Buffer.from(body),
    key: VECTOR.inputs.signing_key,
    timestamp: TS,
    id: VECTOR.inputs.token,
    contentType,
  });

  it("writes the published vector's signature into the body, keeping the event data", () => {
    const signed = scheme.sign(input(JSON.stringify({ 'event-data': { event: 'delivered' } })));
    expect(signed.headers).toEqual({});
    expect(JSON.parse(signed.body!.toString())).toEqual({
      'event-data': { event: 'delivered' },
      signature: { timestamp: VECTOR.inputs.timestamp, token: VECTOR.inputs.token, signature: VECTOR.expected },
    });
    expect(scheme.verify(request(signed.body!.toString()), secrets(), at(TS)).messageId).toBe(VECTOR.inputs.token);
  });

  it('writes the legacy form fields for a form body', () => {
    const signed = scheme.sign(input('event=delivered', 'application/x-www-form-urlencoded'));
    const form = new URLSearchParams(signed.body!.toString());
    expect(form.get('signature')).toBe(VECTOR.expected);
    expect(form.get('event')).toBe('delivered');
    const verified = scheme.verify(request(form.toString(), 'application/x-www-form-urlencoded'), secrets(), at(TS));
    expect(verified.messageId).toBe(VECTOR.inputs.token);
  });

  it('refuses to sign a body that is not a JSON object', () => {
    expect(() => scheme.sign(input('[1,2]'))).toThrow(WebhookConfigurationError);
  });
});

describe('mailgun preset and catalogue entry', () => {
  it('builds its endpoint through the catalogue scheme, with the tolerance given', () => {
    const endpoint = mailgun({ signingKey: 'k', toleranceSeconds: 60 });
    expect(endpoint.provider).toBe(mailgunProvider.id);
    const [scheme] = endpoint.schemes;
    const body = jsonBody({ timestamp: String(TS), token: 't0k3n', signature: sign('k', TS, 't0k3n') });
    expect(scheme.verify(request(body), [secret('k')], at(TS + 60)).secretVersion).toBe(1);
    expect(refusal(() => scheme.verify(request(body), [secret('k')], at(TS + 61)))).toBe('timestamp_too_old');
  });

  it('makes sample events with a fresh event id', () => {
    const [a, b] = [mailgunProvider.sampleEvent(), mailgunProvider.sampleEvent()];
    expect(JSON.parse(a.body)['event-data'].event).toBe('delivered');
    expect(a.body).not.toBe(b.body);
  });
});
