// Verification micro-benchmarks: Hookwarden's verify against the packages users would use instead,
// and against the physical limit (a bare node:crypto HMAC-SHA256 plus timingSafeEqual over the same
// bytes, once per live secret). Run by `npm run bench`; prints and returns nanoseconds per verify.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { StandardWebhooksScheme } from '../src/core/schemes/standard-webhooks.scheme';
import type { WebhookRequest } from '../src/core/request';
import type { WebhookSecret } from '../src/core/secret';

export interface MicroResult {
  group: string;
  name: string;
  nsPerOp: number;
}

const SIZES: Array<[string, number]> = [
  ['1 KiB', 1024],
  ['20 KiB', 20 * 1024],
  ['1 MiB', 1024 * 1024],
];

function jsonBody(size: number): string {
  const filler = 'x'.repeat(Math.max(0, size - 20));
  return `{"data":"${filler}"}`.slice(0, size).padEnd(size, ' ');
}

export async function runVerifyBenchmarks(): Promise<MicroResult[]> {
  const { bench, group, run, do_not_optimize } = await import('mitata');
  const secrets = Array.from({ length: 3 }, () => 'whsec_' + randomBytes(32).toString('base64'));
  const keys = secrets.map((s) => Buffer.from(s.slice(6), 'base64'));
  const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const timestamp = Math.floor(Date.now() / 1000);
  const scheme = new StandardWebhooksScheme();
  const context = { receivedAt: timestamp * 1000 };

  for (const [label, size] of SIZES) {
    const body = jsonBody(size);
    const rawBody = Buffer.from(body);
    // Signed with the last secret: with 3 live secrets, the match is the last one tried.
    const signingKey = keys[2];
    const digest = createHmac('sha256', signingKey).update(`${id}.${timestamp}.`).update(rawBody).digest();
    const signature = `v1,${digest.toString('base64')}`;
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
    const svixHeaders = { 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': signature };
    const request: WebhookRequest = { method: 'POST', url: '/hooks', headers, query: {}, rawBody };

    for (const count of [1, 3]) {
      // The signing secret is the last one tried.
      const ordered: WebhookSecret[] = secrets.slice(3 - count).map((value, i) => ({ version: i + 1, value }));
      const liveKeys = keys.slice(3 - count);
      const standard = secrets.slice(3 - count).map((s) => new StandardWebhook(s));
      const svix = secrets.slice(3 - count).map((s) => new SvixWebhook(s));

      group(`standard-webhooks ${label}, ${count} secret${count > 1 ? 's' : ''}`, () => {
        bench('node:crypto limit', () => {
          let ok = false;
          for (const key of liveKeys) {
            const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest();
            ok = timingSafeEqual(mac, digest) || ok;
          }
          do_not_optimize(ok);
        });
        bench('hookwarden', () => do_not_optimize(scheme.verify(request, ordered, context)));
        bench('standardwebhooks', () => {
          for (const wh of standard) {
            try {
              return do_not_optimize(wh.verify(body, headers));
            } catch {
              // try the next secret, as an app with several live secrets must
            }
          }
        });
        bench('svix', () => {
          for (const wh of svix) {
            try {
              return do_not_optimize(wh.verify(body, svixHeaders));
            } catch {
              // next secret
            }
          }
        });
      });
    }
  }

  const { benchmarks, layout } = (await run({ format: 'quiet' as never, throw: true })) as unknown as {
    layout: Array<{ name: string | number }>;
    benchmarks: Array<{ alias: string; group: number; runs: Array<{ stats?: { avg: number } }> }>;
  };
  return benchmarks.map((trial) => ({
    group: String(layout[trial.group]?.name ?? ''),
    name: trial.alias,
    nsPerOp: trial.runs[0]?.stats?.avg ?? NaN,
  }));
}
