// Verification micro-benchmarks (mitata's `measure`): Hookwarden's schemes against the packages users
// would use instead, and against the physical limit — a bare node:crypto HMAC-SHA256 plus
// timingSafeEqual over the same bytes (once per live secret, the match being the last).
//
// Side by side on a noisy machine: every contender of every case is measured in each of several
// interleaved rounds, and a contender's figure is the best of its rounds' medians (a busy moment
// only ever slows a sample down, so the best round is the least disturbed).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { githubProvider } from '../src/providers/github';
import { standardWebhooksProvider } from '../src/providers/standard-webhooks';
import { stripeProvider } from '../src/providers/stripe';
import type { WebhookRequest } from '../src/core/request';
import type { SignatureScheme } from '../src/core/signature-scheme';
import type { WebhookSecret } from '../src/core/secret';

export const LIMIT = 'node:crypto limit';
export const HOOKWARDEN = 'hookwarden';
/** Hookwarden's scheme from the `--before` tree. */
export const HOOKWARDEN_BEFORE = 'hookwarden (before)';

export interface MicroResult {
  /** `standard-webhooks`, `github`, `stripe`. */
  scheme: string;
  size: string;
  bytes: number;
  secrets: number;
  /** `node:crypto limit`, `hookwarden`, or the package compared. */
  name: string;
  /** Median nanoseconds per verification (best round). */
  nsPerOp: number;
}

export interface MicroOptions {
  /** Interleaved rounds; the best is kept. @default 5 */
  rounds?: number;
  /** Minimum CPU time per contender and round, in ms. @default 60 */
  minCpuMs?: number;
  /** Only these sizes (labels). */
  sizes?: string[];
  /** A tree before a change (`--before=DIR`): its Stripe scheme is measured beside this one's. */
  before?: string;
}

interface Contender {
  name: string;
  fn: () => unknown;
}

interface MicroCase {
  scheme: string;
  size: string;
  bytes: number;
  secrets: number;
  contenders: Contender[];
}

export const SIZES: Array<[string, number]> = [
  ['1 KiB', 1024],
  ['20 KiB', 20 * 1024],
  ['1 MiB', 1024 * 1024],
];

/** A JSON event of exactly `size` bytes with a top-level id, as every provider sends. */
export function jsonBody(size: number, id: string): string {
  const head = `{"id":"${id}","type":"bench.event","data":"`;
  return head + 'x'.repeat(size - head.length - 2) + '"}';
}

/** The Stripe scheme of another tree, loaded from its sources (the TypeScript loader is registered). */
function stripeSchemeOf(root: string): SignatureScheme {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(join(root, 'src/providers/stripe')) as { stripeProvider: typeof stripeProvider };
  return loaded.stripeProvider.scheme();
}

