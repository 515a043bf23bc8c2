import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { grafana } from './grafana';

// Grafana Alerting's HMAC (shared/providers-devtools.md § Grafana, grafana/alerting http/hmac.go):
// the header name varies with the contact point's configuration and the Grafana revision.
const NOW = 1_700_000_000;
const body = '{"receiver":"test","status":"firing"}';
const keys = [secret('secret')];
const schemeOf = (options: Parameters<typeof grafana>[0] = {}) => grafana({ secret: 'secret', ...options }).schemes[0];
const hmac = (text: string) => createHmac('sha256', 'secret').update(text).digest('hex');

describe('grafana', () => {
  it('reads the UI default header and the fallback one grafana/alerting sends when the field is empty', () => {
    const signature = '65e139596944930f81ea4f098d294eb86d4d93afd6a51769cc956b6301b35d9e';
    for (const header of ['X-Grafana-Alerting-Signature', 'X-Grafana-Alert-Signature']) {
      const request = webhookRequest({ headers: { [header]: signature }, body });
      expect(() => schemeOf().verify(request, keys, at(NOW))).not.toThrow();
    }
  });

  it('reads only the configured header when one is given', () => {
    const scheme = schemeOf({ header: 'X-Alert-Sig' });
    const ok = webhookRequest({ headers: { 'x-alert-sig': hmac(body) }, body });
    expect(() => scheme.verify(ok, keys, at(NOW))).not.toThrow();
    const other = webhookRequest({ headers: { 'x-grafana-alerting-signature': hmac(body) }, body });
    expect(refusal(() => scheme.verify(other, keys, at(NOW)))).toBe('missing_header');
  });

  it('signs timestamp:body with a timestamp header (the research vector) and keeps a window on it', () => {
    const scheme = schemeOf({ timestampHeader: 'X-Grafana-Alerting-Timestamp' });
    const headers = {
      'x-grafana-alerting-signature': '5e80df2642b4e0492fd545a057499d35b958096fcbc4e554cb71ac8e77d39797',
      'x-grafana-alerting-timestamp': '1700000000',
    };
    expect(hmac(`1700000000:${body}`)).toBe(headers['x-grafana-alerting-signature']);
    expect(() => scheme.verify(webhookRequest({ headers, body }), keys, at(NOW + 300))).not.toThrow();
    expect(refusal(() => scheme.verify(webhookRequest({ headers, body }), keys, at(NOW + 301)))).toBe(
      'timestamp_too_old',
    );
  });
});
