// Small builders shared by the scheme and authenticator unit specs: a WebhookRequest from plain
// values, a secret, a verification time, and the code of a refusal.
import { createHmac } from 'node:crypto';
import { WebhookVerificationError } from '../../src/core/errors';
import type { ClientCertificate, WebhookRequest } from '../../src/core/request';
import type { WebhookSecret } from '../../src/core/secret';

export interface RequestInit {
  method?: string;
  /** Path and query, as received. The query object is derived from it unless given. */
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  body?: string | Buffer;
  remoteAddress?: string;
  clientCertificate?: ClientCertificate;
}

export function webhookRequest(init: RequestInit = {}): WebhookRequest {
  const url = init.url ?? '/hooks';
  const query: Record<string, unknown> = init.query ?? {};
  if (!init.query && url.includes('?')) {
    for (const [name, value] of new URLSearchParams(url.slice(url.indexOf('?') + 1))) query[name] = value;
  }
  const headers: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
  return {
    method: init.method ?? 'POST',
    url,
    headers,
    query,
    rawBody: Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body ?? '', 'utf8'),
    remoteAddress: init.remoteAddress,
    clientCertificate: init.clientCertificate,
  };
}

export const secret = (value: string | Buffer, version = 1): WebhookSecret => ({ version, value });

/** The verify context for a request received at this Unix time (seconds). */
export const at = (unixSeconds: number | string) => ({ receivedAt: Number(unixSeconds) * 1000 });

/** Runs a verification that must be refused and returns the refusal's code. */
export function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return error.code;
  }
  throw new Error('expected the request to be refused');
}

/** Like {@link refusal}, for a verification that may be asynchronous (a key fetched first). */
export async function refusalAsync(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return error.code;
  }
  throw new Error('expected the request to be refused');
}

/** Runs a verification that must be refused and returns the error (to check its message). */
export function refusalError(run: () => unknown): WebhookVerificationError {
  try {
    run();
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return error;
  }
  throw new Error('expected the request to be refused');
}

export const hex = (value: Buffer) => value.toString('hex');

/** An independent HMAC signer (node:crypto) over the parts in order, for expected values in specs. */
export function hmac(algorithm: string, key: string | Buffer, ...parts: Array<string | Buffer>): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

interface PublishedVector {
  provider: string;
  kind: string;
  source: string;
  inputs: Record<string, any>;
  expected: any;
  status: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VECTORS: PublishedVector[] = require('../fixtures/providers-vectors.json');

/** A vector of shared/providers.md (test/fixtures/providers-vectors.json) by provider and kind. */
export function publishedVector(provider: string, kind: string): PublishedVector {
  const found = VECTORS.find((vector) => vector.provider === provider && vector.kind === kind);
  if (!found) throw new Error(`No ${provider}/${kind} vector in providers-vectors.json`);
  return found;
}