function cases(sizes: Array<[string, number]>, before?: string): MicroCase[] {
  const out: MicroCase[] = [];
  const timestamp = Math.floor(Date.now() / 1000);
  const context = { receivedAt: timestamp * 1000 };
  const call = (scheme: SignatureScheme, request: WebhookRequest, secrets: WebhookSecret[]) => () =>
    scheme.verify(request, secrets, context);

  // Standard Webhooks, 1 and 3 live secrets; the delivery is signed with the last one tried.
  const swSecrets = Array.from({ length: 3 }, () => 'whsec_' + randomBytes(32).toString('base64'));
  const swKeys = swSecrets.map((s) => Buffer.from(s.slice('whsec_'.length), 'base64'));
  const standardScheme = standardWebhooksProvider.scheme();
  for (const [size, bytes] of sizes) {
    const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
    const body = jsonBody(bytes, id);
    const rawBody = Buffer.from(body);
    const digest = createHmac('sha256', swKeys[2]).update(`${id}.${timestamp}.`).update(rawBody).digest();
    const signature = `v1,${digest.toString('base64')}`;
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
    const svixHeaders = { 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': signature };
    const request: WebhookRequest = { method: 'POST', url: '/hooks/bench', headers, query: {}, rawBody };
    for (const count of [1, 3]) {
      const live = swSecrets.slice(3 - count);
      const liveKeys = swKeys.slice(3 - count);
      const secrets: WebhookSecret[] = live.map((value, i) => ({ version: i + 1, value }));
      const standard = live.map((s) => new StandardWebhook(s));
      const svix = live.map((s) => new SvixWebhook(s));
      out.push({
        scheme: 'standard-webhooks',
        size,
        bytes,
        secrets: count,
        contenders: [
          {
            name: LIMIT,
            fn: () => {
              let ok = false;
              for (const key of liveKeys) {
                const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest();
                ok = timingSafeEqual(mac, digest) || ok;
              }
              return ok;
            },
          },
          { name: HOOKWARDEN, fn: call(standardScheme, request, secrets) },
          // One Webhook per live secret, tried in turn: what an app with several live secrets writes.
          { name: 'standardwebhooks', fn: () => tryEach(standard, (wh) => wh.verify(body, headers)) },
          { name: 'svix', fn: () => tryEach(svix, (wh) => wh.verify(body, svixHeaders)) },
        ],
      });
    }
  }

  // GitHub: hex HMAC-SHA256 of the body, keyed with the secret's UTF-8 bytes.
  const githubSecret = randomBytes(20).toString('hex');
  const githubKey = Buffer.from(githubSecret, 'utf8');
  const githubScheme = githubProvider.scheme();
  // Stripe: hex HMAC-SHA256 of "<t>.<body>", keyed with the whole whsec_ string.
  const stripeSecret = 'whsec_' + randomBytes(24).toString('hex');
  const stripeKey = Buffer.from(stripeSecret, 'utf8');
  const stripeScheme = stripeProvider.scheme();
  const stripeBefore = before ? stripeSchemeOf(before) : undefined;
  const stripe = new Stripe('sk_test_bench');
  for (const [size, bytes] of sizes) {
    const githubBody = jsonBody(bytes, '1234567890');
    const githubRaw = Buffer.from(githubBody);
    const githubDigest = createHmac('sha256', githubKey).update(githubRaw).digest();
    const githubSignature = `sha256=${githubDigest.toString('hex')}`;
    const githubRequest: WebhookRequest = {
      method: 'POST',
      url: '/hooks/github',
      headers: { 'x-hub-signature-256': githubSignature, 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' },
      query: {},
      rawBody: githubRaw,
    };
    out.push({
      scheme: 'github',
      size,
      bytes,
      secrets: 1,
      contenders: [
        {
          name: LIMIT,
          fn: () => timingSafeEqual(createHmac('sha256', githubKey).update(githubRaw).digest(), githubDigest),
        },
        { name: HOOKWARDEN, fn: call(githubScheme, githubRequest, [{ version: 1, value: githubSecret }]) },
        // @octokit/webhooks-methods is asynchronous and takes the payload as a string.
        { name: '@octokit/webhooks-methods', fn: () => octokitVerify!(githubSecret, githubBody, githubSignature) },
      ],
    });

    const stripeBody = jsonBody(bytes, 'evt_1NG8Du2eZvKYlo2CUI79vXWy');
    const stripeRaw = Buffer.from(stripeBody);
    const stripeDigest = createHmac('sha256', stripeKey).update(`${timestamp}.`).update(stripeRaw).digest();
    const stripeHeader = `t=${timestamp},v1=${stripeDigest.toString('hex')}`;
    const stripeRequest: WebhookRequest = {
      method: 'POST',
      url: '/hooks/stripe',
      headers: { 'stripe-signature': stripeHeader },
      query: {},
      rawBody: stripeRaw,
    };
    out.push({
      scheme: 'stripe',
      size,
      bytes,
      secrets: 1,
      contenders: [
        {
          name: LIMIT,
          fn: () =>
            timingSafeEqual(
              createHmac('sha256', stripeKey).update(`${timestamp}.`).update(stripeRaw).digest(),
              stripeDigest,
            ),
        },
        { name: HOOKWARDEN, fn: call(stripeScheme, stripeRequest, [{ version: 1, value: stripeSecret }]) },
        ...(stripeBefore
          ? [{ name: HOOKWARDEN_BEFORE, fn: call(stripeBefore, stripeRequest, [{ version: 1, value: stripeSecret }]) }]
          : []),
        // constructEvent also parses the event (JSON.parse), as Hookwarden's Stripe scheme reads its id.
        {
          name: 'stripe.webhooks.constructEvent',
          fn: () => stripe.webhooks.constructEvent(stripeRaw, stripeHeader, stripeSecret),
        },
      ],
    });
  }
  return out;
}

function tryEach<T>(verifiers: T[], verify: (verifier: T) => unknown): unknown {
  for (const verifier of verifiers) {
    try {
      return verify(verifier);
    } catch {
      // the next secret, as an app with several live secrets must
    }
  }
  throw new Error('no secret matched');
}

let octokitVerify: ((secret: string, payload: string, signature: string) => Promise<boolean>) | undefined;

export async function runVerifyBenchmarks(options: MicroOptions = {}): Promise<MicroResult[]> {
  const { measure, do_not_optimize } = await import('mitata');
  // ESM only; kept a native import() by the TypeScript loader.
  octokitVerify ??= ((await import('@octokit/webhooks-methods' as string)) as { verify: typeof octokitVerify }).verify;
  const rounds = options.rounds ?? 5;
  const minCpuTime = (options.minCpuMs ?? 60) * 1e6;
  // Few samples of the slow contenders (a 1 MiB body through a JavaScript SHA-256 takes ~10 ms): the
  // best of the rounds keeps the figure honest, and the run short.
  const opts = { min_cpu_time: minCpuTime, min_samples: 5 };
  const sizes = options.sizes ? SIZES.filter(([label]) => options.sizes!.includes(label)) : SIZES;
  const all = cases(sizes, options.before);

  // Every contender must actually accept the delivery, or its figure would be the cost of failing.
  for (const c of all) {
    for (const contender of c.contenders) {
      const result: unknown = await contender.fn();
      if (result === false || result === undefined || result === null) {
        throw new Error(`${c.scheme} ${c.size}: ${contender.name} did not verify`);
      }
    }
  }

  const best = new Map<string, number>();
  const key = (c: MicroCase, name: string) => `${c.scheme}|${c.size}|${c.secrets}|${name}`;
  for (let round = 0; round < rounds; round++) {
    for (const c of all) {
      for (const contender of c.contenders) {
        const fn = contender.fn;
        const probe = fn();
        const stats =
          probe instanceof Promise
            ? await measure(async () => do_not_optimize(await fn()), opts)
            : await measure(() => do_not_optimize(fn()), opts);
        const k = key(c, contender.name);
        best.set(k, Math.min(best.get(k) ?? Infinity, stats.p50));
      }
    }
  }
  return all.flatMap((c) =>
    c.contenders.map((contender) => ({
      scheme: c.scheme,
      size: c.size,
      bytes: c.bytes,
      secrets: c.secrets,
      name: contender.name,
      nsPerOp: best.get(key(c, contender.name))!,
    })),
  );
}
