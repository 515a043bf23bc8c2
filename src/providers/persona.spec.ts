import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { personaProvider } from './persona';

// Persona sends one `t=…,v1=…` group per secret, space-separated, while a secret rotates.
const BODY = '{"data":{"type":"event","id":"evt_test","attributes":{"name":"inquiry.completed"}}}';
const NOW = 1_700_000_000;
const sign = (key: string, t: number) => createHmac('sha256', key).update(`${t}.${BODY}`).digest('hex');
const request = (header: string) => webhookRequest({ headers: { 'persona-signature': header }, body: BODY });

describe('personaProvider.scheme()', () => {
  const scheme = personaProvider.scheme();

  it('accepts the rotation form under either secret', () => {
    const header = `t=${NOW},v1=${sign('wbhsec_new', NOW)} t=${NOW},v1=${sign('wbhsec_old', NOW)}`;
    expect(scheme.verify(request(header), [secret('wbhsec_old')], at(NOW)).messageId).toBe('evt_test');
    expect(scheme.verify(request(header), [secret('wbhsec_new')], at(NOW)).messageId).toBe('evt_test');
  });

  it('refuses groups that disagree on t, or a group without t, as malformed', () => {
    const mixed = `t=${NOW},v1=${sign('wbhsec_new', NOW)} t=${NOW - 1},v1=${sign('wbhsec_old', NOW - 1)}`;
    expect(refusal(() => scheme.verify(request(mixed), [secret('wbhsec_old')], at(NOW)))).toBe('invalid_header');
    const missing = `t=${NOW},v1=${sign('wbhsec_new', NOW)} v1=${sign('wbhsec_old', NOW)}`;
    expect(refusal(() => scheme.verify(request(missing), [secret('wbhsec_old')], at(NOW)))).toBe('invalid_header');
  });
});
