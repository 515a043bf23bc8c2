import { createHash, createHmac } from 'node:crypto';
import { extendSha256 } from '../../test/support/length-extension';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { hubspotProvider, hubspotSignedUri, hubspotV1Provider, hubspotV2Provider } from './hubspot';

// HubSpot v3's quirks (developers.hubspot.com validating-requests): the listed escapes of the URI are
// decoded before signing, others are kept; the timestamp is in milliseconds. Expected values are
// computed here with node:crypto; the published vectors run in the conformance spec.
describe('HubSpot v3', () => {
  it("decodes exactly HubSpot's escapes in the signed URI, in either case", () => {
    expect(hubspotSignedUri('https://x.example/a%3ab%2Fc?q=%40%21%24%27%28%29%2a%2C%3B%3F&s=%20%25')).toBe(
      "https://x.example/a:b/c?q=@!$'()*,;?&s=%20%25",
    );
  });

  it('signs POST + decoded URI + body + the ms timestamp, and refuses the encoded URI', () => {
    const url = 'https://x.example/hooks?portal=%3A1';
    const body = '[{"eventId":1}]';
    const ms = '1700000000123';
    const v3 = (uri: string) => createHmac('sha256', 'client-secret').update(`POST${uri}${body}${ms}`).digest('base64');
    const run = (signature: string) =>
      hubspotProvider.scheme({ url }).verify(
        webhookRequest({
          headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': ms },
          body,
        }),
        [secret('client-secret', 1)],
        at(1_700_000_000),
      );
    expect(run(v3('https://x.example/hooks?portal=:1'))).toMatchObject({ secretVersion: 1 });
    expect(refusal(() => run(v3(url)))).toBe('no_matching_signature');
  });
});

// v1 and v2 are SHA-256(secret + message): whoever saw one signed delivery can append the hash's
// padding and any bytes to its body and compute a valid digest without the secret. The forgeries
// here come from an independent SHA-256 (test/support/length-extension.ts), checked against
// node:crypto before they are sent.
describe('HubSpot v1 and v2: length extension', () => {
  const clientSecret = 'a5ec2d50-1a4b-4c1e-9d0b-0e6a1f4e2c11';
  const url = 'https://x.example/hooks/hubspot';
  const body = Buffer.from('[{"eventId":1,"subscriptionType":"contact.creation","objectId":42}]');
  const versions = [
    { version: 'v1', scheme: () => hubspotV1Provider.scheme(), signed: Buffer.alloc(0) },
    { version: 'v2', scheme: () => hubspotV2Provider.scheme({ url }), signed: Buffer.from(`POST${url}`) },
  ] as const;

  it.each(versions)(
    '$version: refuses a body extended past a signed one, accepts the signed one',
    ({ version, scheme, signed }) => {
      const run = (digest: string, rawBody: Buffer) =>
        scheme().verify(
          webhookRequest({
            headers: { 'x-hubspot-signature': digest, 'x-hubspot-signature-version': version },
            body: rawBody,
          }),
          [secret(clientSecret, 1)],
          at(1_700_000_000),
        );
      const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
      const genuine = sha256(Buffer.from(clientSecret), signed, body);
      expect(run(genuine.toString('hex'), body)).toMatchObject({ secretVersion: 1 });

      for (const suffix of ['', '&objectId=1&subscriptionType=contact.deletion', ',{"x":1}]'.padEnd(200, ' ')]) {
        const known = Buffer.concat([signed, body]);
        const forged = extendSha256(genuine, clientSecret.length, known, Buffer.from(suffix));
        const forgedBody = Buffer.concat([body, forged.appended]);
        // A valid digest of the forged body: what a verifier of the digest alone accepts.
        expect(sha256(Buffer.from(clientSecret), signed, forgedBody).toString('hex')).toBe(forged.digest);
        expect(refusal(() => run(forged.digest, forgedBody))).toBe('no_matching_signature');
        // Extended again from the forgery.
        const twice = extendSha256(
          Buffer.from(forged.digest, 'hex'),
          clientSecret.length,
          Buffer.concat([signed, forgedBody]),
          Buffer.from('x'),
        );
        expect(refusal(() => run(twice.digest, Buffer.concat([forgedBody, twice.appended])))).toBe(
          'no_matching_signature',
        );
      }
    },
  );
});
