import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { figmaProvider } from './figma';

const scheme = figmaProvider.scheme();
const verify = (body: string) =>
  scheme.verify(webhookRequest({ body }), [secret('old-passcode', 1), secret('figma-passcode-123', 2)], at(0));

describe('Figma', () => {
  it('accepts a body whose passcode is a live secret, and says which one', () => {
    expect(verify('{"event_type":"PING","passcode":"figma-passcode-123"}').secretVersion).toBe(2);
  });

  it('refuses a wrong, missing or non-string passcode, and a body that is not JSON', () => {
    for (const body of [
      '{"event_type":"PING","passcode":"figma-passcode-124"}',
      '{"event_type":"PING"}',
      '{"passcode":123}',
      'passcode=figma-passcode-123',
    ]) {
      expect(refusal(() => verify(body))).toBe('no_matching_signature');
    }
  });

  it('marks the body as the credential, so the event log does not store it', () => {
    expect(scheme.credentialsIn).toEqual({ body: true });
  });
});
