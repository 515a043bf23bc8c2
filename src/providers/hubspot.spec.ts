import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { hubspotProvider, hubspotSignedUri } from './hubspot';

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
